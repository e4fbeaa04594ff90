"""Hearing ahead of the close (voice_guide/ears/ahead.py), with real PocketSphinx on real
espeak-ng speech in pink noise: the same decisions as hearing at the close, and the call that
returns a decision no longer decodes. Nothing is faked; the recognizer is wrapped only to count
its calls."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from listen_audio import add_pink, timeline

from voice_guide.ears.engines.pocketsphinx import PocketSphinxRecognizer
from voice_guide.ears.listener import Listener, ListenerConfig

BLOCK = 320  # the session's microphone blocks (20 ms)
LINES = ["okay next", "we will breathe out, slowly, and then rest", "tender", "stop",
         "is it softer now", "found it", "one more, and we are done", "finished"]


class Counted:
    """A real recognizer whose decoding calls are counted."""

    def __init__(self) -> None:
        self.inner = PocketSphinxRecognizer()
        self.name, self.grammar = self.inner.name, self.inner.grammar
        self.calls = self.transcribed = 0

    def set_commands(self, active):
        self.inner.set_commands(active)

    def decode(self, pcm):
        self.calls += 1
        return self.inner.decode(pcm)

    def margin(self, pcm, command, rivals):
        self.calls += 1
        return self.inner.margin(pcm, command, rivals)

    def transcribe(self, pcm):
        self.calls += 1
        self.transcribed += 1
        return self.inner.transcribe(pcm)


def heard(ahead: bool, pcm: np.ndarray):
    """Decisions, and per decision the decoding calls made in the feed call that returned it."""
    rec = Counted()
    listener = Listener(rec, config=replace(ListenerConfig(), ahead=ahead))
    out = []
    for i in range(0, len(pcm), BLOCK):
        before = rec.calls
        got = listener.feed(pcm[i:i + BLOCK])
        out += [(d, rec.calls - before) for d in got]
    return out + [(d, 0) for d in listener.flush()], rec


@pytest.fixture(scope="module")
def stream():
    pcm, _ = timeline(LINES, voice="en-us+f2", gap=1.2, seed=3, noise=0.0)
    return add_pink(pcm, 20.0, seed=3)


def test_ahead_decides_the_same_and_the_deciding_call_does_not_decode(stream):
    later, rec_later = heard(False, stream)
    ahead, rec_ahead = heard(True, stream)
    facts = [[(d.command, d.t, d.start, d.end, d.text, d.reason, d.free_text, d.confirm)
              for d, _ in run] for run in (later, ahead)]
    assert facts[0] == facts[1]
    commands = [d.command for d, _ in ahead if d.command]
    assert {"next", "tender", "stop", "located", "finish"} <= set(commands), commands
    # at the close nothing is decoded again: it was all done while the hangover ran
    assert [n for d, n in ahead if d.command] == [0] * len(commands)
    assert all(n > 0 for d, n in later if d.command)
    # speech went on after a pause ("breathe out, slowly"): heard ahead, then heard again
    assert rec_ahead.calls > rec_later.calls


def test_beside_the_templates_the_open_pass_is_not_asked_for_a_command(stream):
    """The open-vocabulary pass runs only where the templates do not judge: a live session
    waited up to 0.8 s for it on numb, finish and back (benchmarks/RESULTS-listen.md). With
    the templates, "finished" and the rest are taken without it; without them, it is asked."""
    rec = Counted()
    listener = Listener(rec)
    decisions = listener.feed(stream) + listener.flush()
    assert "finish" in [d.command for d in decisions]
    longest = listener.cfg.evidence.max_length
    assert rec.transcribed == 0 and all(d.free_text is None for d in decisions
                                        if d.end - d.start <= longest)
    bare = Counted()
    alone = Listener(bare, templates=None)
    without = alone.feed(stream) + alone.flush()
    assert "finish" in [d.command for d in without]
    # the open decoder is loaded on its first call, not at start-up, and hears words then
    assert bare.transcribed > 0 and any(d.free_text for d in without)


def test_the_grammar_pass_leads_with_the_command_said(stream):
    """The grammar pass's margin (Recognizer.margin), on the segments the listener cut from
    real speech in pink noise: positive for the command said over others, negative (or None:
    a path that far below the best underflows the score PocketSphinx's API returns) for
    another command over the one said."""
    rec = PocketSphinxRecognizer()
    listener = Listener(rec)
    taken = [d for d in listener.feed(stream) + listener.flush()
             if d.command in {"tender", "stop", "finish"}]
    assert len(taken) == 3
    for d in taken:
        own = rec.margin(d.pcm, d.command, ("pulse", "next", "yes"))
        other = rec.margin(d.pcm, "pulse", (d.command,))
        assert own is not None and own > 0, (d.command, own)
        assert other is None or other < 0, (d.command, other)
