"""Where in a session each corpus line is said: the listening benchmark's `--context`.

The listening benchmark keeps every command active, so it cannot show what the dialogue's
context does to a decision: a command that does not fit the moment is refused, one the step
expects needs less evidence (ears/evidence.py). A session has a context at every moment. Here
every point of every shipped protocol is walked (each step, plain, paused and asking about
numbness; the trigger-point questions; the end's confirmation), and each corpus line is heard in
one of them: a command in a point that expects it (or, for commands no point expects, such as
stop or numb, one where it is active), a chatter sentence in any point.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from benchmarks import corpus
from voice_guide.dialogue.core import Dialogue
from voice_guide.dialogue.machine import CONFIRM, TP_HOLD, TP_REFERS
from voice_guide.errors import UserError
from voice_guide.protocol import registry


@dataclass(frozen=True)
class Context:
    """What the dialogue listens for at one point (Dialogue.active_commands, expected)."""

    active: frozenset[str]
    expected: frozenset[str]


def contexts(lang: str) -> list[Context]:
    """Every point of every shipped protocol in `lang` (those translated into it), each once,
    in a stable order."""
    found: set[Context] = set()
    for entry in registry.entries():
        try:
            protocol = registry.resolve(entry.id, language=lang)
        except UserError:  # not translated into `lang`
            continue
        for state in [*protocol.steps, TP_REFERS, TP_HOLD, CONFIRM]:
            # paused and asking about numbness from a step (the trigger-point states need a
            # check under way, which set_state does not start)
            for then in ((), ("pause",), ("numb",)) if state in protocol.steps else ((),):
                d = Dialogue(protocol)
                d.start(0.0)
                d.machine.set_state(state)
                for command in then:  # numb heard unsure: the guide asks about it
                    d.hear(command, 1.0, confirm=command == "numb")
                found.add(Context(frozenset(d.active_commands()),
                                  frozenset(d.expected_commands())))
    return sorted(found, key=lambda c: (sorted(c.expected), sorted(c.active)))


def placed(items: list[corpus.Item], points: list[Context],
           seed: int) -> list[tuple[float, Context]]:
    """(audio time, context) from which each line of a stream is heard: its start."""
    rng = np.random.default_rng(seed)
    out = []
    for item in items:
        fits = ([c for c in points if item.command in c.expected]
                or [c for c in points if item.command in c.active]
                if item.command else points)
        out.append((item.start, fits[int(rng.integers(len(fits)))]))
    return out
