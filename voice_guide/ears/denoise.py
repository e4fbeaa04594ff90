"""Spectral subtraction: take a steady room's noise out of an utterance before it is matched.

The room's spectrum is estimated from what was heard before the utterance: a low percentile of
each frequency's power over the last seconds (speech comes and goes, the noise stays), so a
sentence said just before a command does not count as noise. That power, times
`over` (over-subtraction), is taken out of every short-time spectrum of the utterance, never
below `floor` of the original power (which keeps "musical noise" down). The phase is kept and
the audio is put back together by overlap-add (Hann windows at 50 % overlap sum to one).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

WINDOW = 512  # 32 ms at 16 kHz
HOP = WINDOW // 2
MIN_HISTORY = 4000  # samples: a quarter of a second
_HANN = np.hanning(WINDOW + 1)[:-1].astype(np.float64)  # periodic: sums to 1 at 50 % overlap


@dataclass(frozen=True)
class DenoiseConfig:
    over: float = 2.0          # times the noise power taken out
    floor: float = 0.05        # never below this share of the original power
    percentile: float = 20.0   # of each bin's power over the noise history
    history: float = 3.0       # seconds heard before the utterance that estimate the noise


def spectra(pcm: np.ndarray) -> np.ndarray:
    """Short-time spectra (frames x bins) of int16 or float audio, zero-padded to whole hops."""
    x = np.asarray(pcm, dtype=np.float64)
    n = max(1, int(np.ceil(max(len(x) - WINDOW, 0) / HOP)) + 1)
    x = np.pad(x, (0, (n - 1) * HOP + WINDOW - len(x)))
    idx = np.arange(WINDOW)[None, :] + HOP * np.arange(n)[:, None]
    return np.fft.rfft(x[idx] * _HANN, axis=1)


def noise_power(history: np.ndarray, percentile: float) -> np.ndarray | None:
    """The room's power per frequency bin from audio heard before the utterance (None: too
    little of it to tell, under a quarter of a second)."""
    if len(history) < MIN_HISTORY:
        return None
    power = np.abs(spectra(history)) ** 2
    # A bin's power over time is exponentially distributed in steady noise: its mean is the
    # percentile divided by -ln(1 - p).
    return np.percentile(power, percentile, axis=0) / -np.log1p(-percentile / 100.0)


def subtract(pcm: np.ndarray, noise: np.ndarray, cfg: DenoiseConfig) -> np.ndarray:
    """`pcm` (int16) with `noise` (power per bin) taken out; same length, int16. Padded by
    half a window on each side so every sample kept lies under two windows."""
    x = np.pad(np.asarray(pcm, dtype=np.float64), (HOP, HOP))
    spec = spectra(x)
    power = np.abs(spec) ** 2
    kept = np.maximum(power - cfg.over * noise[None, :], cfg.floor * power)
    gain = np.sqrt(kept / np.maximum(power, 1e-12))
    frames = np.fft.irfft(spec * gain, n=WINDOW, axis=1)
    out = np.zeros((len(frames) - 1) * HOP + WINDOW)
    for k, frame in enumerate(frames):
        out[k * HOP:k * HOP + WINDOW] += frame
    return np.clip(np.round(out[HOP:HOP + len(pcm)]), -32768, 32767).astype(np.int16)
