"""The listening pipeline: segmenter -> recognizer -> command decision with chatter rejection.

Each utterance that is not the guide's own voice, not below the room and of a command's length
is heard by three witnesses and weighed into one decision (evidence.py): the grammar pass, the
template witness (templates.py: the utterance framed around its own speech, matched against
recordings of every phrasing) and the older rules below, which say whether it sounds like a
phrasing alone or a sentence. Without templates (`templates=None`) the older rules decide, as
they did before. The older rules (see benchmarks/RESULTS-listen.md), in order:
  - too long / too short for a command phrasing -> chatter or a click;
  - starts within `min_gap` s of the previous utterance -> the tail of a sentence (with the
    templates: only under `min_gap_templates`; up to `min_gap` the weighing decides, with a
    penalty);
  - the closed grammar found no active phrasing -> not a command;
  - loud speech outside the words the grammar aligned -> a sentence around a phrasing
    (coverage.py; "is it softer now" decoded as "it's softer" with "now" left to silence);
  - the open-vocabulary transcript has more words than the phrasing allows -> a sentence that
    merely contains a command word ("is that tender?"). One word more (at least 3) is allowed
    when it contains a content word of the phrasing: the open LM pads espeak speech with short
    words ("it's a local", "the next step"); tune split: +3.7/+0.9/+2.7 points of accuracy
    for +1/0/+1 chatter false accepts (clean/pink/music). Fillers (a, the, oh) do not count.
The open-vocabulary pass runs last, only for a segment the grammar pass did not refuse (it costs
about ten times as much), and only where the templates do not judge: a listener without them,
or speech longer than they judge (`EvidenceConfig.max_length`). Beside the templates it only
counted words, and had come to be asked about numb, finish and back alone: it then called a
single decision of the tune split a sentence (which changed a question back, nothing else),
while a live session waited up to 0.8 s for it on the very commands that must act at
once (benchmarks/RESULTS-listen.md). The open LM makes words of a busy room's talk, of music
and of voices unlike espeak's. Without the templates, a transcript that is exactly an active
phrasing wins over the grammar pass (session: "located" heard by the grammar as "okay next",
by the open LM as "located").
Time is audio time (samples fed / 16000), so results are deterministic and faster than real time.
An utterance is heard as soon as its audio is whole, while the segmenter's hangover runs, and
the close decides on what was heard then (ahead.py): the hangover is no longer spent waiting.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np

from voice_guide.audio.pcm import clip_int16
from voice_guide.ears.ahead import Ahead
from voice_guide.ears.coverage import clipped, uncovered
from voice_guide.ears.denoise import DenoiseConfig, noise_power, subtract
from voice_guide.ears.embedding import Embedder
from voice_guide.ears.evidence import (
    EvidenceConfig,
    Verdict,
    Witnesses,
    could_take,
    rivals,
    sure_matters,
    weigh,
)
from voice_guide.ears.grammar import normalise
from voice_guide.ears.recognizer import Hypothesis, Recognizer
from voice_guide.ears.room import QUIET_ROOM_DB, RoomLevel, utterance_level
from voice_guide.ears.segmenter import FRAME, RATE, Segment, Segmenter, SegmenterConfig
from voice_guide.ears.templates import POST, PRE, Match, Templates, shipped_templates, speech_span
from voice_guide.vocabulary import ALWAYS_ACTIVE, CARRIERS, COMMANDS

#: Templates: speech is looked for this far around the segmenter's start and end (s), and
#: must stand this far above the room (dB).
SEARCH, SPAN_ROOM_DB = 0.15, 6.0
#: Short words the open LM pads espeak speech with ("it's a poem" for "it's numb"); they are
#: not counted as words of a sentence. Isolated utterances, with the coverage rule: +3.4 / +4.8
#: points of commands (tune / report voices), chatter false accepts unchanged (2/216, 4/288).
FILLERS = frozenset({"a", "an", "the", "oh", "um", "uh"})


@dataclass(frozen=True)
class Decision:
    command: str | None   # canonical command, or None when rejected
    t: float              # audio seconds (samples fed / 16000) when decided
    start: float          # utterance start, audio seconds
    end: float            # utterance end, audio seconds
    text: str             # what the engine heard
    reason: str | None = None  # why rejected (None when accepted)
    free_text: str | None = None  # open-vocabulary transcript, when the engine has one
    pcm: np.ndarray | None = field(default=None, repr=False, compare=False)  # the utterance
    pcm_start: float = 0.0  # audio time of pcm[0]
    confidence: float | None = None  # 0..1 (evidence.py); None when not scored
    runner_up: str | None = None     # the next most likely command, and its confidence
    runner_up_confidence: float | None = None
    evidence: str | None = None      # what decided: grammar+templates | templates | grammar
    confirm: bool = False            # weak evidence for a safety command: the guide asks back
    matches: tuple[Match, ...] = field(default=(), repr=False, compare=False)  # templates' best
    above_room: float | None = None  # dB the utterance stood out of the room (None: unknown)


@dataclass(frozen=True)
class ListenerConfig:
    min_length: float = 0.10   # shorter speech is a click or breath (s); the VAD can cut a
                               # word short (a fast "next" came out 0.13 s): the templates judge it
    per_syllable: float = 0.09  # a phrasing lasts at least this per syllable (fast speech:
                                # about 0.2 s); babble fragments decode as long words
    max_length: float = 2.6    # the longest phrasing, spoken slowly, fits (s)
    min_gap: float = 0.8       # an utterance this soon after another is a sentence's tail (s)
    min_words: int = 2         # open transcript may have max(min_words, phrasing + extra_words)
    extra_words: int = 0
    shared_words: int = 1      # ... plus this many when it contains a content word of the phrasing
    room_margin_db: float | None = 6.0  # a command stands this far above the room (room.py)
    max_uncovered: float | None = 0.03  # seconds of speech the phrasing's words may leave out
    uncovered_room_db: float = 10.0     # ... counting only frames this far above the room
    min_gap_templates: float = 0.3  # the gap rule when the templates vouch for the command (s)
    min_gap_busy: float = 0.35  # ... among other talkers, whose noise cuts a sentence at its
                                # word gaps (Listener._gap_floor)
    denoise: DenoiseConfig | None = None  # the room's steady noise out of the templates' query
    ahead: bool = True          # hear a pending utterance before its close (ahead.py)
    ahead_busy_db: float = 20.0  # ... in a busy room only when it stands this far out of it
    early_confidence: float = 0.95  # a busy room's utterance cut early (Listener._early) is
                                    # taken at this confidence or more
    over_guide_every: float = 0.25  # s: an utterance open over the guide's voice is heard this
                                    # often (Listener._over_guide), ...
    over_guide_window: float = 1.6  # ... its last this many seconds ...
    over_guide_after: float = 0.25  # ... and a word said over it is decided once this much
                                    # has passed after it (more than echo.WORD_GAP)
    evidence: EvidenceConfig = field(default_factory=EvidenceConfig)

    @classmethod
    def for_lang(cls, lang: str) -> ListenerConfig:
        """Korean models split words into morphemes, so the word-count check is looser; its
        templates come from fewer voices, and its threshold was chosen on its own tune runs
        (benchmarks/RESULTS-listen.md)."""
        if lang == "ko":  # Korean syllables are short: about 0.12 s each at a normal pace
            return cls(min_words=4, shared_words=0, per_syllable=0.05,
                       evidence=EvidenceConfig(accept=0.19))
        return cls()


@dataclass(frozen=True)
class Screened:
    """An utterance the cheap rules let through (Listener._screen), for the witnesses."""
    seg: Segment                  # echo taken out, where the guide was speaking
    cleaned: bool                 # ... and so its own audio, not what the room heard
    standout: float | None        # dB above the room (None: unknown)
    gap: float | None             # s since the previous utterance ended (None: the first)

    @property
    def length(self) -> float:
        return self.seg.end - self.seg.start


def syllables(text: str) -> int:
    """A rough syllable count (vowel groups, at least one a word; Hangul: one a character),
    for duration checks."""
    hangul = len(re.findall("[\uac00-\ud7a3]", text))
    if hangul:
        return hangul
    return sum(max(1, len(re.findall(r"[aeiouy]+", w))) for w in text.lower().split())


class Listener:
    """Turns a stream of audio into command decisions; see the module docstring."""

    def __init__(self, recognizer: Recognizer, *, lang: str = "en",
                 config: ListenerConfig | None = None,
                 segmenter: SegmenterConfig | None = None,
                 templates: Templates | None | Literal["shipped"] = "shipped") -> None:
        self.recognizer = recognizer
        self.lang = lang
        self.cfg = config or ListenerConfig.for_lang(lang)
        self._seg = Segmenter(segmenter)
        self._buf = np.zeros(0, dtype=np.int16)
        self._samples = 0
        self._prev_end: float | None = None
        self._active = frozenset(COMMANDS)
        self._expected: frozenset[str] = frozenset()
        self.templates = shipped_templates(lang) if isinstance(templates, str) else templates
        self._embed = embedder() if self.templates is not None else None
        self._recent = Recent(int(RATE * 4))  # the last 4 s heard: context for the templates
        self._room = RoomLevel()
        self._frames = 0
        self._ahead = Ahead(recognizer)
        self._looked: tuple[float, float] | None = None  # the pending utterance decoded ahead
        self._over: tuple[float, float] | None = None  # the word over the guide last weighed
        self._every = max(1, round(self.cfg.over_guide_every * RATE / FRAME))
        #: Set by the Session, which knows what the guide played: for a segment it returns
        #: why it is the guide's own voice (not decoded, and not "other speech" for the gap
        #: rule), or the segment with the guide's echo taken out, or None.
        self.echo_filter: Callable[[Segment], str | Segment | None] | None = None

    @property
    def t(self) -> float:
        return self._samples / RATE

    @property
    def hearing(self) -> bool:
        """Someone is speaking: an utterance is open and not yet decided."""
        return self._seg.open

    @property
    def active(self) -> frozenset[str]:
        return self._active

    @property
    def expected(self) -> frozenset[str]:
        return self._expected

    def set_active(self, commands: Iterable[str], expected: Iterable[str] = ()) -> None:
        """Commands valid from now on (stop/pause are always added), and the few the dialogue
        expects at this point: they need less evidence (context as a prior, evidence.py)."""
        self._active = frozenset(commands) | ALWAYS_ACTIVE
        self._expected = frozenset(expected) & self._active

    def feed(self, pcm: np.ndarray) -> list[Decision]:
        """Feed any amount of 16 kHz mono int16 audio; returns decisions made inside it."""
        pcm = np.asarray(pcm, dtype=np.int16).reshape(-1)
        self._samples += len(pcm)
        buf = np.concatenate([self._buf, pcm]) if len(self._buf) else pcm
        n = len(buf) // FRAME
        out = []
        for k in range(n):
            frame = buf[k * FRAME:(k + 1) * FRAME]
            self._room.push(self._frames, frame)
            self._recent.push(frame)
            self._frames += 1
            seg = self._seg.push(frame)
            if seg is not None:
                out.append(self._decide(seg))
            elif (early := self._early()) is not None:
                out.append(early)
            elif (over := self._over_guide()) is not None:
                out.append(over)
        self._buf = buf[n * FRAME:].copy()
        if self.cfg.ahead:
            self._look_ahead()
        return out

    def _look_ahead(self) -> None:
        """Hear the pending utterance now, as the close will (ahead.py): the decision then
        keeps what the witnesses said instead of waiting for them. Once per pending utterance,
        and not in a busy room unless it stands far out of it: babble pauses and goes on, and
        decoding at every pause cost more than the listening budget (tune split: RTF 0.13)."""
        seg = self._seg.pending()
        if seg is None or (seg.start, seg.end) == self._looked:
            return
        self._looked = (seg.start, seg.end)
        screened = self._screen(seg, commit=False)
        if not isinstance(screened, Screened) or (
                self._seg.busy and (screened.standout or 0.0) < self.cfg.ahead_busy_db):
            return
        self._ahead.hold(screened.seg.pcm)
        self._witnessed(screened)  # the decision is made again at the close, from what is kept

    def _early(self) -> Decision | None:
        """The decision on an utterance the room's talk holds open, where the segmenter cut it
        early (Segmenter.early), if the evidence there is strong; the utterance then closes
        at the cut. Among three talkers (tune split) the p95 live latency went from 513 / 770
        ms to 330 / 369 ms, and more commands were taken (benchmarks/RESULTS-listen.md). Strong:
        a command taken, not asked back, at `early_confidence`, from an utterance whose
        level over the room is known (short fragments of the room's talk, where it was not,
        were taken as commands)."""
        seg = self._seg.early()
        if seg is None:
            return None
        screened = self._screen(seg, commit=False)
        if (not isinstance(screened, Screened) or screened.standout is None
                or screened.length > self.cfg.evidence.max_length):
            return None  # longer, the templates do not judge it: never taken this sure
        if not self._taken_early(screened):
            return None
        return self._decide(self._seg.cut())

    def _taken_early(self, screened: Screened) -> bool:
        """Whether an utterance heard before its close is taken there: a command, not asked
        back, at `early_confidence`. The templates are asked first: where they cannot carry it
        at that confidence, the grammar pass is not asked."""
        self._ahead.hold(screened.seg.pcm)
        at = self.cfg.early_confidence
        matches = self._matches(screened.seg, screened.cleaned)
        if matches is None or not could_take(matches, self._expected, at, self.cfg.evidence):
            return False
        heard = self._witnessed(screened)
        return heard.command is not None and not heard.confirm and (heard.confidence or 0) >= at

    def _over_guide(self) -> Decision | None:
        """A word said over the guide's own voice, decided once it has ended rather than when
        the guide pauses: the echo holds the utterance open (a "stop" over a long cue was
        acted on 0.2-4 s after the word, benchmarks/RESULTS-listen.md). Every
        `over_guide_every` s the open utterance's last seconds go through the session's echo
        filter (`echo_filter`, which cuts them to what the echo does not explain); when that
        part ended `over_guide_after` s ago, it is weighed, once, and taken as `_early` takes a
        cut: at `early_confidence`, not asked back. The utterance then closes."""
        if self.echo_filter is None or not self._seg.open or self._frames % self._every:
            return None
        seg = self._seg.so_far(self.cfg.over_guide_window)
        if seg is None:
            return None
        screened = self._screen(seg, commit=False)
        if not isinstance(screened, Screened) or not screened.cleaned:
            return None  # all echo, or no cue under it: it closes as any utterance does
        word = screened.seg
        if seg.closed - word.end < self.cfg.over_guide_after or (word.start, word.end) == \
                self._over or screened.standout is None:
            return None
        self._over = (word.start, word.end)
        if not self._taken_early(screened):
            return None
        whole = self._seg.cut()
        self._room.mark(whole.pcm_start, whole.closed)  # all of it, not only the window
        return self._decide(seg)

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
        """Screen the utterance with the cheap rules, then hear it with every witness."""
        self._room.mark(seg.pcm_start, seg.closed)
        screened = self._screen(seg)
        if isinstance(screened, Decision):
            self._ahead.forget()  # speech went on after a pause: what was heard then is lost
            return screened
        self._ahead.hold(screened.seg.pcm)
        decision = self._witnessed(screened)
        self._ahead.forget()
        return decision

    def _screen(self, seg: Segment, commit: bool = True) -> Decision | Screened:
        """The refusals that need no decoding: the guide's own voice, below the room, too long
        or too short, straight after other speech; or what the witnesses need to know.
        `commit`: the utterance has closed (it then counts as the latest speech heard)."""
        echo = self.echo_filter(seg) if self.echo_filter else None
        if isinstance(echo, str):
            return self._reject(seg, "", echo)
        cleaned = echo is not None
        if echo is not None:
            seg = echo  # the same segment with the guide's echo taken out of its audio
        quiet, standout = self._below_room(seg)
        if quiet:
            return self._reject(seg, "", quiet)
        gap = None if self._prev_end is None else seg.start - self._prev_end
        if commit:
            self._prev_end = seg.end
        length = seg.end - seg.start
        if seg.truncated or length > self.cfg.max_length:
            return self._reject(seg, "", f"too long for a command ({length:.1f} s)")
        if length < self.cfg.min_length:
            return self._reject(seg, "", f"too short ({length:.2f} s)")
        if gap is not None and gap < self._gap_floor():
            return self._reject(seg, "", f"follows other speech after {gap:.2f} s")
        return Screened(seg, cleaned, standout, gap)

    def _gap_floor(self) -> float:
        """How soon after other speech an utterance is a sentence's tail, refused unweighed.
        Among other talkers the segmenter's raised gate cuts a sentence at its word gaps, and
        a piece of it came 0.32 s after the piece before ("...next time" -> time); the
        commands said after a sentence came 0.38 s after it or later (tune split,
        benchmarks/RESULTS-listen.md)."""
        if self.templates is None:
            return self.cfg.min_gap
        return self.cfg.min_gap_busy if self._seg.crowded else self.cfg.min_gap_templates

    def _witnessed(self, heard: Screened) -> Decision:
        """The templates, the grammar pass and the older rules, weighed into one decision."""
        seg, gap, standout, length = heard.seg, heard.gap, heard.standout, heard.length
        soon = gap is not None and gap < self.cfg.min_gap
        # Decode against every command, then refuse the inactive ones: a grammar cut down to
        # a step's few commands maps any word onto one of them (with {tender, stop, pause}
        # active, "next" came out as "pause").
        matches = self._matches(seg, heard.cleaned)
        self.recognizer.set_commands(set(self.recognizer.grammar.phrases))
        hyp = self._ahead.decode(seg.pcm)
        # Only other talkers make the grammar pass a witness of the room (it maps their
        # words onto phrasings); music as loud does not (benchmarks/RESULTS-listen.md).
        busy = self._seg.crowded
        loud = busy and standout is not None and standout < self.cfg.evidence.loud_room_db
        # This soon after other speech the older rules refuse it unasked (no coverage, no word
        # count); the weighing decides, with the `soon` penalty and the grammar's agreement.
        if soon:
            old = self._reject(seg, hyp.text, f"follows other speech after {gap:.2f} s")
            outside = False
        else:
            # The open-vocabulary pass only where the templates do not judge (module doc).
            judged = matches is not None and length <= self.cfg.evidence.max_length
            old, outside = self._judge(seg, hyp, transcribe=not judged)
        if matches is None:
            return replace(old, above_room=standout)
        grammar = self.recognizer.grammar.lookup(old.text) if old.text else None
        witnesses = Witnesses(grammar, rules_accept=old.command is not None,
                              outside=outside, soon=soon, reason=old.reason,
                              loud=loud, busy=busy)
        witnesses = self._surer(seg, witnesses, matches, length)
        verdict = weigh(witnesses, matches, length=length, active=self._active,
                        expected=self._expected, cfg=self.cfg.evidence)
        return replace(self._weighed(old, verdict, matches), above_room=standout)

    def _surer(self, seg: Segment, w: Witnesses, matches: tuple[Match, ...],
               length: float) -> Witnesses:
        """The witnesses with how sure the grammar pass is (a small decode per rival), where
        that can change the verdict. Not among other talkers (`w.busy`), where nothing is
        heard ahead of the close and the decodes would be the session's wait."""
        cfg = self.cfg.evidence
        if w.busy or w.grammar is None or not sure_matters(
                w, matches, length=length, active=self._active, expected=self._expected,
                cfg=cfg):
            return w
        asked = rivals(w.grammar, matches, cfg)
        return replace(w, margin=self._ahead.margin(seg.pcm, w.grammar, asked))

    def _weighed(self, old: Decision, v: Verdict, matches: tuple[Match, ...]) -> Decision:
        """The older rules' decision, overruled or confirmed by the weighed evidence."""
        phrase = next((m.phrase for m in matches if m.command == v.command), old.text)
        text = old.text if v.command is None or v.command == old.command else phrase
        return replace(old, command=v.command, reason=v.reason if v.command is None else None,
                       text=text, confidence=round(v.confidence, 3), runner_up=v.runner_up,
                       runner_up_confidence=round(v.runner_up_confidence, 3),
                       evidence=v.evidence, confirm=v.confirm, matches=matches[:3])

    def _matches(self, seg: Segment, cleaned: bool) -> tuple[Match, ...] | None:
        """The templates' best per command, best first (None: the listener has none)."""
        if self.templates is None or self._embed is None:  # both or neither
            return None
        embed, ranked = self._embed, self.templates.ranked
        k = self.cfg.evidence.neighbours
        return self._ahead.matches(self._query(seg, cleaned),
                                   lambda q: tuple(ranked(embed(q), neighbours=k)))

    def _query(self, seg: Segment, cleaned: bool) -> np.ndarray:
        """The utterance framed as the templates are: templates.PRE s before where its speech
        starts and templates.POST s after it ends (templates.speech_span, above the room), from
        what was heard where it is still kept, from the segment's own audio where the echo was
        taken out, and a faint hiss where nothing was heard (before a stream's first sample)."""
        audio, origin = self._heard_around(seg, cleaned)
        room = self._room.level(seg.pcm_start)
        lo = max(0, int((seg.start - SEARCH - origin) * RATE))
        hi = min(len(audio), int((seg.end + SEARCH - origin) * RATE))
        a, b = speech_span(audio[lo:hi], None if room is None else room + SPAN_ROOM_DB)
        a, b = lo + a - int(PRE * RATE), lo + b + int(POST * RATE)
        x = np.zeros(b - a, dtype=np.int16)
        x[max(0, -a):max(0, -a) + len(audio[max(a, 0):b])] = audio[max(a, 0):b]
        if self.cfg.denoise is not None and not cleaned:
            x = self._denoised(x, seg.start)
        return dither(x)

    def _denoised(self, x: np.ndarray, start: float) -> np.ndarray:
        """`x` with the room's noise, as heard in the seconds before `start`, taken out."""
        cfg = self.cfg.denoise
        assert cfg is not None
        end = int(round((start - SEARCH) * RATE))
        heard = self._recent.span(max(0, end - int(cfg.history * RATE)), max(0, end))
        noise = None if heard is None else noise_power(heard, cfg.percentile)
        return x if noise is None else subtract(x, noise, cfg)

    def _heard_around(self, seg: Segment, cleaned: bool) -> tuple[np.ndarray, float]:
        """Audio around a segment and the audio time of its first sample: what was heard from
        PRE + SEARCH s before the segment to its end, or the segment's own (echo-free) audio."""
        if not cleaned:
            a = max(0, int(round((seg.start - SEARCH - PRE) * RATE)))
            # up to the segment's last sample: the same ahead of its close (ahead.py) as at it
            b = min(self._recent.end, int(round(seg.pcm_start * RATE)) + len(seg.pcm))
            heard = self._recent.span(a, b)
            if heard is not None:
                return heard, a / RATE
        return seg.pcm, seg.pcm_start

    def _judge(self, seg: Segment, hyp: Hypothesis,
               transcribe: bool = True) -> tuple[Decision, bool]:
        """The older rules' decision, and whether they refused it for speech outside the
        phrasing's words (a sentence around it; the weighing's `outside` witness). Without
        `transcribe` the open-vocabulary pass is skipped (the templates judge)."""
        (why, outside), opened = self._refuse_grammar(seg, hyp), not transcribe
        if why and hyp.command is None and hyp.text and transcribe and self.templates is None:
            # The grammar ended on part of a phrasing (Korean "이전 요"): the open pass may have
            # heard the phrasing whole (report split, when added: 2 of 64 Korean commands).
            # Beside the templates no tune decision needs it (benchmarks/RESULTS-listen.md).
            hyp, opened = self._open(seg, hyp), True
            why, outside = self._refuse_grammar(seg, hyp)
        if why:
            return self._reject(seg, hyp.text, why, hyp.free_text), outside
        # Only now the open-vocabulary pass: ten times the cost of the grammar pass, and most
        # segments in a busy room were refused above (see benchmarks/RESULTS-listen.md).
        if not opened:
            hyp = self._open(seg, hyp)
        if hyp.free_text is not None:
            heard = [w for w in normalise(hyp.free_text).split() if w not in FILLERS]
            if len(heard) > self._allowed_words(hyp.text, heard):
                why = f"sounds like a sentence ({len(heard)} words)"
                return self._reject(seg, hyp.text, why, hyp.free_text), False
        return Decision(hyp.command, seg.closed, seg.start, seg.end, hyp.text, None, hyp.free_text,
                        pcm=seg.pcm, pcm_start=seg.pcm_start), False

    def _refuse_grammar(self, seg: Segment, hyp: Hypothesis) -> tuple[str | None, bool]:
        """Why the grammar pass alone already refuses the segment (None: check it further),
        and whether it is speech outside the phrasing's words (a sentence around it)."""
        if hyp.command is None:
            return "not a command phrasing", False
        if hyp.command not in self._active:
            return f"{hyp.command!r} is not active now", False
        shortest = self.cfg.per_syllable * syllables(hyp.text)
        if seg.end - seg.start < shortest:
            return (f"too short for {hyp.text!r} "
                    f"({seg.end - seg.start:.2f} s < {shortest:.2f} s)"), False
        why = self._uncovered(seg, hyp)
        return why, why is not None

    def _below_room(self, seg: Segment) -> tuple[str | None, float | None]:
        """Why the utterance is too quiet for the room (None: it is not), and by how many dB
        it stands out of the room (None: the room is not known yet, or the rule is off)."""
        margin = self.cfg.room_margin_db
        room = self._room.level(seg.pcm_start) if margin is not None else None
        if margin is None or room is None:
            return None, None
        level = utterance_level(seg.pcm, seg.start - seg.pcm_start, seg.end - seg.start)
        if level is None:
            return None, None
        if level - room < margin:
            return f"only {level - room:.0f} dB above the room (needs {margin:g})", level - room
        return None, level - room

    def _uncovered(self, seg: Segment, hyp: Hypothesis) -> str | None:
        """Speech outside the phrasing's aligned words: a sentence with a command word in it."""
        if self.cfg.max_uncovered is None or not hyp.words or clipped(seg.pcm):
            return None
        room = self._room.level(seg.pcm_start)
        # Digital silence (exact zeros between words) is a room at 0 dB, which makes every
        # breath and click "speech"; no real room is quieter than a faint hiss.
        room = max(room, QUIET_ROOM_DB) if room is not None else QUIET_ROOM_DB
        floor = room + self.cfg.uncovered_room_db
        within = (seg.start - seg.pcm_start, seg.end - seg.pcm_start)
        left = uncovered(seg.pcm, hyp.words, floor_db=floor, within=within)
        if left > self.cfg.max_uncovered:
            return f"{left:.2f} s of speech outside {hyp.text!r}"
        return None

    def _open(self, seg: Segment, hyp: Hypothesis) -> Hypothesis:
        return self._prefer_open(replace(hyp, free_text=self._ahead.transcribe(seg.pcm)))

    def _prefer_open(self, hyp: Hypothesis) -> Hypothesis:
        """Without the templates, an open transcript that is exactly an active phrasing beats
        the grammar's guess (with them, the templates name the command: module docstring)."""
        if hyp.free_text is None or self.templates is not None:
            return hyp
        cmd = self.recognizer.grammar.lookup(hyp.free_text)
        if cmd is None or cmd == hyp.command or cmd not in self._active:
            return hyp
        return Hypothesis(normalise(hyp.free_text), cmd, hyp.free_text, hyp.words)

    def _allowed_words(self, phrasing: str, heard: list[str]) -> int:
        """How many open-transcript words the phrasing may come out as (see module doc)."""
        words = phrasing.split()
        allowed = max(self.cfg.min_words, len(words) + self.cfg.extra_words)
        extra = self.cfg.shared_words
        if extra and set(words) - CARRIERS & set(heard):
            allowed = max(len(words), self.cfg.min_words) + extra
        return allowed

    def _reject(self, seg: Segment, text: str, reason: str, free: str | None = None) -> Decision:
        return Decision(None, seg.closed, seg.start, seg.end, text, reason, free, pcm=seg.pcm,
                        pcm_start=seg.pcm_start)


