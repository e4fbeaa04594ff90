"""Real espeak-ng speech through the real PocketSphinx pipeline: commands in, chatter out."""

import pytest
from listen_audio import run, timeline

from voice_guide.ears.engines.pocketsphinx import PocketSphinxRecognizer
from voice_guide.ears.listener import Listener, ListenerConfig
from voice_guide.vocabulary import COMMANDS

#: A step's worth of commands: what a guide step typically listens for besides the command.
STEP = {"next", "repeat", "help", "back"}


@pytest.fixture(scope="module")
def recognizer():
    return PocketSphinxRecognizer()


def _accepted(decisions):
    return [d for d in decisions if d.command is not None]


@pytest.mark.parametrize("command", COMMANDS)
def test_each_command_is_recognized(recognizer, command):
    """The bare word (or, where the bare word is not a phrasing, the first phrasing: "it's
    numb"), said by two voices, is heard as that command in a step that expects it."""
    phrases = recognizer.grammar.phrases[command]
    text = command if (command,) in phrases else " ".join(phrases[0])
    heard = []
    for voice in ("en-us", "en-gb"):
        pcm, _ = timeline([text], voice=voice, seed=1)
        listener = Listener(recognizer)
        listener.set_active(STEP | {command})
        heard += [d.command for d in _accepted(run(listener, pcm))]
    assert heard.count(command) >= 1 and set(heard) <= {command}, heard


CHATTER = [
    "is that tender", "does it refer anywhere", "tell me when it starts fading",
    "let me know if it gets worse", "can you feel a pulse there", "we can stop whenever you like",
    "how much time do we have left", "take a pause and breathe out slowly",
]


def test_chatter_with_command_words_is_rejected(recognizer):
    pcm, marks = timeline(CHATTER, seed=2)
    decisions = run(Listener(recognizer), pcm)
    assert len(decisions) >= len(CHATTER) - 1  # they were heard as utterances...
    assert _accepted(decisions) == []          # ...and none became a command


def test_plain_closed_grammar_would_have_accepted_chatter(recognizer):
    """The failure the listener beats: without the open-LM and coverage checks and without
    the template witness, chatter maps to commands; the templates alone refuse most of it."""
    closed = PocketSphinxRecognizer(second_pass=False)
    pcm, _ = timeline(CHATTER, seed=2)
    plain = Listener(closed, config=ListenerConfig(max_uncovered=None), templates=None)
    assert len(_accepted(run(plain, pcm))) >= 3
    witnessed = Listener(closed, config=ListenerConfig(max_uncovered=None))
    assert len(_accepted(run(witnessed, pcm))) < len(_accepted(run(plain, pcm)))


def test_decisions_do_not_depend_on_chunk_size(recognizer):
    pcm, _ = timeline(["stop", "is that tender", "okay next"], seed=3)
    a = run(Listener(recognizer), pcm, chunk=160)
    b = run(Listener(recognizer), pcm, chunk=16000)
    assert a == b and len(_accepted(a)) >= 1


def test_set_active_between_feeds(recognizer):
    pcm, marks = timeline(["next", "next"], seed=4, gap=2.0)
    listener = Listener(recognizer)
    listener.set_active({"tender"})
    middle = int(16000 * (marks[0][2] + marks[1][1]) / 2)
    first = listener.feed(pcm[:middle])
    listener.set_active({"next"})
    second = listener.feed(pcm[middle:]) + listener.flush()
    assert [d.command for d in first] == [None]
    assert [d.command for d in second] == ["next"]
    assert listener.t == pytest.approx(len(pcm) / 16000)


def test_stop_is_always_active(recognizer):
    pcm, _ = timeline(["stop"], seed=5)
    listener = Listener(recognizer)
    listener.set_active(set())
    assert [d.command for d in _accepted(run(listener, pcm))] == ["stop"]
