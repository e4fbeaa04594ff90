"""A session: the dialogue core wired to whatever hears (keyboard, listener) and whatever
shows and speaks (event sinks). No device I/O here, so live, file, keyboard and scripted
sessions all share it.

Flow: audio → Listener.feed → Decision → self-hearing guard → Dialogue.hear → events → sinks.
Timers are ticked on the audio time the listener has consumed, so they are exact.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

import numpy as np

from voice_guide.audio.pcm import clip_int16
from voice_guide.const import RATE
from voice_guide.dialogue.core import Dialogue
from voice_guide.ears.listener import Decision
from voice_guide.ears.room import loud_span
from voice_guide.events import Event
from voice_guide.session.echo import cancel, explained_share, said_over, stands_out
from voice_guide.session.pardon import AGAIN, Pardons
from voice_guide.vocabulary import BARGE_IN, CARRIERS

Sink = Callable[[Event], None]
ECHO_TAIL = 0.35  # seconds after the guide stops speaking during which the room still echoes
ECHO_ONSET = 0.2  # an utterance starting this close to a cue's start is taken for its echo
ECHO_SHARE = 0.75  # the cue's audio explains this much of an utterance: it is the echo,
                   # unless what is left stands out (echo.stands_out)
ECHO_SHARE_WORDS = 0.3  # ... or this much, and the command's words are in the cue
ECHO_CANCEL = 0.05  # below this share, the fit is noise: leave the audio as it is
TRIM_PAD = 0.15  # s of audio kept around what is left after the echo is taken out
_DEBUG = os.environ.get("VOICE_GUIDE_DEBUG_ECHO")  # a file to log the echo guard to


@dataclass(frozen=True)
class Speech:
    """An interval (audio seconds) during which the guide's own voice reaches the mic."""

    start: float
    end: float
    text: str
    pcm: np.ndarray | None = field(default=None, repr=False)  # what was played, from start


def _debug(line: str) -> None:
    if _DEBUG:
        with open(_DEBUG, "a", encoding="utf-8") as f:
            f.write(line + "\n")


def _trimmed(seg, pcm: np.ndarray):
    """The segment with its echo taken out, cut to what is left of speech: PocketSphinx
    decodes a short word followed by the silence where the echo was badly (measured), and
    what the fit leaves of a long cue around a word made it too long for a command."""
    span = said_over(pcm, seg.pcm) or loud_span(pcm)
    if span is None:
        return replace(seg, pcm=pcm.astype(np.int16))
    pad = int(TRIM_PAD * RATE)
    lo, hi = max(0, span[0] - pad), min(len(pcm), span[1] + pad)
    start = seg.pcm_start + lo / RATE
    end = min(seg.end, seg.pcm_start + (hi - pad) / RATE)
    # The segmenter cut a long cue at its length limit, not the word said over it: the word
    # is cut short only where it reaches that cut.
    return replace(seg, pcm=clip_int16(pcm[lo:hi]), pcm_start=start,
                   start=max(seg.start, start + pad / RATE), end=end,
                   truncated=seg.truncated and end >= seg.end - TRIM_PAD)


def without_audio(decision: Decision) -> Decision:
    """A decision kept for --verbose: its audio (tens of kB an utterance) is not needed."""
    return replace(decision, pcm=None) if getattr(decision, "pcm", None) is not None else decision


def _words(text: str) -> list[str]:
    return "".join(c if c.isalnum() else " " for c in text.lower()).split()


def content(text: str) -> str:
    """A phrasing without its carrier words: "it's worse" said over a cue with "it" in it is
    not the cue (the iliacus example's "worse", over "It refers. Hold steady...")."""
    return " ".join(w for w in text.lower().split() if w not in CARRIERS)


