"""The settings file: defaults, round trip, command-line overrides, --save-settings."""

from __future__ import annotations

import argparse

import pytest

from voice_guide import settings as st
from voice_guide.cli.options import add_voice_options, settings_from
from voice_guide.errors import UserError


def _args(*argv: str) -> argparse.Namespace:
    p = argparse.ArgumentParser()
    add_voice_options(p)
    return p.parse_args(list(argv))


def test_defaults_without_file(tmp_path):
    assert st.load_settings(tmp_path / "none.yaml") == st.Settings()


def test_round_trip(tmp_path):
    path = tmp_path / "s.yaml"
    saved = st.Settings(voice="gmw/en-us", rate=140, volume=0.6, language="en",
                        input_device="pulse", output_device="2")
    st.save_settings(saved, path)
    assert st.load_settings(path) == saved


def test_platformdirs_location(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert st.settings_path() == tmp_path / "voice-guide" / "settings.yaml"


def test_options_override_and_save(tmp_path):
    path = tmp_path / "s.yaml"
    st.save_settings(st.Settings(voice="gmw/en", rate=150), path)
    once = settings_from(_args("--rate", "200"), path)
    assert (once.voice, once.rate) == ("gmw/en", 200)
    assert st.load_settings(path).rate == 150          # not kept without --save-settings
    settings_from(_args("--volume", "0.4", "--save-settings"), path)
    assert st.load_settings(path) == st.Settings(voice="gmw/en", rate=150, volume=0.4)


@pytest.mark.parametrize("text, msg", [("rate: 5\n", "rate must be"),
                                       ("volume: 3\n", "volume must be"),
                                       ("speed: 3\n", "unknown setting 'speed'"),
                                       ("- a\n", "mapping")])
def test_bad_file_names_the_file(tmp_path, text, msg):
    path = tmp_path / "s.yaml"
    path.write_text(text)
    with pytest.raises(UserError, match=msg) as err:
        st.load_settings(path)
    assert str(path) in str(err.value)


def test_bad_option(tmp_path):
    with pytest.raises(UserError, match="command line: volume"):
        settings_from(_args("--volume", "2"), tmp_path / "s.yaml")


@pytest.mark.parametrize("text,line,fix", [
    ("voice: en-us\nrate: 1e999\n", 2, "rate must be a whole number"),
    ("voice: en-us\nvolume: .nan\n", 2, "volume must be"),
    ("rate: 160\nvoice: [a, b]\n", 2, "voice must be a name"),
    ("rate: 160\ncolour: red\n", 2, "unknown setting 'colour'"),
    ("a: &a [x, x]\nb: [*a, *a]\n", 2, "YAML aliases"),
    ("- rate\n- 160\n", 1, "must be a mapping"),
])
def test_bad_settings_name_their_line(tmp_path, text, line, fix):
    (tmp_path / "s.yaml").write_text(text)
    with pytest.raises(UserError) as err:
        st.load_settings(tmp_path / "s.yaml")
    assert str(err.value).startswith(f"{tmp_path / 's.yaml'}:{line}: ") and fix in str(err.value)
