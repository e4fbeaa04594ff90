"""Where the guide's own voice falls on the audio timeline, for scripted audio.

It follows the live speaker's policy (voice_guide.voice.speaker: priority order, `cuts_in`, stale
counts dropped), but on audio time instead of the wall clock, and it keeps the rendered audio
so the simulator can mix it into the microphone signal as echo.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from voice_guide.const import RATE
from voice_guide.events import Event
from voice_guide.voice.speaker import MAX_WAIT, STALE_TIMER_CUE, cuts_in, rank, waits

#: Bounds, so a session of hours keeps flat memory (benchmarks/soak.py): the renders of the
#: most recently spoken texts are kept up to this many bytes of audio (2 minutes of int16 at
#: 16 kHz; "time" answers are new text each time, step cues come back), and clips that ended
#: this long ago are forgotten (the echo guard in Session keeps its own last minute).
CACHE_BYTES = 120 * RATE * 2
KEEP_CLIPS = 60.0


@dataclass
class Clip:
    start: float
    pcm: np.ndarray
    cue: dict
    cut_at: float | None = None
    scaled: bool = False  # the simulator has scaled pcm to the script's echo level

    @property
    def end(self) -> float:
        full = self.start + len(self.pcm) / RATE
        return min(full, self.cut_at) if self.cut_at is not None else full


@dataclass(order=True)
class _Queued:
    rank: int
    seq: int
    t: float = field(compare=False)
    cue: dict = field(compare=False)


class GuideVoice:
    """Cue events in (as a session sink); clips on the audio timeline out."""

    def __init__(self, render: Callable[[str], np.ndarray],
                 on_clip: Callable[[Clip], None] | None = None,
                 therapist_speaking: Callable[[], bool] | None = None) -> None:
        """`therapist_speaking()`: an utterance is open now (the listener's segmenter); while
        it is, cues that `waits()` stay queued, as with the live speaker."""
        self.render = render
        self.on_clip = on_clip
        self.therapist_speaking = therapist_speaking
        self.clips: list[Clip] = []
        self._queue: list[_Queued] = []
        self._seq = itertools.count()
        self._cache: dict[str, np.ndarray] = {}  # least recently spoken first
        self._cache_bytes = 0

    def __call__(self, event: Event) -> None:
        if event.event != "cue":
            return
        cue, t = dict(event.data), event.t
        self.advance(t)
        current = self.current(t)
        if current and cuts_in(cue, current.cue):
            current.cut_at = t
            self._report(current)
        if cue.get("interrupt"):
            self._queue.clear()
        heapq.heappush(self._queue, _Queued(rank(cue), next(self._seq), t, cue))
        self.advance(t)

    def current(self, t: float) -> Clip | None:
        last = self.clips[-1] if self.clips else None
        return last if last and last.start <= t < last.end else None

    def busy_until(self) -> float:
        """When the last clip placed so far ends (queued cues are placed by advance())."""
        return self.clips[-1].end if self.clips else 0.0

    def idle(self, t: float) -> bool:
        self.advance(t)
        return not self._queue and self.busy_until() <= t

    def advance(self, t: float) -> None:
        """Place queued cues whose turn to be spoken has come by audio time t."""
        while self._queue:
            free = max(self.busy_until(), self._queue[0].t)
            if free > t:
                return
            head = self._queue[0]
            if self._holds_back(head, t):
                return
            if free < t - 0.05 and waits(head.cue):
                free = t  # it waited: it starts now, not back when it was due
            item = heapq.heappop(self._queue)
            if item.cue.get("priority") == "timer" and free - item.t > STALE_TIMER_CUE:
                continue  # an out-of-date count is dropped, as the live speaker does
            self.clips.append(Clip(free, self._audio(item.cue["text"]), item.cue))
            self.clips = [c for c in self.clips[:-1] if c.end > free - KEEP_CLIPS
                          ] + self.clips[-1:]
            self._report(self.clips[-1])

    def _holds_back(self, item: _Queued, t: float) -> bool:
        return (self.therapist_speaking is not None and waits(item.cue)
                and t - item.t < MAX_WAIT and self.therapist_speaking())

    def _audio(self, text: str) -> np.ndarray:
        """The text's render, from the cache (least recently spoken out first, within
        CACHE_BYTES; a render larger than that is not kept)."""
        pcm = self._cache.pop(text, None)
        if pcm is None:
            pcm = self.render(text)
            self._cache_bytes += pcm.nbytes
        self._cache[text] = pcm  # now the most recent
        while self._cache_bytes > CACHE_BYTES and self._cache:
            self._cache_bytes -= self._cache.pop(next(iter(self._cache))).nbytes
        return pcm

    def _report(self, clip: Clip) -> None:
        """Placed (full length), and again if cut short: the guard keeps the latest."""
        if self.on_clip:
            self.on_clip(clip)

    def mix(self, start: int, n: int) -> np.ndarray:
        """The guide's audio over samples [start, start + n), float64 (before echo gain)."""
        out = np.zeros(n)
        for clip in reversed(self.clips):
            c0 = int(round(clip.start * RATE))
            c1 = int(round(clip.end * RATE))
            if c1 <= start:
                break
            lo, hi = max(start, c0), min(start + n, c1)
            if lo < hi:
                out[lo - start:hi - start] += clip.pcm[lo - c0:hi - c0]
        return out
