"""The guide's voice: cue events in, speech out, on a thread of its own.

Design (pyttsx3 can neither interrupt itself nor queue reliably, see docs/engines notes §3):
- `say(cue)` prints the cue's text at once and puts it in a priority queue; it never blocks,
  so listening and timers are never held up by speech.
- A worker thread takes the most urgent cue (safety < timer < normal, then first come), renders
  it with pyttsx3 in a child process (`voice_guide.voice.tts`, ~15 ms) or loads its sound file, and
  plays it through a cuttable sounddevice stream (`voice_guide.voice.playback`).
- Cutting in: a safety cue, a cue with `interrupt`, or a hold-limit/rep timer cue stops a less
  urgent cue that is being spoken; `interrupt` also empties the queue. `silence()` does both
  (pause/stop): measured well under 0.5 s from the call to the last audible sample.
- Counting cues ("8 seconds") that waited too long behind other speech are dropped instead of
  being spoken late; hold-limit and rep cues never wait (see `cuts_in`).
- Cues that can wait (`waits`: reprompts, paced reps, counts, step timers) stay queued while
  `therapist_speaking()` says an utterance is open, up to MAX_WAIT; safety never waits.
- If the speech engine or the output device fails, one line says so on the text stream and the
  session carries on in text; the device is retried now and then.
- `on_speech(text, start, end)` reports each clip actually played (monotonic seconds), and
  `audible(now, tail)` says whether the guide is speaking or just was, so a recognizer can be
  gated against hearing the guide's own voice.
"""

from __future__ import annotations

import heapq
import itertools
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TextIO

import numpy as np

from voice_guide.data.sounds import load_sound
from voice_guide.events import Event
from voice_guide.settings import Settings
from voice_guide.voice.playback import OutputFailed, Player
from voice_guide.voice.tts import Renderer, SpeechUnavailable

RANK = {"safety": 0, "timer": 1, "normal": 2}
#: Timer cues that must not wait for a normal cue in progress: the hold limit is called on
#: time, and contract-relax reps ("lift", "rest") keep their rhythm.
CUT_IN_KINDS = frozenset({"hold_limit", "tp_limit", "rep"})
#: Counts ("8 seconds") that are wrong once late: dropped after waiting STALE_TIMER_CUE.
STALE_KINDS = frozenset({"hold_call", "hold_count", "duration"})
STALE_TIMER_CUE = 1.5   # s
#: Cues that wait while the therapist is speaking (reprompts, paced reps, counts, step timers,
#: the session clock); everything else, above all safety and the hold limit, never waits.
WAIT_KINDS = frozenset({"reprompt", "rep", "hold_call", "hold_count", "step_timer", "duration"})
MAX_WAIT = 8.0          # s a waiting cue gives way at most: then it is said anyway
KEEP_PLAYED = 32        # recent cues whose played audio is kept for echo matching
RETRY_OUTPUT = 5.0      # s between attempts to reopen a failed output device

SpeechCallback = Callable[[str, float, float], None]   # (text, start, end), monotonic s


@dataclass(order=True)
class _Item:
    rank: int
    seq: int
    cue: dict[str, Any] = field(compare=False)
    queued: float = field(compare=False, default=0.0)
    gen: int = field(compare=False, default=0)


def _as_dict(cue: Event | dict[str, Any] | str) -> dict[str, Any]:
    if isinstance(cue, Event):
        return dict(cue.data)
    if isinstance(cue, str):
        return {"text": cue, "priority": "normal", "interrupt": False}
    return dict(cue)


def rank(cue: dict[str, Any]) -> int:
    """Where `cue` goes in the queue (RANK of its priority; normal when it has none)."""
    return RANK.get(str(cue.get("priority", "normal")), 2)


def waits(cue: dict[str, Any]) -> bool:
    """Whether `cue` holds back while the therapist speaks (see WAIT_KINDS)."""
    return (cue.get("kind") in WAIT_KINDS and cue.get("priority") != "safety"
            and not cue.get("interrupt"))


