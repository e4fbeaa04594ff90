"""Turns a protocol YAML file into a validated `Protocol`, or one located error."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from voice_guide.ears import grammar
from voice_guide.errors import UserError, problems_of
from voice_guide.protocol.include import include_protocols
from voice_guide.protocol.model import (
    BREATH_WORDS,
    CONTROLS,
    DURATION_KEYS,
    END,
    KINDS,
    MAX_HOLD_LIMIT,
    MAX_STEPS,
    ON_KEYS,
    PARAM_KEYS,
    REPS_KEYS,
    RESERVED_STEP_IDS,
    SAFETY_KEYS,
    STEP_KEYS,
    TIMER_KEYS,
    TOP_KEYS,
    TRIGGER_POINT,
    Checker,
    Duration,
    Parameters,
    Protocol,
    Reps,
    SafetyRule,
    Step,
    StepTimer,
    Transition,
)
from voice_guide.protocol.phrases import PHRASE_KEYS, default_phrases, fields_of, template_problem
from voice_guide.protocol.translation import beside, translate
from voice_guide.yamlfile import LineMap, load_yaml


def load_protocol(path: Path, _stack: tuple[Path, ...] = (), *, language: str | None = None
                  ) -> Protocol:
    """Load and validate; raises UserError `file:line: what to fix`. Every problem in the file
    is found before raising (UserErrors lists them, up to a bound), not only the first.

    With `language` other than the file's own, every spoken text comes from the translation
    beside it (`psoas.ko.yaml`, see voice_guide.protocol.translation)."""
    path = Path(path)
    data = load_yaml(path)
    c = Checker(path)
    if data is None:
        raise c.fail(1, "the file is empty; a protocol needs id, title, start and steps")
    top = c.mapping(data, 1, "the protocol", TOP_KEYS)
    included, rules = include_protocols(c, top, (*_stack, path.resolve()), language,
                                        load=load_protocol)
    steps = _steps(c, top, set(included))
    clash = sorted(set(steps) & set(included))
    if clash:
        c.note(c.fail(top.line_of("steps"), f"step '{clash[0]}' clashes with an included step"))
    steps.update(included)
    c.keep(_check_then, c, steps, set(included))
    start = c.keep(_start, c, top, steps)
    protocol = Protocol(
        id=c.keep(lambda: c.ident(c.text(top, "id", "the protocol"), top.line_of("id"),
                                  "the protocol id")),
        title=c.keep(c.text, top, "title", "the protocol"),
        start=start, steps=steps, parameters=c.keep(_parameters, c, top, default=Parameters()),
        safety=(*c.keep(_safety, c, top, steps, default=[]), *rules),
        phrases=c.keep(_phrases, c, top, default={}),
        version=_optional(c, top, "version") or "1",
        source=_optional(c, top, "source") or "",
        language=_optional(c, top, "language") or "en",
        description=_optional(c, top, "description") or "",
        path=path,
    )
    c.raise_errors()
    _check_graph(c, protocol)
    c.raise_errors()
    if language and language != protocol.language:
        protocol = translate(protocol, language, frozenset(included), tuple(rules))
    return protocol


def _optional(c: Checker, top: LineMap, key: str) -> str | None:
    return c.keep(c.text, top, key, "the protocol", False)


def _start(c: Checker, top: LineMap, steps: dict[str, Step]) -> str:
    start = c.text(top, "start", "the protocol")
    if start not in steps and start not in top["steps"]:  # a broken step is noted already
        raise c.fail(top.line_of("start"), f"start step '{start}' is not among the steps")
    return start


def _steps(c: Checker, top: LineMap, outside: set[str]) -> dict[str, Step]:
    """Every step that checks out; each broken one is noted and left out."""
    raw = top.get("steps")
    if not isinstance(raw, LineMap) or not raw:
        raise c.fail(top.line_of("steps"), "'steps' must map step ids to steps")
    if len(raw) > MAX_STEPS:
        raise c.fail(top.line_of("steps"), f"{len(raw):,} steps; a protocol may have at most "
                     f"{MAX_STEPS} (split it, and chain the parts with 'include')")
    ids = set(map(str, raw)) | outside
    found = {}
    for sid in raw:
        step = c.keep(_step, c, sid, raw[sid], raw.line_of(sid), ids)
        if step is not None:
            found[step.id] = step
    return found


def _check_then(c: Checker, steps: dict[str, Step], included: set[str]) -> None:
    """Included steps go on to the host's steps (`then` of the include): do those exist?"""
    for step in (steps[sid] for sid in sorted(included)):
        if step.then and step.then not in steps:
            raise c.fail(step.line, f"'then' of step '{step.id}' leads to missing step "
                         f"'{step.then}'")


