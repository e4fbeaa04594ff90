"""The `voice-guide` command line: each subcommand lives in its own `cli_*` module.

Every module in SUBCOMMAND_MODULES exposes `add_parsers(subparsers)`, which registers its
subcommands and sets `func(args) -> int` on each. Any UserError becomes one line on stderr and
exit code 2, so bad input never shows a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from voice_guide import __version__
from voice_guide.errors import UserError

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
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; voice_guide.cli.entry (the console script) wraps this for Ctrl-C."""
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        if not getattr(args, "func", None):
            parser.print_help()
            return 2
        return int(args.func(args) or 0)
    except UserError as exc:
        print(f"voice-guide: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