def cuts_in(new: dict[str, Any], current: dict[str, Any] | None) -> bool:
    """Whether `new` should stop `current` mid-sentence rather than wait for it.

    `interrupt` always cuts. Otherwise a safety cue is never cut; a safety cue cuts anything
    else, and a CUT_IN_KINDS timer cue (hold limit, reps) cuts a normal cue, so the limit is
    called on time however long the cue in progress is.
    """
    if current is None:
        return False
    if new.get("interrupt"):
        return True
    if current.get("priority") == "safety":
        return False
    if new.get("priority") == "safety":
        return True
    return new.get("kind") in CUT_IN_KINDS and current.get("priority", "normal") == "normal"


class Speaker:
    """Speaks cue events; see the module docstring. Use as a context manager or close()."""

    def __init__(self, settings: Settings | None = None, *, text: TextIO | None = sys.stdout,
                 on_speech: SpeechCallback | None = None,
                 on_speech_start: SpeechCallback | None = None, audio: bool = True,
                 renderer: Renderer | None = None, player: Player | None = None,
                 notices: TextIO | None = None,
                 therapist_speaking: Callable[[], bool] | None = None):
        """`text` shows each cue (None: the caller shows them); `notices` gets the one-line
        reports of failed speech (default: `text`, else stderr). `on_speech_start` gets the
        expected end, `on_speech` the real one (earlier when the clip was cut)."""
        self.settings = settings or Settings()
        self.text = text
        self.notices = notices or text or sys.stderr
        self.on_speech = on_speech
        self.on_speech_start = on_speech_start
        self.therapist_speaking = therapist_speaking  # cues that waits() hold back meanwhile
        self.renderer = renderer or Renderer()
        self.player = player or Player(self.settings.output_device)
        self._heap: list[_Item] = []
        self._seq = itertools.count()
        self._cond = threading.Condition()
        self._current: dict[str, Any] | None = None
        self._last_end = float("-inf")
        self._audio_ok = audio
        self._failed_at: float | None = None
        self._told: set[str] = set()
        self._closed = False
        self._gen = 0
        self._played: dict[str, np.ndarray] = {}
        self._idle = threading.Event()
        self._idle.set()
        self._thread = threading.Thread(target=self._loop, name="speaker", daemon=True)
        self._thread.start()

    # -- public API -------------------------------------------------------------------------

    def say(self, cue: Event | dict[str, Any] | str) -> None:
        """Show the cue now and queue it for speech; never blocks."""
        c = _as_dict(cue)
        self._print(c.get("text", ""))
        if not self._audio_ok:
            return
        with self._cond:
            if c.get("interrupt"):
                self._heap.clear()
            item = _Item(rank(c), next(self._seq), c, time.monotonic())
            heapq.heappush(self._heap, item)
            self._idle.clear()
            if cuts_in(c, self._current):
                self._cut()
            self._cond.notify()

    def silence(self) -> None:
        """Stop speaking at once and forget everything queued (pause / stop)."""
        with self._cond:
            self._heap.clear()
            self._cut()
            self._cond.notify()

    def audible(self, now: float | None = None, tail: float = 0.0) -> bool:
        """True while a clip plays, and for `tail` seconds after (the room's echo)."""
        now = time.monotonic() if now is None else now
        return self.player.playing or now - self._last_end <= tail

    @property
    def speaking_text(self) -> str | None:
        """The text of the cue being played, if any (for the self-hearing guard)."""
        cur = self._current
        return cur.get("text") if cur and self.player.playing else None

    def render(self, text: str) -> np.ndarray:
        """The 16 kHz int16 audio this speaker would play for `text` with its settings."""
        s = self.settings
        return self.renderer.render(text, s.voice, s.rate, s.volume)

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Block until nothing is queued or playing (tests, end of session)."""
        return self._idle.wait(timeout)

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._heap.clear()
            self._cut()
            self._cond.notify()
        self._thread.join(timeout=5)
        self.renderer.close()

    def __enter__(self) -> Speaker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- worker -----------------------------------------------------------------------------

    def _cut(self) -> None:
        """Cut the cue in progress, even if it is still being rendered (see Player.play)."""
        self._gen += 1
        self.player.cut()

    def _print(self, line: str) -> None:
        if self.text is not None and line:
            try:
                self.text.write(line + "\n")
                self.text.flush()
            except (OSError, ValueError):
                pass

    def _tell_once(self, key: str, message: str) -> None:
        if key not in self._told:
            self._told.add(key)
            try:
                self.notices.write(f"[voice] {message}\n")
                self.notices.flush()
            except (OSError, ValueError):
                pass

    def _holds_back(self, item: _Item) -> bool:
        return (self.therapist_speaking is not None and waits(item.cue)
                and time.monotonic() - item.queued < MAX_WAIT and self.therapist_speaking())

    def _next(self) -> _Item | None:
        while (got := self._take()) is False:
            pass
        return got

    def _take(self):
        """The next cue to speak, None when closed, False to look again (one was held)."""
        with self._cond:
            while not self._heap and not self._closed:
                self._current = None
                self._idle.set()
                self._cond.wait()
            if self._closed:
                return None
            if self._holds_back(self._heap[0]):
                self._cond.wait(0.05)  # a safety cue pushed meanwhile is taken at once
                return False
            item = heapq.heappop(self._heap)
            item.gen = self._gen
            self._current = item.cue
            return item

    def _loop(self) -> None:
        while (item := self._next()) is not None:
            if self._stale(item):
                continue
            try:
                self._speak(item)
            except SpeechUnavailable as exc:
                self._audio_ok = False
                self._tell_once("tts", f"speech unavailable ({exc}); continuing in text only")
            except OutputFailed as exc:
                self._failed_at = time.monotonic()
                self._tell_once("out", f"no audio output ({exc}); continuing in text only")
            except Exception as exc:  # the voice must never take the session down
                self._tell_once("bug", f"speech error ({type(exc).__name__}: {exc}); "
                                       "continuing in text only")
        self._idle.set()

    def retry_output(self) -> None:
        """The sound system is back (the microphone reopened): try the output at the next cue
        instead of waiting out RETRY_OUTPUT, which would drop the cues said right after."""
        self._failed_at = None

    def _stale(self, item: _Item) -> bool:
        late = time.monotonic() - item.queued
        c = item.cue
        return c.get("kind") in STALE_KINDS and late > STALE_TIMER_CUE

    def _speak(self, item: _Item) -> None:
        cue = item.cue
        if self._failed_at is not None:
            if time.monotonic() - self._failed_at < RETRY_OUTPUT:
                return
            self._failed_at = None
        audio = self._audio_for(cue)
        if not len(audio):
            return
        text = cue.get("text", "")
        self._remember(text, audio)
        on_start = None
        callback = self.on_speech_start
        if callback is not None:
            def on_start(start: float, end: float) -> None:
                callback(text, start, end)
        played = self.player.play(audio, cancelled=lambda: item.gen != self._gen,
                                  on_start=on_start)
        self._last_end = played.end
        if self.on_speech:
            self.on_speech(text, played.start, played.end)

    def played(self, text: str) -> np.ndarray | None:
        """The audio last played for `text`: renders differ from one call to the next, so
        echo matching (session.py, echo.py) needs exactly what went out."""
        with self._cond:
            return self._played.get(text)

    def _remember(self, text: str, audio: np.ndarray) -> None:
        with self._cond:
            self._played.pop(text, None)
            self._played[text] = audio
            while len(self._played) > KEEP_PLAYED:
                self._played.pop(next(iter(self._played)))

    def _audio_for(self, cue: dict[str, Any]) -> np.ndarray:
        """A cue's sound file if it has a readable one, else its text rendered as speech."""
        if cue.get("sound"):
            try:
                return load_sound(cue["sound"])
            except Exception as exc:
                self._tell_once(f"sound:{cue['sound']}", f"cannot play sound: {exc}")
        return self.render(cue.get("text", ""))
