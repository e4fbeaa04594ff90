"""The segmenter on real espeak-ng speech and the real silero VAD."""

from __future__ import annotations

import numpy as np
import pytest

from voice_guide.const import FRAME, RATE
from voice_guide.ears.segmenter import Segment, Segmenter, SegmenterConfig, SileroVad
from voice_guide.runners.simulate import noise as room
from voice_guide.runners.simulate.simulator import trim, voiced_rms
from voice_guide.runners.simulate.synth import synthesize


def hiss(seconds: float, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).normal(0, 30, int(seconds * RATE))


def frames(x: np.ndarray) -> list[np.ndarray]:
    pcm = np.clip(np.round(x), -32768, 32767).astype(np.int16)
    return [pcm[k * FRAME:(k + 1) * FRAME] for k in range(len(pcm) // FRAME)]


class Heard:
    """silero as the segmenter drives it: every probability it gave, and where it was reset."""

    def __init__(self) -> None:
        self.vad, self.probs, self.resets = SileroVad(), [], []

    def __call__(self, frame: np.ndarray) -> float:
        self.probs.append(self.vad(frame))
        return self.probs[-1]

    def reset(self) -> None:
        self.resets.append(len(self.probs))  # the first frame after the reset
        self.vad.reset()


def segmented(x: list[np.ndarray]) -> Heard:
    heard = Heard()
    seg = Segmenter(vad=heard)
    for f in x:
        seg.push(f)
    return heard


def test_the_vad_starts_afresh_after_a_second_of_certain_silence():
    """silero is recurrent and its state drifts deaf over a long session (the Korean example
    lost a clear word); after a second in a quiet room it is sure of silence, it is reset:
    from there on it gives what a fresh model gives, where one never reset does not."""
    talk = synthesize("we will work on the left side today, breathe out slowly").astype(float)
    word = synthesize("stop").astype(float)
    x = frames(np.concatenate([hiss(0.5), talk + hiss(len(talk) / RATE, 1), hiss(1.6, 2),
                               word + hiss(len(word) / RATE, 3), hiss(0.5, 4)]))
    heard = segmented(x)
    at = next((k for k in heard.resets if k > len(talk) // FRAME), None)
    assert at is not None and at - len(talk) // FRAME <= RATE * 2.6 // FRAME, heard.resets
    probs = heard.probs
    assert max(probs[at:]) > 0.9  # the word after the silence is speech
    fresh = SileroVad()
    assert [fresh(f) for f in x[at:]] == pytest.approx(probs[at:], abs=1e-6)
    carried = SileroVad()
    assert [carried(f) for f in x][at:] != pytest.approx(probs[at:], abs=1e-6)


def test_the_vad_keeps_its_state_in_a_noisy_room():
    """In steady noise the carried state is what keeps the noise from sounding like speech:
    no reset there, however sure the model is that nobody speaks."""
    word = synthesize("stop").astype(float)
    noisy = frames(np.concatenate([hiss(3.0) * 10, word + hiss(len(word) / RATE, 1) * 10]))
    heard = segmented(noisy)
    never = SileroVad()
    assert heard.resets == []
    assert heard.probs == pytest.approx([never(f) for f in noisy], abs=1e-6)


def test_pending_is_the_segment_the_close_will_give():
    """Once an utterance's postroll is in, pending() gives exactly the segment the close
    gives when no more speech comes (same audio, times and close time), so what the listener
    decodes ahead of the close is what it would decode at it (ahead.py); before, None."""
    word = synthesize("located").astype(float)
    x = frames(np.concatenate([hiss(1.0), word + hiss(len(word) / RATE, 1), hiss(1.0, 2)]))
    seg = Segmenter()
    seen = []
    for f in x:
        closed = seg.push(f)
        if closed is not None:
            break
        seen.append(seg.pending())
    assert closed is not None
    ahead = [p for p in seen if p is not None]
    assert ahead, "the pending utterance was never whole before its close"
    first = seen.index(ahead[0])
    post = round(seg.cfg.postroll * RATE / FRAME) * FRAME / RATE  # in whole frames
    assert (first + 1) * FRAME / RATE - closed.end == pytest.approx(post)  # as soon as it can
    assert closed.closed - closed.end > post  # ... and before the hangover ends
    for p in ahead:
        assert (p.start, p.end, p.closed, p.pcm_start) == (closed.start, closed.end,
                                                           closed.closed, closed.pcm_start)
        assert np.array_equal(p.pcm, closed.pcm)
    assert all(p is None for p in seen[:first])


def in_music(text: str, seed: int) -> tuple[list[np.ndarray], float]:
    """A word 2.5 s into music at 15 dB below it (the listening benchmark's music room), and
    where the word ends (its last sample over 100)."""
    word = synthesize(text).astype(float)
    pre, post = int(2.5 * RATE), int(1.5 * RATE)
    music = room.music(pre + len(word) + post, np.random.default_rng(seed))
    voiced = word[np.abs(word) > 100]
    music *= np.sqrt(np.mean(voiced ** 2) / 10 ** 1.5 / np.mean(music ** 2))
    music[pre:pre + len(word)] += word
    return frames(music), (pre + np.nonzero(np.abs(word) > 100)[0][-1]) / RATE


def closing(x: list[np.ndarray], end: float, tail_db: float | None) -> Segment:
    seg = Segmenter(SegmenterConfig(tail_db=tail_db))
    got = [s for f in x if (s := seg.push(f)) is not None]
    return next(s for s in got if s.start < end < s.closed)


@pytest.mark.parametrize(("text", "seed"), [("yes", 1), ("stop", 1), ("it's fading", 2)])
def test_music_after_a_word_does_not_hold_the_utterance_open(text, seed):
    """silero calls the music after a word speech for a while, and the hangover waited that
    out. An open utterance goes on only a little (tail_db) above the room's energy floor: the
    close comes sooner, and the word is still whole in the segment."""
    x, end = in_music(text, seed)
    vad_alone, tail = closing(x, end, None), closing(x, end, SegmenterConfig.tail_db)
    assert tail.closed <= vad_alone.closed - 0.06, (vad_alone, tail)
    assert tail.start == vad_alone.start and tail.end > end - 0.06


def starts(x: list[np.ndarray], config: SegmenterConfig) -> list[float]:
    seg = Segmenter(config)
    return [s.start for s in (seg.push(f) for f in x) if s is not None]


def test_a_vad_gone_deaf_in_music_is_woken_by_a_loud_word():
    """In steady music no frame is certain quiet, so silero is never reset (above), and its
    state can drift deaf. This is psoas at music 15 dB as the scripts benchmark plays it,
    from 88 s: after "local" at 92.9 s, a clear "next" at 123.7 s, 19 dB over the floor, got
    one frame over the threshold and no utterance; the session never left its step. After
    four loud frames with nothing open, a frame the VAD calls silence gets the opinion of a
    fresh state (Segmenter._wake)."""
    level = voiced_rms(synthesize("located"))
    n = int(126 * RATE)
    x = room.NoiseSource("music", level / 10 ** (15 / 20), seed=0).read(n) + hiss(126.0)
    for at, text in ((92.913, "local"), (123.687, "next")):
        s = trim(synthesize(text)).astype(float)
        x[int(round(at * RATE)):int(round(at * RATE)) + len(s)] += s
    clip = frames(x[88 * RATE:])
    deaf = starts(clip, SegmenterConfig(wake_db=None))
    woken = starts(clip, SegmenterConfig())
    assert not any(abs(88 + t - 123.7) < 0.3 for t in deaf), deaf
    assert any(abs(88 + t - 123.7) < 0.3 for t in woken), woken


def rooms(x: list[np.ndarray]) -> list[tuple[bool, bool]]:
    """The segmenter's busy and crowded flags as each utterance closes (when the listener
    weighs it)."""
    seg, flags = Segmenter(), []
    for f in x:
        if seg.push(f) is not None:
            flags.append((seg.busy, seg.crowded))
    return flags


def test_one_talkers_dense_speech_is_busy_but_other_talkers_are_crowded():
    """A therapist talking to the client, pausing and saying a command, keeps the VAD on
    often enough to turn the energy gate on (busy), but pauses between sentences: where an
    utterance closes after such a pause, that is not other talkers (crowded), which the
    weighing treats as a room whose words both witnesses lean toward. Babble, four talkers
    at once, is."""
    lines = ["we will work on the left side now", "next", "tell me if it spreads",
             "located", "let the belly go soft", "tender", "breathe out slowly", "fading"]
    talk = []
    for k, text in enumerate(lines):
        s = synthesize(text, rate=175).astype(float)
        talk += [s + hiss(len(s) / RATE, k), hiss(0.6, 10 + k)]
    flags = rooms(frames(np.concatenate(talk)))
    assert len(flags) >= 6 and any(busy for busy, _ in flags), flags
    assert not any(crowded for _, crowded in flags), flags
    seg, crowded = Segmenter(), []
    for f in frames(room.babble(RATE * 8, np.random.default_rng(3)) + hiss(8.0, 20)):
        seg.push(f)
        crowded.append(seg.crowded)
    assert all(crowded[RATE * 4 // FRAME:])  # from when its window is full, whatever closes
