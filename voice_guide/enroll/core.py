"""An enrollment in progress, with no I/O: takes offered, checked, kept or asked again.

The sources (a folder of recordings: folder.py; the microphone with spoken prompts:
spoken.py) offer each take of a prompt with the room level they measured; the answer is
None (kept) or the reason to say it again. When a prompt has its takes, the one farthest
from the others is dropped if it is too far (takes.odd_take) and asked again. The result is
the profile's templates for the language (`templates()`), labelled as the user's voice.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from voice_guide.ears.templates import Templates, no_path
from voice_guide.enroll.plan import TAKES, Prompt
from voice_guide.enroll.profiles import USER
from voice_guide.enroll.takes import TakeConfig, framed, odd_take, problem

Embed = Callable[[np.ndarray], np.ndarray]


class Enrollment:
    def __init__(self, prompts: list[Prompt], lang: str, embed: Embed,
                 cfg: TakeConfig | None = None, takes: int = TAKES) -> None:
        self.prompts = prompts
        self.lang = lang
        self.embed = embed
        self.cfg = cfg or TakeConfig()
        self.wanted = takes
        self.kept: dict[Prompt, list[np.ndarray]] = {p: [] for p in prompts}

    def needs(self, prompt: Prompt) -> int:
        """How many more takes of `prompt` are wanted."""
        return max(0, self.wanted - len(self.kept[prompt]))

    def offer(self, prompt: Prompt, pcm: np.ndarray, room_db: float | None = None
              ) -> str | None:
        """Check one take; None when it is kept, else why it is not (say it again)."""
        why = problem(pcm, room_db, self.cfg)
        if why:
            return why
        kept = self.kept[prompt]
        kept.append(self.embed(framed(pcm, room_db)))
        if len(kept) == self.wanted:
            odd = odd_take(kept, self.cfg)
            if odd is not None:
                k, distance = odd
                kept.pop(k)
                how = (f"distance {distance:.2f}" if not no_path(distance)
                       else "over twice as long or as short")
                return (f"take {k + 1} of {prompt.text!r} sounded unlike the others "
                        f"({how}); say it once more as you would at the table")
        return None

    def templates(self) -> Templates:
        items = [(p.command, p.phrase, USER, f) for p, fs in self.kept.items() for f in fs]
        return Templates.from_embeddings(items, self.lang)

    def done(self) -> list[Prompt]:
        return [p for p in self.prompts if self.kept[p]]
