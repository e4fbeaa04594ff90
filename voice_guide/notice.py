"""What the user must read, said one way: `notice`, `warn` and `error` lines.

Why one path: a therapist reads these between clients, so they look alike (one line, the
`voice-guide:` prefix on warnings and errors), go to the same place (stderr, so stdout stays
the command's output: JSON lines, a report, a table), and none is lost or doubled. What only a
developer needs (which engine was chosen and why, each utterance heard, each clip played) is a
diagnostic instead: `logging`, shown with `--verbose` (voice_guide.cli.main).
"""

from __future__ import annotations

import sys
from typing import TextIO

from voice_guide.errors import one_line


def notice(message: str, stream: TextIO | None = None) -> None:
    """A line for the user, on stderr (or `stream`: a runner that shows the session on
    stdout puts its messages there too), flushed at once."""
    print(message, file=stream or sys.stderr, flush=True)


def warn(message: str) -> None:
    """Odd but usable input, or a part that failed while the rest goes on."""
    notice(f"voice-guide: warning: {one_line(message)}")


def error(message: str) -> None:
    """What stopped the command (it then exits 2): one line saying what to fix."""
    notice(f"voice-guide: error: {message}")
