"""When the guide asks again ("Pardon? I did not catch that.") instead of staying silent.

A voice-only user has no other sign that a command was missed. A refused utterance that came
close to a command that makes sense now is a near miss; the session asks again about it,
though not just after a heard command (that is its tail) nor just after another ask (one
question, not a stream of them). Session adds: not over the guide's own voice. The listening
benchmark counts the asks with the same rules (benchmarks/listen.py, "asked again").
"""

from __future__ import annotations

from collections.abc import Collection

from voice_guide.ears.listener import Decision

#: A refused utterance whose verdict had this confidence or more is a near miss.
SAY_AGAIN = 0.2
#: Seconds after a heard command or an ask in which no near miss is asked about.
SAY_AGAIN_QUIET = 2.0


def near_miss(d: Decision, active: Collection[str]) -> bool:
    """Whether a refused utterance came close to a command that makes sense now: the
    templates' best is an active command (asking again for "fading" said with no hold under
    way would loop) and the weighed confidence reached SAY_AGAIN. On the tune split, with
    the quiet times of `Pardons`: after 52 of the 212 missed commands, and after 4 of 416
    chatter sentences (benchmarks/RESULTS-listen.md)."""
    return (d.command is None and d.confidence is not None and d.confidence >= SAY_AGAIN
            and bool(d.matches) and d.matches[0].command in active)


class Pardons:
    """The quiet times between asks, over a session's decisions in order."""

    def __init__(self) -> None:
        self.quiet_until = -SAY_AGAIN_QUIET

    def heard(self, decision: Decision) -> None:
        """A command was acted on: its tail is not asked about."""
        self.quiet_until = decision.end + SAY_AGAIN_QUIET

    def asks(self, decision: Decision, active: Collection[str]) -> bool:
        """Whether to ask again about this refused utterance (and, if so, it counts as asked)."""
        if decision.start < self.quiet_until or not near_miss(decision, active):
            return False
        self.quiet_until = decision.end + SAY_AGAIN_QUIET
        return True
