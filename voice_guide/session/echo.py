"""How much of an utterance is the guide's own voice, from the audio the guide played.

The guide knows exactly what it said and when (the rendered clip and its start in audio
time), so instead of guessing from words it fits that clip, at the best small lag and gain,
to what the microphone heard, and takes the fit out. An echo alone is explained almost
wholly; a reply as loud as the echo over a short cue leaves about half. But over a long cue
a short word is a small part of the energy (a "stop" over two seconds of cue: 80-86 %
explained), so what decides is what is left: someone speaking over the guide leaves a part
within STANDS_DB of the loudest heard, the echo's own remains stay 12-31 dB under it
(`stands_out`), and the utterance is cut to that part (`said_over`). A real room smears the
echo (reverberation); the word check in the session remains as a second line.

One lag for a whole utterance is exact only where the player and the microphone share a
clock. Through a real sound server they do not (PulseAudio's loopback resamples to hold its
latency), and over two or three seconds the echo drifts off its fit: one lag explained 56-78 %
of long stretches of pure echo in the live test's room. So each `BLOCK` of the utterance gets
its own gain and a lag within `DRIFT` of the whole utterance's (the live room's blocks strayed
1-3 samples, 22 after a dropout), the blocks overlapped and cross-faded: 95-100 % of pure
echo. A wider reach fits the therapist's words to the cue's (30 ms: 35 % of a "fading" said
over "4 seconds", which was then not heard). `benchmarks.barge_in` measures it.
"""

from __future__ import annotations

import numpy as np

from voice_guide.const import RATE
from voice_guide.ears.room import frame_db

MAX_LAG = 1.0  # s: how far the echo may be shifted (device and loopback latency, segment cut)
BLOCK = 0.2    # s: each block of an utterance gets a gain and lag of its own
DRIFT = 0.002   # s: how far a block's lag may stray from the whole utterance's
STANDS_DB = 6.0  # what is left reaches within this many dB of the loudest heard: a voice
OWN_DB = 3.0  # a 10 ms frame the echo does not explain: what is left is within this of what
              # was heard (at least half of it is someone else)
TRIM_DB = 25.0  # ... and within this many dB of the loudest left: what was said over the guide
WORD_GAP = 0.2  # s: such frames this close together are one utterance


def explained_share(utt: np.ndarray, utt_start: float, clip: np.ndarray,
                    clip_start: float) -> float:
    """Share (0..1) of the utterance's energy explained by the clip at the best lag."""
    return cancel(utt, utt_start, clip, clip_start)[0]


def cancel(utt: np.ndarray, utt_start: float, clip: np.ndarray, clip_start: float
           ) -> tuple[float, np.ndarray]:
    """(share explained, the utterance with the best-fitting echo of the clip taken out):
    one lag for the whole utterance, then each block refitted near it (module doc)."""
    u = np.asarray(utt, dtype=np.float64)
    e_u = float(np.dot(u, u))
    ref = np.asarray(clip, dtype=np.float64)
    at = int(round((utt_start - clip_start) * RATE))
    share, residual, lag = _fit(u, ref, at, int(MAX_LAG * RATE))
    step = int(BLOCK * RATE) // 2
    if share <= 0.0 or len(u) < 4 * step:
        return share, residual
    window = np.hanning(2 * step + 1)[:-1]  # periodic: overlapped by half, sums to one
    out = np.zeros(len(u))
    for i in range(-step, len(u), step):
        lo, hi = max(0, i), min(len(u), i + 2 * step)
        fitted = _fit(u[lo:hi], ref, lag + lo, int(DRIFT * RATE))[1]
        out[lo:hi] += window[lo - i: hi - i] * fitted
    return float(min(1.0, max(0.0, 1.0 - np.dot(out, out) / e_u))), out


def said_over(left: np.ndarray, heard: np.ndarray) -> tuple[int, int] | None:
    """First and last sample of what was said over the guide: the 10 ms frames the echo does
    not explain (OWN_DB) and loud (TRIM_DB), around the loudest of them, gaps up to WORD_GAP
    bridged. Where the echo shifts (a sound server's dropout), what the fit leaves of it can
    be as loud, but not next to the word (None: no such frame)."""
    hop = RATE // 100
    left_db, heard_db = frame_db(left, hop), frame_db(np.asarray(heard, np.float64), hop)
    n = min(len(left_db), len(heard_db))
    if n == 0:
        return None
    left_db, heard_db = left_db[:n], heard_db[:n]
    own = np.flatnonzero((left_db >= heard_db - OWN_DB) & (left_db >= left_db.max() - TRIM_DB))
    if not len(own):
        return None
    gap = int(WORD_GAP * 100)
    lo = hi = int(np.argmax(left_db[own]))
    while lo > 0 and own[lo] - own[lo - 1] <= gap:
        lo -= 1
    while hi + 1 < len(own) and own[hi + 1] - own[hi] <= gap:
        hi += 1
    return int(own[lo]) * hop, int(own[hi] + 1) * hop


def stands_out(left: np.ndarray, heard: np.ndarray) -> bool:
    """Whether what is left after the echo is taken out is someone speaking over it: its
    loudest 20 ms within STANDS_DB of the loudest heard. The echo explains most of the
    energy of a long cue with a short word said over it ("stop": 80-86 %), but what it leaves
    of itself is 12-31 dB under the loudest heard, and the word 0-4 dB (the live test's room)."""
    left_db, heard_db = frame_db(left, 320), frame_db(np.asarray(heard, np.float64), 320)
    if not len(left_db) or not len(heard_db):
        return False
    return bool(left_db.max() >= heard_db.max() - STANDS_DB)


def _fit(u: np.ndarray, ref: np.ndarray, at: int, reach: int
         ) -> tuple[float, np.ndarray, int]:
    """The clip's stretch that best explains `u` (one gain), starting within `reach` samples
    of clip sample `at`: (share explained, what is left of `u`, the clip sample it starts at).
    """
    e_u = float(np.dot(u, u))
    part = _window(ref, at - reach, len(u) + 2 * reach)
    if not len(u) or e_u <= 0 or not np.any(part):
        return 0.0, u, at
    if reach <= 64:  # a block near a known lag: a few direct dot products are cheaper
        dots = np.correlate(part, u, mode="valid")  # dots[k] = sum u[i] * part[i + k]
    else:
        n = len(u) + len(part) - 1
        size = 1 << (n - 1).bit_length()
        corr = np.fft.irfft(np.fft.rfft(part, size) * np.conj(np.fft.rfft(u, size)), size)
        dots = corr[: 2 * reach + 1]
    csum = np.concatenate([[0.0], np.cumsum(part * part)])
    energies = np.maximum(csum[len(u): len(u) + 2 * reach + 1] - csum[: 2 * reach + 1], 1e-9)
    shares = dots**2 / (energies * e_u)
    k = int(np.argmax(shares))
    residual = u - dots[k] / energies[k] * part[k:k + len(u)]
    return float(min(1.0, shares[k])), residual, at - reach + k


def _window(x: np.ndarray, start: int, length: int) -> np.ndarray:
    """x[start:start+length], zero outside x."""
    out = np.zeros(length)
    lo, hi = max(start, 0), min(start + length, len(x))
    if lo < hi:
        out[lo - start: hi - start] = x[lo:hi]
    return out
