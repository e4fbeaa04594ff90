"""The guide's own phrases (controls and the shared trigger-point check), kept as data.

Defaults come from `protocols/phrases/<language>.yaml`; a protocol may override any key.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from voice_guide.errors import UserError

PHRASE_KEYS: tuple[str, ...] = (
    "tp_ask", "tp_hold_refers", "tp_hold_local", "hold_call", "tp_fading", "tp_limit",
    "tp_worse", "tp_cancel", "tp_return", "hold_needs", "paused", "stopped", "resumed",
    "not_paused", "help", "hint", "confirm_finish", "finish_cancel", "hold_time",
    "session_time", "duration_call", "duration_limit", "rep_lift", "rep_rest", "reps_done",
    "first_step", "ended", "nerve_stop",
)


@cache
def default_phrases(language: str = "en") -> dict[str, str]:
    """The shipped phrases for a language; every key in PHRASE_KEYS must be present."""
    from voice_guide.yamlfile import load_yaml

    ref = resources.files("voice_guide.protocols") / "phrases" / f"{language}.yaml"
    with resources.as_file(ref) as path:
        if not path.exists():
            raise UserError(f"no phrases for language '{language}' ({path})")
        data = load_yaml(path)
    missing = [k for k in PHRASE_KEYS if k not in (data or {})]
    if missing:
        raise UserError(f"{path}: missing phrases: {', '.join(missing)}")
    return {k: str(data[k]) for k in PHRASE_KEYS}


class Phrases:
    """Looks up a phrase (protocol override first) and fills in its {fields}."""

    def __init__(self, overrides: dict[str, str], language: str = "en") -> None:
        self._table = {**default_phrases(language), **overrides}

    def __call__(self, key: str, **fields: object) -> str:
        return self._table[key].format(**fields)
