"""What the runners say around the dialogue, in the session's language, for ears first.

The closing summary, the resume point, a typed mistake, a lost microphone: a blind therapist
hears these, so they name steps by title (never an internal id), read times and counts
naturally (`spoken.py`) and keep long lists short: revisit marks are grouped by step
("6 points to revisit with lighter pressure: 4 in Lateral edge and 2 in Insertion").
"""

from __future__ import annotations

from collections.abc import Iterable

from voice_guide.protocol.phrases import runner_phrases, spoken_commands, with_time
from voice_guide.voice.spoken import count, grouped, joined

_OTHER = {"en": "other steps", "ko": "다른 단계"}


class Messages:
    """Looks up a runner phrase in the protocol's language and fills it in."""

    def __init__(self, protocol) -> None:
        self.protocol = protocol
        self.language = protocol.language or "en"
        self._table = runner_phrases(self.language)
        self._words = spoken_commands(self.language)

    def __call__(self, key: str, /, **fields: object) -> str:
        return self._table[key].format(**with_time(fields, self.language))

    def title(self, step_id: str | None) -> str:
        """A step's title as said aloud (its id only if the protocol has no such step)."""
        step = self.protocol.steps.get(step_id) if step_id else None
        return step.title if step else str(step_id or "")

    def commands(self, names: Iterable[str]) -> str:
        """Command names as the therapist says them in this language."""
        return ", ".join(self._words.get(n, n) for n in names)

    def points(self, n: int) -> str:
        return count(n, "point", self.language)

    def revisits(self, marks: list[dict]) -> str:
        """One sentence for the points to revisit, grouped by step title ('' when none)."""
        if not marks:
            return ""
        groups = grouped([self.title(m.get("step")) for m in marks])
        if len(groups) == 1:
            return self("summary_revisit_one", points=self.points(len(marks)),
                        title=groups[0][0])
        where = [self("revisit_where", points=self.points(n),
                      title=title or _OTHER.get(self.language, _OTHER["en"]))
                 for title, n in groups]
        return self("summary_revisit", points=self.points(len(marks)),
                    where=joined(where, self.language))

    def summary(self, holds: int, marks: list[dict], homework: list[str]) -> str:
        """The closing summary as one spoken paragraph."""
        held = self("summary_held", points=self.points(holds)) if holds else \
            self("summary_none_held")
        parts = [self("summary_intro"), held]
        if marks:
            parts.append(self.revisits(marks))
        if homework:
            parts.append(self("summary_homework", titles=joined(homework, self.language)))
        return " ".join(parts)
