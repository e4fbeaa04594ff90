"""Among other talkers, an utterance heard where a tighter gate would have closed it
(Segmenter.early, Listener._early): real espeak-ng speech in real espeak-ng babble (three
talkers, 10 dB under the word, as the issue's room), the real silero VAD, PocketSphinx and the
shipped templates. Nothing is faked."""

from __future__ import annotations

import numpy as np
import pytest
from listen_audio import run

from voice_guide.const import FRAME, RATE
from voice_guide.ears.engines.pocketsphinx import PocketSphinxRecognizer
from voice_guide.ears.evidence import EvidenceConfig, Witnesses, could_take, weigh
from voice_guide.ears.listener import Listener
from voice_guide.ears.segmenter import Segmenter, SegmenterConfig
from voice_guide.ears.templates import NOT_A_COMMAND, Match
from voice_guide.runners.simulate import noise as room
from voice_guide.runners.simulate.simulator import trim, voiced_rms
from voice_guide.runners.simulate.synth import synthesize

AT = 5.0  # where the word starts (s): the room has been busy for a while by then


@pytest.fixture(scope="module")
def in_babble() -> tuple[np.ndarray, float]:
    """"located" 5 s into three talkers 10 dB under it, and where the word ends. The talkers
    go on after it without a pause, and hold the utterance open for 0.4 s more."""
    word = trim(synthesize("located")).astype(float)
    x = room.babble(int(8 * RATE) + len(word), np.random.default_rng(2), talkers=3)
    x *= voiced_rms(word) / 10 ** 0.5 / np.sqrt(np.mean(x ** 2))
    x[int(AT * RATE):int(AT * RATE) + len(word)] += word
    end = AT + np.nonzero(np.abs(word) > 100)[0][-1] / RATE
    return np.clip(np.round(x), -32768, 32767).astype(np.int16), end


def test_the_segmenter_offers_the_word_before_the_talkers_pause(in_babble):
    """The talkers hold the utterance open 0.4 s past the word; `early` offers it cut at the
    word's end, half a second before the close, and offering alone changes no segment."""
    pcm, end = in_babble
    frames = [pcm[k * FRAME:(k + 1) * FRAME] for k in range(len(pcm) // FRAME)]
    seg = Segmenter()
    offered, closed = [], []
    for frame in frames:
        got = seg.push(frame)
        if got is not None:
            closed.append(got)
        elif (early := seg.early()) is not None:
            offered.append(early)
    word = next(s for s in closed if s.start < end < s.end + 0.1)
    assert word.end > end + 0.3  # the talkers hold it open
    cut = [s for s in offered if s.start == word.start]
    # cut where the word's last loud frame is (its final "d" is quieter; the postroll keeps
    # it), half a second before the close
    assert cut and any(end - 0.15 < s.end <= end and s.closed < word.closed - 0.3
                       for s in cut), (end, word, cut)
    # offered, never closed by itself: without the listener's cut the close is the same
    late = Segmenter(SegmenterConfig(early_db=None))
    again = [s for frame in frames if (s := late.push(frame)) is not None]
    assert [(s.start, s.end, s.closed) for s in again] == [
        (s.start, s.end, s.closed) for s in closed]


def decisions(pcm: np.ndarray, early: bool) -> list:
    listener = Listener(PocketSphinxRecognizer(),
                        segmenter=SegmenterConfig(early_db=14.0 if early else None))
    return run(listener, pcm, chunk=320)  # the session's microphone blocks (20 ms)


def test_a_command_the_talkers_hold_open_is_taken_at_the_cut(in_babble):
    """Heard at the close, the utterance carries the talkers' words after "located" and is
    refused 0.6 s after the word; heard at the cut, it is taken 0.2 s after it, and the rest
    of the talkers' stretch opens nothing new."""
    pcm, end = in_babble
    late = [d for d in decisions(pcm, early=False) if d.start < end < d.end + 0.1]
    assert len(late) == 1 and late[0].command is None and late[0].t > end + 0.5
    heard = decisions(pcm, early=True)
    taken = [d for d in heard if d.command is not None]
    assert [d.command for d in taken] == ["located"]
    assert taken[0].t - end < 0.3 and abs(taken[0].end - end) < 0.15
    assert not [d for d in heard if taken[0].end < d.start < taken[0].t + 0.3]


def test_the_templates_are_asked_first_and_never_refuse_what_would_be_taken():
    """`could_take` spares the grammar pass where the templates cannot carry a command at
    the early cut's confidence; over a sweep of distances, wherever the weighing (with the
    grammar agreeing, the best it can do among other talkers) reaches that confidence,
    could_take said yes."""
    cfg, at = EvidenceConfig(), 0.95
    busy = Witnesses("located", rules_accept=True, busy=True)
    seen = {True: 0, False: 0}
    for d in np.arange(0.05, 0.40, 0.005):
        for lead in (0.0, 0.01, 0.05, 0.2):
            matches = [Match("located", float(d), "located", "x"),
                       Match("local", float(d + lead), "local", "x")]
            v = weigh(busy, matches, length=0.6, active=frozenset({"located", "local"}),
                      expected=frozenset(), cfg=cfg)
            ok = could_take(matches, frozenset(), at, cfg)
            seen[ok] += 1
            assert ok or not (v.command and v.confidence >= at), (d, lead, v)
    assert seen[True] and seen[False]
    question = [Match(NOT_A_COMMAND, 0.05, "is that tender", "x"),
                Match("tender", 0.06, "tender", "x")]
    assert not could_take(question, frozenset(), at, cfg)
    assert not could_take(question[1:], frozenset(), at, cfg)  # a lead over nothing
