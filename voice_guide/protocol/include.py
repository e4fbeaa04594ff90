"""Protocols that include other protocols (an assessment that chains into the psoas release).

`include: {release: {protocol: psoas, then: homework}}` brings every step of `psoas` in as
`release.<step>`; the host leads to `release.position` like to any step, and the included
protocol's end step goes on to the host's `homework` step instead of ending the session. The
included protocol's safety rules keep applying to its own steps; the host's parameters and
phrases apply throughout. The trigger-point check is shared by every protocol already.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from voice_guide.protocol.model import (
    END,
    INCLUDE_KEYS,
    Checker,
    Protocol,
    SafetyRule,
    Step,
    Transition,
)
from voice_guide.protocol.paths import path_of
from voice_guide.yamlfile import LineMap

#: The loader's `load_protocol(path, stack, *, language)`.
Load = Callable[..., Protocol]

_ALIAS = re.compile(r"^[a-z][a-z0-9_-]*$")


def include_protocols(c: Checker, top: LineMap, stack: tuple[Path, ...],
                      language: str | None = None, *, load: Load
                      ) -> tuple[dict[str, Step], list[SafetyRule]]:
    """The steps and safety rules of every included protocol, each loaded with `load` (the
    loader passes its own `load_protocol`, so this module does not import the loader back)."""
    if "include" not in top:
        return {}, []
    raw = top["include"]
    raw = c.mapping(raw, top.line_of("include"), "include",
                    set(raw) if isinstance(raw, dict) else set())
    steps: dict[str, Step] = {}
    rules: list[SafetyRule] = []
    for alias, spec in raw.items():
        line = raw.line_of(alias)
        if not isinstance(alias, str) or not _ALIAS.match(alias):
            raise c.fail(line, f"include name '{alias}' must be a lower-case word")
        m = c.mapping(spec, line, f"include '{alias}'", INCLUDE_KEYS)
        inner = _load(c, m, line, alias, stack, language, load)
        then = m.get("then")
        if then is not None and not isinstance(then, str):
            raise c.fail(m.line_of("then"), f"'then' of include '{alias}' must be a step id")
        steps.update({f"{alias}.{s.id}": _prefixed(s, alias, then) for s in inner.steps.values()})
        rules += [_scoped(r, alias, inner.steps.values()) for r in inner.safety]
    return steps, rules


def _load(c: Checker, m: LineMap, line: int, alias: str, stack: tuple[Path, ...],
          language: str | None, load: Load) -> Protocol:
    name = m.get("protocol")
    if not isinstance(name, str) or not name.strip():
        raise c.fail(line, f"include '{alias}' needs 'protocol': an id or a .yaml path")
    path = path_of(name, relative_to=c.path.parent)
    if path is None:
        raise c.fail(m.line_of("protocol"), f"include '{alias}': no protocol '{name}'")
    if path.resolve() in stack:
        raise c.fail(m.line_of("protocol"), f"include '{alias}': '{name}' leads back to a protocol "
                     "that includes it (a cycle of includes)")
    return load(path, stack, language=language)  # translated from its own file


def _prefixed(step: Step, alias: str, then: str | None) -> Step:
    def target(t: str | None) -> str | None:
        if t == END:
            return then or END
        return f"{alias}.{t}" if t else None

    on = {w: Transition(target(t.target), t.say, t.line) for w, t in step.on.items()}
    ends_here = step.end and then is None
    return replace(step, id=f"{alias}.{step.id}", on=on, end=ends_here,
                   then=then if step.end and then else target(step.then))


def _scoped(rule: SafetyRule, alias: str, steps) -> SafetyRule:
    """The included protocol's rule, limited to its own steps (by their new ids)."""
    own = {f"{alias}.{s.id}" for s in steps if rule.applies(s)}
    target = f"{alias}.{rule.target}" if rule.target and rule.target != END else rule.target
    return replace(rule, applies_to=frozenset(own), target=target)
