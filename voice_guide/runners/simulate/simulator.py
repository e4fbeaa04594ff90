"""Scripted audio: play a script's turns as a microphone signal through the real listener.

The microphone signal is built chunk by chunk: the therapist's speech (espeak-ng or a clip),
the guide's own cues at `echo_db` (rendered with the speaker's real voice when the guide says
them), and room noise. It goes through the same Session (listener → dialogue) as a live
session, as fast as the machine allows. Chunks end exactly where a timer is due, so timer cues
(and their echo) start on time.
"""

from __future__ import annotations

import os
import wave
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

import numpy as np

from voice_guide.audio.pcm import clip_int16, load_wav
from voice_guide.const import RATE
from voice_guide.dialogue.core import Dialogue
from voice_guide.dialogue.machine import CONFIRM, states
from voice_guide.ears.listener import Listener
from voice_guide.ears.recognizer import create
from voice_guide.ears.templates import Templates
from voice_guide.errors import UserError, located
from voice_guide.events import Event
from voice_guide.events import Turn as TurnEvent
from voice_guide.protocol import registry
from voice_guide.record.store import private_open, refuse_log_target
from voice_guide.runners.simulate.guide_voice import Clip, GuideVoice
from voice_guide.runners.simulate.noise import NoiseSource
from voice_guide.runners.simulate.script import Script, Turn
from voice_guide.runners.simulate.synth import synthesize
from voice_guide.session.core import Session
from voice_guide.settings import load_settings
from voice_guide.voice import natural as natural_voice

CHUNK = 320          # 20 ms: how late at most an echo can start after its cue
SETTLE = 1.0         # s after a turn before `after_cue` looks for the guide's answer
SOON = 0.6           # s: a timer cue due this soon counts as the guide still speaking
TAIL = 3.0           # s of audio after the last turn, so its answer is heard
ROOM_HISS = 30.0     # RMS of the faint hiss every real microphone has; PocketSphinx decodes
                     # badly on pure digital silence (measured: see benchmarks/RESULTS-listen.md)


def voiced_rms(pcm: np.ndarray) -> float:
    x = np.asarray(pcm, dtype=np.float64)
    if not len(x):
        return 1.0
    voiced = x[np.abs(x) > 0.05 * (np.abs(x).max() + 1e-9)]
    return float(np.sqrt(np.mean(voiced**2))) if len(voiced) else 1.0


@dataclass
class Placed:
    start: int
    pcm: np.ndarray


