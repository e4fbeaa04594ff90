"""A test helper for scripted audio: a script in, the states, holds and heard commands out.

A new protocol's test is a few lines:

    result = simulate("examples/psoas.yaml")
    assert result.states_include("locate", "confirm", "contract_relax")
    assert result.hold_reasons == ["fading", "limit"]

Everything is real: espeak-ng speaks the turns, PocketSphinx listens, the dialogue decides.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, replace
from pathlib import Path

from voice_guide.events import Event
from voice_guide.runners.simulate.script import load_script
from voice_guide.runners.simulate.simulator import Simulator

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


@dataclass
class Result:
    events: list[Event]

    def of(self, kind: str) -> list[Event]:
        return [e for e in self.events if e.event == kind]

    @property
    def states(self) -> list[str]:
        return [e.get("state") for e in self.of("state")]

    @property
    def heard(self) -> list[str]:
        return [e.get("command") for e in self.of("heard")]

    @property
    def holds(self) -> list[Event]:
        return self.of("hold_end")

    @property
    def hold_reasons(self) -> list[str]:
        return [h.get("reason") for h in self.holds]

    @property
    def turns(self) -> list[Event]:
        return self.of("turn")

    def cues(self, kind: str | None = None) -> list[Event]:
        return [c for c in self.of("cue") if kind is None or c.get("kind") == kind]

    def states_include(self, *names: str) -> bool:
        """The named states were entered in this order (others may come between)."""
        it = iter(self.states)
        return all(any(s == n for s in it) for n in names)


def simulate(script: str | Path, tmp_path: Path | None = None, **overrides) -> Result:
    """Run a script file, or YAML text (written into tmp_path), with field overrides."""
    path = Path(script)
    if "\n" in str(script):
        path = tmp_path / "script.yaml"
        path.write_text(textwrap.dedent(str(script)))
    loaded = load_script(path if path.is_absolute() or path.exists() else ROOT / path)
    if overrides:
        loaded = replace(loaded, **overrides)
    events: list[Event] = []
    Simulator(loaded, [events.append]).run()
    return Result(events)


def commands_said(result: Result) -> list[str]:
    return [t.get("text") for t in result.turns if t.get("kind") == "say"]
