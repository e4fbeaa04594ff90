"""The `voice-guide` command line: each subcommand lives in its own `voice_guide.cli` module.

Every module in SUBCOMMAND_MODULES exposes `add_parsers(subparsers)`, which registers its
subcommands and sets `func(args) -> int` on each. Any UserError becomes one line on stderr and
exit code 2, so bad input never shows a traceback. Every subcommand takes `--verbose`, which
turns on the diagnostic log (the `voice_guide` loggers, INFO, on stderr); what the user must
read goes through voice_guide.notice whether or not it is on.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

from voice_guide import __version__
from voice_guide.errors import UserError
from voice_guide.notice import error

SUBCOMMAND_MODULES: tuple[str, ...] = (
    "voice_guide.cli.core",
    "voice_guide.cli.listen",
    "voice_guide.cli.simulate",
    "voice_guide.cli.voice",
    "voice_guide.cli.record",
    "voice_guide.cli.enroll",
)


class _Parser(argparse.ArgumentParser):
    """argparse exits 2 on bad options already; keep its message to one line plus usage."""


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="voice-guide", description="Offline hands-free technique guide.")
    parser.add_argument("--version", action="version", version=f"voice-guide {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in SUBCOMMAND_MODULES:
        importlib.import_module(name).add_parsers(subparsers)
    for command in dict.fromkeys(subparsers.choices.values()):  # aliases share a parser
        try:
            command.add_argument("--verbose", action="store_true",
                                 help="diagnostics on stderr (the engine chosen and why, ...)")
        except argparse.ArgumentError:
            pass  # the command has its own --verbose, which turns the log on too
    return parser


class CurrentStderr(logging.StreamHandler):
    """A handler that writes to whatever sys.stderr is when a record comes (tests capture it)."""

    @property  # type: ignore[override]
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:
        pass  # StreamHandler.__init__ sets it; the property always answers sys.stderr


def configure_logging(verbose: bool) -> None:
    """The package's diagnostic log: INFO and up with --verbose, else warnings and errors only;
    one plain line per record, as the diagnostics always were printed."""
    log = logging.getLogger("voice_guide")
    handler = CurrentStderr()
    handler.setFormatter(logging.Formatter("%(message)s"))
    log.handlers[:] = [handler]
    log.setLevel(logging.INFO if verbose else logging.WARNING)
    log.propagate = False


def main(argv: list[str] | None = None) -> int:
    """Run one command; voice_guide.cli.entry (the console script) wraps this for Ctrl-C."""
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        configure_logging(bool(getattr(args, "verbose", False)))
        if not getattr(args, "func", None):
            parser.print_help()
            return 2
        return int(args.func(args) or 0)
    except UserError as exc:
        error(str(exc))
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
