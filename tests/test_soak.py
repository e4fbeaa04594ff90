"""The soak benchmark, short: a few minutes of audio through the real simulator, then the same
criteria as the 3-hour run (benchmarks/soak.py, numbers in the README)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from voice_guide.events import cue
from voice_guide.guide_voice import CACHE_TEXTS, GuideVoice

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
import soak  # noqa: E402


def test_short_soak_misses_nothing_and_keeps_time():
    result = soak.run(minutes=5, echo_db=None, trace=False)
    probe, end, window = result["probe"], result["end"], result["window"]
    said, lost = soak.missed(probe, 0.0, end)
    assert said >= 15 and lost <= 1, (said, lost)
    assert soak.missed(probe, end - window, end)[1] == 0  # the last minutes as the first
    assert len(probe.holds) >= 5
    assert max(abs(err) for _, err in probe.holds) < 0.05  # the 12 s limit, within 50 ms
    assert max(late for _, late in probe.lag) < 0.05
    assert result["log_ok"] and result["log_events"] > 100
    (_, rss0, _), (_, rss1, _) = probe.memory[0], probe.memory[-1]
    assert rss1 - rss0 < 20, (rss0, rss1)  # MB


def test_guide_voice_memory_is_bounded():
    """What the soak found: every new text ("12 minutes") was kept rendered, every clip kept."""
    voice = GuideVoice(lambda text: np.zeros(1600, np.int16))
    for i in range(500):
        voice(cue(i * 1.0, f"{i} seconds"))
        voice.advance(i + 0.5)
    assert len(voice._cache) <= CACHE_TEXTS and len(voice.clips) <= 61
    assert voice.busy_until() == 499.1