class Simulator:
    """Runs one script; events go to `sinks` (plus a `turn` event per turn)."""

    def __init__(self, script: Script, sinks: list[Callable[[Event], None]], *,
                 recognizer=None, render: Callable[[str], np.ndarray] | None = None,
                 wav: Path | None = None, polite: bool = True,
                 templates: Templates | None | Literal["shipped"] = "shipped") -> None:
        """`polite`: cues that can wait do, while the therapist speaks (speaker.waits);
        `templates`: what the listener matches (the shipped ones, or with a profile's)."""
        self.script = script
        self.sinks = sinks
        self.synth = synthesize
        protocol = registry.resolve(script.protocol, language=script.lang)
        _check_expects(script, protocol)
        if recognizer is None:
            # scripted audio runs faster than real time: no warm-up to wait for
            recognizer = create(script.engine, model=script.model, lang=script.lang,
                                warm=False)
        self.ref = voiced_rms(self._speech("located", None))
        speaking = (lambda: self.session.listener.hearing) if polite else None
        self.voice = GuideVoice(render or default_render(script.lang), on_clip=self._on_clip,
                                therapist_speaking=speaking)
        self.session: Session = Session(Dialogue(protocol), [*sinks, self.voice],
                               listener=Listener(recognizer, lang=script.lang,
                                                 templates=templates))
        self.noise = self._noise_source()
        self.hiss = np.random.default_rng(script.seed)
        self.pos = 0  # samples fed
        self.placed: list[Placed] = []
        self.prev_end = 0.0
        self.wav = _open_wav(wav) if wav else None
        #: (script line, expected step, where the guide was) for turns that missed
        self.missed: list[tuple[int, str, str]] = []
        #: called with the audio time after every chunk fed (a benchmark's checkpoints)
        self.after_feed: Callable[[float], None] | None = None

    # -- running -----------------------------------------------------------------------
    def run(self) -> Session:
        try:
            self.session.start(0.0)
            for turn in self.script.turns:
                self._play(turn)
            self._advance_to(self._idle_after(self.prev_end) + TAIL)
            self.session.end_of_audio()
        finally:
            if self.wav:
                self.wav.close()
        return self.session

    @property
    def now(self) -> float:
        return self.pos / RATE

    def _play(self, turn: Turn) -> None:
        """Play a turn; with `expect`, say it again while the guide is not in that step."""
        for attempt in range(turn.retries + 1):
            if attempt:
                turn = replace(turn, timing="after_cue", delay=0.5)
            before = self.session.dialogue.state
            self._play_once(turn, attempt)
            if not turn.expect or self._reached(turn.expect):
                return
            self._correct(before, turn)
        self.missed.append((turn.line, str(turn.expect), self.session.dialogue.state))

    def _correct(self, before: str, turn: Turn) -> None:
        """The guide misheard and moved on: undo it as a person would, before repeating.

        "no" when it asks to finish, "resume" when it stopped, "back" when it went to
        another step."""
        dialogue = self.session.dialogue
        state = dialogue.state
        word = ("no" if state == CONFIRM else "resume" if dialogue.paused_by
                else "back" if state != before else None)
        if word and not self.session.ended:
            self._play_once(replace(turn, kind="say", value=word, timing="after_cue",
                                    delay=0.5, expect=None), 0, correction=True)

    def _reached(self, step: str) -> bool:
        """After the guide has decided on what it heard: is it in `step`?"""
        self._advance_to(self.prev_end + SETTLE)
        while self.session.listener.hearing and not self.session.ended:
            self._advance_to(self.now + CHUNK / RATE)
        return self.session.dialogue.state == step or self.session.ended

    def _play_once(self, turn: Turn, attempt: int, correction: bool = False) -> None:
        pcm = self._turn_audio(turn)
        start = self._start_of(turn)
        self._advance_to(start)
        start = self.now
        end = start + (turn.seconds if turn.kind == "silence" else len(pcm) / RATE)
        text = None
        if turn.kind != "silence":
            text = turn.text if turn.kind == "say" else Path(turn.text).name
            self.placed.append(Placed(self.pos, pcm.astype(np.float64)))
        event = TurnEvent(start, start=round(start, 3), end=round(end, 3), kind=turn.kind,
                          line=turn.line, attempt=attempt + 1, correction=bool(correction),
                          text=text)
        for sink in self.sinks:
            sink(event)
        self._advance_to(end)
        self.prev_end = end

    def _start_of(self, turn: Turn) -> float:
        if turn.timing == "at":
            return max(self.now, turn.delay)
        if turn.timing == "wait":
            return max(self.now, self.prev_end + turn.delay)
        return self._idle_after(self.prev_end) + turn.delay

    def _idle_after(self, since: float) -> float:
        """Audio time when the guide has answered the previous turn and fallen silent."""
        self._advance_to(since + SETTLE if since > 0 else self.now)
        while True:
            while not self.voice.idle(self.now):
                self._advance_to(max(self.voice.busy_until(), self.now + CHUNK / RATE))
            due = self.session.dialogue.next_due()
            if due is None or due > self.now + SOON or self.session.ended:
                return max(self.now, self.voice.busy_until())
            self._advance_to(due + CHUNK / RATE)  # a person waits for a cue that is coming

    def _advance_to(self, t: float) -> None:
        """Feed the microphone signal up to audio time t, chunk by chunk."""
        target = int(round(t * RATE))
        while self.pos < target and not self.session.ended:
            n = min(CHUNK, target - self.pos)
            due = self.session.dialogue.next_due()
            if due is not None and self.now < due < self.now + n / RATE:
                n = max(1, int(round(due * RATE)) - self.pos)
            self._feed(self._mic(n))
        if self.session.ended and self.pos < target:
            self._feed(self._mic(target - self.pos))

    def _feed(self, chunk: np.ndarray) -> None:
        self.pos += len(chunk)
        if not self.session.ended:
            self.session.feed_audio(chunk)
        self.voice.advance(self.now)
        if self.wav:
            self.wav.writeframes(chunk.tobytes())
        if self.after_feed is not None:
            self.after_feed(self.now)

    # -- the microphone signal ---------------------------------------------------------
    def _mic(self, n: int) -> np.ndarray:
        out = np.zeros(n)
        for p in self.placed:
            lo, hi = max(self.pos, p.start), min(self.pos + n, p.start + len(p.pcm))
            if lo < hi:
                out[lo - self.pos:hi - self.pos] += p.pcm[lo - p.start:hi - p.start]
        self.placed = [p for p in self.placed if p.start + len(p.pcm) > self.pos + n]
        if self.script.echo_db is not None:
            out += self.voice.mix(self.pos, n)
        out += self.hiss.normal(0.0, ROOM_HISS, n)
        if self.noise is not None:
            out += self.noise.read(n)
        return clip_int16(out)

    def _on_clip(self, clip: Clip) -> None:
        """Scale the clip to the echo level once, and tell the guard it is being spoken."""
        if self.script.echo_db is not None and not clip.scaled:
            gain = self.ref * 10 ** (self.script.echo_db / 20) / voiced_rms(clip.pcm)
            clip.pcm = clip.pcm.astype(np.float64) * gain
            clip.scaled = True
        self.session.speaking(clip.start, clip.end, clip.cue.get("text", ""), clip.pcm)

    def _noise_source(self) -> NoiseSource | None:
        noise = self.script.noise
        if noise is None:
            return None
        rms = self.ref / 10 ** (noise.snr_db / 20)
        return NoiseSource(noise.kind, rms, seed=self.script.seed)

    # -- the therapist's audio ---------------------------------------------------------
    def _turn_audio(self, turn: Turn) -> np.ndarray:
        if turn.kind == "say":
            pcm = trim(self._speech(turn.text, turn))
        elif turn.kind == "audio":
            pcm = load_wav(Path(turn.text))
        else:
            return np.zeros(0, dtype=np.int16)
        return pcm

    def _speech(self, text: str, turn: Turn | None) -> np.ndarray:
        s = self.script
        return self.synth(text, voice=(turn and turn.voice) or s.voice,
                          rate=(turn and turn.rate) or s.rate,
                          pitch=(turn and turn.pitch) or s.pitch)


