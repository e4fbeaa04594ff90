"""`voice-guide listen` and `voice-guide model download`.

`listen` prints one JSON line per decided command as soon as it is decided (flushed), so other
tools can pipe it; `--verbose` adds rejected utterances with the reason. A safety command heard
on weak evidence is not a command: the guide asks back (evidence.py), so its line says
`"command": null, "ask": "numb"`, and a tool that acts on `command` does not stop the work.
"""

from __future__ import annotations

import argparse
import json

from voice_guide.audio import pcm
from voice_guide.audio.mic import microphone
from voice_guide.cli.enroll import add_profile_option, session_profile
from voice_guide.ears import recognizer as recognizers
from voice_guide.ears.listener import Decision, Listener
from voice_guide.enroll.profiles import listening_templates
from voice_guide.errors import UserError
from voice_guide.extras import require
from voice_guide.notice import notice


def add_parsers(subparsers) -> None:
    p = subparsers.add_parser("listen", help="recognize spoken commands in audio")
    p.add_argument("audio", metavar="AUDIO",
                   help="WAV file, '-' for 16 kHz s16le mono PCM on stdin, or 'mic'")
    p.add_argument("--engine", choices=recognizers.ENGINES, default="auto")
    p.add_argument("--model", metavar="DIR", help="Vosk model folder")
    p.add_argument("--lang", choices=["en", "ko"], default="en")
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    p.add_argument("--verbose", action="store_true", help="also print rejected utterances")
    add_profile_option(p)
    p.set_defaults(func=listen)

    m = subparsers.add_parser("model", help="manage speech models")
    ms = m.add_subparsers(dest="model_command", metavar="ACTION")
    d = ms.add_parser("download", help="fetch the small Vosk model (needs a network)")
    d.add_argument("--lang", default="en-us", help="Vosk model language (default en-us)")
    d.set_defaults(func=download)
    m.set_defaults(func=lambda args: (m.print_help(), 2)[1])


def listen(args: argparse.Namespace) -> int:
    profile = session_profile(args)
    source = microphone() if args.audio == "mic" else pcm.read(args.audio)
    rec = recognizers.create(args.engine, model=args.model, lang=args.lang,
                             warm=args.audio == "mic", background=True)
    listener = Listener(rec, lang=args.lang, templates=listening_templates(args.lang, profile))
    for chunk in source:
        _emit(listener.feed(chunk), args)
    _emit(listener.flush(), args)
    rec.ready()  # a model that did not load, in a stream no utterance made wait for it
    return 0


def _emit(decisions: list[Decision], args: argparse.Namespace) -> None:
    for d in decisions:
        if d.command is None and not args.verbose:
            continue
        if args.json:
            print(json.dumps(json_line(d), ensure_ascii=False), flush=True)
        else:
            what = (f"{d.command}? (asked back)" if d.confirm
                    else d.command or f"(rejected: {d.reason})")
            print(f"{d.t:8.2f}s  {what:10}  {d.text}", flush=True)


def json_line(d: Decision) -> dict:
    """One decision as `listen --json` prints it. An ask-back's command goes under `ask`: the
    command itself was not taken (the benchmark counts it "asked back", neither right nor
    wrong), and a reader of `command` alone must not act on it."""
    command = None if d.confirm else d.command
    rec: dict = {"command": command, "t": round(d.t, 3), "start": round(d.start, 3),
                 "end": round(d.end, 3), "text": d.text}
    if d.confirm:
        rec["ask"] = d.command
        rec["reason"] = f"weak evidence for {d.command}: asked back"
    elif command is None:
        rec["reason"] = d.reason
    rec.update(_scores(d))
    return rec


def _scores(d: Decision) -> dict:
    """The decision's confidence and the runner-up command (evidence.py), when scored."""
    if d.confidence is None:
        return {}
    out: dict = {"confidence": d.confidence, "evidence": d.evidence}
    if d.runner_up:
        out["runner_up"] = {"command": d.runner_up, "confidence": d.runner_up_confidence}
    return out


def download(args: argparse.Namespace) -> int:
    """Vosk's own mechanism: Model(lang=...) fetches the small model into ~/.cache/vosk."""
    vosk = require("vosk", extra="vosk", needed_for="model download")
    try:
        vosk.Model(lang=args.lang)
    except SystemExit:
        raise UserError(f"Vosk knows no model for language {args.lang!r}") from None
    except Exception as exc:  # requests' errors, unzip errors: one line for the user
        raise UserError(f"model download failed: {exc.__class__.__name__}: {exc}") from None
    notice(f"voice-guide: Vosk model for {args.lang} is in ~/.cache/vosk")
    return 0
