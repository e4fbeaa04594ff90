"""Subcommands of the core: protocols, check, run (keyboard; live via voice_guide.live), graph."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from voice_guide import graph, registry, translation
from voice_guide.dialogue import Dialogue
from voice_guide.errors import UserError, problems_of
from voice_guide.keyboard import Keyboard
from voice_guide.printer import sinks_for
from voice_guide.protocol_loader import check_beside, lint, load_protocol
from voice_guide.record import recording
from voice_guide.session import Session
from voice_guide.summary import Summary
from voice_guide.userfile import check_output


def add_parsers(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("protocols", help="list the shipped and user protocols")
    p.add_argument("--json", action="store_true", help="one JSON object per protocol")
    p.set_defaults(func=cmd_protocols)

    p = sub.add_parser("check", help="validate protocol files without running them")
    p.add_argument("files", nargs="+", type=Path, metavar="FILE")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("run", help="run a session (microphone, or --keyboard)")
    p.add_argument("protocol", metavar="PROTOCOL", help="a protocol id or a .yaml path")
    p.add_argument("--keyboard", action="store_true", help="typed commands on stdin")
    p.add_argument("--virtual-clock", action="store_true",
                   help="with --keyboard: time passes only on 'wait N' lines (exact, instant)")
    p.add_argument("--json", action="store_true",
                   help="events as JSON lines on stdout, cue text on stderr")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("graph", help="draw a protocol's state machine")
    p.add_argument("protocol", metavar="PROTOCOL")
    p.add_argument("-o", "--output", type=Path, required=True,
                   help="FILE.svg, .png (Graphviz), .dot, .mmd or .md (Mermaid)")
    p.set_defaults(func=cmd_graph)


def cmd_protocols(args: argparse.Namespace) -> int:
    found = registry.entries()
    for e in found:
        if args.json:
            print(json.dumps({"id": e.id, "title": e.title, "source": e.source,
                              "origin": e.origin, "path": str(e.path)}))
        else:
            print(f"{e.id:28} {e.title}  [{e.origin}; {e.source}]")
    if not args.json:
        print(f"(your own protocols go in {registry.user_folder()})", file=sys.stderr)
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    failed = False
    for path in dict.fromkeys(translation.protocol_of(p) for p in args.files):
        try:
            protocol = load_protocol(path)
        except UserError as exc:
            for problem in problems_of(exc):
                print(problem, file=sys.stderr)
            failed = True
            continue
        findings = lint(protocol)
        for finding in findings:
            print(finding, file=sys.stderr)
        if any(": error: " in f for f in findings):
            failed = True
            continue
        print(f"{path}: ok ({protocol.id}, {len(protocol.steps)} steps)")
        failed |= _check_translations(path)
    return 2 if failed else 0


def _check_translations(path: Path) -> bool:
    """Report the translations beside a protocol (`psoas.ko.yaml`); True when one fails."""
    findings = check_beside(path) if path.is_file() else []
    for finding in findings:
        print(finding, file=sys.stderr if ": error: " in finding or ": warning: " in finding
              else sys.stdout)
    return any(": error: " in f for f in findings)


def session_language(args: argparse.Namespace) -> str | None:
    """--lang, else the settings file's language, else None (the protocol's own)."""
    from voice_guide.settings import load_settings

    return getattr(args, "lang", None) or load_settings().language


def cmd_run(args: argparse.Namespace) -> int:
    protocol = registry.resolve(args.protocol, language=session_language(args))
    if not args.keyboard:
        try:
            from voice_guide.live import run_live
        except ImportError:
            raise UserError("live microphone sessions are not built yet; add --keyboard to "
                            "type the commands") from None
        return run_live(protocol, args)
    summary = Summary({sid: step.title for sid, step in protocol.steps.items()})
    session = Session(Dialogue(protocol), [*sinks_for(args.json), summary])
    notice = (lambda msg: print(msg, file=sys.stderr)) if args.json else print
    with recording(session, args, engine="keyboard"):
        Keyboard(session, sys.stdin, virtual=args.virtual_clock, notice=notice).run()
    for line in summary.lines():
        notice(line)
    return 0


def cmd_graph(args: argparse.Namespace) -> int:
    graph.check_type(args.output)
    check_output(args.output, "picture")
    protocol = registry.resolve(args.protocol)
    graph.write(protocol, args.output)
    print(f"wrote {args.output}")
    return 0
