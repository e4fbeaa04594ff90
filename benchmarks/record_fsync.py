"""Cost of the session record: time per event written, with and without fsync.

    .venv/bin/python benchmarks/record_fsync.py [FOLDER] [N]
    .venv/bin/python benchmarks/record_fsync.py --keyboard [N]

The second form measures what a whole keyboard session records: the real CLI (`run psoas
--keyboard --virtual-clock --json`) fed N typed commands as fast as a pipe gives them, with
the record and with --no-record, events per second of wall time (start-up included, so it
is a lower bound).

FOLDER defaults to the sessions folder when it exists, else the temporary folder (pass a folder
on the disk the logs will live on: fsync cost is the disk's). Prints a markdown table. A
session makes a few events a second at most, so anything under a few milliseconds per event is
invisible to the therapist.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from voice_guide.events import cue
from voice_guide.record.store import sessions_dir
from voice_guide.record.writer import Recorder


def per_event(folder: Path, n: int, sync: bool) -> list[float]:
    fd, name = tempfile.mkstemp(dir=folder, suffix=".jsonl")
    rec = Recorder(Path(name), fd)
    fsync = os.fsync
    if not sync:
        os.fsync = lambda fd: None
    try:
        times = []
        for i in range(n):
            began = time.perf_counter()
            rec(cue(i * 0.5, "Hold steady and tell me when it fades.", kind="tp_hold"))
            times.append(time.perf_counter() - began)
    finally:
        os.fsync = fsync
        rec.close_file()
        os.unlink(name)
    return times


def keyboard_session(n: int, record: bool) -> tuple[int, float]:
    """(events, seconds) for one keyboard session of n typed `help` commands."""
    lines = "next\n" + "help\n" * n + "finish\nyes\n"
    with tempfile.TemporaryDirectory() as data:
        env = dict(os.environ, VOICE_GUIDE_DATA=data)
        cmd = [sys.executable, "-m", "voice_guide", "run", "psoas", "--keyboard",
               "--virtual-clock", "--json"] + ([] if record else ["--no-record"])
        began = time.perf_counter()
        out = subprocess.run(cmd, input=lines, capture_output=True, text=True, env=env,
                             check=True).stdout
        took = time.perf_counter() - began
        if record:
            [log] = Path(data, "sessions").glob("*.jsonl")
            assert len(log.read_text().splitlines()) == len(out.splitlines()) + 2
    return len(out.splitlines()), took


def keyboard_table(n: int) -> None:
    print(f"keyboard session, {n} typed commands, best of 3\n")
    print("| record | events | seconds | events/s |")
    print("|---|---|---|---|")
    for record in (True, False):
        events, took = min((keyboard_session(n, record) for _ in range(3)), key=lambda r: r[1])
        label = "one fsync per event" if record else "--no-record"
        print(f"| {label} | {events} | {took:.2f} | {events / took:.0f} |")


def main() -> None:
    if sys.argv[1:2] == ["--keyboard"]:
        return keyboard_table(int(sys.argv[2]) if len(sys.argv) > 2 else 2000)
    default = sessions_dir() if sessions_dir().is_dir() else Path(tempfile.gettempdir())
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else default
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 300
    print(f"{n} events in {folder}\n")
    print("| write | median ms/event | p95 ms/event | max ms/event |")
    print("|---|---|---|---|")
    for sync in (False, True):
        t = sorted(x * 1000 for x in per_event(folder, n, sync))
        label = "write + fsync" if sync else "write only"
        print(f"| {label} | {statistics.median(t):.3f} | {t[int(0.95 * len(t))]:.3f} | "
              f"{t[-1]:.3f} |")


if __name__ == "__main__":
    main()
