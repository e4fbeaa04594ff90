"""PCM conversion shared by the stages: resampling to and from the guide's rate (const.RATE).

soxr does the work (a well-kept, fast, high-quality resampler); callers keep int16 samples.
"""

from __future__ import annotations

import numpy as np
import soxr


def resample_int16(pcm: np.ndarray, src: int, dst: int) -> np.ndarray:
    """Resample int16 (or float in int16 scale) audio, clipping to int16."""
    if src == dst:
        return np.asarray(pcm).astype(np.int16)
    out = soxr.resample(np.asarray(pcm, dtype=np.float32) / 32768.0, src, dst)
    return np.clip(np.round(out * 32768.0), -32768, 32767).astype(np.int16)
