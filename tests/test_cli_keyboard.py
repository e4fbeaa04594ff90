"""The keyboard session end to end through the real CLI (a real subprocess, piped stdin)."""

from __future__ import annotations

import json
import subprocess
import sys
import time

from voice_guide.protocol.registry import shipped_folder

CLI = [sys.executable, "-m", "voice_guide"]


def run_cli(args, stdin="", timeout=60):
    return subprocess.run(CLI + args, input=stdin, capture_output=True, text=True,
                          timeout=timeout)


def test_full_psoas_session_with_json_events():
    script = "\n".join([
        "next", "wait 1", "pulse", "located", "yes", "wait 20", "tender", "refers", "wait 5",
        "fading", "local", "wait 13", "next", "next", "next", "next", "next", "pulse",
        "located", "next",
    ]) + "\n"
    result = run_cli(["run", "psoas", "--keyboard", "--virtual-clock", "--json"], script)
    assert result.returncode == 0, result.stderr
    events = [json.loads(line) for line in result.stdout.splitlines()]
    states = [e["state"] for e in events if e["event"] == "state"]
    assert states[:4] == ["position", "locate", "confirm", "contract_relax"]
    assert states[-1] == "end" and "insertion_work" in states
    holds = [e for e in events if e["event"] == "hold_end"]
    assert [(h["reason"], h["duration"]) for h in holds] == [("fading", 5.0), ("limit", 12.0)]
    assert holds[1]["t"] == 38.0  # local at 1 + 20 + 5 = 26 s, plus the 12 s limit
    cues = [e for e in events if e["event"] == "cue"]
    assert any("lateral" in c["text"] for c in cues)
    assert "That completes the psoas" in result.stderr  # cue text mirrored on stderr


def test_text_output_and_unknown_words():
    result = run_cli(["run", "psoas", "--keyboard"], "# a comment\nnext\nhello\nfinish\nyes\n")
    assert result.returncode == 0
    assert "comment" not in result.stdout  # comment lines are skipped, not "not a command"
    assert "you    next" in result.stdout and "step: locate" in result.stdout
    assert "'hello' is not a command" in result.stdout
    assert "Session finished" in result.stdout


def test_wall_clock_timers_fire_without_input(tmp_path):
    """A hold limit of 1.5 s (a test protocol) lands on the wall clock while no one types."""
    text = (shipped_folder() / "psoas.yaml").read_text()
    text = text.replace("hold_limit: 12 ", "hold_limit: 1.5 ").replace("[4, 8]", "[1]")
    proto = tmp_path / "fast.yaml"
    proto.write_text(text)
    proc = subprocess.Popen(CLI + ["run", str(proto), "--keyboard", "--json"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    proc.stdin.write("next\nlocated\nyes\nlocal\n")
    proc.stdin.flush()
    start = time.monotonic()
    end = None
    for line in proc.stdout:
        event = json.loads(line)
        if event["event"] == "hold_end":
            end = event
            break
    elapsed = time.monotonic() - start
    proc.stdin.close()
    proc.wait(timeout=10)
    assert end and end["reason"] == "limit" and abs(end["duration"] - 1.5) < 1e-6
    assert 1.2 < elapsed < 5.0


def test_unknown_protocol_is_a_one_line_error():
    result = run_cli(["run", "nosuch", "--keyboard"])
    assert result.returncode == 2
    assert result.stderr.startswith("voice-guide: error: unknown protocol 'nosuch'")
    assert "Traceback" not in result.stderr


def test_protocols_listing_and_graph(tmp_path):
    listed = [json.loads(x) for x in run_cli(["protocols", "--json"]).stdout.splitlines()]
    assert {"psoas", "iliacus"} <= {p["id"] for p in listed}
    out = tmp_path / "psoas.mmd"
    assert run_cli(["graph", "psoas", "-o", str(out)]).returncode == 0
    text = out.read_text()
    assert text.startswith("stateDiagram-v2") and "tp_hold --> contract_relax" in text


def test_user_protocol_folder(tmp_path):
    text = (shipped_folder() / "iliacus.yaml").read_text().replace("id: iliacus", "id: mine")
    (tmp_path / "mine.yaml").write_text(text)
    env_run = subprocess.run(CLI + ["protocols"], capture_output=True, text=True,
                             env={**__import__("os").environ, "VOICE_GUIDE_PROTOCOLS":
                                  str(tmp_path)})
    assert "mine" in env_run.stdout and "[user;" in env_run.stdout
