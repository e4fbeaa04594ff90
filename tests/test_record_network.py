"""No network, ever: a recorded session, its resume, the report and the listing open no socket.

Each runs as a real process under an audit hook that kills the process (exit 97) on any
`socket.*` audit event (creating, binding, connecting, resolving); a control run that opens a
socket proves the guard fires. Where strace works, a second check traces the network syscalls
of the whole process tree.
"""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest
from recordkit import ROOT, SCRIPT, data_dir, logs

GUARD = """
import os, sys
def _guard(event, args):
    if event.startswith("socket."):
        os.write(2, f"SOCKET OPENED: {event} {args!r}\\n".encode())
        os._exit(97)
sys.addaudithook(_guard)
if sys.argv[1] == "--code":
    exec(sys.argv[2])
else:
    import runpy
    sys.argv = ["voice-guide", *sys.argv[1:]]
    runpy.run_module("voice_guide", run_name="__main__", alter_sys=True)
"""


def guarded(args, stdin=""):
    return subprocess.run([sys.executable, "-c", GUARD, *args], input=stdin, text=True,
                          capture_output=True, timeout=60, cwd=ROOT)


def test_the_guard_catches_a_socket():
    result = guarded(["--code", "import socket; socket.socket().bind(('127.0.0.1', 0))"])
    assert result.returncode == 97 and "SOCKET OPENED: socket.__new__" in result.stderr
    result = guarded(["--code", "import socket; socket.getaddrinfo('localhost', 80)"])
    assert result.returncode == 97


def test_a_session_opens_no_socket():
    lines = "\n".join([*SCRIPT, "tender", "refers", "wait 2"]) + "\n"
    run = ["run", "psoas", "--keyboard", "--virtual-clock", "--client", "x"]
    for args, stdin in ((run, lines), (run + ["--resume"], "fading\nfinish\nyes\n"),
                        (["sessions"], ""),
                        (["report", "LOG", "-o", str(data_dir() / "r.html")], "")):
        args = [str(logs()[0]) if a == "LOG" else a for a in args]
        result = guarded(args, stdin)
        assert result.returncode == 0, result.stderr[-1500:]
    assert (data_dir() / "r.html").exists()


def _strace_works() -> bool:
    if not shutil.which("strace"):
        return False
    probe = subprocess.run(["strace", "-f", "-o", "/dev/null", "true"], capture_output=True)
    return probe.returncode == 0


@pytest.mark.skipif(not _strace_works(), reason="strace is missing or ptrace is not allowed")
def test_no_network_syscall_in_the_process_tree(tmp_path):
    trace = tmp_path / "trace"
    lines = "\n".join([*SCRIPT, "finish", "yes"]) + "\n"
    cmd = [sys.executable, "-m", "voice_guide", "run", "psoas", "--keyboard", "--virtual-clock"]
    result = subprocess.run(["strace", "-f", "-e", "trace=network", "-o", str(trace), *cmd],
                            input=lines, text=True, capture_output=True, timeout=120, cwd=ROOT)
    assert result.returncode == 0, result.stderr[-1500:]
    calls = [x for x in trace.read_text().splitlines() if "(" in x and "+++" not in x]
    # The session speaks: PortAudio's ALSA pulse plugin opens a Unix-domain socket to the
    # local sound server. That is local IPC, not the network; every other family fails.
    opened = [x for x in calls if x.split(" ", 1)[-1].startswith(("socket(", "connect("))]
    assert all("AF_UNIX" in x for x in opened), [x for x in opened if "AF_UNIX" not in x][:5]
    assert not [x for x in calls if "AF_INET" in x or "AF_PACKET" in x], calls[:5]
    # and the trace does see sockets when there are some
    probe = subprocess.run(["strace", "-f", "-e", "trace=network", sys.executable, "-c",
                            "import socket; socket.socket()"], capture_output=True, text=True)
    assert "socket(" in probe.stderr
