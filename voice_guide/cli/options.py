"""Where argparse stops: parsed arguments become the frozen option values the layers below take.

The voice options shared by `run`, `say` and friends are defined here too, with the merge of
the settings file and the command line (`settings_from`), so `voice_guide.settings` knows
nothing of argparse.
"""

from __future__ import annotations

import argparse
from dataclasses import fields, replace
from pathlib import Path
from typing import Any, TypeVar

from voice_guide.record.recording import RecordOptions
from voice_guide.settings import Settings, load_settings, save_settings

T = TypeVar("T")

#: option name -> setting name, for the options that override a setting for one run
OVERRIDES = (("voice", "voice"), ("rate", "rate"), ("volume", "volume"),
             ("device", "input_device"), ("output_device", "output_device"),
             ("lang", "language"), ("profile", "profile"))


def add_voice_options(parser: argparse.ArgumentParser, devices: str = "io") -> None:
    """The voice options shared by `run`, `say` and friends; `devices` picks i/o options."""
    g = parser.add_argument_group("voice (defaults from the settings file)")
    g.add_argument("--voice", help="hibari:heart (natural) or an espeak-ng voice id, see "
                                   "`voice-guide voices`")
    g.add_argument("--rate", type=int, help="speaking rate, words per minute")
    g.add_argument("--volume", type=float, help="speech volume 0.0..1.0")
    if "i" in devices:
        g.add_argument("--device", help="input device name or index, see `voice-guide devices`")
    if "o" in devices:
        g.add_argument("--output-device", help="output device name or index")
    g.add_argument("--save-settings", action="store_true",
                   help="keep these options in the settings file")


def settings_from(args: argparse.Namespace, path: Path | None = None) -> Settings:
    """Settings file + command-line overrides; saved back when --save-settings was given."""
    base = load_settings(path)
    changes: dict[str, Any] = {}
    for opt, name in OVERRIDES:
        value = getattr(args, opt, None)
        if value is not None:
            changes[name] = value
    if getattr(args, "quiet", False):
        changes["speech"] = False
    if getattr(args, "keys", False):
        changes["key_mode"] = True
    merged = replace(base, **changes).validated("command line")
    if getattr(args, "save_settings", False):
        save_settings(merged, path)
    return merged


def options_from(cls: type[T], args: argparse.Namespace, **built: Any) -> T:
    """An option dataclass from the parsed arguments: each field takes the option of its own
    name when the command has it and it was given (else the field's default); `built` gives
    the fields that are made, not parsed (settings, record)."""
    given = {f.name: getattr(args, f.name) for f in fields(cls)  # type: ignore[arg-type]
             if f.name not in built and getattr(args, f.name, None) is not None}
    return cls(**given, **built)


def record_options(args: argparse.Namespace) -> RecordOptions:
    """--no-record, --client, --resume (each command has those it defines)."""
    return options_from(RecordOptions, args)