class Recent:
    """The last `size` samples heard, by absolute sample index (a ring: each frame is
    written once where it belongs, nothing is moved)."""

    def __init__(self, size: int) -> None:
        self._buf = np.zeros(size, dtype=np.int16)
        self._end = 0  # absolute index one past the newest sample

    def push(self, frame: np.ndarray) -> None:
        n = len(frame)
        self._buf[np.arange(self._end, self._end + n) % len(self._buf)] = frame
        self._end += n

    @property
    def end(self) -> int:
        return self._end

    def span(self, a: int, b: int) -> np.ndarray | None:
        """Samples a..b (absolute), or None when they are no longer (or not yet) kept."""
        if a < self._end - len(self._buf) or b > self._end or b < a or a < 0:
            return None
        return self._buf.take(np.arange(a, b), mode="wrap")


def dither(pcm: np.ndarray, rms: float = 8.0) -> np.ndarray:
    """A faint fixed hiss under the audio: exact digital silence (an edited file, a scripted
    stream) has no spectrum at all, which neither the templates nor the models ever heard."""
    rng = np.random.default_rng(len(pcm))
    x = np.asarray(pcm, dtype=np.float64) + rms * rng.standard_normal(len(pcm))
    return clip_int16(x)


@functools.cache
def embedder() -> Embedder:
    """One speech-embedding model per process (two ONNX sessions, 2.4 MB)."""
    return Embedder()
