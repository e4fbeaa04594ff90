"""Grammars: every command has phrasings; therapist mistakes are reported with file:line."""

import pytest

from voice_guide.ears import grammar
from voice_guide.ears.engines.pocketsphinx import jsgf
from voice_guide.ears.recognizer import create
from voice_guide.errors import UserError
from voice_guide.vocabulary import COMMANDS


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_shipped_grammars_cover_every_command(lang):
    g = grammar.load(lang)
    assert g.lang == lang and set(g.phrases) == set(COMMANDS)


def test_lookup_is_exact_phrasing_only():
    g = grammar.load("en")
    assert g.lookup("It\u2019s TENDER!") == "tender"
    assert g.lookup("is it tender") is None


@pytest.mark.parametrize("text, line, words", [
    ("language: en\ncommands:\n  tender: [tender]\n  bogus: [x]\n", 4, "unknown command"),
    ("language: en\ncommands:\n  tender: [tender]\n  next: [tender]\n", 4, "already means"),
    ("language: en\ncommands:\n  tender:\n    - tender\n    - 'ten 2'\n", 5, "plain words"),
    ("language: en\ncommands:\n  tender: []\n", 3, "list of phrasings"),
    ("language: en\ncommands: [\n", 3, "not valid YAML"),
    ("commands:\n  tender: [tender]\n", 1, "language"),
    ("language: en\ncommands:\n  tender: [tender]\nnot_commands:\n  - is it sore\n"
     "  - tender\n", 6, "is a phrasing of 'tender'"),
    ("language: en\ncommands:\n  tender: [tender]\nnot_commands: is it sore\n", 4,
     "list of sentences"),
    ("language: en\ncommands:\n  tender: [tender]\nnot_commands: ['is it 2']\n", 4,
     "plain words"),
])
def test_errors_name_file_and_line(text, line, words):
    with pytest.raises(UserError) as err:
        grammar.parse(text, "my.yaml")
    assert str(err.value).startswith(f"my.yaml:{line}:") and words in str(err.value)


def test_not_commands_are_read_and_stay_out_of_the_commands():
    g = grammar.load("en")
    assert ("is", "that", "tender") in g.not_commands
    assert g.lookup("is that tender") is None
    assert not set(g.not_commands) & {p for ps in g.phrases.values() for p in ps}


def test_unknown_word_for_the_engine_names_the_line(tmp_path):
    path = tmp_path / "en.yaml"
    path.write_text("language: en\ncommands:\n  tender:\n    - tender\n    - zqxwv\n")
    with pytest.raises(UserError, match=r"en.yaml:5: .*zqxwv"):
        create("pocketsphinx", grammar=grammar.load(path=path), announce=False)


def test_jsgf_lists_only_active_phrasings():
    text = jsgf(grammar.load("en"), {"stop", "next"})
    assert "okay next" in text and "stop now" in text and "tender" not in text
