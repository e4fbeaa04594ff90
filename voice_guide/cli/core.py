"""Subcommands of the core: protocols, check, run (keyboard; live via voice_guide.runners.live),
graph."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from voice_guide import settings as settings_mod
from voice_guide.cli.enroll import add_profile_option, session_profile
from voice_guide.cli.options import options_from, record_options, settings_from
from voice_guide.dialogue import graph
from voice_guide.errors import UserError, problems_of
from voice_guide.notice import notice
from voice_guide.protocol import registry, translation
from voice_guide.protocol.loader import check_beside, lint, load_protocol
from voice_guide.runners.keyboard import run_keyboard
from voice_guide.runners.live import run_live
from voice_guide.runners.options import SessionOptions
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
    p.add_argument("--keys", action="store_true",
                   help="key mode: single keypresses (pedal, clicker), no Enter; "
                        "see `voice-guide keys` (setting: key_mode)")
    p.add_argument("--mic", action="store_true",
                   help="with --keys: listen on the microphone too (either drives)")
    p.add_argument("--virtual-clock", action="store_true",
                   help="with --keyboard: time passes only on 'wait N' lines (exact, instant)")
    p.add_argument("--json", action="store_true",
                   help="events as JSON lines on stdout, cue text on stderr")
    p.add_argument("--screen", action=argparse.BooleanOptionalAction, default=None,
                   help="full-screen session view (default: on a terminal with --keys or "
                        "live; plain lines otherwise)")
    add_profile_option(p)
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
        notice(f"(your own protocols go in {registry.user_folder()})")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    failed = False
    for path in dict.fromkeys(translation.protocol_of(p) for p in args.files):
        try:
            protocol = load_protocol(path)
        except UserError as exc:
            for problem in problems_of(exc):
                notice(problem)
            failed = True
            continue
        findings = lint(protocol)
        for finding in findings:
            notice(finding)
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
        notice(finding, None if ": error: " in finding or ": warning: " in finding
               else sys.stdout)
    return any(": error: " in f for f in findings)


def session_language(args: argparse.Namespace) -> str | None:
    """--lang, else the settings file's language, else None (the protocol's own)."""
    return getattr(args, "lang", None) or settings_mod.load_settings().language


def cmd_run(args: argparse.Namespace) -> int:
    protocol = registry.resolve(args.protocol, language=session_language(args))
    profile = session_profile(args)  # a missing or damaged one: said before anything starts
    settings = settings_from(args)
    options = options_from(SessionOptions, args, settings=settings, record=record_options(args),
                           keys=args.keys or settings.key_mode, profile=profile)
    if not args.keyboard and not (options.keys and not options.mic):
        return run_live(protocol, options)
    return run_keyboard(protocol, options)


def cmd_graph(args: argparse.Namespace) -> int:
    graph.check_type(args.output)
    check_output(args.output, "picture")
    protocol = registry.resolve(args.protocol)
    graph.write(protocol, args.output)
    print(f"wrote {args.output}")
    return 0
