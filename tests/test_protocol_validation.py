"""Each kind of protocol error is one located line, raised at load, and `check` exits 2."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from voice_guide.errors import UserError
from voice_guide.protocol.loader import lint, load_protocol
from voice_guide.protocol.registry import shipped_folder

GOOD = """\
id: tiny
title: Tiny
start: a
steps:
  a:
    cue: First step.
    kind: locating
    on:
      located: b
  b:
    cue: Work here.
    kind: treatment
    on:
      next: c
  c:
    cue: Done.
    end: true
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "p.yaml"
    path.write_text(textwrap.dedent(text))
    return path


def error_of(tmp_path: Path, text: str) -> str:
    with pytest.raises(UserError) as info:
        load_protocol(write(tmp_path, text))
    message = str(info.value)
    assert "\n" not in message
    return message


def test_good_protocol_loads(tmp_path):
    p = load_protocol(write(tmp_path, GOOD))
    assert list(p.steps) == ["a", "b", "c"] and p.parameters.hold_limit == 12


def test_unknown_key_names_file_and_line(tmp_path):
    text = GOOD.replace("    cue: Work here.\n", "    cue: Work here.\n    colour: red\n")
    msg = error_of(tmp_path, text)
    assert msg.startswith(f"{tmp_path / 'p.yaml'}:12:") and "unknown key 'colour'" in msg


def test_transition_to_missing_step(tmp_path):
    msg = error_of(tmp_path, GOOD.replace("next: c", "next: nowhere"))
    assert ":14:" in msg and "missing step 'nowhere'" in msg


def test_command_not_in_vocabulary(tmp_path):
    msg = error_of(tmp_path, GOOD.replace("located: b", "found: b"))
    assert ":9:" in msg and "command 'found' is not in the vocabulary" in msg


def test_unreachable_step(tmp_path):
    text = GOOD + "  d:\n    cue: Orphan.\n    end: true\n"
    msg = error_of(tmp_path, text)
    assert ":18:" in msg and "step 'd' cannot be reached" in msg


def test_step_with_no_way_out(tmp_path):
    msg = error_of(tmp_path, GOOD.replace("    cue: Done.\n    end: true\n", "    cue: Done.\n"))
    assert ":15:" in msg and "no way out" in msg


def test_malformed_yaml(tmp_path):
    msg = error_of(tmp_path, GOOD.replace("on:\n      located: b", "on: [located: b"))
    assert "invalid YAML" in msg and "p.yaml:" in msg


def test_duplicate_key(tmp_path):
    msg = error_of(tmp_path, GOOD.replace("title: Tiny\n", "title: Tiny\ntitle: Again\n"))
    assert ":3:" in msg and "duplicate key 'title'" in msg


def test_empty_cue(tmp_path):
    msg = error_of(tmp_path, GOOD.replace("cue: Done.", "cue: ''"))
    assert ":16:" in msg and "'cue' of step 'c' must be non-empty text" in msg


def test_absurd_hold_limit(tmp_path):
    msg = error_of(tmp_path, GOOD + "parameters:\n  hold_limit: 3600\n")
    assert ":19:" in msg and "use a value from 1 to 15" in msg


def test_control_command_in_on(tmp_path):
    msg = error_of(tmp_path, GOOD.replace("next: c", "pause: c"))
    assert ":14:" in msg and "handled by the guide in every step" in msg


def test_treatment_step_cannot_redefine_the_check(tmp_path):
    msg = error_of(tmp_path, GOOD.replace("next: c", "next: c\n      tender: c"))
    assert "shared trigger-point check" in msg


def test_missing_file_and_empty_file(tmp_path):
    with pytest.raises(UserError, match="no such file"):
        load_protocol(tmp_path / "absent.yaml")
    assert "the file is empty" in error_of(tmp_path, "")


def test_lint_warns_on_a_cue_longer_than_a_breath(tmp_path):
    p = load_protocol(write(tmp_path, GOOD.replace("cue: Done.", "cue: " + "word " * 60)))
    assert any("longer than a breath" in w for w in lint(p))


@pytest.mark.parametrize("name", ["psoas", "iliacus"])
def test_shipped_protocols_are_valid_and_lint_clean(name):
    p = load_protocol(shipped_folder() / f"{name}.yaml")
    assert p.id == name and lint(p) == []


def test_check_command_exit_codes(tmp_path):
    bad = write(tmp_path, GOOD.replace("next: c", "next: nowhere"))
    run = [sys.executable, "-m", "voice_guide", "check"]
    result = subprocess.run(run + [str(bad)], capture_output=True, text=True)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "nowhere" in result.stderr
    assert "Traceback" not in result.stderr
    good = shipped_folder() / "psoas.yaml"
    result = subprocess.run(run + [str(good)], capture_output=True, text=True)
    assert result.returncode == 0 and "ok (psoas" in result.stdout


def test_reserved_step_ids_are_the_states_the_guide_adds():
    """`check` refuses exactly the machine's own states as step ids; kept in step here."""
    from voice_guide.dialogue import machine
    from voice_guide.protocol import registry
    from voice_guide.protocol.model import RESERVED_STEP_IDS

    p = registry.resolve("psoas")
    assert RESERVED_STEP_IDS == set(machine.states(p)) - set(p.steps)
