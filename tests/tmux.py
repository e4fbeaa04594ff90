"""A real terminal for tests: a private tmux server (its own socket), one window.

`send()` types keys as a person or a pedal would (tmux send-keys: "Space", "PageDown", "t"),
`screen()` is what the terminal shows (capture-pane), `wait_for()` polls it.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
import time
from pathlib import Path


def available() -> str | None:
    return None if shutil.which("tmux") else "tmux is not installed (scripts/setup installs it)"


class Tmux:
    def __init__(self, root: Path, command: list[str], env: dict[str, str], cwd: Path,
                 width: int = 80, height: int = 24) -> None:
        self.sock = str(root / "tmux.sock")
        exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
        line = (f"cd {shlex.quote(str(cwd))} && env {exports} {shlex.join(command)}; "
                f"echo EXIT=$?; sleep 600")
        self._tmux("new-session", "-d", "-s", "t", "-x", str(width), "-y", str(height), line)

    def _tmux(self, *args: str) -> str:
        return subprocess.run(["tmux", "-S", self.sock, *args], check=True, text=True,
                              capture_output=True).stdout

    def send(self, *keys: str) -> None:
        self._tmux("send-keys", "-t", "t", *keys)

    def screen(self, history: bool = False) -> str:
        extra = ["-S", "-1000"] if history else []
        return self._tmux("capture-pane", "-p", "-t", "t", *extra)

    def wait_for(self, text: str, timeout: float = 20.0, history: bool = True) -> str:
        end = time.monotonic() + timeout
        while True:
            shown = self.screen(history)
            if text in shown:
                return shown
            if time.monotonic() > end:
                raise AssertionError(f"{text!r} not shown within {timeout} s:\n{shown}")
            time.sleep(0.1)

    def close(self) -> None:
        subprocess.run(["tmux", "-S", self.sock, "kill-server"], capture_output=True)
