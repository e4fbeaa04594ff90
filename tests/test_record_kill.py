"""A session killed mid-hold (a real SIGKILL on a real process) leaves a readable log, and
`run --resume` continues it: the same step, the hold counted, the revisits kept."""

from __future__ import annotations

import json
import signal
import subprocess
import threading

from recordkit import CLI, ROOT, SCRIPT, keyboard, logs, run_cli

from voice_guide.record.reader import read_log

# Up to a third hold (explore, refers) that has run 5 s when the process is killed.
BEFORE_KILL = [*SCRIPT[:12], "tender", "refers", "wait 5"]


def kill_mid_hold() -> list[dict]:
    """Run until the hold's last heartbeat (5 s in) is out, then SIGKILL; what it printed."""
    proc = subprocess.Popen(CLI + ["run", "psoas", "--keyboard", "--virtual-clock", "--json"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, cwd=ROOT)
    proc.stdin.write("\n".join(BEFORE_KILL) + "\n")
    proc.stdin.flush()  # stdin stays open: the session waits for more, mid-hold
    watchdog = threading.Timer(30, proc.kill)  # never hang the suite if the call never comes
    watchdog.start()
    shown = []
    for line in proc.stdout:
        shown.append(json.loads(line))
        if shown[-1]["event"] == "heartbeat" and shown[-1]["t"] == 44.0:
            break
    watchdog.cancel()
    proc.send_signal(signal.SIGKILL)
    assert proc.wait(timeout=10) == -signal.SIGKILL
    proc.stdin.close()
    return shown


def test_killed_mid_hold_then_resumed():
    shown = kill_mid_hold()
    [path] = logs()
    log = read_log(path)
    assert [e["event"] for e in log.events[1:]] == [e["event"] for e in shown]
    assert log.of("hold_start")[-1]["point"] == 3 and len(log.of("hold_end")) == 2
    assert not log.of("session_end")
    with open(path, "a") as f:  # a write cut short by the kill or a power cut
        f.write('{"t": 50.0, "event": "cue", "te')
    assert read_log(path).torn

    result, events = keyboard(["wait 2", "local", "wait 2", "fading", "finish", "yes"],
                              "--resume")
    assert "replay differs" not in result.stderr
    pickup = events[0]
    assert pickup["event"] == "cue" and pickup["kind"] == "resume"
    assert pickup["text"].startswith("Resuming at Explore the muscle, 44 seconds into the "
                                     "session. 3 points held so far.")
    assert ("2 points to revisit with lighter pressure: 1 point in Contract and relax and "
            "1 point in Explore the muscle.") in pickup["text"]
    assert "contract_relax" not in pickup["text"]  # speech never names a step id
    assert pickup["t"] == 44.0  # the last heartbeat, not the last cue (the 4 s call at 43)
    cut = next(e for e in events if e["event"] == "hold_end")
    assert (cut["point"], cut["reason"], cut["duration"]) == (3, "interrupted", 5.0)
    assert next(e for e in events if e["event"] == "state")["state"] == "explore"
    new = [e for e in events if e["event"] == "hold_end"][-1]
    assert (new["point"], new["t"], new["duration"]) == (4, 48.0, 2.0)

    log = read_log(path)
    assert not log.torn and log.finished and len(log.of("session_resume")) == 1
    md = run_cli(["report", str(path)]).stdout
    for row in ("| 1 | 0:21 | refers | 5.0 s | fading |",
                "| 2 | 0:26 | local | 12.0 s | hold limit |",
                "| 3 | 0:39 | refers | 5.0 s | interrupted (session cut off) |",
                "| 4 | 0:46 | local | 2.0 s | fading |"):
        assert row in md


def test_a_resumed_session_resumes_again():
    """The second replay re-does the first pick-up (the closed hold) from the log."""
    keyboard(BEFORE_KILL)  # end of input mid-hold: unfinished
    first, _ = keyboard(["wait 1", "pause"], "--resume")
    second, events = keyboard(["resume", "finish", "yes"], "--resume")
    assert "replay differs" not in first.stderr + second.stderr
    assert "Paused: say resume to go on." in events[0]["text"]
    assert events[0]["t"] == 45.0
    [path] = logs()
    log = read_log(path)
    assert log.finished and len(log.of("session_resume")) == 2
    assert [e["point"] for e in log.of("hold_end")] == [1, 2, 3]
