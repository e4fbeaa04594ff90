"""The console entry point: Ctrl-C at any moment ends any command with exit 130, no traceback.

This module and voice_guide.cli.main import only light modules at load time: the subcommand
modules, which pull in numpy and the stages (the first half second), are loaded by
`build_parser()` inside `main()`, so a Ctrl-C during those imports is caught here too; one
during this module's own imports leaves at once (the handler is set before them). The first
Ctrl-C raises KeyboardInterrupt as usual, so sessions close their logs on the way out; a second
one, or one while Python shuts down (joining threads), leaves at once.
"""

from __future__ import annotations

import os
import signal
import sys

INTERRUPTED = 130  # 128 + SIGINT, what shells report for Ctrl-C


def _leave_now(signum=None, frame=None) -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # noqa: BLE001 - a closed or broken stream: nothing left to say
            pass
    os._exit(INTERRUPTED)


# Until main() runs, a Ctrl-C leaves at once: nothing is open yet, and the imports below
# (logging, pathlib...) take 0.03 s on an idle machine but ten times that on a loaded one,
# where a Ctrl-C during them ended in a traceback.
signal.signal(signal.SIGINT, _leave_now)

from voice_guide.cli.main import main as cli_main  # noqa: E402 - after the handler above


def _first_interrupt(signum, frame) -> None:
    signal.signal(signal.SIGINT, _leave_now)
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    signal.signal(signal.SIGINT, _first_interrupt)
    try:
        code = cli_main(argv)
    except KeyboardInterrupt:
        code = INTERRUPTED
    signal.signal(signal.SIGINT, _leave_now)  # during interpreter shutdown
    return code
