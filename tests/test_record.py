"""The session record: what the log holds, its file modes, failures, errors and the report."""

from __future__ import annotations

import errno
import io
import json
import os
import stat

import pytest
from recordkit import SCRIPT, data_dir, keyboard, logs, run_cli

from voice_guide.cli import main as cli
from voice_guide.dialogue.core import Dialogue
from voice_guide.protocol import registry
from voice_guide.record.reader import read_log
from voice_guide.record.resume import first_difference, replay
from voice_guide.record.store import private_dir, sessions_dir
from voice_guide.report.document import markdown


def test_log_holds_every_event_between_start_and_end():
    old = os.umask(0)  # the log must be private whatever the umask says
    try:
        result, shown = keyboard([*SCRIPT, "finish", "yes"], "--client", "R-17")
    finally:
        os.umask(old)
    [path] = logs()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    log = read_log(path)
    start, end = log.events[0], log.events[-1]
    assert start["event"] == "session_start" and start["protocol"] == "psoas"
    assert (start["version"], start["engine"], start["client"]) == ("1", "keyboard", "R-17")
    assert start["started"] and start["tool_version"]
    assert end["event"] == "session_end" and end["finished"] is True and end["points"] == 3
    assert [r["point"] for r in end["revisits"]] == [2, 3]
    middle = log.events[1:-1]
    assert [(e["event"], round(e["t"], 3)) for e in middle] == [(e["event"], e["t"]) for e in shown]
    assert not log.torn and not log.skipped


def test_report_shows_the_holds_with_their_durations():
    keyboard([*SCRIPT, "finish", "yes"])
    [path] = logs()
    md = run_cli(["report", str(path)]).stdout
    assert "### Contract and relax\n" in md and "### Explore the muscle\n" in md
    assert "contract_relax" not in md  # step titles, not ids
    assert "| 1 | 0:21 | refers | 5.0 s | fading |" in md
    assert "| 2 | 0:26 | local | 12.0 s | hold limit |" in md
    assert "| 3 | 0:39 | refers | 3.0 s | too much pressure (worse) |" in md
    assert "- point 2 in Contract and relax: hold limit" in md
    assert "- point 3 in Explore the muscle: too much pressure (worse)" in md
    assert "| 0:38 | Contract and relax | Hold limit reached (point 2) | 12 seconds." in md
    assert "## Assessment answers\n\n(none recorded)" in md
    assert "- **Heard by:** keyboard (typed commands)" in md
    out = data_dir() / "r.html"
    result = run_cli(["report", str(path), "-o", str(out)])
    assert result.returncode == 0, result.stderr
    page = out.read_text()
    assert "<svg" in page and "<td>12.0 s</td>" in page and "<td>hold limit</td>" in page
    assert "http" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


def test_answers_and_homework_events_are_reported(tmp_path):
    lines = [{"t": 0, "event": "session_start", "protocol": "x", "version": "2",
              "started": "2026-01-02T10:00:00+00:00"},
             {"t": 5, "event": "answer", "question": "Pain when walking?", "answer": "yes"},
             {"t": 9, "event": "homework", "step": "hw", "title": "Stretch",
              "text": "Lunge stretch twice a day."}]
    path = tmp_path / "x.jsonl"
    path.write_text("".join(json.dumps(x) + "\n" for x in lines))
    md = markdown(read_log(path))
    assert "- Pain when walking? — Yes" in md and "- Stretch: Lunge stretch twice a day." in md
    assert "No points were checked." in md and "not finished" in md


def test_a_torn_last_line_is_dropped_and_said(tmp_path):
    keyboard(SCRIPT[:5])
    [path] = logs()
    whole = read_log(path).events
    with open(path, "a") as f:
        f.write('{"t": 26.0, "event": "he')
    log = read_log(path)
    assert log.torn and log.events == whole
    assert "1 unreadable line(s) left out" in markdown(log)


