"""The guide's own phrases (controls and the shared trigger-point check), kept as data.

Defaults come from `protocols/phrases/<language>.yaml`; a protocol may override any key.
"""

from __future__ import annotations

import string
from functools import cache
from importlib import resources

from voice_guide.ears import grammar
from voice_guide.errors import UserError
from voice_guide.voice.spoken import spoken_time
from voice_guide.yamlfile import load_yaml

PHRASE_KEYS: tuple[str, ...] = (
    "tp_ask", "tp_hold_refers", "tp_hold_local", "hold_call", "tp_fading", "tp_limit",
    "tp_worse", "tp_cancel", "tp_return", "hold_needs", "paused", "stopped", "resumed",
    "not_paused", "help", "hint", "confirm_finish", "finish_cancel", "hold_time",
    "session_time", "duration_call", "duration_limit", "rep_lift", "rep_rest", "reps_done",
    "first_step", "ended", "nerve_stop", "nerve_check", "nerve_cancel",
    "back_check", "back_cancel", "say_again",
)


def template_problem(text: str, allowed: frozenset[str]) -> str | None:
    """Why `text` cannot be filled in with the `allowed` fields ({n}, {seconds}...), or None.

    Checked at load: a phrase with `{x}`, `{0}` or `{n.__class__}` would otherwise fail (or
    reach into the program) in the middle of a session, when the guide first says it."""
    try:
        parts = list(string.Formatter().parse(text))
    except ValueError:
        return "has a lone { or }; write {{ or }} for a brace"
    for _, name, spec, conversion in parts:
        if name is not None and (name not in allowed or spec or conversion):
            names = ", ".join("{" + f + "}" for f in sorted(allowed)) or "none"
            return f"uses {{{name}}}, which the guide cannot fill in (fields here: {names})"
    return None


#: The raw numbers behind `{time}` ("1 minute 39 seconds", with_time): a protocol written
#: before times were read out ("{seconds} seconds") still fills in.
TIME_SOURCES = {"hold_call": {"seconds"}, "tp_limit": {"seconds"}, "hold_time": {"seconds"},
                "session_time": {"minutes", "seconds"}, "duration_call": {"minutes"},
                "duration_limit": {"minutes"}}


def fields_of(key: str) -> frozenset[str]:
    """The fields the guide fills in a phrase: those of the shipped English one, and the
    numbers a `{time}` is read from."""
    parts = string.Formatter().parse(default_phrases("en")[key])
    names = {name for _, name, _, _ in parts if name}
    return frozenset(names | TIME_SOURCES.get(key, set()) if "time" in names else names)


#: What the runners say around the dialogue (summary, resume, typed mistakes, devices); in
#: the same files, not overridable by a protocol. A language that lacks one says it in English.
RUNNER_KEYS: tuple[str, ...] = (
    "not_a_command", "bad_wait", "end_of_input", "summary_intro", "summary_held",
    "summary_none_held", "summary_revisit", "summary_revisit_one", "revisit_where",
    "summary_homework", "resume_at", "held_so_far", "resume_cut", "resume_paused",
    "interrupted", "no_mic", "mic_lost", "mic_back", "key_unmapped", "key_help",
)


@cache
def _phrase_file(language: str) -> tuple[object, dict]:
    ref = resources.files("voice_guide.data.protocols") / "phrases" / f"{language}.yaml"
    with resources.as_file(ref) as path:
        if not path.exists():
            raise UserError(f"no phrases for language '{language}' ({path})")
        return path, load_yaml(path) or {}


@cache
def runner_phrases(language: str = "en") -> dict[str, str]:
    """The runners' phrases for a language, English where it has none."""
    english = _phrase_file("en")[1]
    try:
        own = _phrase_file(language)[1]
    except UserError:
        own = {}
    return {k: str(own.get(k, english.get(k, k))) for k in RUNNER_KEYS}


def with_time(fields: dict, language: str) -> dict:
    """Add `{time}` ("1 minute 39 seconds") to fields that carry minutes and/or seconds."""
    if "minutes" in fields or "seconds" in fields:
        total = float(fields.get("minutes") or 0) * 60 + float(fields.get("seconds") or 0)
        fields.setdefault("time", spoken_time(total, language))
    return fields


@cache
def default_phrases(language: str = "en") -> dict[str, str]:
    """The shipped phrases for a language; every key in PHRASE_KEYS must be present."""
    path, data = _phrase_file(language)
    missing = [k for k in PHRASE_KEYS if k not in (data or {})]
    if missing:
        raise UserError(f"{path}: missing phrases: {', '.join(missing)}")
    return {k: str(data[k]) for k in PHRASE_KEYS}


class Phrases:
    """Looks up a phrase (protocol override first) and fills in its {fields}.

    `{command}` and `{commands}` hold canonical command names (English words); in another
    language they are said as the grammar's first phrasing, the word the therapist says back.
    """

    def __init__(self, overrides: dict[str, str], language: str = "en") -> None:
        self._table = {**default_phrases(language), **overrides}
        self._words = spoken_commands(language)
        self.language = language

    def __call__(self, key: str, **fields: object) -> str:
        with_time(fields, self.language)
        if "command" in fields:
            fields["command"] = self._words.get(str(fields["command"]), fields["command"])
        if "commands" in fields:
            names = str(fields["commands"]).split(", ")
            fields["commands"] = ", ".join(self._words.get(n, n) for n in names)
        return self._table[key].format(**fields)


@cache
def spoken_commands(language: str) -> dict[str, str]:
    """Canonical command -> how it is said in `language` (empty for English: the same)."""
    if language == "en":
        return {}
    try:
        g = grammar.load(language)
    except UserError:
        return {}
    return {cmd: _joined(phrases[0]) for cmd, phrases in g.phrases.items()}


#: Korean endings the model keeps as words of their own; a person says them joined.
ENDINGS = frozenset({"요", "어요", "진다", "는다", "든다", "간다", "해", "다", "어"})


def _joined(words: tuple[str, ...]) -> str:
    """Korean grammars split endings off as model words ("여기 요"); say them joined
    ("여기요", "약해진다"), as the therapist will."""
    out = ""
    for w in words:
        out += w if out and w in ENDINGS else f" {w}"
    return out.strip()


def spoken(words: tuple[str, ...], language: str) -> str:
    """A grammar phrasing as a person says it (tests and benchmarks speak it so)."""
    return _joined(words) if language == "ko" else " ".join(words)
