"""Nothing lost, nothing overwritten: each fault of issue 17 through the real CLI, with real
processes, real SIGKILL, real file modes and links."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import threading
import time

from recordkit import CLI, ROOT, SCRIPT, data_dir, keyboard, logs, run_cli
from test_record_kill import kill_mid_hold

from voice_guide.record.reader import read_log


def mode(path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


def one_line_exit_2(result, *words):
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert result.stderr.startswith("voice-guide: error: ")
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    for w in words:
        assert w in result.stderr


def test_report_never_writes_onto_a_log():
    keyboard([*SCRIPT, "finish", "yes"])
    [path] = logs()
    before = path.read_bytes()
    one_line_exit_2(run_cli(["report", str(path), "-o", str(path)]), "session log")
    other = data_dir() / "notes.jsonl"  # any .jsonl, even not a log
    one_line_exit_2(run_cli(["report", str(path), "-o", str(other)]), ".jsonl")
    renamed = data_dir() / "copy.txt"  # a log under another name
    renamed.write_bytes(before)
    one_line_exit_2(run_cli(["report", "latest", "-o", str(renamed)]), "session log")
    assert path.read_bytes() == before and renamed.read_bytes() == before
    assert not other.exists()


def test_a_failed_live_start_leaves_no_log_and_resume_finds_the_cut_one():
    kill_mid_hold()
    [cut] = logs()
    failed = run_cli(["run", "psoas", "--device", "no-such-microphone", "--no-speech"])
    assert failed.returncode == 2  # (the line before the error names the engine)
    assert failed.stderr.splitlines()[-1].startswith("voice-guide: error: cannot open the mic")
    assert logs() == [cut]
    before = cut.read_bytes()
    again = run_cli(["run", "psoas", "--device", "no-such-microphone", "--no-speech",
                     "--resume", str(cut)])
    assert again.returncode == 2 and cut.read_bytes() == before  # no resume line, no end line
    result, events = keyboard(["finish", "yes"], "--resume")
    assert f"Resuming {cut}" in result.stderr
    assert events[0]["text"].startswith("Resuming at Explore the muscle, ")
    assert "3 points held so far." in events[0]["text"]


def _open_session(*extra):
    """A keyboard session kept open (its stdin not closed) until the caller ends it."""
    proc = subprocess.Popen(CLI + ["run", "psoas", "--keyboard", "--virtual-clock", "--json",
                                   *extra], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=ROOT)
    proc.stdin.write("next\n")
    proc.stdin.flush()
    for line in proc.stdout:  # the session has started (and taken the log's lock)
        if json.loads(line).get("event") == "heard":
            return proc
    raise AssertionError(proc.stderr.read())


def test_a_second_resume_of_the_same_log_is_refused():
    keyboard(SCRIPT[:12])
    [path] = logs()
    first = _open_session("--resume", str(path))
    try:
        second = run_cli(["run", "psoas", "--keyboard", "--resume", str(path)], "next\n")
        one_line_exit_2(second, "in use")
        default = run_cli(["run", "psoas", "--keyboard", "--resume"], "next\n")
        one_line_exit_2(default, "no unfinished 'psoas' session")  # the busy one is skipped
        assert "in use" in run_cli(["sessions"]).stdout
    finally:
        first.stdin.write("finish\nyes\n")
        first.stdin.close()
        assert first.wait(timeout=30) == 0
    log = read_log(path)
    assert log.finished and len(log.of("session_resume")) == 1
    assert [e["event"] for e in log.events].count("session_start") == 1


def test_a_hold_killed_in_real_time_keeps_its_duration():
    """Real clock: SIGKILL 2.5 s into a hold. The log's heartbeats say it lasted 2 s (not 0),
    and the report and the resume both say so."""
    proc = subprocess.Popen(CLI + ["run", "psoas", "--keyboard", "--json"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, cwd=ROOT)
    proc.stdin.write("next\nlocated\nyes\ntender\nrefers\n")
    proc.stdin.flush()
    watchdog = threading.Timer(30, proc.kill)
    watchdog.start()
    began = start = None
    for line in proc.stdout:
        e = json.loads(line)
        if e["event"] == "hold_start":
            began, start = time.monotonic(), e["t"]
        if e["event"] == "heartbeat" and e["t"] >= start + 2.0:
            break
    watchdog.cancel()
    time.sleep(max(0.0, began + 2.5 - time.monotonic()))
    proc.send_signal(signal.SIGKILL)
    assert proc.wait(timeout=10) == -signal.SIGKILL
    [path] = logs()
    md = run_cli(["report", str(path)]).stdout
    assert "| refers | at least 2.0 s (cut off) | not recorded (log ends mid-hold) |" in md
    _, events = keyboard(["finish", "yes"], "--resume")
    cut = next(e for e in events if e["event"] == "hold_end")
    assert (cut["reason"], cut["duration"]) == ("interrupted", 2.0)


def test_files_are_private_whatever_was_found_and_the_umask():
    keyboard(SCRIPT[:5])
    [path] = logs()
    os.chmod(path.parent, 0o755)
    os.chmod(path, 0o644)
    old = os.umask(0)
    try:
        keyboard(["next"], "--resume")
        assert (mode(path), mode(path.parent)) == (0o600, 0o700)
        out = data_dir() / "report.html"
        out.write_text("old")
        os.chmod(out, 0o644)
        assert run_cli(["report", "latest", "-o", str(out)]).returncode == 0
        assert mode(out) == 0o600 and "<svg" in out.read_text()
    finally:
        os.umask(old)


def test_a_symlinked_sessions_folder_is_refused_and_its_target_untouched(monkeypatch):
    target = data_dir() / "elsewhere"
    target.mkdir(mode=0o755)
    os.chmod(target, 0o755)
    home = data_dir() / "home"
    home.mkdir()
    (home / "sessions").symlink_to(target)
    monkeypatch.setenv("VOICE_GUIDE_DATA", str(home))
    result = run_cli(["run", "psoas", "--keyboard", "--virtual-clock"], "next\n")
    one_line_exit_2(result, "symbolic link")
    assert mode(target) == 0o755 and list(target.iterdir()) == []


def test_report_output_through_a_symlink_replaces_the_link_not_its_target():
    keyboard(["next", "finish", "yes"])
    victim = data_dir() / "victim.txt"
    victim.write_text("keep me")
    link = data_dir() / "report.md"
    link.symlink_to(victim)
    assert run_cli(["report", "latest", "-o", str(link)]).returncode == 0
    assert victim.read_text() == "keep me" and not link.is_symlink()
    assert mode(link) == 0o600


def test_absurd_waits_are_refused_where_typed():
    result, events = keyboard(["next", "wait inf", "wait nan", "wait 1e300", "wait 86401",
                               "wait 2", "finish", "yes"])
    for word in ("inf", "nan", "1e300", "86401"):
        said = result.stdout + result.stderr
        assert f"'wait {word}': give seconds from 0 to a day (86400)" in said
    [path] = logs()
    text = path.read_text()
    assert "Infinity" not in text and "NaN" not in text
    for line in text.splitlines():
        json.loads(line, parse_constant=lambda name: (_ for _ in ()).throw(ValueError(name)))
    assert read_log(path).finished and read_log(path).last_t == 2.0


def test_bad_lines_are_skipped_with_a_notice_and_bad_logs_never_stop_sessions():
    keyboard([*SCRIPT, "finish", "yes"])
    [good] = logs()
    with open(good, "a") as f:  # what `wait inf` once wrote, and other absurd times
        f.write('{"t": Infinity, "event": "heard", "command": "next"}\n')
        f.write('{"t": NaN, "event": "tick"}\n{"t": 1e300, "event": "tick"}\n')
    folder = good.parent
    (folder / "empty.jsonl").write_bytes(b"")
    (folder / "binary.jsonl").write_bytes(os.urandom(300))
    (folder / "odd.jsonl").write_text('{"t": 0.0, "event": "session_start", "started": 5}\n'
                                      '{"t": Infinity, "event": "x"}\n')
    result = run_cli(["sessions"])
    assert result.returncode == 0, result.stderr
    assert "Psoas release" in result.stdout
    assert "3 unreadable line(s) left out" in result.stderr
    assert "empty.jsonl" in result.stderr and "binary.jsonl" in result.stderr
    report = run_cli(["report", str(good)])
    assert report.returncode == 0 and "3 unreadable line(s) left out" in report.stdout
    listed = json.loads(run_cli(["sessions", "--json"]).stdout)
    assert {r["name"] for r in listed} == {good.name, "odd.jsonl"}


def test_simulate_wav_is_private_never_onto_a_log_and_the_engine_is_the_one_used():
    script = data_dir() / "tiny.yaml"
    script.write_text("protocol: psoas\nengine: auto\nturns:\n  - {say: next, expect: locate}\n")
    wav = data_dir() / "mic.wav"
    wav.write_bytes(b"old")
    os.chmod(wav, 0o644)
    old = os.umask(0)
    try:
        result = run_cli(["simulate", str(script), "--wav", str(wav)], timeout=120)
    finally:
        os.umask(old)
    assert result.returncode == 0, result.stderr
    assert mode(wav) == 0o600 and wav.stat().st_size > 16000
    [path] = logs()
    assert read_log(path).start["engine"] == "pocketsphinx"  # what `auto` chose here
    assert "- **Heard by:** pocketsphinx" in run_cli(["report", "latest"]).stdout
    before = path.read_bytes()
    one_line_exit_2(run_cli(["simulate", str(script), "--wav", str(path)], timeout=120),
                    "session log")
    assert path.read_bytes() == before


def test_a_hand_edited_log_with_odd_fields_is_listed_or_refused_in_one_line():
    keyboard([*SCRIPT, "finish", "yes"])
    [good] = logs()
    odd = good.parent / "odd.jsonl"
    odd.write_text('{"t": 0.0, "event": "session_start", "protocol": ["x"], "steps": 3}\n'
                   '{"t": 1, "event": "state", "state": "tp_refers"}\n'
                   '{"t": 2, "event": "hold_start", "point": [1], "step": {"a": 1}}\n'
                   '{"t": 3, "event": "hold_end", "point": "1", "duration": "long"}\n'
                   '{"t": 4, "event": "cue", "kind": "nerve_stop", "text": null}\n'
                   '{"t": 5, "event": "answer", "question": null, "answer": 7}\n')
    listed = run_cli(["sessions"])
    assert listed.returncode == 0 and "Psoas release" in listed.stdout
    report = run_cli(["report", str(odd)])
    assert report.returncode == 0, report.stderr
    assert "| 2 | 0:02 | — | at least 3.0 s (cut off) |" in report.stdout
    soap = run_cli(["report", str(odd), "--format", "soap-html"])
    assert soap.returncode == 0 and "Nerve signs" in soap.stdout, soap.stderr
