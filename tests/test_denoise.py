"""Spectral subtraction (ears/denoise.py): a measured option, off by default (see
benchmarks/RESULTS-listen.md: it did not help the templates in babble, music or pink noise)."""

from __future__ import annotations

import numpy as np

from voice_guide.ears.denoise import DenoiseConfig, noise_power, subtract


def tone(seconds: float, hz: float = 440.0, amp: float = 8000.0) -> np.ndarray:
    t = np.arange(int(16000 * seconds)) / 16000
    return amp * np.sin(2 * np.pi * hz * t)


def test_no_noise_leaves_the_audio_as_it_was():
    x = np.random.default_rng(1).normal(0, 3000, 9000).astype(np.int16)
    assert np.array_equal(subtract(x, np.zeros(257), DenoiseConfig()), x)


def test_steady_noise_is_taken_out_and_a_tone_over_it_kept():
    rng = np.random.default_rng(2)
    noise = rng.normal(0, 2000, 16000 * 3)
    heard = noise[:16000 * 2].astype(np.int16)
    sig = tone(1.0)
    mixed = np.clip(sig + noise[16000 * 2:], -32768, 32767).astype(np.int16)
    power = noise_power(heard, DenoiseConfig().percentile)
    assert power is not None
    out = subtract(mixed, power, DenoiseConfig()).astype(np.float64)
    before = np.std(mixed - sig)
    after = np.std(out - sig)
    assert after < before / 2, (before, after)


def test_too_little_history_gives_no_estimate():
    assert noise_power(np.zeros(1000, dtype=np.int16), 20.0) is None
