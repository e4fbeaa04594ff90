"""Vosk adapter: a runtime grammar of the active phrasings, plus an open-LM pass.

Vosk compiles a grammar list into a bigram LM (vosk 0.3.45), so it too maps any speech onto
grammar words; the same segment is also decoded with the model's full LM and the Listener
compares word counts. Needs a model with runtime graphs (HCLr.fst + Gr.fst: the small ones).
"""

from __future__ import annotations

import atexit
import json
import threading
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from voice_guide.const import RATE
from voice_guide.ears import grammar as grammars
from voice_guide.ears.grammar import Grammar
from voice_guide.ears.hypothesis import Hypothesis
from voice_guide.errors import UserError
from voice_guide.extras import require

if TYPE_CHECKING:
    import vosk


class VoskRecognizer:
    """Recognizer protocol over a Vosk model folder."""

    name = "vosk"

    def __init__(self, model_dir: str | Path, *, lang: str = "en",
                 grammar: Grammar | None = None, second_pass: bool = True,
                 warm: bool = True, background: bool = False) -> None:
        """`background`: load the model on a thread of its own and return at once; whatever
        needs it first waits for it (a load that fails raises its UserError there). Vosk's
        calls let go of the interpreter, so the rest of start-up runs beside the load: the
        Korean model alone takes 2.5-2.8 s, more than the whole start-up budget."""
        self._vosk = require("vosk", extra="vosk", needed_for="the Vosk engine")
        self._vosk.SetLogLevel(-1)
        self.grammar = grammar or grammars.load(lang)
        model_dir = Path(model_dir)
        if not (model_dir / "graph" / "HCLr.fst").exists():
            raise UserError(f"{model_dir}: Vosk model without runtime graphs (HCLr.fst); "
                            "use a 'small' model, which accepts grammars")
        self._rec: vosk.KaldiRecognizer | None = None
        self._lock = threading.Lock()  # the open pass: warming (below) or transcribing
        self._active: set[str] = set()
        self._loading: Future[Loaded] = Future()
        if background:
            loading = threading.Thread(target=self._load, args=(model_dir, second_pass),
                                       name="vosk-load", daemon=True)
            loading.start()
            atexit.register(loading.join)  # a process ending early waits, not inside Vosk
        else:
            self._loading.set_result(self._open(model_dir, second_pass))
            self.set_commands(set(self.grammar.phrases))
        if second_pass and warm:
            warming = threading.Thread(target=self._warm, name="vosk-warm", daemon=True)
            warming.start()
            atexit.register(warming.join)  # not torn down inside the engine at exit

    def _load(self, model_dir: Path, second_pass: bool) -> None:
        """Load on the loading thread; the model or the error goes to `_loading`."""
        try:
            self._loading.set_result(self._open(model_dir, second_pass))
        except BaseException as exc:  # noqa: BLE001 - said where the model is first needed
            self._loading.set_exception(exc)

    def _open(self, model_dir: Path, second_pass: bool) -> Loaded:
        try:
            model = self._vosk.Model(str(model_dir))
        except Exception as exc:  # vosk raises a bare Exception("Failed to create a model")
            raise UserError(f"{model_dir}: cannot load Vosk model ({exc})") from None
        self._check_words(model)
        free = self._vosk.KaldiRecognizer(model, RATE) if second_pass else None
        return Loaded(model, model.vosk_model_find_word("[unk]") >= 0, free)

    def ready(self) -> None:
        self._loaded()

    def _loaded(self) -> Loaded:
        """The model, once loaded (waits for a load in the background)."""
        return self._loading.result()

    def _warm(self) -> None:
        """Vosk expands its open-vocabulary graph lazily, for each recognizer: the first
        utterances it transcribes cost up to 0.9 s more (Korean: the first command said waited
        that long). Decoding two seconds of a voiced buzz at start-up, off the listening thread,
        takes most of it (first call 0.85 -> 0.3 s, benchmarks/RESULTS-listen.md)."""
        with self._lock:
            if self._loading.exception() is None:  # a failed load is said where it is needed
                _run(self._loaded().free, buzz())

    def _check_words(self, model: vosk.Model) -> None:
        for cmd, phrases in self.grammar.phrases.items():
            for phrase in phrases:
                missing = [w for w in phrase if model.vosk_model_find_word(w) < 0]
                if missing:
                    line = self.grammar.lines[phrase]
                    raise UserError(f"{self.grammar.source}:{line}: {cmd}: the Vosk model does "
                                    f"not know {', '.join(missing)}")

    def set_commands(self, active: set[str]) -> None:
        active = {c for c in active if c in self.grammar.phrases}
        if active == self._active:
            return
        loaded = self._loaded()
        self._active = active
        phrases = [" ".join(p) for c in sorted(active) for p in self.grammar.phrases[c]]
        spec = json.dumps(phrases + (["[unk]"] if loaded.unk else []), ensure_ascii=False)
        # a fresh recognizer: SetGrammar on a recognizer made without one crashes (0.3.45)
        self._rec = self._vosk.KaldiRecognizer(loaded.model, RATE, spec)
        self._rec.SetWords(True)  # word times, for the coverage rule (coverage.py)
        self._fed = 0  # samples fed to this recognizer: its word times count from its birth

    def decode(self, pcm: np.ndarray) -> Hypothesis:
        if self._rec is None:
            self.set_commands(set(self.grammar.phrases))
        assert self._rec is not None
        result = _run(self._rec, pcm)
        offset, self._fed = self._fed / RATE, self._fed + len(pcm)
        words = [w for w in result.get("result", []) if w.get("word") != "[unk]"]
        text = " ".join(str(w["word"]) for w in words)
        spans = tuple((float(w["start"]) - offset, float(w["end"]) - offset) for w in words)
        return Hypothesis(text, self.grammar.lookup(text) if text else None, None,
                          spans or None)

    def margin(self, pcm: np.ndarray, command: str, rivals: Sequence[str]) -> float | None:
        return None  # no path score to compare

    def transcribe(self, pcm: np.ndarray) -> str | None:
        free = self._loaded().free
        if free is None:
            return None
        with self._lock:
            return _run(free, pcm).get("text", "")


@dataclass(frozen=True)
class Loaded:
    """A loaded model, whether it knows `[unk]`, and its open-vocabulary recognizer."""

    model: vosk.Model
    unk: bool
    free: vosk.KaldiRecognizer | None


def buzz(seconds: float = 2.0) -> np.ndarray:
    """A voiced buzz: harmonics of a gliding 80-140 Hz pitch, its loudness pulsing three times
    a second like syllables; enough like speech to walk the decoder through its graph."""
    t = np.arange(int(seconds * RATE)) / RATE
    phase = np.cumsum(110 + 30 * np.sin(2 * np.pi * 1.5 * t)) / RATE
    x = sum(np.sin(2 * np.pi * k * phase) / k for k in range(1, 30))
    x = x * (0.5 + 0.5 * np.sin(2 * np.pi * 3 * t)) ** 2
    return (x / np.abs(x).max() * 8000).astype(np.int16)


def _run(rec: vosk.KaldiRecognizer, pcm: np.ndarray) -> dict:
    rec.AcceptWaveform(np.ascontiguousarray(pcm, dtype=np.int16).tobytes())
    return json.loads(rec.FinalResult())
