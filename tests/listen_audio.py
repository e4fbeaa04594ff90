"""Helpers for the listening tests: real espeak-ng speech laid out on a timeline."""

from __future__ import annotations

import numpy as np

from voice_guide.runners.simulate.synth import synthesize

RATE = 16000


def timeline(lines: list[str], *, voice: str = "en-us", rate: int = 160, gap: float = 1.5,
             lang: str | None = None, noise: float = 40.0, seed: int = 0):
    """Speak each line with `gap` s of quiet between; returns (pcm, [(text, start, end)])."""
    rng = np.random.default_rng(seed)
    parts, marks, t = [np.zeros(int(RATE * gap))], [], gap
    for text in lines:
        s = synthesize(text, voice=voice, rate=rate, lang=lang).astype(np.float64)
        voiced = np.nonzero(np.abs(s) > 300)[0]
        marks.append((text, t + voiced[0] / RATE, t + (voiced[-1] + 1) / RATE))
        parts += [s, np.zeros(int(RATE * gap))]
        t += (len(s) + int(RATE * gap)) / RATE
    pcm = np.concatenate(parts) + rng.normal(0, noise, sum(map(len, parts)))
    return np.clip(pcm, -32768, 32767).astype(np.int16), marks


def run(listener, pcm: np.ndarray, chunk: int = 1600):
    out = []
    for i in range(0, len(pcm), chunk):
        out += listener.feed(pcm[i:i + chunk])
    return out + listener.flush()


def add_pink(pcm: np.ndarray, snr_db: float, seed: int = 0) -> np.ndarray:
    """Pink noise at `snr_db` below the speech power of the voiced samples."""
    rng = np.random.default_rng(seed)
    spec = np.fft.rfft(rng.standard_normal(len(pcm)))
    spec[1:] /= np.sqrt(np.arange(1, len(spec)))
    spec[0] = 0
    noise = np.fft.irfft(spec, len(pcm))
    x = pcm.astype(np.float64)
    p_speech = np.mean(x[np.abs(x) > 100] ** 2)
    noise *= np.sqrt(p_speech / 10 ** (snr_db / 10)) / np.sqrt(np.mean(noise**2))
    return np.clip(np.round(x + noise), -32768, 32767).astype(np.int16)
