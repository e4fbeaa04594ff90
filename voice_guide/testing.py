"""Test a protocol with a scripted session: a script in, the states, holds and heard commands out.

A protocol's test is a few lines (pytest, or any test runner):

    from voice_guide.testing import simulate

    def test_my_protocol():
        result = simulate("my-script.yaml")
        assert not result.missed  # every turn's `expect` was met
        assert result.states_include("locate", "confirm", "contract_relax")
        assert result.hold_reasons == ["fading", "limit"]

Everything is real: espeak-ng speaks the turns, the recognizer listens, the dialogue decides
(the script format: docs/authoring.md, "Walk through it"; `voice-guide simulate` runs the same).
A script may also be given as YAML text; a protocol file is then best named by `protocol=`
(relative to the current folder), since the text's own folder is a temporary one.
"""

from __future__ import annotations

import tempfile
import textwrap
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from voice_guide.events import Event
from voice_guide.runners.simulate.script import load_script
from voice_guide.runners.simulate.simulator import Simulator


@dataclass
class Result:
    """Every event of the simulated session (the session log's events plus `turn`)."""

    events: list[Event]
    #: (script line, the step the turn expected, the step the guide was in) for each turn whose
    #: `expect` was not met after its retries
    missed: list[tuple[int, str, str]] = field(default_factory=list)

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


def simulate(script: str | Path, tmp_path: Path | None = None, **overrides: Any) -> Result:
    """Run a script file, or YAML text (written into `tmp_path`, else a temporary folder).

    `overrides` replace the script's top-level fields (`echo_db=0.0`, `engine="vosk"`...).
    """
    if "\n" in str(script):
        if tmp_path is None:
            with tempfile.TemporaryDirectory(prefix="voice-guide-script-") as folder:
                return simulate(script, Path(folder), **overrides)
        path = tmp_path / "script.yaml"
        path.write_text(textwrap.dedent(str(script)))
    else:
        path = Path(script)
    loaded = load_script(path)
    if overrides:
        loaded = replace(loaded, **overrides)
    events: list[Event] = []
    sim = Simulator(loaded, [events.append])
    sim.run()
    return Result(events, list(sim.missed))


def commands_said(result: Result) -> list[str]:
    """The words the script's therapist said, in order (corrections included)."""
    return [t.get("text") for t in result.turns if t.get("kind") == "say"]
