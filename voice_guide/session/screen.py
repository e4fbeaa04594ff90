"""A full-screen session view with `rich`: readable from the treatment table.

Shows the step title, what can be said now (and the keys, in key mode), a large hold
countdown, the guide's last words, the last thing heard (and, with --verbose, the last thing
refused and why), the points to revisit and the runner's last message. White on black, the
countdown in large block digits (twice the size on a tall terminal), safety in bold yellow on
red. It is an event sink like the text printer; `rich.live.Live` redraws it four times a
second on the alternate screen, so the countdown moves between events. When it ends, the
plain-text log it kept is printed, so the terminal keeps a record of the session.

The state is copied from events on the runner's thread; the redraw thread only reads it.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable

from rich.console import Console, Group
from rich.live import Live
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from voice_guide.events import Event
from voice_guide.runners.keys import key_help
from voice_guide.session.sinks import describe

BASE = "bold white on black"
LABEL = "bold cyan on black"
SAFETY = "bold yellow on red"
_FONT = {  # 3x5 block digits
    "0": ("███", "█ █", "█ █", "█ █", "███"), "1": (" █ ", "██ ", " █ ", " █ ", "███"),
    "2": ("███", "  █", "███", "█  ", "███"), "3": ("███", "  █", "███", "  █", "███"),
    "4": ("█ █", "█ █", "███", "  █", "  █"), "5": ("███", "█  ", "███", "  █", "███"),
    "6": ("███", "█  ", "███", "█ █", "███"), "7": ("███", "  █", "  █", "  █", "  █"),
    "8": ("███", "█ █", "███", "█ █", "███"), "9": ("███", "█ █", "███", "  █", "███"),
    " ": ("   ",) * 5,
}


def big(number: str, scale: int = 1) -> str:
    """`number` in block digits, each cell `scale` times wider and taller."""
    rows = []
    for r in range(5):
        row = "  ".join(_FONT.get(ch, _FONT[" "])[r] for ch in number)
        row = "".join(c * scale for c in row)
        rows += [row] * scale
    return "\n".join(rows)


class SessionScreen:
    """Event sink and live view; `note()` for runner messages, `refused()` for --verbose."""

    def __init__(self, protocol, messages, now: Callable[[], float], *,
                 keys: dict[str, str] | None = None, console: Console | None = None) -> None:
        """Call `attach(session)` once the session exists (it is built with this sink)."""
        self.protocol, self.messages, self.now = protocol, messages, now
        self.session = None
        self.keys = keys
        self.console = console or Console(style=BASE, highlight=False)
        self.log: list[str] = []
        self.step = ""
        self.can_say = ""
        self.guide, self.safety, self.alert = "", False, ""
        self.heard = ""
        self.refusal = ""
        self.message = ""
        self.hold: tuple[float, int] | None = None  # (audio time it started, point)
        self.last_hold = ""
        self.marks: list[dict] = []
        self.limit = float(protocol.parameters.hold_limit)
        self.keys_now, self.paused = "", False
        self._live: Live | None = None

    def attach(self, session) -> SessionScreen:
        self.session = session
        self._snapshot()
        return self

    # -- sink and messages ------------------------------------------------------------------
    def __call__(self, event: Event) -> None:
        line = describe(event)
        if line:
            self.log.append(line)
        kind = event.event
        if kind == "cue":
            self.guide, self.safety = str(event.get("text")), event.get("priority") == "safety"
            if self.safety:
                self.alert = self.guide  # stays up until the next command
        elif kind == "heard":
            self.alert = ""
            self.heard = f"{self.messages.commands([event.get('command')])}  ({event.t:.1f} s)"
        elif kind == "hold_start":
            self.hold = (event.t, int(event.get("point")))
        elif kind == "hold_end":
            self.hold = None
            self.last_hold = (f"point {event.get('point')}: {event.get('duration'):.1f} s, "
                              f"{event.get('reason')}")
        elif kind == "revisit":
            self.marks.append(dict(event.data))
        self._snapshot()

    def note(self, text: str) -> None:
        """A runner message (shown, and kept in the log)."""
        if text:
            self.message = text
            self.log.append(text)

    def refused(self, text: str, why: str) -> None:
        self.refusal = f"{text!r}: {why}"

    def _snapshot(self) -> None:
        if self.session is None:
            return
        d = self.session.dialogue  # read anew: resuming replaces the dialogue
        step = d.step
        self.step = step.title if step else str(d.state)
        active = sorted(d.active_commands())
        self.can_say = self.messages.commands(active)
        if self.keys:

            self.keys_now = key_help(self.keys, set(active),
                                     lambda c: self.messages.commands([c]))
        self.paused = bool(d.paused_by)

    # -- drawing ----------------------------------------------------------------------------
    def __rich__(self) -> Panel:
        grid = Table.grid(padding=(0, 1), expand=True)
        grid.add_column(style=LABEL, no_wrap=True, width=8)
        grid.add_column(style=BASE, ratio=1)
        grid.add_row("STEP", Text(self.step, style="bold white on black"))
        grid.add_row("SAY", self.can_say)
        if self.keys:
            grid.add_row("KEYS", self.keys_now)
        grid.add_row("HOLD", self._countdown())
        if self.alert and self.alert != self.guide:
            grid.add_row("SAFETY", Text(self.alert, style=SAFETY))
        grid.add_row("GUIDE", Text(self.guide, style=SAFETY if self.safety else BASE))
        grid.add_row("HEARD", self.heard or "-")
        if self.refusal:
            grid.add_row("REFUSED", self.refusal)
        grid.add_row("REVISIT", self.messages.revisits(self.marks) or "-")
        if self.message:
            grid.add_row("NOTE", self.message)
        title = f"{self.protocol.title}  ·  {self.now():.0f} s"
        if self.paused:
            title += "  ·  PAUSED"
        return Panel(Group(grid), title=title, style=BASE, border_style="bold white")

    def _countdown(self) -> Text:
        if self.hold is None:
            return Text(f"no hold  {('(last ' + self.last_hold + ')') if self.last_hold else ''}")
        start, point = self.hold
        left = max(0.0, self.limit - (self.now() - start))
        scale = 2 if self.console.size.height >= 40 else 1
        style = SAFETY if left <= 3 else "bold green on black"
        text = Text(big(f"{math.ceil(left)}".rjust(2), scale), style=style)
        text.append(f"\ns left of {self.limit:g}, point {point}", style=BASE)
        return text

    # -- life -------------------------------------------------------------------------------
    def __enter__(self) -> SessionScreen:
        self._live = Live(self, console=self.console, screen=True, refresh_per_second=4,
                          redirect_stdout=False, redirect_stderr=False)
        self._live.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._live is not None:
            self._live.__exit__(None, None, None)
            self._live = None
        out = self.console.file
        for line in self.log:
            out.write(line + "\n")
        out.flush()


def want_screen(choice: bool | None, json_mode: bool, default: bool) -> bool:
    """--screen / --no-screen (`choice`); else the screen only where `default` (key mode and
    live, where nothing is typed), on a terminal, never with --json: pipes, CI and screen
    readers get plain lines."""
    if choice is not None:
        return choice
    return default and sys.stdout.isatty() and not json_mode