class Session:
    """Owns one Dialogue; feeds it commands or audio; sends every event to the sinks."""

    def __init__(self, dialogue: Dialogue, sinks: Iterable[Sink] = (), listener=None,
                 echo_tail: float = ECHO_TAIL) -> None:
        self.dialogue = dialogue
        self.sinks = list(sinks)
        self.listener = listener
        self.echo_tail = echo_tail
        self.speech: list[Speech] = []
        # (decision, why) for --verbose output: the last 200, without their audio
        self.rejected: deque[tuple[Decision, str]] = deque(maxlen=200)
        self.rejected_total = 0
        self.pardons = Pardons()  # when a near miss is asked again (pardon.py)
        if listener is not None:
            listener.echo_filter = self._echo_of

    @property
    def ended(self) -> bool:
        return self.dialogue.ended

    def start(self, t: float = 0.0) -> None:
        self._send(self.dialogue.start(t))

    def command(self, command: str, t: float) -> None:
        """A command from the keyboard (or any source that is not audio)."""
        self._send(self.dialogue.hear(command, t))

    def tick(self, t: float) -> None:
        self._send(self.dialogue.tick(t))

    def feed_audio(self, pcm) -> None:
        """Audio (int16, 16 kHz mono) heard by the listener; decisions go to the dialogue."""
        for decision in self.listener.feed(pcm):
            self._decide(decision)
        self.tick(self.listener.t)

    def end_of_audio(self) -> None:
        for decision in self.listener.flush():
            self._decide(decision)
        self.tick(self.listener.t)

    def speaking(self, start: float, end: float, text: str,
                 pcm: np.ndarray | None = None) -> None:
        """The guide's own voice occupies [start, end] of audio time (for the guard).

        Reporting the same start again (a cue cut short) replaces the earlier interval.
        """
        _debug(f"guide speaks {start:.2f}-{end:.2f} {text[:30]!r} audio={pcm is not None}")
        if self.speech and self.speech[-1].start == start:
            self.speech.pop()
        self.speech.append(Speech(start, end, text, pcm))
        self.speech = [s for s in self.speech if s.end + self.echo_tail >= start - 60]

    def _decide(self, decision: Decision) -> None:
        if self.ended:
            return
        if decision.command is None:
            self._reply(decision)
            return
        why = self._self_heard(decision)
        if why:
            self.rejected.append((without_audio(decision), why))
            self.rejected_total += 1
            return
        self.pardons.heard(decision)
        self._send(self.dialogue.hear(decision.command, decision.t,
                                      confirm=bool(getattr(decision, "confirm", False))))

    def _reply(self, refused: Decision) -> None:
        """A near miss is asked again, a clear command that does not fit gets a hint
        (pardon.py); not over the guide's own voice, which may be its echo."""
        if self._overlapping(refused.start, refused.end):
            return
        answer = self.pardons.reply(refused, self.dialogue.active_commands())
        if answer == AGAIN:
            self._send(self.dialogue.unclear(refused.t))
        elif answer is not None:
            self._send(self.dialogue.misplaced(answer, refused.t))

    def _echo_of(self, seg):
        """Before decoding: the guide's own played audio in a segment (echo.py).

        A segment that audio explains almost wholly is refused (a reason); otherwise the
        echo is taken out of the segment's audio (a new Segment), so a report said over a
        cue is decoded without the cue; None when no cue overlaps.
        """
        pcm, changed = seg.pcm.astype(np.float64), False
        heard = float(np.dot(pcm, pcm)) or 1.0
        for s in self._overlapping(seg.start, seg.end):
            if s.pcm is None:
                continue
            played = s.pcm[: max(0, int(round((s.end - s.start) * RATE)))]  # cut cues end early
            share, cleaned = cancel(pcm, seg.pcm_start, played, s.start)
            _debug(f"segment {seg.start:.2f}-{seg.end:.2f} vs cue {s.start:.2f}-{s.end:.2f}: "
                   f"{share:.0%}")
            if share >= ECHO_CANCEL:
                pcm, changed = cleaned, True
        explained = 1.0 - float(np.dot(pcm, pcm)) / heard  # by every cue it overlaps, together
        if changed and explained >= ECHO_SHARE and not stands_out(pcm, seg.pcm):
            return f"the guide's own voice explains {explained:.0%} of it"
        return _trimmed(seg, pcm) if changed else None

    def _self_heard(self, decision) -> str | None:
        """After decoding: refuse a command whose words are in a cue it overlaps.

        Where the cue's audio is known, only when that audio also explains a good part of the
        utterance (so "tender" said over "say tender at a tender spot" still counts). Where
        it is not known, also refuse what starts with a cue and is not a barge-in command.
        """
        said = set(_words(content(decision.text))) | {decision.command}
        # The guide speaks with a voice the command templates were rendered from: a command
        # only the templates heard, inside a cue that says it, is the cue (babble hid the echo).
        alone = getattr(decision, "evidence", None) == "templates"
        for s in self._overlapping(decision.start, decision.end):
            in_cue = bool(said & set(_words(s.text)))
            if s.pcm is not None and getattr(decision, "pcm", None) is not None:
                share = explained_share(decision.pcm, decision.pcm_start, s.pcm, s.start)
                if in_cue and (share >= ECHO_SHARE_WORDS or alone):
                    return f"its words are in the guide's cue at {s.start:.2f} s ({share:.0%})"
                continue
            if in_cue:
                return f"its words are in the guide's own cue at {s.start:.2f} s"
            onset = decision.start - s.start  # an echo cannot start before its sound
            if -0.05 <= onset < ECHO_ONSET and decision.command not in BARGE_IN:
                return f"starts with the guide's own cue at {s.start:.2f} s"
        return None

    def _overlapping(self, start: float, end: float) -> list[Speech]:
        return [s for s in self.speech
                if min(end, s.end + self.echo_tail) > max(start, s.start)]

    def _send(self, events: list[Event]) -> None:
        for event in events:
            for sink in self.sinks:
                sink(event)
        if self.listener is not None and events:
            self.listener.set_active(self.dialogue.active_commands(),
                                     self.dialogue.expected_commands())
