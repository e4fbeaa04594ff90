"""What an engine hears, and the small protocol every engine adapter keeps.

A module of its own so that the adapters (voice_guide/ears/engines/) and the code that chooses one
(voice_guide.ears.recognizer) both import it without importing each other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from voice_guide.ears.grammar import Grammar


@dataclass(frozen=True)
class Hypothesis:
    """What an engine heard in one segment.

    `text` is the closed-grammar result ('' when nothing fit). `free_text` is an open-vocabulary
    transcript of the same audio (None when the engine has none, or before the listener asked
    for it): a command phrasing inside a longer sentence shows up there as extra words, which
    is how chatter is told apart.
    """

    text: str
    command: str | None
    free_text: str | None = None
    #: Where the grammar placed the phrasing's words: (start, end) seconds from the segment's
    #: first sample (None when the engine does not say). See coverage.py.
    words: tuple[tuple[float, float], ...] | None = None


class Recognizer(Protocol):
    name: str
    grammar: Grammar

    def set_commands(self, active: set[str]) -> None:
        """Restrict the grammar to these canonical commands (between segments only)."""

    def ready(self) -> None:
        """Wait until the engine can decode; a model loaded in the background that did not
        load raises its UserError here. Asked at the end of a stream too, so that one with no
        utterance in it still says so (and exits 2), not 0 with the error unsaid."""

    def decode(self, pcm: np.ndarray) -> Hypothesis:
        """The closed-grammar pass over one whole segment of 16 kHz mono int16 audio."""

    def margin(self, pcm: np.ndarray, command: str, rivals: Sequence[str]) -> float | None:
        """How far the grammar's best path through `command`'s phrasings leads its best path
        through any of the `rivals`' over the same segment (log-likelihood per 10 ms frame,
        x 1000; None: the engine cannot say). The grammar pass's n-best margin."""

    def transcribe(self, pcm: np.ndarray) -> str | None:
        """The open-vocabulary pass over the same segment (None: the engine has none). Asked
        for only when the grammar pass found a command worth checking: it costs about ten
        times the grammar pass (PocketSphinx, measured in babble: 0.32 s vs 0.03 s a segment)."""
