"""The CLI edge: parsed arguments become frozen option values (cli/options.py)."""

from __future__ import annotations

import argparse
import dataclasses

import pytest

from voice_guide.cli.main import build_parser
from voice_guide.cli.options import options_from, record_options
from voice_guide.record.recording import RecordOptions
from voice_guide.runners.options import SessionOptions
from voice_guide.settings import Settings


def test_run_arguments_become_session_options():
    args = build_parser().parse_args(["run", "psoas", "--keyboard", "--json", "--no-record",
                                      "--client", "C-7", "--virtual-clock", "--engine", "vosk"])
    options = options_from(SessionOptions, args, settings=Settings(rate=150),
                           record=record_options(args))
    assert options == SessionOptions(settings=Settings(rate=150),
                                     record=RecordOptions(no_record=True, client="C-7"),
                                     engine="vosk", json=True, virtual_clock=True)
    with pytest.raises(dataclasses.FrozenInstanceError):
        options.json = False  # type: ignore[misc]


def test_an_option_not_given_keeps_the_default():
    args = build_parser().parse_args(["run", "psoas", "--resume"])
    assert record_options(args) == RecordOptions(resume="")  # --resume alone: the newest log
    assert options_from(SessionOptions, args).screen is None  # --screen/--no-screen not given


def test_a_new_option_is_one_field():
    """How --profile (or any option) is added: a field of the same name, nothing else."""

    @dataclasses.dataclass(frozen=True)
    class WithProfile(SessionOptions):
        profile: str | None = None

    args = argparse.Namespace(profile="quiet-room", json=True, protocol="psoas")
    assert options_from(WithProfile, args) == WithProfile(profile="quiet-room", json=True)
