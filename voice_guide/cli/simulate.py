"""`voice-guide simulate SCRIPT`: a whole session from a script, as audio, faster than real time."""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path

from voice_guide.cli.enroll import add_profile_option, session_profile
from voice_guide.cli.options import record_options
from voice_guide.enroll.profiles import listening_templates
from voice_guide.notice import notice
from voice_guide.record.recording import recording
from voice_guide.record.store import refuse_log_target
from voice_guide.runners.simulate.script import load_script
from voice_guide.runners.simulate.simulator import Simulator
from voice_guide.session.sinks import json_sink, text_sink
from voice_guide.session.summary import Summary
from voice_guide.userfile import check_output


def add_parsers(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("simulate", help="run a scripted session as audio (see examples/)")
    p.add_argument("script", type=Path, metavar="SCRIPT", help="a script .yaml")
    p.add_argument("--engine", choices=("auto", "pocketsphinx", "vosk"),
                   help="override the script's engine")
    p.add_argument("--model", help="a Vosk model folder")
    p.add_argument("--lang", help="override the script's language (en, ko): the protocol's "
                   "translation, the grammar and the guide's voice")
    p.add_argument("--json", action="store_true", help="one JSON line per event")
    p.add_argument("--wav", type=Path, metavar="OUT.wav", help="write the microphone signal")
    add_profile_option(p)
    p.set_defaults(func=cmd_simulate)


def cmd_simulate(args: argparse.Namespace) -> int:
    if args.wav:
        check_output(args.wav, "audio")
        refuse_log_target(args.wav, "the WAV")  # before the engine loads: a quick answer
    script = load_script(args.script)
    if args.engine:
        script = replace(script, engine=args.engine)
    if args.model:
        script = replace(script, model=args.model)
    if args.lang:
        script = replace(script, lang=args.lang)
    profile = session_profile(args)
    summary = Summary()
    sinks = [json_sink(sys.stdout) if args.json else text_sink(sys.stdout), summary]
    began = time.perf_counter()
    sim = Simulator(script, sinks, wav=args.wav,
                    templates=listening_templates(script.lang, profile))
    steps = sim.session.dialogue.p.steps
    summary.title = lambda sid: steps[sid].title if sid in steps else str(sid)
    with recording(sim.session, record_options(args), engine=script.engine,
                   extra_sinks=(sim.sinks,), profile=profile.name if profile else None):
        session = sim.run()
    took = time.perf_counter() - began
    out = sys.stderr if args.json else sys.stdout
    for line in summary.lines():
        print(line, file=out)
    state = session.dialogue.state
    print(f"Simulated {sim.now:.1f} s of audio in {took:.1f} s "
          f"({sim.now / max(took, 1e-9):.0f}x real time); final step: {state}", file=out)
    if args.wav:
        print(f"wrote {args.wav}", file=out)
    for lineno, expected, where in sim.missed:  # a script is also a test of what it expects
        notice(f"{script.path}:{lineno}: expected the guide in '{expected}', it was in "
               f"'{where}'")
    return 1 if sim.missed else 0
