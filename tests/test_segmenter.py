"""The segmenter on real espeak-ng speech and the real silero VAD."""

from __future__ import annotations

import numpy as np
import pytest

from voice_guide.const import FRAME, RATE
from voice_guide.ears.segmenter import SileroVad
from voice_guide.runners.simulate.synth import synthesize


def hiss(seconds: float, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).normal(0, 30, int(seconds * RATE))


def frames(x: np.ndarray) -> list[np.ndarray]:
    pcm = np.clip(np.round(x), -32768, 32767).astype(np.int16)
    return [pcm[k * FRAME:(k + 1) * FRAME] for k in range(len(pcm) // FRAME)]


def test_the_vad_starts_afresh_after_a_second_of_certain_silence():
    """silero is recurrent and its state drifts deaf over a long session (the Korean example
    lost a clear word); after a second in a quiet room it is sure of silence, it is reset:
    from there on it gives what a fresh model gives, where one never reset does not."""
    talk = synthesize("we will work on the left side today, breathe out slowly").astype(float)
    word = synthesize("stop").astype(float)
    x = frames(np.concatenate([hiss(0.5), talk + hiss(len(talk) / RATE, 1), hiss(1.6, 2),
                               word + hiss(len(word) / RATE, 3), hiss(0.5, 4)]))
    reset = SileroVad(reset_after=1.0)
    probs = [reset(f) for f in x]
    quiet, at = 0, None
    for k, p in enumerate(probs):
        quiet = quiet + 1 if p < SileroVad.QUIET else 0
        if quiet == round(RATE / FRAME) and at is None and k > len(talk) // FRAME:
            at = k + 1  # the first frame after the reset
    assert at is not None and max(probs[at:]) > 0.9  # the word after the silence is speech
    fresh = SileroVad(reset_after=None)
    assert [fresh(f) for f in x[at:]] == pytest.approx(probs[at:], abs=1e-6)
    carried = SileroVad(reset_after=None)
    assert [carried(f) for f in x][at:] != pytest.approx(probs[at:], abs=1e-6)


def test_the_vad_keeps_its_state_in_a_noisy_room():
    """In steady noise the carried state is what keeps the noise from sounding like speech:
    no reset there, however sure the model is that nobody speaks."""
    word = synthesize("stop").astype(float)
    noisy = frames(np.concatenate([hiss(3.0) * 10, word + hiss(len(word) / RATE, 1) * 10]))
    never = SileroVad(reset_after=None)
    kept = SileroVad(reset_after=1.0)
    assert [kept(f) for f in noisy] == pytest.approx([never(f) for f in noisy], abs=1e-6)
