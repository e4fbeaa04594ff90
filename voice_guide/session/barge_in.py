"""The part of the self-hearing guard that the session's own guard leaves open.

`Session` already refuses any command that overlaps the guide's speech (plus the echo tail),
except the barge-in commands (`stop`, `pause`, `worse`), which must be heard while it speaks.
But the guide's cues say those very words ("say stop at any time", "tell me if it gets worse").
`GuardedListener` wraps the listener and drops a barge-in command heard while the guide was
saying a phrasing of that same command: what it knows it is saying is the best evidence that
the word is its own echo. Cost: a therapist who says that word over exactly that cue is not
heard until the cue ends; the cue is short, and the word is heard when repeated.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable

from voice_guide.ears.grammar import Grammar, normalise
from voice_guide.session.core import Speech, without_audio
from voice_guide.vocabulary import BARGE_IN


class GuardedListener:
    """Delegates to `listener`; `speech()` returns the guide's recent speech (audio time)."""

    def __init__(self, listener, grammar: Grammar | None,
                 speech: Callable[[], list[Speech]], tail: float, log=None) -> None:
        """`log(decision, why)` sees every decision (why=None: passed on), for --verbose."""
        self.listener = listener
        self.log = log
        self.grammar = grammar
        self.speech = speech
        self.tail = tail
        #: the last barge-in commands dropped, with why (without their audio: hours of a
        #: session must not keep every utterance)
        self.dropped: deque[tuple[object, str]] = deque(maxlen=200)

    @property
    def t(self) -> float:
        return self.listener.t

    @property
    def active(self) -> frozenset[str]:
        return self.listener.active

    def set_active(self, commands: Iterable[str], expected: Iterable[str] = ()) -> None:
        self.listener.set_active(commands, expected)

    def feed(self, pcm) -> list:
        return self._filter(self.listener.feed(pcm))

    def flush(self) -> list:
        return self._filter(self.listener.flush())

    def _filter(self, decisions: list) -> list:
        out = []
        for d in decisions:
            why = d.reason if d.command is None else self._echo(d)
            if self.log is not None:
                self.log(d, why)
            if why and d.command is not None:
                self.dropped.append((without_audio(d), why))
            else:
                out.append(d)
        return out

    def _echo(self, d) -> str | None:
        if d.command not in BARGE_IN:
            return None
        for s in self.speech():
            if d.start < s.end + self.tail and d.end > s.start and self.says(s.text, d.command):
                return f"the guide itself was saying {d.command!r} ({s.text!r})"
        return None

    def says(self, text: str, command: str) -> bool:
        """Whether `text` contains a phrasing of `command` (or the word itself)."""
        words = normalise(text).split()
        phrasings = self.grammar.phrases.get(command, ()) if self.grammar else ()
        for p in {*phrasings, (command,)}:
            n = len(p)
            if any(tuple(words[i:i + n]) == tuple(p) for i in range(len(words) - n + 1)):
                return True
        return False
