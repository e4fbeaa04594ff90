"""A report said over the guide's own voice, through an echo path whose clock is not the
player's: a sound server resamples to hold its latency, so the echo drifts a few samples over
a cue, which one lag for a whole utterance cannot follow (session/echo.py). Real espeak-ng
speech, the real listener and session; the echo path is simulated (a delay, a gain and a
clock 0.01 % fast), as no sound card is here. How often a word said at any moment of a cue
is heard is measured by `benchmarks.barge_in` (a few moments are missed); these are moments
that one lag for the whole cue lost."""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks.barge_in import CUE, CUE_AT, acted, heard, said
from voice_guide.const import RATE
from voice_guide.runners.simulate.synth import synthesize


@pytest.fixture(scope="module")
def cue() -> np.ndarray:
    return synthesize(CUE, voice="en-us", rate=175)


@pytest.mark.parametrize("fast", [0.0, 1e-4])
def test_the_echo_alone_is_not_heard(cue, fast):
    assert heard(cue, None, fast=fast) == []


@pytest.mark.parametrize("word", ["stop", "next"])
def test_a_word_said_over_the_drifting_echo_is_heard_when_it_ends(cue, word):
    """Heard, and acted on soon after the word rather than at the guide's next pause (the
    echo held the utterance open: 2.0-2.1 s after the word, before Listener._over_guide)."""
    [(command, t)] = acted(cue, word, 2.6, 1e-4)
    end = CUE_AT + 2.6 + np.flatnonzero(np.abs(said(word)) > 100)[-1] / RATE
    assert command == word and t - end < 0.6
