"""Key mode: single keypresses, no Enter, from the terminal (foot pedals, clickers, one hand).

A USB foot pedal or a presentation clicker is a keyboard to the computer: it sends a space,
Page Down, an arrow. The terminal is put in cbreak mode (termios via `tty.setcbreak`: no echo,
no line buffering, Ctrl-C still interrupts) and each key, or escape sequence for the named
keys, is looked up in the key map: the defaults below, overridden by `keys:` in the settings
file (a key mapped to `none` does nothing). `pause/resume` is one key for both.
"""

from __future__ import annotations

import os
import select
import termios
import tty
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from voice_guide.errors import located
from voice_guide.vocabulary import COMMANDS

TOGGLE = "pause/resume"
DEFAULT_KEYS: dict[str, str] = {
    "space": "next", "b": "back", "r": "repeat", "p": TOGGLE, "t": "tender", "y": "yes",
    "x": "no", "f": "fading", "w": "worse", "n": "numb", "h": "help", "l": "located",
    # presentation clickers and pedals that send paging or arrow keys
    "pagedown": "next", "pageup": "back", "right": "next", "left": "back",
}
#: Escape sequences (and whitespace) as terminals send them, by the name used in the map.
NAMED = {" ": "space", "\r": "enter", "\n": "enter", "\t": "tab",
         "\x1b[6~": "pagedown", "\x1b[5~": "pageup", "\x1b[C": "right", "\x1b[D": "left",
         "\x1b[A": "up", "\x1b[B": "down", "\x1bOC": "right", "\x1bOD": "left",
         "\x1b": "escape", "\x7f": "backspace"}
END_KEYS = ("\x04",)  # Ctrl-D ends the session like the end of typed input
ESCAPE_WAIT = 0.05    # s to collect the rest of an escape sequence


def key_map(overrides: dict | None) -> dict[str, str]:
    """The defaults with the settings file's `keys:` on top; validated, one-line errors."""
    merged = dict(DEFAULT_KEYS)
    for key, command in (overrides or {}).items():
        if isinstance(command, bool):  # YAML 1.1 reads a bare yes/no as true/false
            command = "yes" if command else "no"
        name, cmd = str(key).lower(), str(command).lower()
        if len(name) != 1 and name not in NAMED.values():
            raise located("settings", None, f"keys: {key!r} is not a key (one character, or "
                                            f"{', '.join(sorted(set(NAMED.values())))})")
        if cmd in ("none", "", "null"):
            merged.pop(name, None)
        elif cmd in COMMANDS or cmd == TOGGLE:
            merged[name] = cmd
        else:
            raise located("settings", None, f"keys: {key!r} maps to {command!r}, which is "
                                            f"not a command ({', '.join(COMMANDS)}, {TOGGLE})")
    return merged


def key_name(seq: str) -> str:
    """How a key is written in the map: 'space', 'pagedown', 'b' (letters lower-cased)."""
    return NAMED.get(seq, seq.lower() if len(seq) == 1 else seq)


def shown(seq: str) -> str:
    """A key as a person reads it (control characters escaped)."""
    name = key_name(seq)
    return name if name.isprintable() else repr(name)


def resolve(command: str, paused: bool) -> str:
    """`pause/resume` is pause, or resume when the session is paused."""
    if command == TOGGLE:
        return "resume" if paused else "pause"
    return command


@contextmanager
def cbreak(fd: int) -> Iterator[None]:
    """Keys one at a time, not echoed; the terminal is put back however the session ends."""
    saved = termios.tcgetattr(fd)
    try:
        tty.setcbreak(fd)
        yield
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)


def read_keys(fd: int) -> Iterator[str]:
    """Each keypress as its character or escape sequence; ends at Ctrl-D or end of input."""
    while True:
        try:
            data = os.read(fd, 1)
        except OSError:
            return
        if not data or data.decode(errors="replace") in END_KEYS:
            return
        if data == b"\x1b":
            while select.select([fd], [], [], ESCAPE_WAIT)[0]:
                more = os.read(fd, 1)
                if not more:
                    break
                data += more
                if more.isalpha() or more == b"~":
                    break
        elif data[0] >= 0xC0:  # the rest of a UTF-8 character (a Korean keyboard)
            need = 1 if data[0] < 0xE0 else 2 if data[0] < 0xF0 else 3
            data += os.read(fd, need)
        yield data.decode(errors="replace")


def key_help(keys: dict[str, str], active: set[str], words: Callable[[str], str]) -> str:
    """'space next, t tender, ...' for the commands that make sense now (the first key of
    each command only: help is heard, and must be short)."""
    first: dict[str, str] = {}
    for k, c in keys.items():
        if c in active or (c == TOGGLE and active & {"pause", "resume"}):
            first.setdefault(c, k)
    return ", ".join(f"{k} {words(c)}" for c, k in first.items())


def forward(command: str, dialogue) -> str:
    """`next` where a step goes on by its own word only (locate: `located`; the femoral
    pulse step: `pulse`): the one word that moves it on, so one pedal walks the protocol."""
    if command != "next" or "next" in dialogue.active_commands() or dialogue.paused_by:
        return command
    step = dialogue.p.steps.get(dialogue.state)
    onward = [c for c in (step.on if step else ()) if c in dialogue.active_commands()]
    return onward[0] if len(onward) == 1 else command


def reader(fd: int, out) -> None:
    """Thread body: each keypress into the queue `out` as ("key", seq); None at the end."""
    for seq in read_keys(fd):
        out.put(("key", seq))
    out.put(None)


def press(seq: str, keys: dict[str, str], session, t: float, tell, messages) -> None:
    """One keypress in a session: its command, or a word on what the key does not do.
    `help` also says the keys for what can be done now."""
    command = keys.get(key_name(seq))
    if command is None:
        return tell(messages("key_unmapped", key=shown(seq)))
    command = forward(resolve(command, bool(session.dialogue.paused_by)), session.dialogue)
    session.command(command, t)
    if command == "help":
        active = session.dialogue.active_commands()
        said = key_help(keys, active, lambda c: messages.commands([c]))
        tell(messages("key_help", keys=said))
