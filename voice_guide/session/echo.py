"""How much of an utterance is the guide's own voice, from the audio the guide played.

The guide knows exactly what it said and when (the rendered clip and its start in audio
time), so instead of guessing from words it fits that clip, at the best small lag and gain,
to what the microphone heard, and reports the share of the utterance's energy the fit
explains. An echo alone comes out near 1; the therapist talking over the guide comes out
well below (about 0.5 for a reply as loud as the echo), so barge-in still gets through.
A real room smears the echo (reverberation), which lowers the share: the threshold is set
with that margin, and the word check in the session remains as a second line.
"""

from __future__ import annotations

import numpy as np

from voice_guide.const import RATE

MAX_LAG = 1.0  # s: how far the echo may be shifted (device and loopback latency, segment cut)


def explained_share(utt: np.ndarray, utt_start: float, clip: np.ndarray,
                    clip_start: float) -> float:
    """Share (0..1) of the utterance's energy explained by the clip at the best lag."""
    return cancel(utt, utt_start, clip, clip_start)[0]


def cancel(utt: np.ndarray, utt_start: float, clip: np.ndarray, clip_start: float
           ) -> tuple[float, np.ndarray]:
    """(share explained, the utterance with the best-fitting echo of the clip taken out).

    One gain and one lag: exact for a clean echo path, partial in a reverberant room.
    """
    u = np.asarray(utt, dtype=np.float64)
    e_u = float(np.dot(u, u))
    lag = int(MAX_LAG * RATE)
    offset = int(round((utt_start - clip_start) * RATE)) - lag
    ref = _window(np.asarray(clip, dtype=np.float64), offset, len(u) + 2 * lag)
    if not len(u) or e_u <= 0 or not np.any(ref):
        return 0.0, u
    n = len(u) + len(ref) - 1
    size = 1 << (n - 1).bit_length()
    corr = np.fft.irfft(np.fft.rfft(ref, size) * np.conj(np.fft.rfft(u, size)), size)
    dots = corr[: 2 * lag + 1]  # dots[k] = sum u[i] * ref[i + k]
    csum = np.concatenate([[0.0], np.cumsum(ref * ref)])
    energies = np.maximum(csum[len(u): len(u) + 2 * lag + 1] - csum[: 2 * lag + 1], 1e-9)
    shares = dots**2 / (energies * e_u)
    k = int(np.argmax(shares))
    residual = u - dots[k] / energies[k] * ref[k:k + len(u)]
    return float(min(1.0, shares[k])), residual


def _window(x: np.ndarray, start: int, length: int) -> np.ndarray:
    """x[start:start+length], zero outside x."""
    out = np.zeros(length)
    lo, hi = max(start, 0), min(start + length, len(x))
    if lo < hi:
        out[lo - start: hi - start] = x[lo:hi]
    return out
