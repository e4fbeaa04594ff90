"""The synthetic voices the project may use (DEVELOPERS.md, "Voices"), behind one function.

A voice is named `engine:name`, and rendered at a tempo (1.0 = the engine's normal pace,
1.3 = slower) and a pitch shift in semitones:
  - `espeak:<voice>[+variant]`  every espeak-ng voice and variant (tempo -> words a minute);
  - `flite:kal16`               Debian `flite`, this voice only;
  - `festival:kdlpc16k`         Debian `festvox-kdlpc16k` (it loads as voice_ked_diphone);
  - `hibari:heart`              the PyPI package `hibari-tts`, this voice only.
No other flite, festival or neural voice may be used: they are kept for the evaluation.
All audio comes back as 16 kHz mono int16.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
import tempfile
import zlib
from pathlib import Path

import numpy as np
import soxr

from voice_guide.errors import UserError
from voice_guide.runners.simulate.synth import synthesize

RATE = 16000
ALLOWED = {"flite": {"kal16"}, "festival": {"kdlpc16k"}, "hibari": {"heart"}}


def render(text: str, voice: str, tempo: float = 1.0, semitones: float = 0.0,
           lang: str = "en") -> np.ndarray:
    engine, _, name = voice.partition(":")
    if engine != "espeak" and name not in ALLOWED.get(engine, ()):
        raise UserError(f"voice {voice!r} is not one the project may use")
    if engine == "espeak":
        pitch = int(np.clip(50 + 6 * semitones, 0, 99))
        return synthesize(text, voice=name, rate=int(round(160 / tempo)), pitch=pitch,
                          lang=lang if lang != "en" else None)
    if engine == "hibari":
        # hibari adds a random noise component; seeded by what is said, a rerun renders the
        # same audio, so two benchmark runs differ only by the change under test.
        seed = zlib.crc32(f"{text}|{tempo:.3f}".encode())
        audio = _hibari()(text, speed=1.0 / tempo, seed=seed)
        pcm = _to16k(np.asarray(audio, dtype=np.float32), 24000)
    else:
        pcm = _program(engine, text, tempo)
    return _shift(pcm, semitones) if semitones else pcm


@functools.lru_cache(maxsize=1)
def _hibari():
    from hibari import Hibari  # a benchmark-only dependency (pyproject's test extra)

    return Hibari(voice="heart", threads=1)


def _program(engine: str, text: str, tempo: float) -> np.ndarray:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp, "out.wav")
        if engine == "flite":
            cmd = [_need("flite"), "-voice", "kal16", "--setf", f"duration_stretch={tempo}",
                   "-o", str(out), "-t", text]
            subprocess.run(cmd, check=True, capture_output=True)
        else:
            src = Path(tmp, "in.txt")
            src.write_text(text + "\n", encoding="utf-8")
            cmd = [_need("text2wave"), "-eval", "(voice_ked_diphone)", "-eval",
                   f"(Parameter.set 'Duration_Stretch {tempo})", "-o", str(out), str(src)]
            subprocess.run(cmd, check=True, capture_output=True)
        return _read(out)


def _need(program: str) -> str:
    exe = shutil.which(program)
    if exe is None:
        raise UserError(f"{program} is not installed (scripts/setup installs it)")
    return exe


def _read(path: Path) -> np.ndarray:
    import soundfile as sf

    data, rate = sf.read(str(path), dtype="float32", always_2d=True)
    return _to16k(data[:, 0], rate)


def _to16k(x: np.ndarray, rate: int) -> np.ndarray:
    if rate != RATE:
        x = soxr.resample(x, rate, RATE)
    return np.clip(np.round(x * 32767.0), -32768, 32767).astype(np.int16)


def _shift(pcm: np.ndarray, semitones: float) -> np.ndarray:
    """Pitch shift keeping the tempo (sox `pitch`). `-R`: sox dithers its output with a
    random seed of its own, so without it every run rendered another stream (over two fifths
    of the samples of each flite and hibari line differed) and decisions moved between runs."""
    cmd = [_need("sox"), "-q", "-R", "-t", "raw", "-r", str(RATE), "-e", "signed", "-b", "16",
           "-c", "1", "-", "-t", "raw", "-", "pitch", str(int(round(semitones * 100)))]
    proc = subprocess.run(cmd, input=pcm.astype("<i2").tobytes(), capture_output=True,
                          check=True)
    return np.frombuffer(proc.stdout, dtype="<i2").astype(np.int16)
