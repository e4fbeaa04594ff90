"""Hearing an utterance ahead of its close, so that a live decision does not wait for it.

The segmenter closes an utterance after `hangover` s of silence (0.19 s), but the utterance's
audio is whole once its postroll is in (0.1 s after the last speech). A live session used to
wait for the close and then for the witnesses: the open-vocabulary pass alone can take
0.15-0.5 s (benchmarks/RESULTS-listen.md). The listener now hears the pending utterance at the
end of a `feed` call and keeps what the witnesses said; at the close the same audio is not
heard again. When speech resumes instead, the work is lost (and the listener does not look
ahead where that happens all the time: in a busy room, listener.py).

Decoding carries a little from one utterance to the next (PocketSphinx's cepstral means, and
more its API does not expose), so a lost trial can nudge a later transcript; the decisions
were the same with and without looking ahead on the tune split (RESULTS-listen.md).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from voice_guide.ears.hypothesis import Hypothesis, Recognizer
from voice_guide.ears.templates import Match


class Ahead:
    """What the witnesses said about one utterance's audio, kept until the decision is made."""

    def __init__(self, recognizer: Recognizer) -> None:
        self.recognizer = recognizer
        self._pcm: np.ndarray | None = None  # the audio the kept results belong to
        self._decoded: Hypothesis | None = None
        self._free: tuple[str | None] | None = None  # the open transcript, once asked for
        self._query: np.ndarray | None = None  # the templates' query, and its matches
        self._matches: tuple[Match, ...] = ()
        self._margin: tuple[tuple[str, ...], float | None] | None = None  # (asked, margin)

    def hold(self, pcm: np.ndarray) -> None:
        """Results from now on belong to `pcm`; other audio than the held one drops them."""
        if self._pcm is None or not np.array_equal(self._pcm, pcm):
            self.forget()
        self._pcm = pcm

    def forget(self) -> None:
        """Keep nothing (the decision is made, or the utterance went on)."""
        self._pcm, self._decoded, self._free, self._query = None, None, None, None
        self._margin = None

    def matches(self, query: np.ndarray,
                rank: Callable[[np.ndarray], tuple[Match, ...]]) -> tuple[Match, ...]:
        """The templates' matches for `query` (the held utterance framed), ranked once."""
        if self._pcm is None:
            return rank(query)
        if self._query is None or not np.array_equal(self._query, query):
            self._query, self._matches = query, rank(query)
        return self._matches

    def decode(self, pcm: np.ndarray) -> Hypothesis:
        """The grammar pass over `pcm`; the held audio is decoded only once."""
        if pcm is not self._pcm:
            return self.recognizer.decode(pcm)
        if self._decoded is None:
            self._decoded = self.recognizer.decode(pcm)
        return self._decoded

    def margin(self, pcm: np.ndarray, command: str, rivals: tuple[str, ...]) -> float | None:
        """The grammar pass's margin for `command` over `pcm`; for the held audio, once."""
        if pcm is not self._pcm:
            return self.recognizer.margin(pcm, command, rivals)
        asked = (command, *rivals)
        if self._margin is None or self._margin[0] != asked:
            self._margin = (asked, self.recognizer.margin(pcm, command, rivals))
        return self._margin[1]

    def transcribe(self, pcm: np.ndarray) -> str | None:
        """The open pass over `pcm`; the held audio is transcribed only once."""
        if pcm is not self._pcm:
            return self.recognizer.transcribe(pcm)
        if self._free is None:
            self._free = (self.recognizer.transcribe(pcm),)
        return self._free[0]
