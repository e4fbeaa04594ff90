"""Subcommands of the session record: `report`, `sessions`; record options on `run`/`simulate`.

The record options (`--no-record`, `--client`, and `--resume` on `run`) are added here to the
parsers `cli_core` and `cli_simulate` registered, so those modules only make the one
`recording(...)` call around their run.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import unicodedata
from pathlib import Path

from voice_guide.errors import UserError
from voice_guide.notice import notice
from voice_guide.record.reader import find_log, numbered, read_log
from voice_guide.record.store import in_use, refuse_log_target, sessions_dir
from voice_guide.report.document import minutes, points, when
from voice_guide.report.render import PAPERS, render
from voice_guide.userfile import check_output

FORMATS = ("md", "html", "pdf", "soap", "soap-md", "soap-html", "soap-pdf")
SUFFIX = {".html": "html", ".htm": "html", ".pdf": "pdf", ".md": "md"}


def add_parsers(sub: argparse._SubParsersAction) -> None:
    for name in ("run", "simulate"):
        if name in sub.choices:
            _record_options(sub.choices[name], resume=name == "run")

    p = sub.add_parser("report", help="a report (or a SOAP note draft) of a session log")
    p.add_argument("log", metavar="LOG", help="a session log: its path, its name or number "
                   "in `voice-guide sessions`, or latest")
    p.add_argument("--format", choices=FORMATS, help="md, html or pdf (default: from -o, else "
                   "md); soap for a SOAP note draft, as md, html or pdf the same way")
    p.add_argument("-o", "--output", type=Path, metavar="FILE", help="write here, not stdout")
    p.add_argument("--paper", choices=tuple(PAPERS), help="page size of a PDF (default a4) "
                   "or of the printed HTML (default: the printer's paper; it fits A4 and Letter)")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("sessions", help="list past sessions, newest first")
    p.add_argument("--json", action="store_true", help="one JSON array, for other programs")
    p.set_defaults(func=cmd_sessions)


def _record_options(p: argparse.ArgumentParser, resume: bool) -> None:
    p.add_argument("--no-record", action="store_true", help="do not write a session log")
    p.add_argument("--client", metavar="LABEL", help="a label for the client, kept in the log")
    if resume:
        p.add_argument("--resume", nargs="?", const="", metavar="LOG",
                       help="continue an interrupted session: a log's path, or its number or "
                            "name in `voice-guide sessions` (default: the newest unfinished "
                            "log of this protocol)")


def kind_and_type(fmt: str | None, output: Path | None) -> tuple[str, str]:
    """("report" | "soap", "md" | "html" | "pdf") from --format and the output's suffix."""
    kind = "soap" if fmt and fmt.startswith("soap") else "report"
    typ = fmt.split("-")[-1] if fmt and fmt not in ("soap",) else None
    if typ in (None, "soap"):
        typ = SUFFIX.get(output.suffix.lower(), "md") if output else "md"
    return kind, typ


def cmd_report(args: argparse.Namespace) -> int:
    if args.output:
        check_output(args.output, "report")
    log = read_log(find_log(args.log))
    kind, typ = kind_and_type(args.format, args.output)
    if args.output:
        refuse_log_target(args.output, "a report")
    try:
        data = render(log, kind, typ, args.paper)
    except (TypeError, ValueError, KeyError, AttributeError) as exc:  # a hand-edited log
        raise UserError(f"{log.path}: cannot make a report of this log ({exc!r})") from None
    if not args.output:
        if typ == "pdf" and sys.stdout.isatty():
            raise UserError("a PDF is not for the terminal: add -o FILE.pdf")
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return 0
    write_private(args.output, data)
    notice(f"wrote {args.output}")
    return 0


def write_private(path: Path, data: bytes) -> None:
    """Whole or not at all, 0600: a temporary file beside it, then renamed over it (a
    symbolic link at `path` is replaced, not followed)."""
    folder = path.parent if str(path.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.chmod(tmp, 0o600)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise UserError(f"{path}: cannot write the report ({exc.strerror or exc})") from None


def rows() -> list[dict]:
    out = []
    for n, log in numbered(notice):
        try:
            out.append(row(n, log))
        except (TypeError, ValueError, KeyError, AttributeError) as exc:  # one bad log
            notice(f"voice-guide: skipped {log.path}: {exc!r}")
    return out


def row(n: int, log) -> dict:
    """One session as `sessions` shows it (and `sessions --json` gives it)."""
    status = ("finished" if log.finished else "in use" if in_use(log.path) else "unfinished")
    return {"number": n, "date": when(log), "protocol": log.protocol,
            "title": str(log.start.get("title") or log.protocol),
            "client": log.start.get("client"), "seconds": round(log.last_t, 1),
            "points": len(points(log)), "status": status, "name": log.path.name,
            "path": str(log.path)}


def cmd_sessions(args: argparse.Namespace) -> int:
    found = rows()
    if args.json:
        print(json.dumps(found, ensure_ascii=False, indent=1))
        return 0
    if not found:
        notice(f"(no sessions in {sessions_dir()})")
        return 0
    table = [["#", "date", "protocol", "client", "duration", "points", "status", "name"]]
    table += [[str(r["number"]), r["date"], r["title"], str(r["client"] or "-"),
               minutes(r["seconds"]), str(r["points"]), r["status"], r["name"]] for r in found]
    widths = [max(_width(row[i]) for row in table) for i in range(len(table[0]))]
    right = {0, 4, 5}
    for row in table:
        cells = [_pad(c, widths[i], i in right) for i, c in enumerate(row)]
        print("  ".join(cells).rstrip())
    return 0


def _width(text: str) -> int:
    """Columns on a terminal: East Asian wide characters (Korean titles) take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int, right: bool) -> str:
    gap = " " * (width - _width(text))
    return gap + text if right else text + gap
