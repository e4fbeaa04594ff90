"""Audio sources as iterators of 16 kHz mono int16 chunks: WAV files, raw stdin, microphone.

Files are streamed chunk by chunk through a streaming soxr resampler, so memory stays flat on
hour-long recordings. The microphone callback only copies bytes into a queue: PortAudio calls
it on its own thread, where blocking or raising would drop audio silently.
"""

from __future__ import annotations

import queue
import sys
import wave
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import soxr

from voice_guide.errors import UserError

RATE = 16000
CHUNK_SECONDS = 0.1
CONVERT = "convert it to 16-bit PCM, e.g. `sox IN -b 16 -e signed-integer OUT.wav`"


def read(source: str, chunk_seconds: float = CHUNK_SECONDS) -> Iterator[np.ndarray]:
    """`-` reads raw 16 kHz s16le PCM from stdin; anything else is a WAV file path."""
    if source == "-":
        return read_pcm(sys.stdin.buffer, chunk_seconds)
    return read_wav(source, chunk_seconds)


def read_pcm(stream, chunk_seconds: float = CHUNK_SECONDS) -> Iterator[np.ndarray]:
    """Raw 16 kHz 16-bit little-endian mono PCM from a binary stream."""
    size = int(RATE * chunk_seconds) * 2
    carry = b""
    while True:
        data = stream.read(size)
        if not data:
            break
        data = carry + data
        cut = len(data) // 2 * 2
        carry = data[cut:]
        if cut:
            yield np.frombuffer(data[:cut], dtype="<i2").astype(np.int16)


def read_wav(path: str | Path, chunk_seconds: float = CHUNK_SECONDS) -> Iterator[np.ndarray]:
    """Any PCM WAV (8/16/24/32-bit, mono or multichannel, any rate) -> 16 kHz mono int16.

    Checks the header before the first chunk is yielded so errors surface at once.
    """
    try:
        w = wave.open(str(path), "rb")
    except FileNotFoundError:
        raise UserError(f"{path}: no such file") from None
    except (wave.Error, EOFError, OSError) as exc:
        raise UserError(f"{path}: not a readable PCM WAV file ({str(exc) or 'empty'}); "
                        f"{CONVERT}") from None
    channels, width, rate = w.getnchannels(), w.getsampwidth(), w.getframerate()
    if width not in (1, 2, 3, 4) or rate <= 0 or channels <= 0:
        w.close()
        raise UserError(f"{path}: unsupported WAV format ({width * 8}-bit, {rate} Hz); "
                        f"{CONVERT}")
    if w.getnframes() == 0:
        w.close()
        raise UserError(f"{path}: the WAV file holds no audio")
    if rate < RATE:
        _warn(f"{path} is {rate} Hz: speech above {rate // 2} Hz is missing, so commands may "
              f"be misheard (record at {RATE // 1000} kHz or more)")
    return _wav_chunks(w, path, chunk_seconds)


def load_wav(path: str | Path) -> np.ndarray:
    """A whole (short) WAV as one 16 kHz mono int16 array: clips and noise files."""
    chunks = list(read_wav(path))
    return np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.int16)


def _warn(message: str) -> None:
    """Odd but usable input: said on stderr, and the audio is used anyway."""
    print(f"voice-guide: warning: {message}", file=sys.stderr, flush=True)


def _wav_chunks(w: wave.Wave_read, path, chunk_seconds: float) -> Iterator[np.ndarray]:
    channels, width, rate = w.getnchannels(), w.getsampwidth(), w.getframerate()
    resampler = None if rate == RATE else soxr.ResampleStream(rate, RATE, 1, dtype="float32")
    frames = max(1, int(rate * chunk_seconds))
    promised, got = w.getnframes(), 0
    with w:
        while True:
            try:
                data = w.readframes(frames)
            except (wave.Error, EOFError) as exc:
                raise UserError(f"{path}: corrupt WAV data ({exc})") from None
            last = len(data) < frames * channels * width
            got += len(data) // (channels * width)
            if last and got < promised:
                _warn(f"{path} ends early: its header promises {promised / rate:.1f} s, it "
                      f"holds {got / rate:.1f} s (a truncated copy?); using what is there")
            data = data[: len(data) // (channels * width) * channels * width]
            x = _to_float(data, width).reshape(-1, channels).mean(axis=1)
            if resampler is not None:
                x = resampler.resample_chunk(x.astype(np.float32), last=last)
            if len(x):
                yield _to_int16(x)
            if last:
                return


def _to_float(data: bytes, width: int) -> np.ndarray:
    """PCM bytes -> float in [-1, 1): WAV 8-bit is unsigned, the others signed little-endian."""
    if width == 1:
        return (np.frombuffer(data, np.uint8).astype(np.float32) - 128.0) / 128.0
    if width == 3:
        b = np.frombuffer(data, np.uint8).reshape(-1, 3)
        v = (b[:, 0].astype(np.int32) | (b[:, 1].astype(np.int32) << 8)
             | (b[:, 2].astype(np.int32) << 16))
        v = np.where(v >= 1 << 23, v - (1 << 24), v)
        return v.astype(np.float32) / float(1 << 23)
    dtype, scale = ("<i2", 32768.0) if width == 2 else ("<i4", 2147483648.0)
    return (np.frombuffer(data, dtype).astype(np.float64) / scale).astype(np.float32)


def _to_int16(x: np.ndarray) -> np.ndarray:
    return np.clip(np.round(x * 32768.0), -32768, 32767).astype(np.int16)


def microphone(device: str | int | None = None,
               chunk_seconds: float = CHUNK_SECONDS) -> Iterator[np.ndarray]:
    """Live input via sounddevice at the device's rate, resampled to 16 kHz mono int16."""
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
                yield _to_int16(x)