def _step(c: Checker, sid: Any, raw: Any, line: int, ids: set) -> Step:
    sid = c.ident(sid, line, "step id")
    what = f"step '{sid}'"
    if sid == END:
        raise c.fail(line, f"'{END}' is reserved for the end of the session; rename the step")
    if sid in RESERVED_STEP_IDS:
        raise c.fail(line, f"step id '{sid}' is one of the guide's own states "
                     f"({', '.join(sorted(RESERVED_STEP_IDS))}); rename the step")
    m = c.mapping(raw, line, what, STEP_KEYS)
    kind = m.get("kind", "info")
    if kind not in KINDS:
        raise c.fail(m.line_of("kind"), f"kind '{kind}' of {what} is unknown "
                     f"(use one of: {', '.join(KINDS)})")
    on = _on(c, m, what, ids)
    clash = sorted(set(on) & (TRIGGER_POINT - {"worse"})) if kind == "treatment" else []
    if clash:
        raise c.fail(m.line_of("on"), f"treatment {what} uses the shared trigger-point check "
                     f"for '{clash[0]}'; remove it from 'on'")
    end = m.get("end", False)
    if not isinstance(end, bool):
        raise c.fail(m.line_of("end"), f"'end' of {what} must be true or false")
    then = m.get("then")
    if then is not None and not isinstance(then, str):
        raise c.fail(m.line_of("then"), f"'then' of {what} must be a step id")
    if then is not None and then not in ids:
        raise c.fail(line, f"'then' of {what} leads to missing step '{then}'")
    if then and end:
        raise c.fail(line, f"{what} has both 'then' and 'end'; keep one")
    return Step(
        id=sid, title=c.text(m, "title", what, required=False) or sid.replace("_", " "),
        cue=c.text(m, "cue", what), kind=kind,
        reprompt=c.text(m, "reprompt", what, required=False),
        on=on, reps=_reps(c, m, what), timers=_timers(c, m, what), end=end, then=then,
        record=c.text(m, "record", what, required=False), line=line,
    )


def _on(c: Checker, m: LineMap, what: str, ids: set) -> dict[str, Transition]:
    raw = m.get("on")
    if raw is None:
        return {}
    raw = c.mapping(raw, m.line_of("on"), f"'on' of {what}", _keys(raw))
    result = {}
    for word, value in raw.items():
        line = raw.line_of(word)
        c.command(word, line)
        if word in CONTROLS:
            raise c.fail(line, f"'{word}' is handled by the guide in every step; "
                         "remove it from 'on'")
        result[word] = _transition(c, value, line, f"'{word}' in {what}", ids)
    return result


def _keys(raw: object) -> set:
    """Any key passes the mapping check; each is then checked as a command, with its line."""
    return set(raw) if isinstance(raw, dict) else set()


def _transition(c: Checker, value: Any, line: int, what: str, ids: set) -> Transition:
    target: str | None
    say: str | None
    if isinstance(value, str):
        target, say = value, None
    else:
        m = c.mapping(value, line, what, ON_KEYS)
        target, say = m.get("to"), c.text(m, "say", what, required=False)
        if target is not None and not isinstance(target, str):
            raise c.fail(m.line_of("to"), f"'to' of {what} must be a step id")
        if target is None and say is None:
            raise c.fail(line, f"{what} needs 'to' (a step) or 'say' (a reply that stays)")
    if target is not None and target != END and target not in ids:
        raise c.fail(line, f"{what} leads to missing step '{target}' "
                     f"(steps: {', '.join(sorted(map(str, ids)))}, or '{END}')")
    return Transition(target=target, say=say, line=line)


def _reps(c: Checker, m: LineMap, what: str) -> Reps | None:
    if "reps" not in m:
        return None
    r = c.mapping(m["reps"], m.line_of("reps"), f"'reps' of {what}", REPS_KEYS)
    lo = c.number(r, "min", f"reps of {what}", 1, 30)
    hi = c.number(r, "max", f"reps of {what}", 1, 30, default=lo)
    if lo is None or hi is None or lo != int(lo) or hi != int(hi) or lo > hi:
        raise c.fail(r.line, f"reps of {what} need whole numbers min <= max (e.g. min: 4, "
                     "max: 6)")
    calls = {k: c.text(r, k, f"reps of {what}", required=False)
             for k in ("call", "rest_call", "done_call")}
    for k in ("call", "done_call"):  # said with {n}, the repetition
        text = calls[k]
        problem = text and template_problem(text, frozenset({"n"}))
        if problem:
            raise c.fail(r.line_of(k), f"'{k}' of {what} {problem}")
    return Reps(min=int(lo), max=int(hi), lift=c.number(r, "lift", "reps", 0.5, 30, 2.0),
                rest=c.number(r, "rest", "reps", 0.5, 60, 4.0),
                lead_in=c.number(r, "lead_in", "reps", 0, 60, 3.0), **calls)


