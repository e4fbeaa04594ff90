"""Typed commands: every phrasing of the session's grammar, as a person types it.

A Korean cue says to say 넘어가, so typing 넘어가 must work. The grammar splits Korean endings
off as model words ("계속 해", "여기 요"); a person types them joined ("계속해", "여기요"), so
phrasings are compared with their spaces taken out. The canonical English command names
("next", "tender") work in every language, and so do the English grammar's phrasings.
"""

from __future__ import annotations

from voice_guide.ears import grammar
from voice_guide.errors import UserError
from voice_guide.vocabulary import COMMANDS

QUIT = ("quit", "exit")


def _key(text: str) -> str:
    return grammar.normalise(text).replace(" ", "")


class TypedCommands:
    """`parse(line)` -> canonical command or None."""

    def __init__(self, language: str = "en") -> None:
        self.table: dict[str, str] = {}
        for lang in dict.fromkeys([language or "en", "en"]):
            try:
                g = grammar.load(lang)
            except UserError:
                continue
            for cmd, phrasings in g.phrases.items():
                for words in phrasings:
                    self.table.setdefault("".join(words), cmd)
        for cmd in COMMANDS:
            self.table[_key(cmd)] = cmd
        for word in QUIT:
            self.table[word] = "finish"

    def parse(self, line: str) -> str | None:
        return self.table.get(_key(line))
