"""Key mode (`run --keys`) in a real terminal: tmux types the keys, as a foot pedal would.

No microphone and no sound card here: the session runs with --quiet (speech in every mode
is tested in test_speak_modes.py). What was done is read back from the session record.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest
from tmux import Tmux, available

from voice_guide.errors import UserError
from voice_guide.runners.keys import DEFAULT_KEYS, key_map

ROOT = Path(__file__).resolve().parents[1]

PROTOCOL = """\
id: tiny
title: Tiny
version: 1
language: en
start: press
parameters: {hold_limit: 12, hold_calls: [4, 8]}
steps:
  press:
    title: The lateral edge
    kind: treatment
    cue: "Press the lateral edge. Say tender at a tender spot, or next."
    on:
      next: done
  done:
    title: Finish
    kind: finish
    end: true
    cue: "That is all."
"""


@pytest.fixture
def term(tmp_path):
    reason = available()
    if reason:
        pytest.skip(reason)
    terms = []

    def start(*args: str) -> Tmux:
        (tmp_path / "tiny.yaml").write_text(PROTOCOL)
        env = {"VOICE_GUIDE_DATA": str(tmp_path / "data"), "XDG_CONFIG_HOME": str(tmp_path),
               "PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", str(tmp_path))}
        t = Tmux(tmp_path, [sys.executable, "-m", "voice_guide", "run",
                            str(tmp_path / "tiny.yaml"), *args], env, ROOT)
        terms.append(t)
        return t

    yield start
    for t in terms:
        t.close()


def events(tmp_path) -> list[dict]:
    [log] = (tmp_path / "data" / "sessions").glob("*.jsonl")
    return [json.loads(line) for line in log.read_text().splitlines()]


def test_a_pedal_session_to_the_end_with_a_hold_released_by_fading(term, tmp_path):
    t = term("--keys", "--quiet", "--no-screen")
    t.wait_for("Press the lateral edge")
    t.send("z")
    t.wait_for("The key z does nothing here. Press h for help.")
    t.send("t")
    t.wait_for("Does it refer somewhere else")
    t.send("x")   # no: only local
    t.wait_for("hold 1 starts (local)")
    t.send("f")
    t.wait_for("hold 1 ends after")
    t.send("h")
    t.wait_for("Keys: space next, b back, r repeat, p pause/resume, t tender")
    t.send("p")
    t.wait_for("Paused. Say resume")
    t.send("p")
    t.wait_for("Resuming.")
    t.send("Space")   # a pedal sends a space
    screen = t.wait_for("EXIT=0")
    assert "Points held: 1" in screen and "ended by fading" in screen
    got = events(tmp_path)
    heard = [e["command"] for e in got if e["event"] == "heard"]
    assert heard == ["tender", "no", "fading", "help", "pause", "resume", "next"]
    [end] = [e for e in got if e["event"] == "hold_end"]
    assert end["reason"] == "fading" and end["duration"] < 12
    assert got[-1]["event"] == "session_end"


def test_clicker_page_down_and_a_custom_map(term, tmp_path):
    (tmp_path / "voice-guide").mkdir()
    (tmp_path / "voice-guide" / "settings.yaml").write_text("keys: {j: next, space: none}\n")
    t = term("--keys", "--quiet", "--no-screen")
    t.wait_for("Press the lateral edge")
    t.send("Space")
    t.wait_for("The key space does nothing here.")
    t.send("j")
    t.wait_for("EXIT=0")
    assert [e["command"] for e in events(tmp_path) if e["event"] == "heard"] == ["next"]


def test_key_map_defaults_and_errors():
    assert key_map(None) == DEFAULT_KEYS and DEFAULT_KEYS["space"] == "next"
    assert key_map({"y": True})["y"] == "yes"  # YAML's bare yes
    with pytest.raises(UserError, match="'q' maps to 'jump', which is not a command"):
        key_map({"q": "jump"})
    with pytest.raises(UserError, match="'ctrl' is not a key"):
        key_map({"ctrl": "next"})


def test_keys_without_a_terminal_is_a_one_line_error(tmp_path):
    import subprocess

    (tmp_path / "tiny.yaml").write_text(PROTOCOL)
    result = subprocess.run([sys.executable, "-m", "voice_guide", "run",
                             str(tmp_path / "tiny.yaml"), "--keys", "--quiet"], input="",
                            capture_output=True, text=True, timeout=30,
                            env={**os.environ, "VOICE_GUIDE_DATA": str(tmp_path)})
    assert result.returncode == 2
    assert "--keys reads single keypresses from a terminal" in result.stderr
    assert "Traceback" not in result.stderr


def test_keys_command_shows_the_map_and_tests_a_pedal(tmp_path):
    if available():
        pytest.skip(available())
    env = {"XDG_CONFIG_HOME": str(tmp_path), "PATH": os.environ["PATH"]}
    t = Tmux(tmp_path, [sys.executable, "-m", "voice_guide", "keys", "--quiet"], env, ROOT)
    try:
        t.wait_for("Press keys (or the pedal) to test them")
        assert "space        next" in t.screen() and "p            pause/resume" in t.screen()
        t.send("PageDown")
        t.wait_for("pagedown: next")
        t.send("q")
        t.wait_for("q: nothing")
        t.send("C-d")
        t.wait_for("EXIT=0")
    finally:
        t.close()


def test_one_pedal_walks_steps_that_go_on_by_their_own_word():
    from voice_guide.dialogue.core import Dialogue
    from voice_guide.protocol.registry import resolve
    from voice_guide.runners.keys import forward

    d = Dialogue(resolve("psoas"))
    d.start(0.0)
    assert forward("next", d) == "next"
    d.hear("next", 1.0)
    assert d.state == "locate" and forward("next", d) == "located"
    d.hear("located", 2.0)
    assert d.state == "confirm" and forward("next", d) == "next"  # yes or no: not guessed


def test_keys_and_the_microphone_drive_one_live_session(pulse, tmp_path):
    """A live session in a real terminal: keys (tmux) and speech (the PulseAudio pipe
    source) both move it on. The guide is --quiet so it cannot hear itself here."""
    import numpy as np

    from voice_guide.runners.simulate.synth import synthesize

    if available():
        pytest.skip(available())
    env = {k: pulse.env[k] for k in ("HOME", "XDG_RUNTIME_DIR", "PULSE_SERVER", "PATH")}
    env.update(VOICE_GUIDE_DATA=str(tmp_path / "data"), XDG_CONFIG_HOME=str(tmp_path))
    t = Tmux(tmp_path, [sys.executable, "-m", "voice_guide", "run", "psoas", "--keys",
                        "--mic", "--quiet", "--no-screen"], env, ROOT)
    try:
        t.wait_for("Listening on", timeout=30)
        t.send("Space")
        t.wait_for("step: locate")
        t.send("l")
        t.wait_for("step: confirm")
        pad = np.zeros(4000, np.int16)
        for _ in range(5):  # a therapist repeats a missed word too
            pulse.feed(np.concatenate([pad, synthesize("yes", rate=160), pad]), wait=True)
            try:
                t.wait_for("step: contract_relax", timeout=5)
                break
            except AssertionError:
                continue
        t.send("p")
        t.wait_for("Paused. Say resume")
        t.send("C-c")
        screen = t.wait_for("EXIT=130", timeout=20)
        assert "Interrupted: the session stopped at Contract and relax." in screen
        assert "Points held: 0" in screen  # the closing summary, also after Ctrl-C
    finally:
        t.close()
    heard = [e["command"] for e in events(tmp_path) if e["event"] == "heard"]
    assert heard == ["next", "located", "yes", "pause"]
