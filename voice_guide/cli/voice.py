"""Subcommands for the voice and the audio devices: voices, devices, say, check-mic.

Also adds the live options (voice, rate, volume, devices) to `run`, which cli_core defines:
they belong to the live session, which lives here (`voice_guide.runners.live`).
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from dataclasses import replace

import numpy as np

from voice_guide import settings as settings_mod
from voice_guide.audio.mic import Microphone
from voice_guide.cli.options import add_voice_options, settings_from
from voice_guide.ears import grammar, recognizer
from voice_guide.ears.listener import Listener
from voice_guide.errors import UserError
from voice_guide.notice import notice
from voice_guide.runners.keys import cbreak, key_map, key_name, read_keys, shown
from voice_guide.voice.announcer import Announcer, make_speaker
from voice_guide.voice.natural import listing
from voice_guide.voice.speaker import Speaker
from voice_guide.voice.tts import Renderer


def add_parsers(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("voices", help="list the installed speech voices")
    p.add_argument("--lang", help="only voices for this language code (e.g. en)")
    p.set_defaults(func=cmd_voices)

    p = sub.add_parser("devices", help="list audio inputs and outputs")
    p.set_defaults(func=cmd_devices)

    p = sub.add_parser("say", help="speak a sentence with the chosen voice (try settings)")
    p.add_argument("text", nargs="+")
    add_voice_options(p, devices="o")
    p.set_defaults(func=cmd_say)

    p = sub.add_parser("keys", help="show the key map for --keys, and test keys or a pedal")
    p.add_argument("--quiet", action="store_true", help="do not speak the keys pressed")
    p.set_defaults(func=cmd_keys)

    p = sub.add_parser("check-mic", help="show the input level and what the guide hears")
    p.add_argument("--device", help="input device name or index (default: settings/system)")
    p.add_argument("--seconds", type=float, default=10.0, help="how long to listen (10)")
    p.add_argument("--lang", default="en", help="recognition language (en)")
    p.add_argument("--no-recognition", action="store_true", help="level meter only")
    p.set_defaults(func=cmd_check_mic)

    run = sub.choices.get("run")
    if run is not None:
        _add_live_options(run)


def _add_live_options(run: argparse.ArgumentParser) -> None:
    add_voice_options(run, devices="io")
    run.add_argument("--engine", default="auto", help="recognizer: auto, pocketsphinx, vosk")
    run.add_argument("--model", help="Vosk model folder")
    run.add_argument("--lang", help="recognition language (default: settings, then en)")
    run.add_argument("--quiet", "--no-speech", dest="quiet", action="store_true",
                     help="text only, no speech (in every mode; setting: speech: false)")
    try:
        run.add_argument("--verbose", action="store_true",
                         help="show on stderr every utterance heard and why it was ignored")
    except argparse.ArgumentError:
        pass  # cli_core defines it


def cmd_voices(args: argparse.Namespace) -> int:
    renderer = Renderer()
    try:
        voices = listing() + [dict(v, kind="espeak-ng") for v in renderer.voices()]
    finally:
        renderer.close()
    current = settings_mod.load_settings().voice
    for v in voices:
        langs = ",".join(v.get("languages") or [])
        if args.lang and not any(lang.split("-")[0] == args.lang for lang in langs.split(",")):
            continue
        mark = "*" if current and current in (v["id"], v["name"]) else " "
        print(f"{mark} {v['kind']:9} {v['id']:24} {v['name']:28} {langs}")
    notice("(choose one with --voice ID --save-settings)")
    return 0


def cmd_devices(args: argparse.Namespace) -> int:
    import sounddevice as sd

    try:
        devices = sd.query_devices()
    except sd.PortAudioError as exc:
        raise UserError(f"cannot list the audio devices: {exc}") from None
    if not len(devices):  # exit 2, as check-mic and run do without a sound card
        raise UserError("no audio devices found (no sound card, or PortAudio cannot reach the "
                        "sound server)")
    d_in, d_out = sd.default.device
    for kind, key, default in (("inputs", "max_input_channels", d_in),
                               ("outputs", "max_output_channels", d_out)):
        print(f"{kind}:")
        for i, d in enumerate(devices):
            if d[key] > 0:
                mark = "*" if i == default else " "
                print(f" {mark} {i:3}  {d['name']:40} {int(d['default_samplerate'])} Hz")
    return 0


def cmd_say(args: argparse.Namespace) -> int:
    s = settings_from(args)
    with Speaker(s, text=sys.stdout) as speaker:
        speaker.say(" ".join(args.text))
        speaker.wait_idle(60)
    return 0


def cmd_keys(args: argparse.Namespace) -> int:
    """The key map; on a terminal, then each key pressed is shown and spoken until Ctrl-D."""

    settings = settings_mod.load_settings()
    keys = key_map(settings.keys)
    print("key          command")
    for key, command in keys.items():
        print(f"{key:12} {command}")
    notice(f"(change them under 'keys:' in {settings_mod.settings_path()})")
    if not sys.stdin.isatty():
        return 0

    settings = settings.for_language(settings.language)
    if args.quiet:
        settings = replace(settings, speech=False)
    voice = Announcer(make_speaker(settings), lambda m: print(m, flush=True))
    print("Press keys (or the pedal) to test them; Ctrl-D ends.", flush=True)
    try:
        with cbreak(sys.stdin.fileno()):
            for seq in read_keys(sys.stdin.fileno()):
                does = keys.get(key_name(seq))
                voice.tell(f"{shown(seq)}: {does or 'nothing'}")
    finally:
        voice.close(grace=5.0)
    return 0


def _level_bar(pcm: np.ndarray) -> str:
    rms = float(np.sqrt(np.mean(pcm.astype(np.float64) ** 2))) if len(pcm) else 0.0
    db = 20 * np.log10(max(rms, 1.0) / 32768.0)
    n = int(max(0.0, min(1.0, (db + 60) / 60)) * 40)
    return f"{db:6.1f} dBFS |{'#' * n}{' ' * (40 - n)}|"


def _recognizer(lang: str):
    """The listener the live session uses."""
    rec = recognizer.create("auto", lang=lang, grammar=grammar.load(lang))
    return Listener(rec, lang=lang)


def cmd_check_mic(args: argparse.Namespace) -> int:
    device = settings_mod.device_arg(args.device or settings_mod.load_settings().input_device)
    listener = None if args.no_recognition else _recognizer(args.lang)
    lock = threading.Lock()
    window: list[np.ndarray] = []

    def on_audio(pcm: np.ndarray, t: float) -> None:
        with lock:
            window.append(pcm)
        if listener is not None:
            for d in listener.feed(pcm):
                what = d.command or f"(not a command: {d.reason})"
                print(f"\nheard: {d.text or '?'} -> {what}", flush=True)

    def on_state(state: str, detail: str) -> None:
        notice(f"\nmicrophone {state}: {detail}")

    mic = Microphone(device, on_audio, on_state)
    try:
        mic.open()
    except Exception as exc:
        raise UserError(f"cannot open input device {args.device or '(default)'}: {exc}") from exc
    tty = sys.stdout.isatty()
    try:
        end = time.monotonic() + args.seconds
        while time.monotonic() < end:
            time.sleep(0.25)
            with lock:
                pcm = np.concatenate(window) if window else np.zeros(0, np.int16)
                window.clear()
            print(("\r" if tty else "") + "level " + _level_bar(pcm), end="" if tty else "\n",
                  flush=True)
    finally:
        mic.close()
    print()
    return 0
