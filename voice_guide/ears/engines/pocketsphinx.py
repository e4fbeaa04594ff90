"""PocketSphinx adapter: a closed JSGF grammar of the active phrasings, plus an open LM pass.

Measured (docs/engines notes and benchmarks/listen.py): a closed grammar maps any speech onto
some command, so each segment is decoded twice: with the grammar (which command?) and with the
full English LM (was it only a command, or a sentence?). A language weight of 2 instead of 6.5
keeps the grammar pass from forcing short noisy words into a phrasing.
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Sequence
from types import ModuleType
from typing import TYPE_CHECKING

import numpy as np

from voice_guide.ears import grammar as grammars
from voice_guide.ears.grammar import Grammar
from voice_guide.ears.hypothesis import Hypothesis
from voice_guide.errors import UserError
from voice_guide.extras import require

if TYPE_CHECKING:
    import pocketsphinx as ps

GRAMMAR_LW = 2.0
#: Grammar pass: no lattice (bestpath) search. Measured on the tune split: with it, the
#: lattice often has no grammar-final path and a prefix comes back ("okay", "we're"):
#: 79/86/47 % -> 84/88/65 % of commands found by the grammar pass (clean/pink/music).
FSG_OPTIONS = {"bestpath": False, "fwdflat": False}
#: British short "a" (measured: en-gb "back" decoded as "stop" without it).
EXTRA_PRONUNCIATIONS = {"back(2)": "B AA K"}
#: Open-LM pass: narrower beams than the defaults; it only needs the word count, fast.
LM_OPTIONS = {"beam": 1e-40, "wbeam": 1e-24, "pbeam": 1e-40, "maxhmmpf": 10000}


def _config(lib: ModuleType, **extra) -> ps.Config:
    model = lib.get_model_path()
    cfg = lib.Config(hmm=os.path.join(model, "en-us", "en-us"),
                    dict=os.path.join(model, "en-us", "cmudict-en-us.dict"), lm=None,
                    loglevel="FATAL")
    for key, value in extra.items():
        cfg[key] = value
    return cfg


class PocketSphinxRecognizer:
    """Recognizer protocol over PocketSphinx 5 (English model shipped in the wheel)."""

    name = "pocketsphinx"

    def __init__(self, grammar: Grammar | None = None, *, second_pass: bool = True,
                 lw: float = GRAMMAR_LW) -> None:
        logging.getLogger("pocketsphinx").setLevel(logging.ERROR)
        # imported here: loading the engine costs time that commands without ears need not pay
        lib = require("pocketsphinx", needed_for="the PocketSphinx engine")
        self.grammar = grammar or grammars.load("en")
        self._fsg = lib.Decoder(_config(lib, lw=lw, **FSG_OPTIONS))
        for word, phones in EXTRA_PRONUNCIATIONS.items():
            self._fsg.add_word(word, phones, True)
        self._check_words()
        self._ps = lib
        self._lm: ps.Decoder | None = None
        self._second_pass = second_pass
        self._active: set[str] = set()
        self._searches: set[str] = set()  # the margin's one-command grammars
        self.set_commands(set(self.grammar.phrases))

    def _open(self) -> ps.Decoder | None:
        """The open-LM decoder, loaded on first need: it is 0.6 s of the 0.8 s PocketSphinx
        took to start, and with templates it is asked only about speech they do not judge
        (over 2 s), which many sessions never hear. Not on a thread at start-up, as Vosk
        warms its graph: loading it holds the interpreter, and the listener built beside it
        was ready 0.7 s later, not sooner (benchmarks/RESULTS-listen.md)."""
        if self._lm is None and self._second_pass:
            model = self._ps.get_model_path()
            lm = os.path.join(model, "en-us", "en-us.lm.bin")
            self._lm = self._ps.Decoder(_config(self._ps, lm=lm, **LM_OPTIONS))
        return self._lm

    def _check_words(self) -> None:
        missing = [w for w in sorted(self.grammar.words()) if self._fsg.lookup_word(w) is None]
        if missing:
            lines = [self.grammar.lines[p] for ps_ in self.grammar.phrases.values() for p in ps_
                     if set(p) & set(missing)]
            raise UserError(f"{self.grammar.source}:{min(lines)}: PocketSphinx's dictionary "
                            f"lacks {', '.join(missing)}")

    def ready(self) -> None:
        return None  # loaded in the constructor (the open-LM decoder: on first need)

    def set_commands(self, active: set[str]) -> None:
        active = {c for c in active if c in self.grammar.phrases}
        if active == self._active:
            return
        self._active = active
        self._fsg.add_jsgf_string("cmds", jsgf(self.grammar, active))
        self._fsg.activate_search("cmds")

    def decode(self, pcm: np.ndarray) -> Hypothesis:
        words = _words(self._fsg, pcm)
        text = " ".join(w for w, _, _ in words)
        spans = tuple((a, b) for _, a, b in words)
        return Hypothesis(text, self.grammar.lookup(text) if text else None, None, spans)

    def margin(self, pcm: np.ndarray, command: str, rivals: Sequence[str]) -> float | None:
        """The segment decoded once more per command, each with a grammar of that command's
        phrasings alone: how far `command`'s best path leads the rivals' best. PocketSphinx
        scores a path against the best senone of each frame, so the gap is a likelihood ratio.
        One grammar of all the rivals together prunes its own best path (a "stop" scored
        better through `pulse` alone than through every other command): hence one each."""
        own = self._path(command, pcm)
        rest = [p for r in rivals if r != command and (p := self._path(r, pcm)) is not None]
        if own is None or not rest:
            return None
        return (own - max(rest)) / max(1, len(pcm) // 160) * 1000

    def _path(self, command: str, pcm: np.ndarray) -> float | None:
        """The best path's log score through `command`'s phrasings (None: none, or too far
        below the best for the score PocketSphinx's API returns)."""
        if command not in self.grammar.phrases:
            return None
        name = f"only-{command}"
        if name not in self._searches:
            self._fsg.add_jsgf_string(name, jsgf(self.grammar, {command}))
            self._searches.add(name)
        self._fsg.activate_search(name)
        try:
            _words(self._fsg, pcm)
            hyp = self._fsg.hyp()
        finally:
            self._fsg.activate_search("cmds")
        return math.log(hyp.score) if hyp is not None and hyp.score > 0 else None

    def transcribe(self, pcm: np.ndarray) -> str | None:
        lm = self._open()
        return _run(lm, pcm) if lm is not None else None


def jsgf(grammar: Grammar, active: set[str]) -> str:
    """A JSGF grammar whose only sentences are the active phrasings."""
    alts = [" ".join(p) for c in sorted(active) for p in grammar.phrases[c]]
    return "#JSGF V1.0;\ngrammar cmds;\npublic <cmd> = " + " | ".join(alts) + ";\n"


def _run(decoder: ps.Decoder, pcm: np.ndarray) -> str:
    """Decode one segment; 'no final path' (None, '' or a prefix) comes back as ''."""
    return " ".join(w for w, _, _ in _words(decoder, pcm))


def _words(decoder: ps.Decoder, pcm: np.ndarray) -> list[tuple[str, float, float]]:
    """The words of one decoded segment with their (start, end) in seconds, fillers left out."""
    decoder.start_utt()
    decoder.process_raw(np.ascontiguousarray(pcm, dtype=np.int16).tobytes(), full_utt=True)
    decoder.end_utt()
    if decoder.hyp() is None:
        return []
    return [(s.word.split("(")[0], s.start_frame / 100, (s.end_frame + 1) / 100)
            for s in decoder.seg()
            if s.word.strip() and not s.word.startswith(("<", "[", "+", "(NULL"))]
