"""Drive a session from typed commands, one per line (a terminal or piped input).

Timers run on the wall clock, or with `virtual=True` on a clock that only `wait N` lines
advance (exact and instant: for demos and tests). End of input ends the session.
"""

from __future__ import annotations

import math
import queue
import threading
import time
from typing import TextIO

from voice_guide.grammar import normalise
from voice_guide.session import Session
from voice_guide.vocabulary import COMMANDS

QUIT = ("quit", "exit")
MAX_WAIT = 24 * 3600.0  # one wait longer than a day is a typing slip


def _reader(stream: TextIO, lines: queue.Queue) -> None:
    """Lines into the queue; None at the end (or when the input cannot be read at all)."""
    try:
        for line in stream:
            lines.put(line)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        lines.put(f"#input-error {exc.__class__.__name__}")
    lines.put(None)


class Keyboard:
    def __init__(self, session: Session, stream: TextIO, *, virtual: bool = False,
                 notice=print) -> None:
        self.session, self.stream, self.virtual = session, stream, virtual
        self.notice = notice
        self.t = 0.0
        self._t0 = time.monotonic()

    def now(self) -> float:
        return self.t if self.virtual else time.monotonic() - self._t0

    def run(self) -> None:
        lines: queue.Queue = queue.Queue()
        threading.Thread(target=_reader, args=(self.stream, lines), daemon=True).start()
        self.session.start(0.0)
        while not self.session.ended:
            line = self._next_line(lines)
            if line is None:
                self.notice(f"End of input at {self.now():.1f} s: session closed at step "
                            f"'{self.session.dialogue.state}'.")
                return
            self._handle(line)

    def _next_line(self, lines: queue.Queue) -> str | None:
        """The next typed line, ticking timers on time while waiting for it."""
        while True:
            due = self.session.dialogue.next_due()
            timeout = None if due is None or self.virtual else max(0.0, due - self.now())
            try:
                return lines.get(timeout=timeout)
            except queue.Empty:
                self.session.tick(self.now())

    def _handle(self, line: str) -> None:
        words = normalise(line).split()
        if not words or line.lstrip().startswith("#"):  # a comment (normalise drops the #)
            return
        if words[0] in ("wait", "sleep") and len(words) == 2:
            return self._wait(words[1])
        if words[0] in QUIT:
            return self.session.command("finish", self.now())
        word = normalise(line)
        if word not in COMMANDS:
            self.notice(f"'{line.strip()}' is not a command. Try: help, or one of "
                        f"{', '.join(COMMANDS)}.")
            return None
        self.session.command(word, self.now())

    def _wait(self, amount: str) -> None:
        try:
            seconds = float(amount)
        except ValueError:
            seconds = math.nan
        if not 0.0 <= seconds <= MAX_WAIT:  # also refuses inf and nan
            return self.notice(f"'wait {amount}': give seconds from 0 to {MAX_WAIT:.0f}, "
                               "e.g. wait 5")
        if self.virtual:
            self.t += seconds
            return self.session.tick(self.now())
        end = self.now() + seconds
        while self.now() < end:
            due = self.session.dialogue.next_due()
            time.sleep(max(0.0, min(end, due if due is not None else end) - self.now()))
            self.session.tick(self.now())
