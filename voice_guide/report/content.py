"""What a report says, read out of a session log: points checked and held, safety events,
answers in the questions' words, homework as instructions to the client.

No formatting here (report.py, report_soap.py do that); only the reading of events, so the
Markdown, HTML, PDF and SOAP note all say the same thing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from voice_guide.errors import UserError
from voice_guide.protocol import registry
from voice_guide.record.reader import Log

CHECK = ("tp_refers", "tp_hold")
SAFETY_CUES = {"nerve_stop": "nerve", "tp_limit": "limit", "tp_worse": "worse",
               "nerve_check": "nerve_check"}
RULE_KINDS = {"pulse": "pulse", "worse": "worse", "numb": "nerve"}


@dataclass
class Check:
    """A point checked (tender, refers or local), whether or not it came to a hold."""

    point: int
    step: str | None  # None: the log checked a point before it named a step
    t: float
    sensation: str | None = None      # refers | local, once a hold started
    hold_t: float | None = None
    duration: float | None = None     # None: no hold, or a hold the log ends in
    reason: str | None = None         # fading | limit | worse | interrupted | nerve | ...
    alive: float | None = None        # a hold the log ends in: known to have lasted this long

    @property
    def held(self) -> bool:
        return self.hold_t is not None


@dataclass
class Safety:
    t: float
    kind: str          # nerve | nerve_answer | nerve_check | pulse | limit | worse | rule
    step: str | None   # None: before the log named a step
    said: str
    command: str | None = None
    point: int | None = None
    resumed: float | None = None  # a nerve stop the therapist resumed from ("misheard")


@dataclass
class Answer:
    question: str      # the question's words as the guide asked them
    answer: str        # yes | no
    key: str


@dataclass
class Homework:
    title: str
    text: str


@dataclass
class Record:
    log: Log
    language: str
    titles: dict[str, str]
    checks: list[Check] = field(default_factory=list)
    safety: list[Safety] = field(default_factory=list)
    answers: list[Answer] = field(default_factory=list)
    homework: list[Homework] = field(default_factory=list)
    revisits: list[dict] = field(default_factory=list)

    def title(self, step) -> str:
        if not isinstance(step, str) or not step:
            return "—" if step in (None, "") else str(step)
        return self.titles.get(step, step)

    @property
    def holds(self) -> list[Check]:
        return [c for c in self.checks if c.held]

    @property
    def nerve_stops(self) -> list[Safety]:
        return [s for s in self.safety if s.kind in ("nerve", "nerve_answer")]


def language_of(log: Log) -> str:
    """The log's language; for logs older than that field, Korean if the title is Hangul."""
    lang = log.start.get("language")
    if isinstance(lang, str):
        return lang
    title = str(log.start.get("title") or "")
    return "ko" if any("\uac00" <= c <= "\ud7a3" for c in title) else "en"


def step_titles(log: Log, language: str) -> dict[str, str]:
    """The step titles the log kept; for older logs, those of the installed protocol of that
    id and version (ids stay when it is not installed, or has changed)."""
    kept = log.start.get("steps")
    if isinstance(kept, dict):
        return {str(k): str(v) for k, v in kept.items()}
    pid = str(log.start.get("protocol"))
    if not re.fullmatch(r"[\w-]+", pid):  # an id, never a path read from a log
        return {}
    try:
        protocol = registry.resolve(pid, language=language)
    except (UserError, OSError, ValueError):
        return {}
    if str(protocol.version) != str(log.start.get("version")):
        return {}
    return {sid: step.title for sid, step in protocol.steps.items()}


def read_record(log: Log) -> Record:
    language = language_of(log)
    rec = Record(log, language, step_titles(log, language))
    walker = _Walker(rec)
    for e in log.events:
        walker.event(e)
    for c in rec.checks:
        if c.hold_t is not None and c.duration is None:  # held, and the log ends in the hold
            c.alive = max(0.0, log.last_t - c.hold_t)  # the last line: a heartbeat, mostly
    return rec


