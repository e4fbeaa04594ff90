"""What an enrollment asks for: each command phrasing the user will use, a few takes each.

No I/O: the plan comes from the session language's grammar (grammars/<lang>.yaml), so a
Korean enrollment asks for the Korean phrasings. By default one phrasing per command, the
grammar's first (the command's own word: "tender", "다음"), which is what a therapist says
most; `--all-phrasings` asks for every one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from voice_guide.ears.grammar import Grammar
from voice_guide.errors import UserError
from voice_guide.protocol.phrases import spoken

#: Takes of each phrasing: three are enough for the odd one out to show (takes.odd_take).
TAKES = 3


@dataclass(frozen=True)
class Prompt:
    command: str   # canonical command ("tender")
    phrase: str    # the grammar phrasing, normalised words joined ("it's tender")
    text: str      # how a person says it, what the guide asks for ("Say: tender")


def plan(grammar: Grammar, commands: Iterable[str] = (), all_phrasings: bool = False
         ) -> list[Prompt]:
    """The prompts, in the grammar's order; `commands` limits them (redo some)."""
    wanted = list(dict.fromkeys(commands))
    unknown = [c for c in wanted if c not in grammar.phrases]
    if unknown:
        raise UserError(f"unknown command {unknown[0]!r}; enroll one of: "
                        f"{', '.join(grammar.phrases)}")
    out = []
    for cmd, phrases in grammar.phrases.items():
        if wanted and cmd not in wanted:
            continue
        for words in phrases if all_phrasings else phrases[:1]:
            out.append(Prompt(cmd, " ".join(words), spoken(words, grammar.lang)))
    return out
