"""How loud the room is between utterances, so a command must stand out from it.

A therapist speaks a report to the guide clearly; music, other talkers and the guide's own
echo are the room. The room level is the median energy of the recent frames that were not
part of any utterance (the segmenter's gaps), so the therapist's own conversation and the
guide's echo do not raise it. An utterance whose level is not clearly above it is the room
talking (babble, a loud passage of music), not the therapist.
"""

from __future__ import annotations

from collections import deque

import numpy as np

from voice_guide.const import FRAME, RATE

FPS = RATE / FRAME
#: The quietest room there is: a faint hiss (RMS about 30 of 32768). Digital silence reads 0 dB.
QUIET_ROOM_DB = 30.0


class RoomLevel:
    def __init__(self, window: float = 10.0, longest: float = 4.0) -> None:
        self.window = window
        self._db: deque[tuple[int, float]] = deque(maxlen=int((window + longest) * FPS))
        self._spans: deque[tuple[int, int]] = deque(maxlen=64)
        self._last: tuple[float, float | None] | None = None  # level()'s last question, answer

    def push(self, index: int, frame: np.ndarray) -> None:
        x = frame.astype(np.float64)
        self._db.append((index, 10.0 * np.log10(np.mean(x * x) + 1.0)))
        self._last = None

    def mark(self, start: float, end: float) -> None:
        """Frames from start to end (s) belong to an utterance, not to the room."""
        self._spans.append((int(start * FPS), int(np.ceil(end * FPS))))
        self._last = None

    def level(self, before: float) -> float | None:
        """Median dB of the room in the `window` seconds before `before` (None: too little).
        Kept until the next frame or mark: the listener asks three times per utterance (the
        room margin, the templates' span, the coverage floor)."""
        if self._last is None or self._last[0] != before:
            self._last = (before, self._measure(before))
        return self._last[1]

    def _measure(self, before: float) -> float | None:
        hi = int(before * FPS)
        lo = hi - int(self.window * FPS)
        if not self._db:
            return None
        index, db = np.array(self._db).T
        keep = (index >= lo) & (index < hi)
        for a, b in self._spans:
            keep &= (index < a) | (index >= b)
        values = db[keep]
        return float(np.median(values)) if len(values) >= FPS else None


def utterance_level(pcm: np.ndarray, skip: float, length: float) -> float | None:
    """An utterance's level: the 75th percentile dB of its frames (after `skip` seconds of
    preroll). Taken from the audio that is decoded, so an echo taken out does not count."""
    db = frame_db(np.asarray(pcm)[int(skip * RATE): int((skip + length) * RATE)], FRAME)
    return float(np.percentile(db, 75)) if len(db) else None


def loud_span(pcm: np.ndarray, below_peak_db: float = 25.0, hop: int = FRAME,
              floor_db: float | None = None) -> tuple[int, int] | None:
    """First and last sample of the frames (`hop` samples) within `below_peak_db` of the
    loudest frame and, when given, above `floor_db` (the room)."""
    db = frame_db(pcm, hop)
    if len(db) == 0:
        return None
    threshold = db.max() - below_peak_db
    if floor_db is not None:
        threshold = min(max(threshold, floor_db), db.max())
    loud = np.flatnonzero(db >= threshold)
    return int(loud[0]) * hop, int(loud[-1] + 1) * hop


def frame_db(pcm: np.ndarray, hop: int) -> np.ndarray:
    """Energy in dB of each whole frame of `hop` samples (a partial last frame is dropped)."""
    x = np.asarray(pcm, dtype=np.float64)
    n = len(x) // hop
    return 10.0 * np.log10(np.mean(x[: n * hop].reshape(n, hop) ** 2, axis=1) + 1.0)
