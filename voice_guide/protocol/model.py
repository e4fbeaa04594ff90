"""Protocol files: the data a therapist edits, parsed into typed dataclasses and validated.

Every problem found here is a one-line UserError naming the file and the line, raised before
anything runs. `lint()` adds warnings that do not stop a session (long cues, for example).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, overload

from voice_guide.errors import MAX_PROBLEMS, UserError, UserErrors, located
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
MAX_TEXT = 1000  # characters in one cue, reply or title: many breaths already
MAX_STEPS = 500  # steps in one protocol (the shipped ones have 8-20)
MAX_ID = 64
#: Protocol and step ids name files (session logs) and states: letters, digits, _ and -.
SAFE_ID = re.compile(r"\w[\w-]*")
#: States the guide itself adds to every protocol's machine (voice_guide.dialogue.machine); a step
#: with one of these ids would be swallowed by the guide's own state.
RESERVED_STEP_IDS = frozenset({END, "tp_refers", "tp_hold", "confirm_finish"})

TOP_KEYS = {"id", "title", "version", "source", "language", "description", "start",
             "parameters", "safety", "phrases", "steps", "include"}
STEP_KEYS = {"title", "cue", "reprompt", "kind", "on", "reps", "timers", "end", "then",
              "record"}
INCLUDE_KEYS = {"protocol", "then"}
PARAM_KEYS = {"hold_limit", "hold_calls", "reprompt_after", "duration"}
DURATION_KEYS = {"limit", "call_every"}
REPS_KEYS = {"min", "max", "lift", "rest", "lead_in", "call", "rest_call", "done_call"}
TIMER_KEYS = {"after", "say"}
ON_KEYS = {"to", "say"}
SAFETY_KEYS = {"in", "say", "to"}


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


class Checker:
    """Reads one file's LineMaps and turns each problem into a located error."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.errors: list[UserError] = []

    def fail(self, line: int, message: str) -> UserError:
        return located(self.path, line, message)

    def note(self, error: UserError) -> None:
        """Keep a problem and go on checking the rest of the file."""
        if len(self.errors) > MAX_PROBLEMS:
            raise UserErrors(self.errors)
        self.errors.append(error)

    def keep(self, check, *args, default=None):
        """`check(*args)`, or `default` after noting its problem: one mistake in a section
        does not hide the mistakes in the next."""
        try:
            return check(*args)
        except UserErrors as exc:
            raise exc from None
        except UserError as exc:
            self.note(exc)
            return default

    def raise_errors(self) -> None:
        if self.errors:
            raise UserErrors(self.errors)

    def mapping(self, value: Any, line: int, what: str, allowed: set[str]) -> LineMap:
        """`value` as a LineMap; an unknown key is noted (and then ignored)."""
        if not isinstance(value, LineMap):
            raise self.fail(line, f"{what} must be a mapping of key: value")
        for key in value:
            if key not in allowed:
                known = ", ".join(sorted(allowed))
                self.note(self.fail(value.line_of(key), f"unknown key '{key}' in {what} "
                                    f"(allowed: {known})"))
        return value

    def ident(self, value: Any, line: int, what: str) -> str:
        """A protocol or step id: short, and only letters, digits, `_` and `-`."""
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not SAFE_ID.fullmatch(value) or len(value) > MAX_ID:
            raise self.fail(line, f"{what} '{value}' must be a word of letters, digits, '_' "
                            f"and '-' (at most {MAX_ID}), e.g. psoas_release")
        return value

    @overload
    def text(self, m: LineMap, key: str, what: str, required: Literal[True] = True) -> str: ...

    @overload
    def text(self, m: LineMap, key: str, what: str, required: bool) -> str | None: ...

    def text(self, m: LineMap, key: str, what: str, required: bool = True) -> str | None:
        if key not in m:
            if required:
                raise self.fail(m.line, f"{what} needs '{key}'")
            return None
        value = m[key]
        if isinstance(value, (int, float)) and not isinstance(value, bool) and key in (
                "id", "version", "start"):
            value = str(value)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(m.line_of(key), f"'{key}' of {what} must be non-empty text")
        if len(value) > MAX_TEXT:
            raise self.fail(m.line_of(key), f"'{key}' of {what} is {len(value):,} characters; "
                            f"keep it under {MAX_TEXT} (split it into steps)")
        return " ".join(value.split())

    @overload
    def number(self, m: LineMap, key: str, what: str, low: float, high: float,
               default: float) -> float: ...

    @overload
    def number(self, m: LineMap, key: str, what: str, low: float, high: float,
               default: None = None) -> float | None: ...

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
        if not isinstance(word, str) or word not in COMMANDS:
            raise self.fail(line, f"command '{word}' is not in the vocabulary "
                            f"(known: {', '.join(COMMANDS)})")
        return word
