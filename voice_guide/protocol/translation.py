"""Translations of a protocol, kept beside it: `psoas.yaml` is spoken in Korean from
`psoas.ko.yaml`.

Why beside and not a copy: the steps, transitions, timers and safety scopes stay in one file, so
a fix to the flow reaches every language; a translation holds only what is said. It gives, per
step id, `title`, `cue`, `reprompt`, the `say` of each `on` reply (by command), the timers'
`say` (by their `after` seconds) and the reps' `call`/`rest_call`/`done_call`; per safety rule
its `say`; the protocol's `title` and any `phrases` it overrides. Anything said in the
protocol and missing here is an error naming the file, the step and the language, so a session
never switches language in the middle of a cue. Included protocols are translated from their
own translation files (voice_guide.protocol.include).
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from voice_guide.errors import UserError, UserErrors, located
from voice_guide.protocol.model import (
    MAX_TEXT,
    Protocol,
    Reps,
    SafetyRule,
    Step,
    StepTimer,
    Transition,
)
from voice_guide.protocol.phrases import fields_of, template_problem
from voice_guide.yamlfile import LineMap, load_yaml

#: `<protocol stem>.<language>.yaml`; the language is a short code such as ko or pt-br.
_NAME = re.compile(r"^(?P<stem>.+)\.(?P<lang>[a-z]{2,3}(?:-[a-z]{2,4})?)\.ya?ml$")
_TOP = {"protocol", "language", "title", "description", "safety", "phrases", "steps"}
_STEP = {"title", "cue", "reprompt", "on", "timers", "reps"}
_REPS = ("call", "rest_call", "done_call")


def is_translation(path: Path) -> bool:
    """A translation file, not a protocol (the registry must not list it)."""
    return _NAME.match(Path(path).name) is not None


def path_for(protocol_path: Path, language: str) -> Path:
    return Path(protocol_path).with_name(f"{Path(protocol_path).stem}.{language}.yaml")


def beside(protocol_path: Path) -> list[tuple[str, Path]]:
    """Every (language, translation file) next to a protocol file, for `check`."""
    p = Path(protocol_path)
    found = []
    for f in sorted(p.parent.glob(f"{p.stem}.*.y*ml")):
        m = _NAME.match(f.name)
        if m and m["stem"] == p.stem:
            found.append((m["lang"], f))
    return found


def translate(protocol: Protocol, language: str, included: frozenset[str] = frozenset(),
              included_rules: tuple[SafetyRule, ...] = ()) -> Protocol:
    """The protocol with every spoken text in `language`; `included` are the step ids and
    `included_rules` the safety rules that came from included protocols (already translated
    from their own files)."""
    if protocol.path is None:
        raise UserError(f"protocol '{protocol.id}' has no file to find its translation beside")
    path = path_for(protocol.path, language)
    if not path.is_file():
        raise UserError(f"{protocol.path}: no translation into '{language}' "
                        f"(expected {path.name} beside it)")
    return _Translator(path, language, protocol, included, included_rules).run()


class _Translator:
    """Reads one translation file against its protocol; each gap is a located error."""

    def __init__(self, path: Path, language: str, p: Protocol, included: frozenset[str],
                 included_rules: tuple[SafetyRule, ...]) -> None:
        self.path, self.lang, self.p, self.included = path, language, p, included
        self.own_rules = [r for r in p.safety if not any(r is x for x in included_rules)]

    def fail(self, line: int | None, message: str) -> UserError:
        return located(self.path, line, f"{message} (language '{self.lang}')")

    def run(self) -> Protocol:
        top = self._map(load_yaml(self.path), 1, "the translation", _TOP)
        if top.get("protocol") not in (None, self.p.id):
            raise self.fail(top.line_of("protocol"), f"translates protocol "
                            f"'{top['protocol']}', not '{self.p.id}'")
        if top.get("language", self.lang) != self.lang:
            raise self.fail(top.line_of("language"), f"says language '{top['language']}' "
                            f"but its name says '{self.lang}'")
        steps = self._map(top.get("steps"), top.line_of("steps"), "'steps'", None)
        own = {sid: s for sid, s in self.p.steps.items() if sid not in self.included}
        for sid in steps:
            if sid not in own:
                raise self.fail(steps.line_of(sid), f"step '{sid}' is not in protocol "
                                f"'{self.p.id}'")
        new, problems = {}, []
        for sid, s in own.items():  # every untranslated step is listed, not only the first
            try:
                new[sid] = self._step(s, steps)
            except UserError as exc:
                problems.append(exc)
        if problems:
            raise UserErrors(problems)
        return replace(self.p, steps={**self.p.steps, **new}, language=self.lang,
                       title=self._text(top, "title", "the protocol's title"),
                       description=self._opt(top, "description") or self.p.description,
                       safety=self._safety(top), phrases=self._phrases(top))

    # -- steps --------------------------------------------------------------------------
    def _step(self, step: Step, steps: LineMap) -> Step:
        if step.id not in steps:
            raise self.fail(steps.line, f"step '{step.id}' is not translated")
        m = self._map(steps[step.id], steps.line_of(step.id), f"step '{step.id}'", _STEP)
        what = f"step '{step.id}'"
        return replace(
            step, title=self._text(m, "title", f"the title of {what}"),
            cue=self._text(m, "cue", f"the cue of {what}"),
            reprompt=step.reprompt and self._text(m, "reprompt", f"the reprompt of {what}"),
            on=self._on(step, m), timers=self._timers(step, m), reps=self._reps(step, m))

    def _on(self, step: Step, m: LineMap) -> dict[str, Transition]:
        said = {c: t for c, t in step.on.items() if t.say}
        raw = self._sub(m, "on", f"'on' of step '{step.id}'", set(said), bool(said))
        return {c: replace(t, say=self._text(raw, c, f"the '{c}' reply of step '{step.id}'"))
                if t.say else t for c, t in step.on.items()}

    def _timers(self, step: Step, m: LineMap) -> tuple[StepTimer, ...]:
        keys = {_secs(t.after) for t in step.timers}
        raw = self._sub(m, "timers", f"'timers' of step '{step.id}'", keys, bool(keys))
        fixed = LineMap()
        fixed.line = m.line_of("timers")
        for k, v in raw.items():
            fixed[_secs(k)], fixed.lines[_secs(k)] = v, raw.line_of(k)
        return tuple(replace(t, say=self._text(fixed, _secs(t.after), f"the timer at "
                     f"{_secs(t.after)} s of step '{step.id}'")) for t in step.timers)

    def _reps(self, step: Step, m: LineMap) -> Reps | None:
        if step.reps is None:
            return None
        keys = {k for k in _REPS if getattr(step.reps, k)}
        raw = self._sub(m, "reps", f"'reps' of step '{step.id}'", keys, bool(keys))
        texts = {k: self._text(raw, k, f"the reps' {k} of step '{step.id}'") for k in keys}
        for k in keys & {"call", "done_call"}:
            problem = template_problem(texts[k], frozenset({"n"}))
            if problem:
                raise self.fail(raw.line_of(k), f"the reps' {k} of step '{step.id}' {problem}")
        reps = step.reps
        return replace(reps, call=texts.get("call", reps.call),
                       rest_call=texts.get("rest_call", reps.rest_call),
                       done_call=texts.get("done_call", reps.done_call))

    # -- protocol-wide --------------------------------------------------------------------
    def _safety(self, top: LineMap) -> tuple[SafetyRule, ...]:
        keys = {r.command for r in self.own_rules}
        raw = self._sub(top, "safety", "'safety'", keys, bool(keys))
        return tuple(replace(r, say=self._text(raw, r.command, f"safety rule '{r.command}'"))
                     if any(r is x for x in self.own_rules) else r for r in self.p.safety)

    def _phrases(self, top: LineMap) -> dict[str, str]:
        keys = set(self.p.phrases)
        raw = self._sub(top, "phrases", "'phrases'", keys, bool(keys))
        texts = {k: self._text(raw, k, f"phrase '{k}'") for k in keys}
        for k, text in texts.items():
            problem = template_problem(text, fields_of(k))
            if problem:
                raise self.fail(raw.line_of(k), f"phrase '{k}' {problem}")
        return texts

    # -- reading --------------------------------------------------------------------------
    def _map(self, value, line: int | None, what: str, allowed: set | None) -> LineMap:
        if not isinstance(value, LineMap):
            raise self.fail(line, f"{what} must be a mapping of key: value")
        for key in value:
            if allowed is not None and key not in allowed:
                raise self.fail(value.line_of(key), f"unknown key '{key}' in {what} "
                                f"(allowed: {', '.join(sorted(allowed))})")
        return value

    def _sub(self, m: LineMap, key: str, what: str, allowed: set, needed: bool):
        if m.get(key) is None:  # absent, or a key left empty
            if needed:
                raise self.fail(m.line, f"{what} is not translated (needs: "
                                f"{', '.join(sorted(map(str, allowed)))})")
            return {}
        raw = self._map(m[key], m.line_of(key), what, None)
        extra = [k for k in raw if (_secs(k) if key == "timers" else k) not in allowed]
        if extra:
            raise self.fail(raw.line_of(extra[0]), f"'{extra[0]}' in {what} has nothing to "
                            "translate in the protocol")
        return raw

    def _text(self, m: dict, key, what: str) -> str:
        value = m.get(key)
        if not isinstance(value, str) or not value.strip():
            line = m.line_of(key) if isinstance(m, LineMap) else None
            raise self.fail(line, f"{what} is not translated")
        if len(value) > MAX_TEXT:
            raise self.fail(m.line_of(key) if isinstance(m, LineMap) else None,
                            f"{what} is {len(value):,} characters; keep it under {MAX_TEXT}")
        return " ".join(value.split())

    def _opt(self, m: LineMap, key: str) -> str | None:
        return self._text(m, key, key) if key in m else None


def _secs(value) -> str:
    """Timer keys as written (`30`) and as loaded (30.0) compare equal as text."""
    try:
        return f"{float(value):g}"
    except (TypeError, ValueError):
        return str(value)


def protocol_of(path: Path) -> Path:
    """The protocol file a translation file belongs to (`psoas.ko.yaml` -> `psoas.yaml`)."""
    m = _NAME.match(Path(path).name)
    return Path(path).with_name(f"{m['stem']}.yaml") if m else Path(path)