def test_the_replay_rebuilds_the_dialogue():
    keyboard([*SCRIPT, "pause"])  # ends paused, three points, two revisits
    [path] = logs()
    protocol = registry.resolve("psoas")
    direct = Dialogue(protocol)
    made = direct.start(0.0)
    t = 0.0
    for line in SCRIPT + ["pause"]:
        if line.startswith("wait"):
            t += float(line.split()[1])
            made += direct.tick(t)
        else:
            made += direct.hear(line, t)
    log = read_log(path)
    again = replay(protocol, log)
    assert first_difference(made, log) is None
    for attr in ("state", "points", "revisits", "reps_done", "paused_by", "history"):
        assert getattr(again, attr) == getattr(direct, attr), attr
    assert again.clock.run(40.0) == direct.clock.run(40.0)


def test_disk_full_goes_on_and_keeps_what_was_written(monkeypatch, capsys):
    real_write, calls = os.write, []

    def full_disk(fd, data):
        calls.append(fd)
        if len(calls) > 12:  # the 13th event: half of it written, then the disk is full
            real_write(fd, bytes(data)[: len(data) // 2])
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", full_disk)
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join([*SCRIPT, "finish", "yes"]) + "\n"))
    assert cli.main(["run", "psoas", "--keyboard", "--virtual-clock"]) == 0
    out, err = capsys.readouterr()
    assert "Session finished" in out
    assert err.count("session record stopped (No space left on device)") == 1
    log = read_log(logs()[0])
    assert len(log.events) == 12 and not log.torn and not log.skipped


def test_an_unwritable_folder_goes_on_and_says_so_once(monkeypatch):
    blocker = data_dir() / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("VOICE_GUIDE_DATA", str(blocker))
    result, _ = keyboard(["next", "finish", "yes"])
    assert result.stderr.count("no session record") == 1
    assert "the session goes on" in result.stderr


def test_no_record_writes_nothing():
    keyboard(["next", "finish", "yes"], "--no-record")
    assert logs() == []


def test_sessions_lists_newest_first():
    keyboard(["next"], "--client", "first")
    keyboard(["next", "finish", "yes"], "--client", "second")
    out = run_cli(["sessions"]).stdout.splitlines()
    assert out[0].split()[:3] == ["#", "date", "protocol"]
    assert len(out) == 3
    # both may start in the same second: the second one's name then ends in .2
    assert "second" in out[1] and "finished" in out[1] and "unfinished" in out[2]
    assert out[1].startswith("2 ") and out[2].startswith("1 ") and "Psoas release" in out[1]


@pytest.mark.parametrize("args", [
    ["report", "nosuch.jsonl"],
    ["report", "README.md"],
    ["run", "psoas", "--keyboard", "--resume"],
    ["run", "psoas", "--keyboard", "--resume", "--no-record"],
])
def test_errors_are_one_line_and_exit_2(args):
    result = run_cli(args)
    assert result.returncode == 2
    assert result.stderr.startswith("voice-guide: error: ")
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_resume_refuses_another_protocol_and_finished_sessions():
    keyboard(["next"])
    [path] = logs()
    other = run_cli(["run", "iliacus", "--keyboard", "--resume", str(path)])
    assert other.returncode == 2 and "protocol psoas version 1, not iliacus" in other.stderr
    keyboard(["finish", "yes"], "--resume", str(path))
    done = run_cli(["run", "psoas", "--keyboard", "--resume", str(path)])
    assert done.returncode == 2 and "that session finished" in done.stderr


def test_simulate_records_the_same_events_with_its_turns():
    """Whatever the recognizer makes of the audio, the log has exactly what --json printed."""
    result = run_cli(["simulate", "examples/iliacus.yaml", "--json"], timeout=120)
    assert result.returncode == 0, result.stderr
    shown = [json.loads(x) for x in result.stdout.splitlines()]
    log = read_log(logs()[0])
    assert log.start["engine"] == "pocketsphinx" and log.of("session_end")
    assert [(e["event"], round(e["t"], 3)) for e in log.events[1:-1]] == \
        [(e["event"], e["t"]) for e in shown]
    assert log.of("turn")


def test_a_data_folder_made_for_the_logs_is_private(tmp_path, monkeypatch):
    """The folder above `sessions/` and `profiles/`, when voice-guide makes it, is 0700 too
    (it was made with the umask's mode: 0755)."""
    monkeypatch.setenv("VOICE_GUIDE_DATA", str(tmp_path / "new" / "data"))
    old = os.umask(0)
    try:
        os.close(private_dir(sessions_dir()))
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new" / "data").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "new" / "data" / "sessions").stat().st_mode) == 0o700
