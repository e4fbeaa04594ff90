"""Play one clip at a time through a sounddevice stream that can be cut off at once.

Why not pyttsx3's own playback: it shells out to `aplay` and `stop()` blocks until the clip
ends. Here the clip is fed from a PortAudio callback; `cut()` wakes the playing thread, which
aborts the stream (PortAudio drops what is buffered), so sound stops within the output
latency (~50 ms) rather than at the end of the sentence.

Every stream call happens on the thread that called `play()`; `cut()` only sets a flag and an
event, so it is safe from any thread and never blocks.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import numpy as np

from voice_guide.audio.pcm import resample_int16
from voice_guide.const import RATE

LATENCY = 0.05


class OutputFailed(Exception):
    """The output device could not be opened or vanished while playing."""


@dataclass
class Played:
    """When a clip was audible (monotonic seconds) and whether it was cut short."""

    start: float
    end: float
    completed: bool


class _Clip:
    """State shared with the PortAudio callback (which must never block).

    The callback does not stop the stream itself: PortAudio's drain through the ALSA pulse
    plugin takes about 2 s (measured), which would keep the guide "speaking" long after the
    words. Instead it notes when the last sample will be heard, pads with silence, and the
    playing thread aborts the stream at that moment.
    """

    def __init__(self, audio: np.ndarray, rate: int = RATE):
        self.audio = audio
        self.rate = rate
        self.pos = 0
        self.start: float | None = None
        self.end: float | None = None
        self.cut = False
        self.done = threading.Event()

    def callback(self, out, frames, when, status) -> None:
        import sounddevice as sd

        if self.cut:
            out.fill(0)
            raise sd.CallbackAbort
        now = time.monotonic()
        ahead = min(max(0.0, when.outputBufferDacTime - when.currentTime), 1.0)
        if self.start is None:
            self.start = now + ahead
        chunk = self.audio[self.pos:self.pos + frames]
        out[:len(chunk), 0] = chunk
        out[len(chunk):] = 0
        self.pos += len(chunk)
        if self.end is None and self.pos >= len(self.audio):
            self.end = now + ahead + len(chunk) / self.rate
            self.done.set()


class Player:
    """Plays int16 16 kHz mono clips on `device` (None: the default output)."""

    def __init__(self, device: int | str | None = None, latency: float = LATENCY):
        self.device = device
        self.latency = latency
        self._clip: _Clip | None = None

    def play(self, audio: np.ndarray, cancelled=None, on_start=None) -> Played:
        """Block until the clip has played or was cut. Raises OutputFailed.

        `cancelled()` is checked once the clip is current: a cut that came between the
        caller's decision to play and this point is then not lost. `on_start(start, end)` is
        called as playback begins with the expected monotonic start and end.
        """
        import sounddevice as sd

        clip = _Clip(np.asarray(audio, dtype=np.int16))
        self._clip = clip
        if cancelled is not None and cancelled():
            self._clip = None
            now = time.monotonic()
            return Played(now, now, False)
        try:
            stream, rate = self._open(clip)
        except (sd.PortAudioError, ValueError, OSError) as exc:
            self._clip = None
            raise OutputFailed(str(exc)) from exc
        try:
            return self._run(stream, rate, clip, on_start)
        finally:
            self._clip = None
            stream.close(ignore_errors=True)

    def _open(self, clip: _Clip):
        """Open at 16 kHz; a device that refuses it gets the clip resampled to its own rate."""
        import sounddevice as sd

        kw = dict(device=self.device, channels=1, dtype="int16", latency=self.latency,
                  callback=clip.callback, finished_callback=clip.done.set)
        try:
            return sd.OutputStream(samplerate=RATE, **kw), RATE
        except sd.PortAudioError:
            rate = int(sd.query_devices(self.device, "output")["default_samplerate"])
            clip.audio, clip.rate = resample_int16(clip.audio, RATE, rate), rate
            return sd.OutputStream(samplerate=rate, **kw), rate

    def _run(self, stream, rate: int, clip: _Clip, on_start) -> Played:
        duration = len(clip.audio) / rate
        stream.start()
        t_open = time.monotonic()
        if on_start is not None:
            on_start(t_open, t_open + self.latency + duration)
        clip.done.wait(duration + 2.0 + self.latency)
        if not clip.cut and clip.end is not None:
            # sleep until the last sample is heard, unless cut meanwhile
            clip.done.clear()
            clip.done.wait(max(0.0, clip.end - time.monotonic()))
        stream.abort(ignore_errors=True)
        start = clip.start or t_open
        if clip.cut:
            return Played(start, time.monotonic(), False)
        if clip.end is None:
            raise OutputFailed("the output device stopped while playing")
        return Played(start, clip.end, True)

    def cut(self) -> None:
        """Stop the clip being played, from any thread, without waiting."""
        clip = self._clip
        if clip is not None:
            clip.cut = True
            clip.done.set()

    @property
    def playing(self) -> bool:
        return self._clip is not None
