"""Sound files that can stand for a cue (a cue's `sound` field), shipped as package data.

`chime.wav`: a soft 880 Hz bell, 1.2 s, 16 kHz mono, made with numpy for the hold limit.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import numpy as np

from voice_guide.errors import UserError
from voice_guide.voice.tts import read_wav_16k


def sound_path(name: str) -> Path:
    """A packaged sound by name ("chime" or "chime.wav"), or any existing WAV path."""
    p = Path(name).expanduser()
    if p.is_file():
        return p
    fname = name if name.endswith(".wav") else f"{name}.wav"
    packaged = resources.files(__name__) / fname
    if packaged.is_file():
        return Path(str(packaged))
    raise UserError(f"no such sound: {name!r} (neither a file nor a packaged sound)")


def load_sound(name: str) -> np.ndarray:
    """The sound as 16 kHz mono int16, like rendered speech."""
    return read_wav_16k(sound_path(name))
