"""The listening pipeline: segmenter -> recognizer -> command decision with chatter rejection.

An utterance counts only when all of it is a command phrasing. Measured rules (see
benchmarks/RESULTS-listen.md), in order:
  - too long / too short for a command phrasing -> chatter or a click;
  - starts within `min_gap` s of the previous utterance -> the tail of a sentence;
  - the closed grammar found no active phrasing -> not a command;
  - the open-vocabulary transcript has more words than the phrasing allows -> a sentence that
    merely contains a command word ("is that tender?").
Time is audio time (samples fed / 16000), so results are deterministic and faster than real time.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from voice_guide.grammar import normalise
from voice_guide.recognizer import Hypothesis, Recognizer
from voice_guide.segmenter import FRAME, RATE, Segment, Segmenter, SegmenterConfig
from voice_guide.vocabulary import ALWAYS_ACTIVE, COMMANDS


@dataclass(frozen=True)
class Decision:
    command: str | None   # canonical command, or None when rejected
    t: float              # audio seconds (samples fed / 16000) when decided
    start: float          # utterance start, audio seconds
    end: float            # utterance end, audio seconds
    text: str             # what the engine heard
    reason: str | None = None  # why rejected (None when accepted)
    free_text: str | None = None  # open-vocabulary transcript, when the engine has one


@dataclass(frozen=True)
class ListenerConfig:
    min_length: float = 0.15   # shorter speech is a click or breath (s)
    max_length: float = 2.6    # the longest phrasing, spoken slowly, fits (s)
    min_gap: float = 0.8       # an utterance this soon after another is a sentence's tail (s)
    min_words: int = 2         # open transcript may have max(min_words, phrasing + extra_words)
    extra_words: int = 0

    @classmethod
    def for_lang(cls, lang: str) -> ListenerConfig:
        """Korean models split words into morphemes, so the word-count check is looser."""
        return cls(min_words=4) if lang == "ko" else cls()


class Listener:
    """Turns a stream of audio into command decisions; see the module docstring."""

    def __init__(self, recognizer: Recognizer, *, lang: str = "en",
                 config: ListenerConfig | None = None,
                 segmenter: SegmenterConfig | None = None) -> None:
        self.recognizer = recognizer
        self.lang = lang
        self.cfg = config or ListenerConfig.for_lang(lang)
        self._seg = Segmenter(segmenter)
        self._buf = np.zeros(0, dtype=np.int16)
        self._samples = 0
        self._prev_end: float | None = None
        self._active = frozenset(COMMANDS)

    @property
    def t(self) -> float:
        return self._samples / RATE

    @property
    def active(self) -> frozenset[str]:
        return self._active

    def set_active(self, commands: Iterable[str]) -> None:
        """Commands valid from now on; stop/pause are always added."""
        self._active = frozenset(commands) | ALWAYS_ACTIVE

    def feed(self, pcm: np.ndarray) -> list[Decision]:
        """Feed any amount of 16 kHz mono int16 audio; returns decisions made inside it."""
        pcm = np.asarray(pcm, dtype=np.int16).reshape(-1)
        self._samples += len(pcm)
        buf = np.concatenate([self._buf, pcm]) if len(self._buf) else pcm
        n = len(buf) // FRAME
        out = []
        for k in range(n):
            seg = self._seg.push(buf[k * FRAME:(k + 1) * FRAME])
            if seg is not None:
                out.append(self._decide(seg))
        self._buf = buf[n * FRAME:].copy()
        return out

    def flush(self) -> list[Decision]:
        """End of stream: decide on an utterance still open."""
        if len(self._buf):
            pad = np.zeros(FRAME - len(self._buf), dtype=np.int16)
            seg = self._seg.push(np.concatenate([self._buf, pad]))
            self._buf = np.zeros(0, dtype=np.int16)
            if seg is not None:
                return [self._decide(seg)]
        seg = self._seg.flush()
        return [self._decide(seg)] if seg is not None else []

    def _decide(self, seg: Segment) -> Decision:
        gap = None if self._prev_end is None else seg.start - self._prev_end
        self._prev_end = seg.end
        length = seg.end - seg.start
        if seg.truncated or length > self.cfg.max_length:
            return self._reject(seg, "", f"too long for a command ({length:.1f} s)")
        if length < self.cfg.min_length:
            return self._reject(seg, "", f"too short ({length:.2f} s)")
        if gap is not None and gap < self.cfg.min_gap:
            return self._reject(seg, "", f"follows other speech after {gap:.2f} s")
        self.recognizer.set_commands(set(self._active))
        hyp = self.recognizer.decode(seg.pcm)
        return self._judge(seg, hyp)

    def _judge(self, seg: Segment, hyp: Hypothesis) -> Decision:
        if hyp.command is None:
            return self._reject(seg, hyp.text, "not a command phrasing", hyp.free_text)
        if hyp.command not in self._active:
            return self._reject(seg, hyp.text, f"{hyp.command!r} is not active now", hyp.free_text)
        if hyp.free_text is not None:
            allowed = max(self.cfg.min_words, len(hyp.text.split()) + self.cfg.extra_words)
            heard = len(normalise(hyp.free_text).split())
            if heard > allowed:
                return self._reject(seg, hyp.text, f"sounds like a sentence ({heard} words)",
                                    hyp.free_text)
        return Decision(hyp.command, seg.closed, seg.start, seg.end, hyp.text, None, hyp.free_text)

    def _reject(self, seg: Segment, text: str, reason: str, free: str | None = None) -> Decision:
        return Decision(None, seg.closed, seg.start, seg.end, text, reason, free)
