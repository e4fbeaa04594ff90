"""Subcommands of the core: protocols, check, run (keyboard; live via voice_guide.runners.live),
graph."""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from pathlib import Path

from voice_guide import settings as settings_mod
from voice_guide.cli.enroll import add_profile_option, session_profile
from voice_guide.dialogue import graph
from voice_guide.dialogue.core import Dialogue
from voice_guide.errors import UserError, problems_of
from voice_guide.protocol import registry, translation
from voice_guide.protocol.loader import check_beside, lint, load_protocol
from voice_guide.protocol.messages import Messages
from voice_guide.record.recording import recording
from voice_guide.runners.keyboard import Keyboard
from voice_guide.runners.keys import key_map
from voice_guide.session.core import Session
from voice_guide.session.screen import SessionScreen, want_screen
from voice_guide.session.sinks import sinks_for
from voice_guide.session.summary import Summary
from voice_guide.userfile import check_output
from voice_guide.voice.announcer import Announcer, make_speaker


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
    args.keys = args.keys or settings_mod.load_settings().key_mode
    session_profile(args)  # a missing or damaged profile: said before anything starts
    if not args.keyboard and not (args.keys and not args.mic):
        try:
            from voice_guide.runners.live import run_live
        except ImportError:
            raise UserError("live microphone sessions are not built yet; add --keyboard to "
                            "type the commands") from None
        return run_live(protocol, args)
    return run_keyboard(protocol, args)


def run_keyboard(protocol, args: argparse.Namespace) -> int:
    """Typed commands or keys; every cue and message shown and spoken (announcer.py), on the
    session screen (screen.py) or as plain lines."""
    settings = settings_mod.from_args(args).for_language(protocol.language)
    keys = key_map(settings.keys) if args.keys else None
    if keys and not sys.stdin.isatty():
        raise UserError("--keys reads single keypresses from a terminal; stdin is not one "
                        "(type commands with --keyboard instead)")
    messages = Messages(protocol)
    summary = Summary(messages.title)
    notice = (lambda msg: print(msg, file=sys.stderr, flush=True)) if args.json else \
        (lambda msg: print(msg, flush=True))
    screen = None
    if want_screen(args.screen, args.json, default=bool(keys)):
        screen = SessionScreen(protocol, messages, lambda: keyboard.now(), keys=keys)
    verbose = getattr(args, "verbose", False) and screen is None  # stderr would tear it
    voice = Announcer(make_speaker(settings, verbose), screen.note if screen else notice)
    shown = [screen] if screen else sinks_for(args.json)
    session = Session(Dialogue(protocol), [*shown, summary, voice.sink])
    code = 0
    keyboard = Keyboard(session, sys.stdin, virtual=args.virtual_clock, say=voice.tell,
                        pace=voice.wait, keys=keys)
    try:
        with recording(session, args, engine="keyboard"):
            with screen.attach(session) if screen else contextlib.nullcontext():
                try:
                    keyboard.run()
                except KeyboardInterrupt:  # Ctrl-C: say where it stopped, then the summary
                    code = 130  # and exit as every command does on Ctrl-C (entry.py)
                    voice.speaker.silence()
                    d = session.dialogue
                    voice.tell(messages("interrupted", title=d.step.title if d.step
                                        else d.state))
        for line in summary.shown(messages):
            notice(line)
        voice.speaker.say(summary.spoken(messages))
    finally:
        voice.close()
    return code


def cmd_graph(args: argparse.Namespace) -> int:
    graph.check_type(args.output)
    check_output(args.output, "picture")
    protocol = registry.resolve(args.protocol)
    graph.write(protocol, args.output)
    print(f"wrote {args.output}")
    return 0
