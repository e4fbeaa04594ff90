"""The per-frame arithmetic of the ears, rewritten for speed, against its plain definition.

The segmenter's busy-room floor and the room level run on every 30 ms frame of a busy room;
their fast forms must give exactly what the plain ones gave (the benchmarks were tuned on
those).
"""

from __future__ import annotations

from collections import deque

import numpy as np
import pytest

from voice_guide.const import FRAME
from voice_guide.ears.room import FPS, RoomLevel
from voice_guide.ears.segmenter import percentile


@pytest.mark.parametrize("n", [1, 2, 7, 100, 333])
@pytest.mark.parametrize("q", [0.0, 10.0, 37.5, 50.0, 100.0])
def test_percentile_is_numpys_linear_percentile(n, q):
    values = deque(np.random.default_rng(n).normal(40.0, 12.0, n).tolist())
    assert percentile(values, q) == pytest.approx(np.percentile(list(values), q), abs=1e-9)


def test_room_level_is_the_median_outside_utterances():
    rng = np.random.default_rng(3)
    room = RoomLevel(window=2.0, longest=1.0)
    frames = [rng.normal(0, rng.uniform(10, 3000), FRAME).astype(np.int16) for _ in range(200)]
    for i, frame in enumerate(frames):
        room.push(i, frame)
    room.mark(1.0, 1.6)
    room.mark(2.5, 2.8)
    before = 190 / FPS
    hi, lo = 190, 190 - int(2.0 * FPS)
    spans = [(int(1.0 * FPS), int(np.ceil(1.6 * FPS))), (int(2.5 * FPS), int(np.ceil(2.8 * FPS)))]
    kept = [10.0 * np.log10(np.mean(f.astype(np.float64) ** 2) + 1.0)
            for i, f in enumerate(frames)
            if lo <= i < hi and not any(a <= i < b for a, b in spans)]
    assert room.level(before) == pytest.approx(float(np.median(kept)))
    assert RoomLevel().level(1.0) is None  # nothing heard yet
