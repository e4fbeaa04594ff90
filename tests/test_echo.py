"""The guide recognises its own voice from the audio it played (real espeak-ng speech)."""

from __future__ import annotations

import numpy as np

from voice_guide.ears.segmenter import Segmenter
from voice_guide.runners.simulate.synth import synthesize
from voice_guide.session.core import content
from voice_guide.session.echo import explained_share

RATE = 16000


def room(length: float, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).normal(0, 30, int(length * RATE))


def test_echo_alone_is_explained_and_a_reply_over_it_is_not():
    cue = synthesize("Say next when you are ready.").astype(float)
    word = synthesize("stop").astype(float)
    mic = room(5.0)
    at = RATE
    mic[at:at + len(cue)] += 0.5 * cue
    part = slice(at + 8000, at + 20000)
    assert explained_share(mic[part], part.start / RATE, cue, 1.0) > 0.95
    talk = mic.copy()
    talk[part.start:part.start + len(word)] += word  # therapist 6 dB above the echo
    assert explained_share(talk[part], part.start / RATE, cue, 1.0) < 0.4
    alone = room(1.0) + np.pad(word, (0, RATE - len(word)))
    assert explained_share(alone, 3.0, cue, 1.0) < 0.05


def test_segment_audio_is_the_microphone_audio_even_right_after_another_segment():
    """The preroll of a segment that follows another closely is the audio just before it
    (a bug once took it from before the previous segment, and echo matching failed)."""
    words = [synthesize(w).astype(float) for w in ("next", "located", "tender")]
    mic = room(4.0, seed=1)
    starts = [0.5, 1.35, 2.3]
    for w, s in zip(words, starts, strict=True):
        mic[int(s * RATE):int(s * RATE) + len(w)] += w
    pcm = np.clip(mic, -32768, 32767).astype(np.int16)
    seg = Segmenter()
    frame = 512
    found = [s for k in range(len(pcm) // frame)
             if (s := seg.push(pcm[k * frame:(k + 1) * frame])) is not None]
    assert len(found) >= 2
    for s in found:
        i0 = int(round(s.pcm_start * RATE))
        assert np.array_equal(s.pcm, pcm[i0:i0 + len(s.pcm)])


def test_a_cue_shares_only_carrier_words_with_a_report_it_is_not_its_echo():
    """The session refuses a command whose words are in a cue it overlaps (the cue's own
    "say tender"); the words compared leave out those that only carry a phrasing: the
    iliacus example's "worse", taken as the phrasing "it's worse" over the cue "It refers.
    Hold steady...", was refused for the "it" they share."""
    assert content("it's worse") == "worse" and content("go back") == "back"
    assert content("That's tender") == "tender" and content("pins and needles") == \
        "pins and needles"
