"""Audio time with pauses taken out, and timers that fire on it.

The dialogue core never reads a wall clock: callers tell it the audio time (samples heard /
rate). `RunClock` subtracts paused spans so that pause freezes every timer; `TimerQueue`
returns due timers stamped with the exact audio time they were due, not the time they were
noticed, so a 12 s limit lands at exactly 12 s of unpaused audio.
"""

from __future__ import annotations

import heapq
import itertools
from dataclasses import dataclass, field
from typing import Any


class RunClock:
    """Maps audio time to run time (audio time minus every paused span)."""

    def __init__(self) -> None:
        self.paused_total = 0.0
        self.paused_at: float | None = None

    @property
    def paused(self) -> bool:
        return self.paused_at is not None

    def run(self, t: float) -> float:
        """Run time at audio time t; frozen while paused."""
        end = self.paused_at if self.paused_at is not None else t
        return end - self.paused_total

    def audio(self, run: float) -> float:
        """Audio time at which run time `run` is (or was) reached, given no further pause."""
        return run + self.paused_total

    def pause(self, t: float) -> None:
        if self.paused_at is None:
            self.paused_at = t

    def resume(self, t: float) -> None:
        if self.paused_at is not None:
            self.paused_total += max(0.0, t - self.paused_at)
            self.paused_at = None


@dataclass(order=True)
class Timer:
    due: float  # run time
    seq: int
    kind: str = field(compare=False)
    scope: str = field(compare=False)  # "step", "hold" or "session": cleared together
    payload: dict[str, Any] = field(compare=False, default_factory=dict)


class TimerQueue:
    """A heap of run-time timers, cancellable by scope."""

    def __init__(self) -> None:
        self._heap: list[Timer] = []
        self._seq = itertools.count()

    def add(self, due: float, kind: str, scope: str, **payload: Any) -> None:
        heapq.heappush(self._heap, Timer(due, next(self._seq), kind, scope, payload))

    def cancel(self, scope: str) -> None:
        self._heap = [t for t in self._heap if t.scope != scope]
        heapq.heapify(self._heap)

    def pop_due(self, run: float) -> Timer | None:
        if self._heap and self._heap[0].due <= run + 1e-9:
            return heapq.heappop(self._heap)
        return None

    def next_due(self) -> float | None:
        return self._heap[0].due if self._heap else None