def trim(pcm: np.ndarray, margin: float = 0.02) -> np.ndarray:
    """espeak-ng pads its speech with silence: cut it, so a turn's start and end are speech."""
    level = np.abs(pcm.astype(np.int32))
    loud = np.flatnonzero(level > 0.02 * (level.max() + 1))
    if not len(loud):
        return pcm
    pad = int(margin * RATE)
    return pcm[max(0, loud[0] - pad): loud[-1] + pad]


def _check_expects(script: Script, protocol) -> None:
    """A turn's `expect` must name a step the protocol has (or a state of the guide's own)."""
    known = set(states(protocol))
    for turn in script.turns:
        if turn.expect and turn.expect not in known:
            raise located(script.path, turn.line, f"'expect: {turn.expect}' is not a step of "
                          f"{protocol.id} (steps: {', '.join(protocol.steps)})")


def default_render(lang: str = "en") -> Callable[[str], np.ndarray]:
    """The live speaker's voice: espeak-ng with the user's voice, rate and volume (in `lang`).

    The espeak-ng program itself rather than pyttsx3's driver, which the live speaker uses:
    the same engine and voice, but pyttsx3 renders of one text differ from call to call
    (measured: 79874, 80705, 80713, 80705, 80707 samples), and a scripted session must replay
    exactly, or its tests would pass or fail by chance.
    """
    settings = load_settings().for_language(lang)
    voice = settings.voice or ("ko" if lang == "ko" else "en-us")

    def render(text: str) -> np.ndarray:
        pcm = synthesize(text, voice=voice, rate=settings.rate).astype(np.float64)
        return np.round(pcm * settings.volume).astype(np.int16)

    if voice.startswith("hibari:"):  # the natural voice renders the same samples every time

        return lambda text: natural_voice.render(text, voice, settings.rate, settings.volume)
    return render


class _Wav:
    """The microphone signal's WAV, 0600 and not through a symbolic link (it is a recording
    of a session: as private as its log)."""

    def __init__(self, path: Path) -> None:
        refuse_log_target(path, "the WAV")
        try:
            fd = private_open(Path(path), os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        except OSError as exc:
            raise UserError(f"{path}: cannot write the WAV ({exc.strerror or exc})") from None
        self.file = os.fdopen(fd, "wb")
        self.w = wave.open(self.file, "wb")
        self.w.setnchannels(1)
        self.w.setsampwidth(2)
        self.w.setframerate(RATE)

    def writeframes(self, data: bytes) -> None:
        self.w.writeframes(data)

    def close(self) -> None:
        try:
            self.w.close()
        finally:
            self.file.close()


def _open_wav(path: Path) -> _Wav:
    return _Wav(path)
