"""The live microphone: any device, any rate, resampled to 16 kHz, survives unplugging.

Why a watchdog: when a device disappears, PortAudio's callback simply stops (no status flag, no
exception; measured with PulseAudio killed, see the engine notes §4), and the device list only
refreshes after re-initialising PortAudio. So a reader thread notices when blocks stop
arriving, reports `lost`, re-initialises PortAudio until the device opens again, then reports
`back`. The callback only queues bytes, as sounddevice requires.

`microphone()` is the simple source `voice-guide listen mic` reads: an iterator of 16 kHz
chunks from the device, without the watchdog.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterator

import numpy as np
import soxr

from voice_guide.audio.pcm import float_to_int16
from voice_guide.const import RATE
from voice_guide.errors import UserError

BLOCK = 0.02          # s per device block
STALL = 0.6           # s without a block before the device counts as lost
RETRY = 1.0           # s between attempts to reopen a lost device

AudioCallback = Callable[[np.ndarray, float], None]   # (16 kHz int16, monotonic time of end)
StateCallback = Callable[[str, str], None]            # ("open" | "lost" | "back", detail)


class Microphone:
    """Calls `on_audio(pcm16k, t_end)` from its own thread until `close()`."""

    def __init__(self, device: int | str | None, on_audio: AudioCallback,
                 on_state: StateCallback | None = None, *, may_reinit=lambda: True):
        self.device = device
        self.on_audio = on_audio
        self.on_state = on_state or (lambda state, detail: None)
        self.may_reinit = may_reinit
        self.rate = RATE
        self.lost = False
        self._q: queue.Queue[bytes] = queue.Queue()
        self._stream = None
        self._resampler = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def open(self) -> Microphone:
        """Open the device now (raising its error, so a bad --device fails at once)."""
        self._open_stream()
        self.on_state("open", self.describe())
        self._thread = threading.Thread(target=self._run, name="microphone", daemon=True)
        self._thread.start()
        return self

    def describe(self) -> str:
        import sounddevice as sd

        info = sd.query_devices(self.device, "input")
        return f"{info['name']} at {self.rate} Hz"

    def _open_stream(self) -> None:
        import sounddevice as sd

        info = sd.query_devices(self.device, "input")
        self.rate = int(info["default_samplerate"]) or RATE
        stream = sd.RawInputStream(device=self.device, samplerate=self.rate, channels=1,
                                   dtype="int16", blocksize=int(self.rate * BLOCK),
                                   callback=lambda data, n, when, status: self._q.put(
                                       bytes(data)))
        stream.start()
        self._stream = stream
        self._resampler = (None if self.rate == RATE else
                           soxr.ResampleStream(self.rate, RATE, 1, dtype="int16"))

    def _run(self) -> None:
        last = time.monotonic()
        while not self._stop.is_set():
            try:
                data = self._q.get(timeout=0.1)
            except queue.Empty:
                if time.monotonic() - last > STALL:
                    self._recover()
                    last = time.monotonic()
                continue
            last = time.monotonic()
            pcm = np.frombuffer(data, dtype=np.int16)
            if self._resampler is not None:
                pcm = self._resampler.resample_chunk(pcm)
            if len(pcm):
                self.on_audio(pcm, last)

    def _recover(self) -> None:
        """Report the loss once, then reopen until the device is back (or we are closed)."""
        import sounddevice as sd

        self.lost = True
        self.on_state("lost", "no audio from the microphone")
        self._close_stream()
        while not self._stop.wait(RETRY):
            if not self.may_reinit():
                continue
            try:
                sd._terminate()
                sd._initialize()
                self._open_stream()
            except Exception:  # still gone; PortAudio raises several kinds here
                self._close_stream()
                continue
            self.lost = False
            self.on_state("back", self.describe())
            return

    def _close_stream(self) -> None:
        stream, self._stream = self._stream, None
        if stream is not None:
            try:
                stream.abort(ignore_errors=True)
                stream.close(ignore_errors=True)
            except Exception:
                pass

    def close(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=3)
        self._close_stream()
        self._resampler = None  # freed now: soxr complains if it outlives the interpreter


def microphone(device: str | int | None = None,
               chunk_seconds: float = BLOCK) -> Iterator[np.ndarray]:
    """Live input via sounddevice at the device's rate, resampled to 16 kHz mono int16, in
    blocks as short as a session's: a decision can only be out when its block is in."""
    import sounddevice as sd

    q: queue.Queue[bytes] = queue.Queue()

    def callback(indata, frames, time, status) -> None:  # PortAudio thread: copy only
        q.put(bytes(indata))

    try:
        info = sd.query_devices(device, "input")
        rate = int(info["default_samplerate"])
        stream = sd.RawInputStream(samplerate=rate, channels=1, dtype="int16", device=device,
                                   blocksize=int(rate * chunk_seconds), callback=callback)
    except (sd.PortAudioError, ValueError) as exc:
        raise UserError(f"cannot open the microphone: {exc}") from None
    resampler = None if rate == RATE else soxr.ResampleStream(rate, RATE, 1, dtype="float32")
    with stream:
        while True:
            x = np.frombuffer(q.get(), dtype="<i2").astype(np.float32) / 32768.0
            if resampler is not None:
                x = resampler.resample_chunk(x)
            if len(x):
                yield float_to_int16(x)
