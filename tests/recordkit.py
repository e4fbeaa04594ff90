"""Helpers for the session-record tests: the real CLI in a subprocess, and its logs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

CLI = [sys.executable, "-m", "voice_guide"]
ROOT = Path(__file__).resolve().parent.parent

# A psoas session (virtual clock): a hold fading after 5 s, one running to the 12 s limit,
# then on to `explore`, where a hold that ends on `worse` after 3 s.
SCRIPT = ["next", "wait 1", "located", "yes", "wait 20", "tender", "refers", "wait 5", "fading",
          "local", "wait 13", "next", "tender", "yes", "wait 3", "worse"]


def data_dir() -> Path:
    return Path(os.environ["VOICE_GUIDE_DATA"])


def logs() -> list[Path]:
    return sorted((data_dir() / "sessions").glob("*.jsonl"))


def run_cli(args, stdin="", timeout=60, env=None):
    return subprocess.run(CLI + list(args), input=stdin, capture_output=True, text=True,
                          timeout=timeout, env=env, cwd=ROOT)


def keyboard(lines, *extra):
    """A virtual-clock keyboard session with JSON events; returns (result, events)."""
    result = run_cli(["run", "psoas", "--keyboard", "--virtual-clock", "--json", *extra],
                     "\n".join(lines) + "\n")
    assert result.returncode == 0, result.stderr
    return result, [json.loads(x) for x in result.stdout.splitlines()]