def _timers(c: Checker, m: LineMap, what: str) -> tuple[StepTimer, ...]:
    raw = m.get("timers", [])
    if not isinstance(raw, list):
        raise c.fail(m.line_of("timers"), f"'timers' of {what} must be a list")
    timers = []
    for item in raw:
        t = c.mapping(item, m.line_of("timers"), f"a timer of {what}", TIMER_KEYS)
        after = c.number(t, "after", f"a timer of {what}", 1, 3600)
        if after is None:
            raise c.fail(t.line, f"a timer of {what} needs 'after' (seconds)")
        timers.append(StepTimer(after=after, say=c.text(t, "say", f"a timer of {what}")))
    return tuple(sorted(timers, key=lambda x: x.after))


def _parameters(c: Checker, top: LineMap) -> Parameters:
    if "parameters" not in top:
        return Parameters()
    p = c.mapping(top["parameters"], top.line_of("parameters"), "parameters", PARAM_KEYS)
    limit = c.number(p, "hold_limit", "parameters", 1, MAX_HOLD_LIMIT, 12.0)
    calls = p.get("hold_calls", [4, 8])
    if not isinstance(calls, list) or not all(
            isinstance(x, (int, float)) and not isinstance(x, bool) and 0 < x < limit
            for x in calls):
        raise c.fail(p.line_of("hold_calls"), f"hold_calls must be a list of seconds between "
                     f"0 and the hold limit ({limit:g}), e.g. [4, 8]")
    duration = Duration()
    if "duration" in p:
        d = c.mapping(p["duration"], p.line_of("duration"), "duration", DURATION_KEYS)
        duration = Duration(limit=c.number(d, "limit", "duration", 10, 4 * 3600),
                            call_every=c.number(d, "call_every", "duration", 10, 3600))
    return Parameters(hold_limit=limit, hold_calls=tuple(sorted(float(x) for x in calls)),
                      reprompt_after=c.number(p, "reprompt_after", "parameters", 5, 600),
                      duration=duration)


def _safety(c: Checker, top: LineMap, steps: dict[str, Step]) -> list[SafetyRule]:
    if "safety" not in top:
        return []
    raw = c.mapping(top["safety"], top.line_of("safety"), "safety", _keys(top["safety"]))
    rules = [c.keep(_rule, c, word, value, raw.line_of(word), steps)
             for word, value in raw.items()]
    return [r for r in rules if r is not None]


def _rule(c: Checker, word: Any, value: Any, line: int, steps: dict[str, Step]) -> SafetyRule:
    c.command(word, line)
    m = c.mapping(value, line, f"safety rule '{word}'", SAFETY_KEYS)
    scope = m.get("in", [])
    scope = [scope] if isinstance(scope, str) else scope
    if not isinstance(scope, list) or any(
            not isinstance(s, str) or (s not in KINDS and s not in steps) for s in scope):
        raise c.fail(m.line_of("in"), f"'in' of safety rule '{word}' must list step kinds "
                     f"({', '.join(KINDS)}) or step ids")
    target = m.get("to")
    if target is not None and not isinstance(target, str):
        raise c.fail(m.line_of("to"), f"'to' of safety rule '{word}' must be a step id")
    if target is not None and target != END and target not in steps:
        raise c.fail(m.line_of("to"), f"safety rule '{word}' leads to missing step "
                     f"'{target}'")
    return SafetyRule(command=word, say=c.text(m, "say", f"safety rule '{word}'"),
                      applies_to=frozenset(scope), target=target, line=line)


def _phrases(c: Checker, top: LineMap) -> dict[str, str]:
    if "phrases" not in top:
        return {}
    raw = c.mapping(top["phrases"], top.line_of("phrases"), "phrases", set(PHRASE_KEYS))
    found = {}
    for k in raw:
        if k not in PHRASE_KEYS:
            continue  # noted by mapping() already
        text = c.text(raw, k, "phrases")
        problem = template_problem(text, fields_of(k))
        if problem:
            raise c.fail(raw.line_of(k), f"phrase '{k}' {problem}")
        found[k] = text
    return found


