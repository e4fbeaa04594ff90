"""A near miss is asked again ("Pardon? I did not catch that."), and a clear command that does
not fit the moment gets a hint: neither is dropped in silence.

The listener here is a stand-in that returns given decisions: what is under test is how the
session answers a refused utterance (session/pardon.py and Session). How often a real listener
refuses close to a command, and how often chatter does, is measured by the listening
benchmark (`benchmarks.listen`: "asked again"), not here.
"""

from __future__ import annotations

import numpy as np

from voice_guide.dialogue.core import Dialogue
from voice_guide.ears.listener import Decision
from voice_guide.ears.templates import Match
from voice_guide.protocol import registry
from voice_guide.session.core import Session
from voice_guide.session.pardon import MISPLACED, SAY_AGAIN, SAY_AGAIN_QUIET, near_miss


class Heard:
    """A listener stand-in: each feed() returns the next queued decisions."""

    def __init__(self) -> None:
        self.queue: list[list[Decision]] = []
        self.t = 0.0
        self.echo_filter = None

    def feed(self, pcm: np.ndarray) -> list[Decision]:
        self.t += len(pcm) / 16000
        return self.queue.pop(0) if self.queue else []

    def flush(self) -> list[Decision]:
        return []

    def set_active(self, commands, expected=()) -> None:
        pass


def refused(t: float, best: str, confidence: float, heard: str | None = None) -> Decision:
    """A refusal whose templates' best is `best`; the grammar pass heard `heard` (the same
    phrasing unless given: then both witnesses name it)."""
    text = best if heard is None else heard
    return Decision(None, t, t - 0.6, t - 0.2, text, reason="templates: not sure",
                    confidence=confidence, matches=(Match(best, 0.2, best, "espeak:en-us"),),
                    evidence="grammar+templates" if text == best else "templates")


def session_with(*batches: list[Decision],
                 guide: tuple[float, float] | None = None) -> tuple[Session, list]:
    """A psoas session fed these decisions, one batch per block; `guide`: the guide's own
    voice reaches the microphone over that span of audio time."""
    events: list = []
    ears = Heard()
    session = Session(Dialogue(registry.resolve("psoas")), [events.append], listener=ears)
    session.start(0.0)
    events.clear()
    if guide is not None:
        session.speaking(*guide, "Find the navel and move two finger widths out.")
    ears.queue = list(batches)
    for _ in batches:
        session.feed_audio(np.zeros(1600, dtype=np.int16))
    return session, events


def asked(events) -> list[float]:
    return [e.t for e in events if e.event == "cue" and e.kind == "say_again"]


def test_a_near_miss_of_an_active_command_is_asked_again():
    session, events = session_with([refused(10.0, "next", 0.6)])
    assert asked(events) == [10.0]
    cue = next(e for e in events if e.event == "cue" and e.kind == "say_again")
    assert cue.text == "Pardon? I did not catch that."
    assert session.dialogue.state == "position"  # nothing acted on


def test_no_ask_again_for_an_inactive_command_a_weak_guess_or_a_question():
    active = Dialogue(registry.resolve("psoas")).active_commands()
    assert "fading" not in active  # no hold under way: "fading" said clearly is a hint case
    _, events = session_with([refused(10.0, "fading", 0.9)],
                             [refused(20.0, "next", SAY_AGAIN / 2)],
                             [refused(30.0, "-", 0.9)])
    assert asked(events) == []


def test_one_ask_again_at_a_time_and_none_for_the_tail_of_a_heard_command():
    heard = Decision("stop", 20.0, 19.4, 19.8, "stop", confidence=0.9)
    _, events = session_with([refused(10.0, "next", 0.6)],
                             [refused(11.0, "next", 0.6)],  # within the quiet: not again
                             [refused(10.0 + SAY_AGAIN_QUIET + 1.0, "next", 0.6)],
                             [heard], [refused(21.0, "resume", 0.6)])
    assert asked(events) == [10.0, 10.0 + SAY_AGAIN_QUIET + 1.0]


def test_no_ask_again_over_the_guides_own_voice():
    _, events = session_with([refused(10.0, "next", 0.6)], guide=(9.0, 12.0))
    assert asked(events) == []


def test_near_miss_needs_a_refusal():
    accepted = Decision("next", 5.0, 4.4, 4.8, "next", confidence=0.9,
                        matches=(Match("next", 0.1, "next", "espeak:en-us"),))
    assert not near_miss(accepted, {"next"})
    assert near_miss(refused(5.0, "next", SAY_AGAIN), {"next"})


def hints(events) -> list[str]:
    return [e.text for e in events if e.event == "cue" and e.kind == "hint"]


def test_a_clear_command_that_does_not_fit_gets_the_hint_a_typed_one_gets():
    session, events = session_with([refused(10.0, "fading", 0.9)],
                                   [refused(20.0, "fading", MISPLACED / 2)],  # not clear
                                   [refused(30.0, "-", 0.9)])  # a question to the client
    assert hints(events) == ["fading does not fit here. Say help to hear the options."]
    assert session.dialogue.state == "position" and asked(events) == []


def test_no_hint_for_a_command_only_the_templates_heard():
    """A clear "next" in music was nearest "no" to the templates alone; the guide answered
    "no does not fit here". A hint names what both witnesses heard."""
    _, events = session_with([refused(10.0, "no", 0.97, heard="next")])
    assert hints(events) == []


def test_while_paused_a_clear_command_that_does_not_fit_hears_what_the_pause_needs():
    pause = Decision("pause", 10.0, 9.4, 9.8, "pause", confidence=0.9)
    session, events = session_with([pause], [refused(13.0, "next", 0.9)])
    assert session.dialogue.paused_by == "pause"
    assert hints(events) == ["Paused. Say resume when you are ready."]