class _Walker:
    """Reads the events in order, keeping the step the session was in and the open check."""

    def __init__(self, rec: Record) -> None:
        self.rec = rec
        self.step: str | None = None
        self.prev: str | None = None
        self.heard: tuple[str, float] | None = None
        self.check: Check | None = None
        self.left: tuple[Check, float] | None = None  # the check just left (a nerve stop
        self.by_point: dict[int, Check] = {}           # leaves the check before its cue)

    def event(self, e: dict) -> None:
        kind, t = e.get("event"), float(e["t"])
        point = _point(e.get("point"))
        rec, c = self.rec, self.by_point.get(point) if point is not None else None
        if kind == "state":
            self.state(str(e.get("state")), t)
        elif kind == "heard":
            command = e.get("command")
            self.heard = (command, t) if isinstance(command, str) else None
            stops = [x for x in rec.safety if x.kind == "nerve"]
            if e.get("command") == "resume" and stops and stops[-1].resumed is None:
                stops[-1].resumed = t
        elif kind == "hold_start":
            step = e.get("step") if isinstance(e.get("step"), str) else self.step
            c = c or self.new_check(point, step, t)
            c.sensation, c.hold_t = e.get("sensation"), t
        elif kind == "hold_end" and c is not None:
            c.duration, c.reason = _number(e.get("duration")), e.get("reason")
        elif kind == "revisit":
            rec.revisits.append(e)
            if c is not None and not c.held and c.reason is None:
                c.reason = e.get("reason")
        elif kind == "cue":
            left = self.left[0] if self.left and self.left[1] == t else None
            _safety_cue(rec, e, self.step, self.heard, self.check or left)
        elif kind == "answer":
            _answer(rec, e, self.step)
        elif kind == "confirm" and e.get("answer") == "no" and e.get("command") == "numb":
            # "did you say numbness?" "no" ("did you say go back?" is no safety event)
            checks = [x for x in rec.safety if x.kind == "nerve_check"]
            if checks and checks[-1].resumed is None:
                checks[-1].resumed = t
        elif kind == "homework":
            rec.homework.append(Homework(str(e.get("title") or rec.title(e.get("step"))),
                                         client_text(str(e.get("text", "")))))

    def state(self, state: str, t: float) -> None:
        if state in CHECK and self.prev not in CHECK:
            self.check = self.new_check(None, self.step, t)
        if state not in CHECK and state != "confirm_finish":
            self.left = (self.check, t) if self.check else self.left
            self.check = None
            if state != "end":
                self.step = state
        if state != "confirm_finish":
            self.prev = state

    def new_check(self, point: int | None, step: str | None, t: float) -> Check:
        c = Check(point or len(self.rec.checks) + 1, step, t)
        self.rec.checks.append(c)
        self.by_point[c.point] = c
        return c


def _point(x) -> int | None:
    return x if isinstance(x, int) and not isinstance(x, bool) else None


def _number(x) -> float | None:
    return float(x) if isinstance(x, (int, float)) and not isinstance(x, bool) else None


def _safety_cue(rec: Record, e: dict, step: str | None, heard: tuple[str, float] | None,
                check: Check | None) -> None:
    ck = e.get("kind")
    command = heard[0] if heard and heard[1] == e["t"] else None
    if ck in SAFETY_CUES:
        kind = SAFETY_CUES[ck]
    elif ck == "safety":
        kind = RULE_KINDS.get(command or "", "rule")
    else:
        return
    point = check.point if check else None
    rec.safety.append(Safety(float(e["t"]), kind, step, str(e.get("text") or ""), command, point))


def _answer(rec: Record, e: dict, step) -> None:
    key, answer = str(e.get("question")), str(e.get("answer"))
    asked = question_words(str(e.get("asked") or "")) or str(e.get("title") or "")
    rec.answers.append(Answer(asked or key.replace("_", " ").capitalize(), answer, key))
    if "nerve" in key and answer == "yes":
        rec.safety.append(Safety(float(e["t"]), "nerve_answer", e.get("step") or step,
                                 asked or key, "yes"))


_SENTENCE = re.compile(r"(?<=[.!?。])\s+")
_SPOKEN = re.compile(r"^(say|answer|yes or no)\b|['‘’“”]?\w+['‘’“”]?\s*(이?라고|로)\s*"
                     r"(하세요|말하세요|답해)|라고 하세요|로 답해", re.IGNORECASE)


def sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE.split(" ".join(text.split())) if s]


def question_words(cue: str) -> str:
    """The question of a yes/no step as asked, without the "Yes or no." that follows it."""
    asked = [s for s in sentences(cue) if s.endswith("?") and not _SPOKEN.search(s)]
    return " ".join(asked)


def client_text(cue: str) -> str:
    """A homework cue as instructions to the client: the sentences telling the therapist
    what to say to the guide ("Say next when you have shown them") are left out."""
    return " ".join(s for s in sentences(cue) if not _SPOKEN.search(s))
