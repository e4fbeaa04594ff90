"""What the guide says to a refused utterance instead of staying silent.

A voice-only user has no other sign that a command was missed. Two replies:
- a near miss (close to a command that makes sense now) is asked again: "Pardon? I did not
  catch that.";
- a command heard clearly that does not fit the moment ("next" while paused, "fading" with no
  hold under way) gets the hint a typed one gets (Dialogue.misplaced).
Neither just after a heard command (that is its tail) nor just after another reply (one
question, not a stream of them). Session adds: not over the guide's own voice. The listening
benchmark counts the asks with the same rules (benchmarks/listen.py, "asked again"); every
command is active there, so it has no misplaced ones.
"""

from __future__ import annotations

from collections.abc import Collection

from voice_guide.ears.evidence import AGREED
from voice_guide.ears.listener import Decision
from voice_guide.ears.templates import NOT_A_COMMAND

#: A refused utterance whose verdict had this confidence or more is a near miss.
SAY_AGAIN = 0.2
#: A refused command this sure (its verdict's confidence: under its threshold) that is not
#: active gets a hint.
MISPLACED = 0.5
#: Seconds after a heard command or a reply in which no refusal is replied to.
SAY_AGAIN_QUIET = 2.0
#: Pardons.reply: ask again (otherwise the reply is the misplaced command's name).
AGAIN = "again"


def near_miss(d: Decision, active: Collection[str]) -> bool:
    """Whether a refused utterance came close to a command that makes sense now: the
    templates' best is an active command (asking again for "fading" said with no hold under
    way would loop) and the weighed confidence reached SAY_AGAIN. On the tune split, with
    the quiet times of `Pardons`: after 52 of the 212 missed commands, and after 4 of 416
    chatter sentences (benchmarks/RESULTS-listen.md)."""
    best = refused_best(d, SAY_AGAIN)
    return best is not None and best in active


def misplaced(d: Decision, active: Collection[str]) -> str | None:
    """The command a refused utterance clearly was, when it does not fit the moment (None
    otherwise): the templates' best is a command that is not active, within its threshold,
    and the grammar pass heard it too. On the templates alone a clear "next" in music, nearest
    "no", was told "no does not fit here" (benchmarks/RESULTS-listen.md)."""
    best = refused_best(d, MISPLACED)
    if best is None or best in active or best == NOT_A_COMMAND:
        return None
    return best if d.evidence == AGREED else None


def refused_best(d: Decision, floor: float) -> str | None:
    """The templates' best of a refused decision whose verdict's confidence reached `floor`
    (None: accepted, not weighed, or less sure)."""
    if d.command is not None or d.confidence is None or d.confidence < floor or not d.matches:
        return None
    return d.matches[0].command


class Pardons:
    """The quiet times between replies, over a session's decisions in order."""

    def __init__(self) -> None:
        self.quiet_until = -SAY_AGAIN_QUIET

    def heard(self, decision: Decision) -> None:
        """A command was acted on: its tail is not asked about."""
        self.quiet_until = decision.end + SAY_AGAIN_QUIET

    def reply(self, decision: Decision, active: Collection[str]) -> str | None:
        """What to say to this refused utterance: AGAIN, a misplaced command's name for its
        hint, or None (and a reply counts: the next one waits its quiet time)."""
        if decision.start < self.quiet_until:
            return None
        answer = AGAIN if near_miss(decision, active) else misplaced(decision, active)
        if answer is not None:
            self.quiet_until = decision.end + SAY_AGAIN_QUIET
        return answer
