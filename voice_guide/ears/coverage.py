"""Speech the command words do not cover: the witness that tells a report from a sentence.

A closed grammar maps any speech onto some phrasing, but it must still place that phrasing's
words somewhere in the audio, and it lets silence absorb the rest. "Is it softer now" comes
back as "it's softer", with "now" inside the silence after it. So: the loud frames
(near the loudest frame of the words, and clearly above the room) that fall outside the
aligned words are speech the command does not explain.

Measured on isolated espeak-ng utterances of the tune split (benchmarks/RESULTS-listen.md),
counting exact word spans: the median chatter sentence has 0.88 s of such speech, 95 % of
correctly heard commands at most 0.05 s.
"""

from __future__ import annotations

import numpy as np

from voice_guide.ears.room import frame_db

HOP = 160  # 10 ms at 16 kHz: the recognizer's frame rate
FULL_SCALE = 32000
#: Above this share of samples at full scale the input is clipped: a plosive's release is then
#: as loud as the vowel ("stop" 30 dB over full scale: its final "p" was 0.07 s "outside"), so
#: levels no longer tell speech from its edges and the rule does not judge.
CLIPPED_SHARE = 0.01


def clipped(pcm: np.ndarray) -> bool:
    x = np.abs(np.asarray(pcm, dtype=np.int32))
    return len(x) > 0 and bool(np.count_nonzero(x >= FULL_SCALE) > CLIPPED_SHARE * len(x))


def uncovered(pcm: np.ndarray, words: tuple[tuple[float, float], ...], *,
              below_peak_db: float = 25.0, floor_db: float | None = None,
              slack: float = 0.05, within: tuple[float, float] | None = None) -> float:
    """Seconds of loud audio in `pcm` outside the word spans (start, end in seconds from
    pcm[0]). Loud: within `below_peak_db` of the loudest frame inside the words and above
    `floor_db` (the room plus a margin). `slack` widens each span for alignment jitter: a nasal
    onset ('n' of numbness) is often left to the silence before the word. `within` (seconds
    from pcm[0]) limits the count to the utterance itself: the preroll before it may hold the
    end of a cue or of other speech that the segmenter already set apart."""
    db = frame_db(pcm, HOP)
    counted = np.ones(len(db), dtype=bool)
    if within is not None:
        counted[:] = False
        counted[max(0, int(within[0] * 100)):int(np.ceil(within[1] * 100))] = True
    inside = np.zeros(len(db), dtype=bool)
    for start, end in words:
        a = max(0, int((start - slack) * 100))
        b = min(len(db), int(np.ceil((end + slack) * 100)))
        inside[a:b] = True
    if not inside.any():
        return 0.0
    threshold = db[inside].max() - below_peak_db
    if floor_db is not None:
        threshold = max(threshold, floor_db)
    return float(np.count_nonzero((db >= threshold) & ~inside & counted)) / 100.0
