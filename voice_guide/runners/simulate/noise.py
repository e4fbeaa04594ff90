"""Room noise for scripted audio, generated block by block so long sessions stay flat in memory.

Kinds: `pink` (1/f hiss, like a fan), `music` (soft synthetic chords), `babble` (other people
talking: espeak-ng voices saying sentences with no command words), or a WAV file (looped).
Levels are set from an SNR against a reference speech power.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from voice_guide.audio.pcm import load_wav
from voice_guide.const import RATE
from voice_guide.errors import UserError
from voice_guide.runners.simulate.synth import synthesize

BLOCK = RATE * 8  # 8 s per generated block

BABBLE_SENTENCES = (
    "The weather has been lovely this week, we walked along the river on Sunday.",
    "I think the meeting moved to Thursday afternoon at three.",
    "Could you bring the blue folder from the front desk later on?",
    "My sister is visiting from Chicago with her two children.",
    "They opened a new bakery on the corner near the station.",
    "We should order more towels before the weekend rush.",
    "The parking lot was completely full again this morning.",
    "He said the train was delayed because of the snow.",
)
BABBLE_VOICES = ("en-us+m3", "en-gb+f2", "en-us+f5", "en-029+m4")


def pink(n: int, rng: np.random.Generator) -> np.ndarray:
    spec = np.fft.rfft(rng.standard_normal(n))
    f = np.arange(len(spec))
    spec[1:] /= np.sqrt(f[1:])
    spec[0] = 0
    return np.fft.irfft(spec, n)


def music(n: int, rng: np.random.Generator) -> np.ndarray:
    """Chords of soft harmonic tones, a new chord every 0.5 to 1 s."""
    out, pos = np.zeros(n), 0
    while pos < n:
        length = min(n - pos, int(RATE * rng.uniform(0.5, 1.0)))
        t = np.arange(length) / RATE
        env = np.minimum(1, np.linspace(0, 8, length)) * np.linspace(1, 0.5, length)
        root = 110 * 2 ** (rng.integers(0, 24) / 12)
        for interval in (0, 4, 7, 12):
            for h in (1, 2, 3):
                out[pos:pos + length] += env * np.sin(2 * np.pi * root * 2 ** (interval / 12)
                                                      * h * t) / h
        pos += length
    return out


def babble(n: int, rng: np.random.Generator, talkers: int = 4,
           sentences: tuple[str, ...] = BABBLE_SENTENCES,
           voices: tuple[str, ...] = BABBLE_VOICES) -> np.ndarray:
    """Other people talking: espeak-ng voices saying sentences, overlapping."""
    out = np.zeros(n)
    for k in range(talkers):
        pos = int(rng.integers(0, RATE))
        while pos < n:
            text = sentences[rng.integers(len(sentences))]
            s = synthesize(text, voice=voices[k % len(voices)],
                           rate=int(rng.integers(140, 190)))[: n - pos].astype(np.float64)
            out[pos:pos + len(s)] += s
            pos += len(s) + int(RATE * rng.uniform(0.05, 0.4))
    return out


class NoiseSource:
    """Endless noise of one kind at a fixed RMS; `read(n)` returns float64 samples."""

    def __init__(self, kind: str, rms: float, seed: int = 0) -> None:
        self.kind, self.rms = kind, rms
        self.rng = np.random.default_rng(seed)
        self._buf = np.zeros(0)
        self._wav = _load_wav(Path(kind)) if kind not in ("pink", "music", "babble") else None
        self._wav_pos = 0

    def read(self, n: int) -> np.ndarray:
        while len(self._buf) < n:
            self._buf = np.concatenate([self._buf, self._block()])
        out, self._buf = self._buf[:n], self._buf[n:]
        return out

    def _block(self) -> np.ndarray:
        if self._wav is not None:
            idx = (self._wav_pos + np.arange(BLOCK)) % len(self._wav)
            self._wav_pos = int(idx[-1] + 1)
            block = self._wav[idx]
        else:
            block = {"pink": pink, "music": music, "babble": babble}[self.kind](BLOCK, self.rng)
        return block * (self.rms / (np.sqrt(np.mean(block**2)) + 1e-9))


def _load_wav(path: Path) -> np.ndarray:
    pcm = load_wav(path).astype(np.float64)
    if not len(pcm) or not np.any(pcm):
        raise UserError(f"{path}: the noise file is empty or silent")
    return pcm
