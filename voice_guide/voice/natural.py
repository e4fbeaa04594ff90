"""The natural voice: hibari-tts's `heart` (American English, female), in the wheel itself.

hibari (PyPI `hibari-tts`, Apache-2.0; distilled from Kokoro-82M, Apache-2.0) renders about
100x faster than real time on one core, so a cue is ready in a fraction of a second. Only
`heart` ships inside the package; the other hibari voices would be downloaded at run time,
which this offline guide never does, so they are refused. Voice id in the settings and on
the command line: `hibari:heart`.

Renders use a fixed seed: the same text always gives the same samples, so echo matching and
scripted audio replay exactly. Output is 24 kHz float; it is resampled to the guide's 16 kHz
int16 like every other voice.
"""

from __future__ import annotations

import threading

import numpy as np

from voice_guide.audio.pcm import resample_int16
from voice_guide.const import RATE
from voice_guide.errors import SpeechUnavailable

PREFIX = "hibari:"
VOICES = {"heart": "heart (natural, US female)"}
BASE_RATE = 165  # words per minute that hibari's speed 1.0 stands for (the settings' default)
SEED = 0

_lock = threading.Lock()
_engine = None


def is_natural(voice: str | None) -> bool:
    return bool(voice) and str(voice).startswith(PREFIX)


def voice_name(voice: str) -> str:
    """`hibari:heart` -> `heart`; any other hibari voice is refused."""
    name = str(voice)[len(PREFIX):] or "heart"
    if name not in VOICES:
        raise SpeechUnavailable(f"hibari voice {name!r} is not installed; the one in the "
                                f"package is {PREFIX}heart")
    return name


def _load():
    global _engine
    with _lock:
        if _engine is None:
            try:
                from hibari import Hibari

                _engine = Hibari(voice="heart", threads=1)
            except Exception as exc:  # not installed, onnxruntime missing or broken
                raise SpeechUnavailable(f"hibari could not start: {exc}") from exc
        return _engine


def render(text: str, voice: str = "hibari:heart", rate: int = BASE_RATE,
           volume: float = 1.0) -> np.ndarray:
    """`text` in the natural voice: 16 kHz mono int16, the same samples every time."""
    voice_name(voice)
    engine = _load()
    speed = float(np.clip(rate / BASE_RATE, 0.5, 2.0))
    with _lock:  # one onnxruntime session, one render at a time
        audio = engine(text, speed=speed, seed=SEED) if text.strip() else np.zeros(0)
    return resample_int16(np.asarray(audio, dtype=np.float32) * 32767.0 * volume, 24000, RATE)


def listing() -> list[dict]:
    """Entries for `voice-guide voices`, in the form the espeak-ng ones have."""
    return [{"id": PREFIX + name, "name": label, "languages": ["en-us"], "kind": "natural"}
            for name, label in VOICES.items()]
