"""Speech synthesis with the espeak-ng program, as 16 kHz int16 mono numpy audio.

Used for scripted audio, tests and benchmarks. It calls the real `espeak-ng` binary (not a
Python binding) so what we test is what a user would hear; no caching, so each call is honest.
"""

from __future__ import annotations

import shutil
import subprocess

import numpy as np

from voice_guide.audio.pcm import streamed_wav
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
    return streamed_wav(proc.stdout, "espeak-ng")
