"""The repository's examples folder, for the tests. The scripted-session harness itself ships
in the package, for protocol authors too: voice_guide.testing (simulate, Result)."""

from __future__ import annotations

from pathlib import Path

from voice_guide.testing import Result, commands_said, simulate

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"

__all__ = ["EXAMPLES", "ROOT", "Result", "commands_said", "simulate"]
