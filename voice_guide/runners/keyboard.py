"""Drive a session from typed commands, one per line (a terminal or piped input).

Timers run on the wall clock, or with `virtual=True` on a clock that only `wait N` lines
advance (exact and instant: for demos and tests). End of input ends the session.

Any phrasing of the session language's grammar is a command (`voice_guide.runners.typed`:
넘어가 in a Korean session). What the runner itself says (a mistake, the end of input) goes
to `say`, which shows and speaks it (`voice_guide.voice.announcer`), in the session's
language; with a virtual clock, `pace()` is called before each line so speech keeps up
with the script.
"""

from __future__ import annotations

import contextlib
import math
import queue
import sys
import threading
import time
from collections.abc import Callable
from typing import TextIO

from voice_guide.dialogue.core import Dialogue
from voice_guide.ears.grammar import normalise
from voice_guide.errors import UserError
from voice_guide.notice import notice
from voice_guide.protocol.messages import Messages
from voice_guide.record.recording import recording
from voice_guide.runners.keys import cbreak, key_map, press
from voice_guide.runners.keys import reader as key_reader
from voice_guide.runners.options import SessionOptions
from voice_guide.runners.typed import TypedCommands
from voice_guide.session.core import Session
from voice_guide.session.screen import SessionScreen, want_screen
from voice_guide.session.sinks import sinks_for
from voice_guide.session.summary import Summary
from voice_guide.voice.announcer import Announcer, make_speaker

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
                 say: Callable[[str], None] = print,
                 pace: Callable[[], object] | None = None,
                 keys: dict[str, str] | None = None) -> None:
        """`keys`: key mode, single keypresses from `stream` (a terminal) through this map."""
        self.session, self.stream, self.virtual = session, stream, virtual
        self.keys = keys
        self.say, self.pace = say, pace
        protocol = session.dialogue.p
        self.messages = Messages(protocol)
        self.typed = TypedCommands(protocol.language)
        self.t = 0.0
        self._t0 = time.monotonic()

    def now(self) -> float:
        return self.t if self.virtual else time.monotonic() - self._t0

    def run(self) -> None:
        if self.keys is None:
            return self._run(_reader)
        fd = self.stream.fileno()  # a terminal: the CLI checked
        with cbreak(fd):
            self._run(lambda _stream, out: key_reader(fd, out))

    def _run(self, read) -> None:
        lines: queue.Queue = queue.Queue()
        threading.Thread(target=read, args=(self.stream, lines), daemon=True).start()
        self.session.start(0.0)
        while not self.session.ended:
            line = self._next_line(lines)
            if line is None:
                d = self.session.dialogue
                self.say(self.messages("end_of_input", seconds=round(self.now()),
                                       title=d.step.title if d.step else d.state))
                return
            self._handle(line)

    def _next_line(self, lines: queue.Queue) -> str | None:
        """The next typed line, ticking timers on time while waiting for it."""
        if self.virtual and self.pace is not None:
            self.pace()
        while True:
            due = self.session.dialogue.next_due()
            timeout = None if due is None or self.virtual else max(0.0, due - self.now())
            try:
                return lines.get(timeout=timeout)
            except queue.Empty:
                self.session.tick(self.now())

    def _handle(self, line: str | tuple) -> None:
        if isinstance(line, tuple):  # ("key", seq) in key mode
            assert self.keys is not None  # only the key reader sends tuples
            return press(line[1], self.keys, self.session, self.now(), self.say, self.messages)
        if not normalise(line) or line.lstrip().startswith("#"):  # a comment
            return
        words = line.split()
        if words[0].lower() in ("wait", "sleep") and len(words) == 2:
            return self._wait(words[1])
        command = self.typed.parse(line)
        if command is None:
            active = sorted(self.session.dialogue.active_commands())
            self.say(self.messages("not_a_command", text=line.strip(),
                                   commands=self.messages.commands(active)))
            return None
        self.session.command(command, self.now())

    def _wait(self, amount: str) -> None:
        try:
            seconds = float(amount)
        except ValueError:
            seconds = math.nan
        if not 0.0 <= seconds <= MAX_WAIT:  # also refuses inf and nan
            return self.say(self.messages("bad_wait", amount=amount))
        if self.virtual:
            self.t += seconds
            return self.session.tick(self.now())
        end = self.now() + seconds
        while self.now() < end:
            due = self.session.dialogue.next_due()
            time.sleep(max(0.0, min(end, due if due is not None else end) - self.now()))
            self.session.tick(self.now())


def run_keyboard(protocol, options: SessionOptions) -> int:
    """Typed commands or keys; every cue and message shown and spoken (announcer.py), on the
    session screen (screen.py) or as plain lines."""
    settings = options.settings.for_language(protocol.language)
    keys = key_map(settings.keys) if options.keys else None
    if keys and not sys.stdin.isatty():
        raise UserError("--keys reads single keypresses from a terminal; stdin is not one "
                        "(type commands with --keyboard instead)")
    messages = Messages(protocol)
    summary = Summary(messages.title)
    out = None if options.json else sys.stdout  # --json: stdout holds the events only

    def show(msg: str) -> None:
        notice(msg, out)

    screen = None
    if want_screen(options.screen, options.json, default=bool(keys)):
        screen = SessionScreen(protocol, messages, lambda: keyboard.now(), keys=keys)
    verbose = options.verbose and screen is None  # stderr would tear it
    voice = Announcer(make_speaker(settings, verbose), screen.note if screen else show)
    shown = [screen] if screen else sinks_for(options.json)
    session = Session(Dialogue(protocol), [*shown, summary, voice.sink])
    code = 0
    keyboard = Keyboard(session, sys.stdin, virtual=options.virtual_clock, say=voice.tell,
                        pace=voice.wait, keys=keys)
    try:
        with recording(session, options.record, engine="keyboard"):
            with screen.attach(session) if screen else contextlib.nullcontext():
                try:
                    keyboard.run()
                except KeyboardInterrupt:  # Ctrl-C: say where it stopped, then the summary
                    code = 130  # and exit as every command does on Ctrl-C (entry.py)
                    voice.speaker.silence()
                    d = session.dialogue
                    voice.tell(messages("interrupted", title=d.step.title if d.step
                                        else d.state))
        for line in summary.shown(messages):
            show(line)
        voice.speaker.say(summary.spoken(messages))
    finally:
        voice.close()
    return code
