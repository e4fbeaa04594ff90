"""Checking one take and framing it as the listener frames an utterance (no I/O).

A take is refused, with a reason the guide says aloud, when it would teach the profile the
wrong thing: too quiet against the room (the room, a cough), clipped (a distorted copy of the
voice), cut off at the edge of the capture (half a word), too long or short for a command, or
too different from the other takes of the same phrasing (another word, a stumble). Accepted
takes are cut exactly as the listener cuts what it hears (templates.speech_span, PRE/POST
around the speech, a faint hiss under it): framing moves the embedding a lot.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from voice_guide.const import FRAME, RATE
from voice_guide.ears.coverage import clipped
from voice_guide.ears.listener import SPAN_ROOM_DB, dither
from voice_guide.ears.room import QUIET_ROOM_DB, frame_db
from voice_guide.ears.templates import POST, PRE, Templates, speech_span


@dataclass(frozen=True)
class TakeConfig:
    above_room_db: float = 12.0  # the loudest speech must stand this far above the room
    edge_db: float = 20.0        # speech this close to its loudest at the capture's edge: cut off
    edge: float = 0.03           # ... in the first/last this many seconds
    min_length: float = 0.12     # speech shorter than this is a click (s)
    max_length: float = 2.6      # the longest phrasing, said slowly (ListenerConfig.max_length)
    max_spread: float = 0.18     # a take farther than this from every other take of its
                                 # phrasing is the odd one (same word by one voice at other
                                 # tempos/pitches: at most 0.14; another word: 0.18 or more)


def room_of(pcm: np.ndarray) -> float:
    """The room under a take, when nothing measured it (a file): its quietest frames."""
    db = frame_db(pcm, FRAME)
    return max(float(np.percentile(db, 10)), QUIET_ROOM_DB) if len(db) else QUIET_ROOM_DB


def problem(pcm: np.ndarray, room_db: float | None = None, cfg: TakeConfig = TakeConfig()
            ) -> str | None:
    """Why this take cannot be used (said to the user), or None when it can."""
    pcm = np.asarray(pcm, dtype=np.int16).reshape(-1)
    if len(pcm) < FRAME * 4:
        return "nothing was recorded"
    room = max(room_of(pcm) if room_db is None else room_db, QUIET_ROOM_DB)
    db = frame_db(pcm, FRAME)
    loudest = float(db.max())
    if loudest - room < cfg.above_room_db:
        return (f"too quiet: the loudest sound was {max(loudest - room, 0):.0f} dB above the "
                f"room (needs {cfg.above_room_db:g}); speak up or come closer to the microphone")
    if clipped(pcm):
        return "clipped: too loud for the microphone; move back a little or lower its gain"
    n = max(1, int(cfg.edge * RATE))
    edges = frame_db(pcm[:n], n), frame_db(pcm[-n:], n)
    if edges[0][0] > loudest - cfg.edge_db:
        return "cut off at the start: begin after the guide has finished speaking"
    if edges[1][0] > loudest - cfg.edge_db:
        return "cut off at the end: finish the word, then stay quiet for a moment"
    a, b = speech_span(pcm, room + SPAN_ROOM_DB)
    length = (b - a) / RATE
    if length < cfg.min_length:
        return f"too short ({length:.2f} s): say the whole phrasing"
    if length > cfg.max_length:
        return f"too long ({length:.1f} s): say only the phrasing, on its own"
    return None


def framed(pcm: np.ndarray, room_db: float | None = None) -> np.ndarray:
    """The take cut as the listener cuts an utterance (listener.Listener._query does the same
    from what it heard): PRE s before the speech, POST s after, zeros beyond, a faint hiss."""
    pcm = np.asarray(pcm, dtype=np.int16).reshape(-1)
    room = max(room_of(pcm) if room_db is None else room_db, QUIET_ROOM_DB)
    a, b = speech_span(pcm, room + SPAN_ROOM_DB)
    a, b = a - int(PRE * RATE), b + int(POST * RATE)
    x = np.zeros(b - a, dtype=np.int16)
    x[max(0, -a):max(0, -a) + len(pcm[max(a, 0):b])] = pcm[max(a, 0):b]
    return dither(x)


def odd_take(frames: Sequence[np.ndarray], cfg: TakeConfig = TakeConfig()
             ) -> tuple[int, float] | None:
    """The take farthest from every other take of the same phrasing, and that distance, when
    it is farther than `cfg.max_spread` (DTW distance, as the listener measures)."""
    if len(frames) < 2:
        return None
    nearest = []
    for k, query in enumerate(frames):
        others = [("x", "x", "x", f) for j, f in enumerate(frames) if j != k]
        nearest.append(float(Templates.from_embeddings(others, "").distances(query).min()))
    worst = int(np.argmax(nearest))
    return (worst, nearest[worst]) if nearest[worst] > cfg.max_spread else None