def _check_graph(c: Checker, p: Protocol) -> None:
    """Every step reachable from the start, and every step has a way on (or ends)."""
    seen, todo = set(), [p.start]
    while todo:
        sid = todo.pop()
        if sid in seen or sid == END:
            continue
        seen.add(sid)
        step = p.steps[sid]
        todo += [t.target for t in step.on.values() if t.target]
        todo += [r.target for r in p.rules_in(step) if r.target]
        todo += [step.then] if step.then else []
    for sid, step in p.steps.items():
        if sid not in seen:
            c.note(c.fail(step.line, f"step '{sid}' cannot be reached from the start "
                          f"'{p.start}'; lead to it from another step's 'on' or remove it"))
        elif not step.end and not step.then and not any(t.target for t in step.on.values()):
            c.note(c.fail(step.line, f"step '{sid}' has no way out; add 'on' with a next "
                          "step, or 'end: true'"))
    if c.errors:
        return
    if not any(s.end for s in p.steps.values()) and not _mentions_end(p):
        raise c.fail(1, "no step ends the session; mark the last one 'end: true'")
    _check_exits(c, p)


def _targets(p: Protocol, step: Step) -> list[str]:
    found = [t.target for t in step.on.values() if t.target]
    found += [r.target for r in p.rules_in(step) if r.target]
    return found + ([step.then] if step.then else [])


def _check_exits(c: Checker, p: Protocol) -> None:
    """A loop of steps none of which leads on to an end: the session could never finish."""
    ends = {sid for sid, s in p.steps.items() if s.end or END in _targets(p, s)}
    changed = True
    while changed:
        more = {sid for sid, s in p.steps.items() if ends & set(_targets(p, s))}
        changed, ends = not more <= ends, ends | more
    stuck = sorted((s for sid, s in p.steps.items() if sid not in ends), key=lambda s: s.line)
    if stuck:
        names = ", ".join(f"'{s.id}'" for s in stuck)
        raise c.fail(stuck[0].line, f"steps {names} loop with no way on to an end step; "
                     "lead one of them out of the loop")


def _mentions_end(p: Protocol) -> bool:
    return any(t.target == END for s in p.steps.values() for t in s.on.values())


def lint(p: Protocol) -> list[str]:
    """Findings that do not stop loading: `file:line: warning: ...` or `file:line: error: ...`.

    `voice-guide check` exits 2 on any error finding.
    """
    found = []
    for step in p.steps.values():
        for text in filter(None, (step.cue, step.reprompt)):
            words = len(text.split())
            if words > BREATH_WORDS:
                found.append(f"{p.path}:{step.line}: warning: the cue of step '{step.id}' "
                             f"is {words} words, longer than a breath ({BREATH_WORDS}); "
                             "split it into steps or shorten it")
    duration = p.parameters.duration
    if duration.call_every and not duration.limit:
        found.append(f"{p.path}:1: warning: the duration is called every "
                     f"{duration.call_every:g} s but has no spoken limit; add 'limit'")
    found += _missing_phrasings(p)
    return found


def _missing_phrasings(p: Protocol) -> list[str]:
    """A command the protocol listens for that its language's grammar cannot hear."""
    try:
        heard = set(grammar.load(p.language).phrases)
    except UserError as exc:
        return [f"{p.path}:1: error: no grammar for language '{p.language}': {exc}"]
    found = []
    for step in p.steps.values():
        used = set(step.on) | {r.command for r in p.rules_in(step)}
        used |= TRIGGER_POINT if step.kind == "treatment" else set()
        for word in sorted(used - heard):
            found.append(f"{p.path}:{step.line}: error: step '{step.id}' listens for "
                         f"'{word}', which grammars/{p.language}.yaml has no phrasing for")
    return found


def check_beside(protocol_path: Path) -> list[str]:
    """`voice-guide check` findings for every translation next to a protocol file: each one is
    loaded in full (missing texts are errors naming file, step and language) and linted in
    its language (its grammar must hear every command the protocol listens for)."""
    found = []
    for lang, path in beside(protocol_path):
        try:
            default_phrases(lang)
            found += lint(load_protocol(protocol_path, language=lang))
        except UserError as exc:
            found += [_as_error(problem) for problem in problems_of(exc)]
            continue
        found.append(f"{path}: ok (language '{lang}')")
    return found


def _as_error(message: str) -> str:
    """`file:line: what` -> `file:line: error: what`, the form `check` counts as an error."""
    head, sep, rest = message.partition(": ")
    if sep and re.match(r"^\d+$", rest.partition(": ")[0]):
        line, _, what = rest.partition(": ")
        return f"{head}: {line}: error: {what}".replace(": ", ":", 1)
    return f"{head}: error: {rest}" if sep else f"error: {message}"
