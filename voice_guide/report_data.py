"""What a report says, read out of a session log: points checked and held, safety events,
answers in the questions' words, homework as instructions to the client.

No formatting here (report.py, report_soap.py do that); only the reading of events, so the
Markdown, HTML, PDF and SOAP note all say the same thing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from voice_guide import registry
from voice_guide.errors import UserError
from voice_guide.record_read import Log

CHECK = ("tp_refers", "tp_hold")
SAFETY_CUES = {"nerve_stop": "nerve", "tp_limit": "limit", "tp_worse": "worse"}
RULE_KINDS = {"pulse": "pulse", "worse": "worse", "numb": "nerve"}


@dataclass
class Check:
    """A point checked (tender, refers or local), whether or not it came to a hold."""

    point: int
    step: str
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
    kind: str          # nerve | nerve_answer | pulse | limit | worse | rule
    step: str
    said: str
    command: str | None = None
    point: int | None = None


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

    def title(self, step: str | None) -> str:
        return self.titles.get(step or "", step or "—")

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
    _walk(rec, log)
    return rec


def _walk(rec: Record, log: Log) -> None:
    step, prev, heard, check = None, None, None, None
    left: tuple[Check, float] | None = None  # the check just left (a nerve stop leaves first)
    by_point: dict[int, Check] = {}
    for e in log.events:
        kind, t = e.get("event"), float(e["t"])
        if kind == "state":
            state = e.get("state")
            if state in CHECK and prev not in CHECK:
                check = Check(len(rec.checks) + 1, step, t)
                rec.checks.append(check)
                by_point[check.point] = check
            if state not in CHECK and state != "confirm_finish":
                left, check = (check, t) if check else left, None
                if state != "end":
                    step = state
            if state != "confirm_finish":
                prev = state
        elif kind == "heard":
            heard = (e.get("command"), t)
        elif kind == "hold_start":
            c = by_point.get(e.get("point")) or _new_check(rec, by_point, e, step, t)
            c.sensation, c.hold_t = e.get("sensation"), t
        elif kind == "hold_end":
            c = by_point.get(e.get("point"))
            if c is not None:
                c.duration, c.reason = _number(e.get("duration")), e.get("reason")
        elif kind == "revisit":
            rec.revisits.append(e)
            c = by_point.get(e.get("point"))
            if c is not None and not c.held and c.reason is None:
                c.reason = e.get("reason")
        elif kind == "cue":
            _safety_cue(rec, e, step, heard, check or (left[0] if left and left[1] == t
                                                       else None))
        elif kind == "answer":
            _answer(rec, e, step)
        elif kind == "homework":
            rec.homework.append(Homework(str(e.get("title") or rec.title(e.get("step"))),
                                         client_text(str(e.get("text", "")))))
    for c in rec.checks:
        if c.held and c.duration is None:
            c.alive = max(0.0, log.last_t - c.hold_t)  # the last line: a heartbeat, mostly


def _new_check(rec: Record, by_point: dict, e: dict, step, t: float) -> Check:
    c = Check(int(e.get("point") or len(rec.checks) + 1), e.get("step") or step, t)
    rec.checks.append(c)
    by_point[c.point] = c
    return c


def _number(x) -> float | None:
    return float(x) if isinstance(x, (int, float)) and not isinstance(x, bool) else None


def _safety_cue(rec: Record, e: dict, step, heard, check) -> None:
    ck = e.get("kind")
    command = heard[0] if heard and heard[1] == e["t"] else None
    if ck in SAFETY_CUES:
        kind = SAFETY_CUES[ck]
    elif ck == "safety":
        kind = RULE_KINDS.get(command, "rule")
    else:
        return
    point = check.point if check else None
    rec.safety.append(Safety(float(e["t"]), kind, step, str(e.get("text", "")), command, point))


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
