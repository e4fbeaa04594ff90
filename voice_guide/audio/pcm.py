"""PCM in one place: int16/float conversion, resampling to and from the guide's rate
(const.RATE), and reading audio (files, raw stdin, espeak-ng's streamed WAV) as 16 kHz mono
int16.

soxr does the resampling (a well-kept, fast, high-quality resampler); soundfile (libsndfile)
decodes files: every WAV flavour, FLAC and OGG. Files are streamed chunk by chunk through a
streaming soxr resampler, so memory stays flat on hour-long recordings. Callers keep int16
samples. (The live microphone, which resamples a device's stream, is voice_guide.audio.mic.)
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import soundfile as sf
import soxr

from voice_guide.const import RATE
from voice_guide.errors import UserError
from voice_guide.notice import warn
from voice_guide.userfile import open_regular

CHUNK_SECONDS = 0.1
CONVERT = "convert it to 16-bit PCM, e.g. `sox IN -b 16 -e signed-integer OUT.wav`"
MIN_RATE, MAX_RATE = 4000, 768_000  # outside these a header is lying (or not audio)
MAX_CHANNELS = 64
MAX_SECONDS = 24 * 3600


# -- conversion ---------------------------------------------------------------------------

def clip_int16(x: np.ndarray) -> np.ndarray:
    """Float audio in int16 scale (mixed, filtered, dithered) back to int16, clipped."""
    return np.clip(np.round(x), -32768, 32767).astype(np.int16)


def float_to_int16(x: np.ndarray) -> np.ndarray:
    """Float audio in -1..1 to int16, clipped."""
    return clip_int16(np.asarray(x) * 32768.0)


def resample_int16(pcm: np.ndarray, src: int, dst: int) -> np.ndarray:
    """Resample int16 (or float in int16 scale) audio, clipping to int16."""
    if src == dst:
        return np.asarray(pcm).astype(np.int16)
    out = soxr.resample(np.asarray(pcm, dtype=np.float32) / 32768.0, src, dst)
    return float_to_int16(out)


def streamed_wav(data: bytes, what: str) -> np.ndarray:
    """A WAV written to a pipe (espeak-ng --stdout), whose length fields are placeholders:
    read up to the end of the bytes instead, at 16 kHz. `what` names the writer in errors."""
    if data[:4] != b"RIFF" or b"fmt " not in data[:64] or b"data" not in data[:128]:
        raise UserError(f"{what} produced no WAV audio")
    src_rate = int.from_bytes(data[24:28], "little")
    body = data[data.index(b"data", 12) + 8:]
    return resample_int16(np.frombuffer(body[: len(body) // 2 * 2], dtype="<i2"), src_rate, RATE)


# -- reading ------------------------------------------------------------------------------

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
    """Any audio file libsndfile reads (WAV 8/16/24/32-bit or float, WAVE_FORMAT_EXTENSIBLE,
    FLAC, OGG...; mono or multichannel) -> 16 kHz mono int16 chunks.

    The header is checked before the first chunk is yielded, so errors surface at once. The
    work is bounded by the file's real size, not by its header: a header's rate must be one a
    microphone records at (MIN_RATE..MAX_RATE, so resampling multiplies the samples at most
    RATE / MIN_RATE times), and libsndfile counts the frames that are really in the file.
    """
    fd = open_regular(path)  # a FIFO or a device is refused here, not read forever
    size = os.fstat(fd).st_size
    head = os.pread(fd, 4096, 0)
    stream = os.fdopen(fd, "rb", closefd=True)
    try:
        f = sf.SoundFile(stream)
    except (sf.LibsndfileError, RuntimeError, TypeError, ValueError) as exc:
        stream.close()
        raise UserError(f"{path}: not a readable audio file ({_why(exc) if size else 'empty'}); "
                        f"{CONVERT}") from None
    try:
        _check_header(f, path)
    except UserError:
        f.close()
        stream.close()
        raise
    promised = _wav_promised_frames(head, f.channels)
    if promised and promised > f.frames:
        warn(f"{path} ends early: its header promises {promised / f.samplerate:.1f} s, it "
              f"holds {f.frames / f.samplerate:.1f} s (a truncated copy?); using what is there")
    if f.samplerate < RATE:
        warn(f"{path} is {f.samplerate} Hz: speech above {f.samplerate // 2} Hz is missing, so "
              f"commands may be misheard (record at {RATE // 1000} kHz or more)")
    return _chunks(f, path, chunk_seconds)


def _check_header(f: sf.SoundFile, path) -> None:
    rate, channels = f.samplerate, f.channels
    if not MIN_RATE <= rate <= MAX_RATE:
        raise UserError(f"{path}: its header says {rate} Hz, which is not a recording rate "
                        f"({MIN_RATE}..{MAX_RATE} Hz); {CONVERT}")
    if not 1 <= channels <= MAX_CHANNELS:
        raise UserError(f"{path}: its header says {channels} channels; at most {MAX_CHANNELS} "
                        f"are read; {CONVERT}")
    if f.frames <= 0:
        raise UserError(f"{path}: the audio file holds no audio")
    if f.frames > MAX_SECONDS * rate:
        raise UserError(f"{path}: {f.frames / rate / 3600:.1f} hours of audio; at most "
                        f"{MAX_SECONDS // 3600} hours are read at once (cut it with sox)")


def _wav_promised_frames(head: bytes, channels: int) -> int | None:
    """The frames a RIFF/WAVE header's data chunk claims (None if not a plain WAV)."""
    if head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        return None
    pos, align = 12, None
    while pos + 8 <= len(head):
        tag, n = head[pos:pos + 4], int.from_bytes(head[pos + 4:pos + 8], "little")
        if tag == b"fmt " and pos + 22 <= len(head):
            align = int.from_bytes(head[pos + 20:pos + 22], "little")
        if tag == b"data":
            return n // align if align else None
        pos += 8 + n + (n & 1)
    return None


def _why(exc: Exception) -> str:
    return str(exc).split(": ")[-1] or exc.__class__.__name__


def load_wav(path: str | Path) -> np.ndarray:
    """A whole (short) audio file as one 16 kHz mono int16 array: clips and noise files."""
    chunks = list(read_wav(path))
    return np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.int16)


def _chunks(f: sf.SoundFile, path, chunk_seconds: float) -> Iterator[np.ndarray]:
    """Decoded, mixed to mono and resampled chunk by chunk; never past the frames counted."""
    rate = f.samplerate
    resampler = None if rate == RATE else soxr.ResampleStream(rate, RATE, 1, dtype="float32")
    frames = max(1, int(rate * chunk_seconds))
    left = f.frames
    with f:
        while left > 0:
            try:
                block = f.read(min(frames, left), dtype="float32", always_2d=True)
            except (sf.LibsndfileError, RuntimeError) as exc:
                raise UserError(f"{path}: corrupt audio data ({_why(exc)})") from None
            left = 0 if len(block) == 0 else left - len(block)
            x = np.nan_to_num(block.mean(axis=1), nan=0.0, posinf=1.0, neginf=-1.0)
            if resampler is not None:
                x = resampler.resample_chunk(x.astype(np.float32), last=left <= 0)
            if len(x):
                yield float_to_int16(x)


