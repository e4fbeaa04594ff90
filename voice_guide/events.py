"""Messages that flow out of the dialogue core (and the runners): one frozen dataclass per kind.

Every event has `t` (audio seconds) and `event` (its kind, the class's EVENT). The kinds and
their fields are the JSON-lines contract of `simulate --json` and `run --json`, and the lines
of the session log; `to_dict()` writes each exactly as before the types existed (the fields in
the order they are declared; an OPTIONAL field only when it is set), and `from_dict()` reads
such a line back (tests/test_events.py replays logs written before this module was typed):

- `cue` (Cue): `text`, `priority` (`safety` | `timer` | `normal`), `interrupt` (cut off what
  is being spoken and drop the queue first), optional `step`, `sound` (a file that stands for
  the cue), `kind` (what the cue is for: `hold_limit`, `hint`, `say_again`, ...).
- `heard` (Heard): `command`, optional `confirm` (asked back before acting).
- `state` (StateChanged): `state`.
- `hold_start` (HoldStart): `step`, `point`, `sensation`.
- `hold_end` (HoldEnd): `duration`, `reason` (`fading` | `limit` | `worse` | ...), `step`,
  `point`, `sensation`.
- `revisit` (Revisit): `point`, `step`, `reason`.
- `heartbeat` (Heartbeat): `point` (every second of a hold: the process was alive then).
- `answer` (Answer): `question` (the record name), `answer`, `step`, `title`, `asked` (the cue).
- `homework` (Homework): `step`, `title`, `text`.
- `confirm` (Confirmed): `command` (what was asked back: `numb` | `back`), `answer` (`yes` |
  `no`).
- `turn` (Turn, simulate only): `start`, `end`, `kind`, `line`, `attempt`, optional
  `correction`, `text`.
- `device` (Device, live only): `state`, `detail`.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from functools import cached_property
from typing import Any, ClassVar

PRIORITIES = ("safety", "timer", "normal")


@dataclass(frozen=True)
class Event:
    """What every event has; a kind is a subclass that declares its fields and EVENT."""

    t: float
    EVENT: ClassVar[str] = ""
    #: fields left out of the line when not set (None or False), as they always were
    OPTIONAL: ClassVar[tuple[str, ...]] = ()

    @property
    def event(self) -> str:
        return self.EVENT

    @cached_property
    def data(self) -> dict[str, Any]:
        """The fields after `t`, as the JSON line has them (computed once: sinks read it often)."""
        out = {}
        for f in fields(self)[1:]:
            value = getattr(self, f.name)
            if f.name in self.OPTIONAL and (value is None or value is False):
                continue
            out[f.name] = value
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"t": round(self.t, 3), "event": self.event, **self.data}

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)


@dataclass(frozen=True)
class Cue(Event):
    EVENT = "cue"
    OPTIONAL = ("step", "sound", "kind")
    text: str = ""
    priority: str = "normal"
    interrupt: bool = False
    step: str | None = None
    sound: str | None = None
    kind: str | None = None


@dataclass(frozen=True)
class Heard(Event):
    EVENT = "heard"
    OPTIONAL = ("confirm",)
    command: str = ""
    confirm: bool = False


@dataclass(frozen=True)
class StateChanged(Event):
    EVENT = "state"
    state: str = ""


@dataclass(frozen=True)
class HoldStart(Event):
    EVENT = "hold_start"
    step: str = ""
    point: int = 0
    sensation: str | None = None


@dataclass(frozen=True)
class HoldEnd(Event):
    EVENT = "hold_end"
    duration: float = 0.0
    reason: str = ""
    step: str = ""
    point: int = 0
    sensation: str | None = None


@dataclass(frozen=True)
class Revisit(Event):
    EVENT = "revisit"
    point: int = 0
    step: str = ""
    reason: str = ""


@dataclass(frozen=True)
class Heartbeat(Event):
    EVENT = "heartbeat"
    point: int = 0


@dataclass(frozen=True)
class Answer(Event):
    EVENT = "answer"
    question: str = ""
    answer: str = ""
    step: str = ""
    title: str = ""
    asked: str = ""


@dataclass(frozen=True)
class Homework(Event):
    EVENT = "homework"
    step: str = ""
    title: str = ""
    text: str = ""


@dataclass(frozen=True)
class Confirmed(Event):
    EVENT = "confirm"
    command: str = ""
    answer: str = ""


@dataclass(frozen=True)
class Turn(Event):
    EVENT = "turn"
    OPTIONAL = ("correction", "text")
    start: float = 0.0
    end: float = 0.0
    kind: str = ""
    line: int = 0
    attempt: int = 1
    correction: bool = False
    text: str | None = None


@dataclass(frozen=True)
class Device(Event):
    EVENT = "device"
    state: str = ""
    detail: str = ""


KINDS: dict[str, type[Event]] = {cls.EVENT: cls for cls in (
    Cue, Heard, StateChanged, HoldStart, HoldEnd, Revisit, Heartbeat, Answer, Homework,
    Confirmed, Turn, Device)}


def from_dict(line: dict[str, Any]) -> Event:
    """The typed event of one JSON line (`t`, `event` and its fields); KeyError for a line
    of another kind (the log's own lines: session_start, session_end, ...)."""
    cls = KINDS[line["event"]]
    return cls(float(line["t"]), **{k: v for k, v in line.items() if k not in ("t", "event")})


def cue(t: float, text: str, *, priority: str = "normal", interrupt: bool = False,
        step: str | None = None, sound: str | None = None, kind: str | None = None) -> Cue:
    """A cue to speak and show. `kind` names what the cue is for (e.g. `hold_limit`, `hint`)."""
    return Cue(t, text, priority, interrupt, step or None, sound or None, kind or None)
