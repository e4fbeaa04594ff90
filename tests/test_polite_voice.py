"""Cues that can wait hold back while the therapist speaks; safety always cuts in.

GuideVoice (scripted audio) and the live Speaker share the rule (speaker.waits); here the
audio timeline is driven by hand, with a silent render of fixed length (no engine needed:
only the timing is under test).
"""

from __future__ import annotations

import numpy as np

from voice_guide.events import cue
from voice_guide.runners.simulate.guide_voice import GuideVoice
from voice_guide.voice.speaker import MAX_WAIT, waits


def voice(speaking: list[bool]) -> GuideVoice:
    return GuideVoice(lambda text: np.zeros(16000, np.int16),  # 1 s per clip
                      therapist_speaking=lambda: speaking[0])


def test_which_cues_wait():
    assert waits({"kind": "reprompt", "priority": "normal"})
    assert waits({"kind": "rep", "priority": "timer"})
    assert waits({"kind": "hold_call", "priority": "timer"})
    assert not waits({"kind": "tp_limit", "priority": "safety", "interrupt": True})
    assert not waits({"kind": "safety", "priority": "safety"})
    assert not waits({"kind": "step", "priority": "normal"})


def test_a_reprompt_waits_for_the_therapist_and_safety_does_not():
    speaking = [True]
    v = voice(speaking)
    v(cue(10.0, "Say next when ready.", kind="reprompt"))
    v.advance(11.0)
    assert v.clips == []  # held back while the therapist talks
    v(cue(11.0, "A pulse: move lateral.", priority="safety", kind="safety"))
    assert [c.start for c in v.clips] == [11.0]  # safety cuts in at once
    speaking[0] = False
    v.advance(12.5)
    assert [(c.cue["kind"], c.start) for c in v.clips] == [("safety", 11.0),
                                                           ("reprompt", 12.5)]


def test_a_waiting_cue_gives_way_after_max_wait():
    v = voice([True])
    v(cue(0.0, "Say next when ready.", kind="reprompt"))
    v.advance(MAX_WAIT - 0.1)
    assert v.clips == []
    v.advance(MAX_WAIT + 0.1)
    assert len(v.clips) == 1


def test_a_late_count_is_dropped_not_said():
    speaking = [True]
    v = voice(speaking)
    v(cue(4.0, "4 seconds.", priority="timer", kind="hold_call"))
    v.advance(6.0)
    speaking[0] = False
    v.advance(6.1)
    assert v.clips == []  # "4 seconds" said at 6 s would be wrong
