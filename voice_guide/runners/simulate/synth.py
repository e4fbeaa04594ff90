"""Speech synthesis with the espeak-ng program, as 16 kHz int16 mono numpy audio.

Used for scripted audio, tests and benchmarks. It calls the real `espeak-ng` binary (not a
Python binding) so what we test is what a user would hear; no caching, so each call is honest.
"""

from __future__ import annotations

import shutil
import subprocess

import numpy as np
import soxr

from voice_guide.const import RATE
from voice_guide.errors import UserError


def synthesize(text: str, voice: str = "en-us", rate: int = 160, pitch: int = 50,
               lang: str | None = None) -> np.ndarray:
    """Speak `text` with espeak-ng and return 16 kHz mono int16 samples.

    `voice` is any espeak-ng voice, optionally with a variant ("en-us+f3"); `lang`, when
    given, overrides the voice's language part (e.g. lang="ko" keeps the variant).
    """
    exe = shutil.which("espeak-ng")
    if exe is None:
        raise UserError("espeak-ng is not installed (apt-get install espeak-ng)")
    if lang:
        variant = voice.split("+", 1)[1] if "+" in voice else ""
        voice = lang + (f"+{variant}" if variant else "")
    # The text comes after `--`, where no word of it can be read as an option: "-w/path"
    # would otherwise make espeak-ng write a WAV file there.
    cmd = [exe, "-v", voice, "-s", str(rate), "-p", str(pitch), "--stdout", "--", text]
    proc = subprocess.run(cmd, capture_output=True, check=False)
    if proc.returncode != 0 or not proc.stdout:
        msg = proc.stderr.decode(errors="replace").strip().splitlines()
        raise UserError(f"espeak-ng failed for voice {voice!r}: {msg[0] if msg else 'no audio'}")
    return _wav_to_16k(proc.stdout)


def _wav_to_16k(data: bytes) -> np.ndarray:
    """espeak-ng streams a WAV whose length fields are placeholders: read up to EOF instead."""
    if data[:4] != b"RIFF" or b"fmt " not in data[:64] or b"data" not in data[:128]:
        raise UserError("espeak-ng produced no WAV audio")
    src_rate = int.from_bytes(data[24:28], "little")
    body = data[data.index(b"data", 12) + 8:]
    pcm = np.frombuffer(body[: len(body) // 2 * 2], dtype="<i2")
    if src_rate == RATE:
        return pcm.astype(np.int16)
    out = soxr.resample(pcm.astype(np.float32) / 32768.0, src_rate, RATE)
    return np.clip(np.round(out * 32768.0), -32768, 32767).astype(np.int16)
