"""Subcommands of the session record: `report`, `sessions`; record options on `run`/`simulate`.

The record options (`--no-record`, `--client`, and `--resume` on `run`) are added here to the
parsers `cli_core` and `cli_simulate` registered, so those modules only make the one
`recording(...)` call around their run.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from voice_guide.errors import UserError
from voice_guide.record import sessions_dir
from voice_guide.record_read import all_logs, read_log
from voice_guide.report import minutes, points, render, when
from voice_guide.userfile import check_output


def add_parsers(sub: argparse._SubParsersAction) -> None:
    for name in ("run", "simulate"):
        if name in sub.choices:
            _record_options(sub.choices[name], resume=name == "run")

    p = sub.add_parser("report", help="a one-page report of a session log")
    p.add_argument("log", type=Path, metavar="LOG", help="a session log (.jsonl)")
    p.add_argument("--format", choices=("md", "html"), help="default: from -o, else md")
    p.add_argument("-o", "--output", type=Path, metavar="FILE", help="write here, not stdout")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("sessions", help="list past sessions, newest first")
    p.set_defaults(func=cmd_sessions)


def _record_options(p: argparse.ArgumentParser, resume: bool) -> None:
    p.add_argument("--no-record", action="store_true", help="do not write a session log")
    p.add_argument("--client", metavar="LABEL", help="a label for the client, kept in the log")
    if resume:
        p.add_argument("--resume", nargs="?", const="", metavar="LOG",
                       help="continue an interrupted session (default: the newest unfinished "
                            "log of this protocol)")


def cmd_report(args: argparse.Namespace) -> int:
    if args.output:
        check_output(args.output, "report")
    log = read_log(args.log)
    fmt = args.format or ("html" if args.output and args.output.suffix in (".html", ".htm")
                          else "md")
    text = render(log, fmt)
    if not args.output:
        sys.stdout.write(text)
        return 0
    try:
        fd = os.open(args.output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
    except OSError as exc:
        raise UserError(f"{args.output}: cannot write the report ({exc.strerror or exc})") from None
    print(f"wrote {args.output}", file=sys.stderr)
    return 0


def cmd_sessions(args: argparse.Namespace) -> int:
    logs = all_logs()
    if not logs:
        print(f"(no sessions in {sessions_dir()})", file=sys.stderr)
        return 0
    print(f"{'date':16}  {'protocol':12} {'client':14} {'duration':>12} {'points':>6}  status")
    for log in logs:
        client = str(log.start.get("client") or "-")
        done = "finished" if log.finished else "unfinished"
        print(f"{when(log):16}  {log.protocol:12} {client[:14]:14} {minutes(log.last_t):>12} "
              f"{len(points(log)):>6}  {done}  {log.path.name}")
    return 0
