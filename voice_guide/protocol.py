"""Protocol files: the data a therapist edits, parsed into typed dataclasses and validated.

Every problem found here is a one-line UserError naming the file and the line, raised before
anything runs. `lint()` adds warnings that do not stop a session (long cues, for example).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from voice_guide.errors import UserError, located
from voice_guide.vocabulary import COMMANDS
from voice_guide.yamlfile import LineMap

#: Commands the dialogue core handles itself in every step; a step cannot redefine them.
CONTROLS = frozenset({"pause", "resume", "stop", "repeat", "help", "time", "finish", "back"})
#: Commands the trigger-point check uses in treatment steps.
TRIGGER_POINT = frozenset({"tender", "refers", "local", "fading", "worse"})
KINDS = ("setup", "locating", "treatment", "info", "homework", "finish")
END = "end"
MAX_HOLD_LIMIT = 15.0  # the seeds say "about 12 seconds"; anything longer is refused
BREATH_WORDS = 45  # a cue longer than this is hard to follow in one breath (lint warning)

_TOP_KEYS = {"id", "title", "version", "source", "language", "description", "start",
             "parameters", "safety", "phrases", "steps", "include"}
_STEP_KEYS = {"title", "cue", "reprompt", "kind", "on", "reps", "timers", "end", "then",
              "record"}
_INCLUDE_KEYS = {"protocol", "then"}
_PARAM_KEYS = {"hold_limit", "hold_calls", "reprompt_after", "duration"}
_DURATION_KEYS = {"limit", "call_every"}
_REPS_KEYS = {"min", "max", "lift", "rest", "lead_in", "call", "rest_call", "done_call"}
_TIMER_KEYS = {"after", "say"}
_ON_KEYS = {"to", "say"}
_SAFETY_KEYS = {"in", "say", "to"}


@dataclass(frozen=True)
class Transition:
    """Where a command leads from a step: `target` (a step id, `end`, or None to stay)."""

    target: str | None
    say: str | None = None
    line: int = 0


@dataclass(frozen=True)
class Reps:
    """Paced contract-relax repetitions: the guide calls lift/rest `max` times."""

    min: int
    max: int
    lift: float = 2.0
    rest: float = 4.0
    lead_in: float = 3.0
    call: str | None = None       # said at each lift, {n} = the rep; default phrase rep_lift
    rest_call: str | None = None  # said at each rest; default phrase rep_rest
    done_call: str | None = None  # said after the last rep; default phrase reps_done


@dataclass(frozen=True)
class StepTimer:
    """A cue spoken `after` seconds in the step (sink waits, breathing counts)."""

    after: float
    say: str


@dataclass(frozen=True)
class Step:
    id: str
    title: str
    cue: str
    kind: str = "info"
    reprompt: str | None = None
    on: dict[str, Transition] = field(default_factory=dict)
    reps: Reps | None = None
    timers: tuple[StepTimer, ...] = ()
    end: bool = False
    then: str | None = None    # go on to this step right after the cue, with no command
    record: str | None = None  # a yes/no answer in this step is recorded under this name
    line: int = 0


@dataclass(frozen=True)
class SafetyRule:
    """A command answered the same way across steps (e.g. `pulse` in locating steps)."""

    command: str
    say: str
    applies_to: frozenset[str]  # step kinds or step ids; empty = every step
    target: str | None = None
    line: int = 0

    def applies(self, step: Step) -> bool:
        return not self.applies_to or step.kind in self.applies_to or step.id in self.applies_to


@dataclass(frozen=True)
class Duration:
    limit: float | None = None
    call_every: float | None = None


@dataclass(frozen=True)
class Parameters:
    hold_limit: float = 12.0
    hold_calls: tuple[float, ...] = (4.0, 8.0)
    reprompt_after: float | None = None
    duration: Duration = Duration()


@dataclass(frozen=True)
class Protocol:
    id: str
    title: str
    start: str
    steps: dict[str, Step]
    parameters: Parameters = Parameters()
    safety: tuple[SafetyRule, ...] = ()
    phrases: dict[str, str] = field(default_factory=dict)
    version: str = "1"
    source: str = ""
    language: str = "en"
    description: str = ""
    path: Path | None = None

    def step(self, step_id: str) -> Step:
        return self.steps[step_id]

    def rule_for(self, command: str, step: Step) -> SafetyRule | None:
        """The first safety rule for `command` that applies in `step`."""
        return next((r for r in self.safety if r.command == command and r.applies(step)), None)

    def rules_in(self, step: Step) -> list[SafetyRule]:
        return [r for r in self.safety if r.applies(step)]


class _Checker:
    """Reads one file's LineMaps and turns each problem into a located error."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, line: int, message: str) -> UserError:
        return located(self.path, line, message)

    def mapping(self, value: Any, line: int, what: str, allowed: set[str]) -> LineMap:
        if not isinstance(value, LineMap):
            raise self.fail(line, f"{what} must be a mapping of key: value")
        for key in value:
            if key not in allowed:
                known = ", ".join(sorted(allowed))
                raise self.fail(value.line_of(key), f"unknown key '{key}' in {what} "
                                f"(allowed: {known})")
        return value

    def text(self, m: LineMap, key: str, what: str, required: bool = True) -> str | None:
        if key not in m:
            if required:
                raise self.fail(m.line, f"{what} needs '{key}'")
            return None
        value = m[key]
        if isinstance(value, (int, float)) and not isinstance(value, bool) and key in (
                "id", "version"):
            value = str(value)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(m.line_of(key), f"'{key}' of {what} must be non-empty text")
        return " ".join(value.split())

    def number(self, m: LineMap, key: str, what: str, low: float, high: float,
               default: float | None = None) -> float | None:
        if key not in m:
            return default
        value = m[key]
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.fail(m.line_of(key), f"'{key}' of {what} must be a number of seconds")
        if not low <= value <= high:
            raise self.fail(m.line_of(key), f"'{key}' of {what} is {value}; "
                            f"use a value from {low:g} to {high:g}")
        return float(value)

    def command(self, word: Any, line: int) -> str:
        if word not in COMMANDS:
            raise self.fail(line, f"command '{word}' is not in the vocabulary "
                            f"(known: {', '.join(COMMANDS)})")
        return word
