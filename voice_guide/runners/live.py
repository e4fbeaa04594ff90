"""`voice-guide run PROTOCOL`: a live session, microphone in, speech out.

Threads: the microphone (`voice_guide.audio.mic`), the speaker (`voice_guide.voice.speaker`), a
stdin reader for typed commands; everything they report goes through one queue to the main thread,
which alone touches the Session (it is not thread-safe).

Time: the session runs on audio time (samples fed / 16000), as in every other mode. While the
microphone is lost the main thread feeds silence at real-time pace, so audio time keeps
following the wall clock: timers fire on time, typed commands keep working, and when the
device returns nothing jumps. The guide's speech is reported in monotonic seconds and mapped
onto audio time through the last microphone block's (samples, arrival time) anchor.

Self-hearing: the speaker reports each clip as it starts (expected end) and when it ends
(real end); `Session.speaking` gates the recognizer over it plus the echo tail, and
`GuardedListener` also drops barge-in words the guide itself was saying.
"""

from __future__ import annotations

import logging
import os
import queue
import signal
import sys
import threading
import time

import numpy as np

from voice_guide import settings as settings_mod
from voice_guide.audio.mic import Microphone
from voice_guide.const import RATE
from voice_guide.dialogue.core import Dialogue
from voice_guide.ears import grammar, recognizer
from voice_guide.ears.grammar import normalise
from voice_guide.ears.listener import Listener
from voice_guide.enroll.profiles import listening_templates
from voice_guide.errors import UserError
from voice_guide.events import Device, Event, cue
from voice_guide.notice import notice
from voice_guide.protocol.messages import Messages
from voice_guide.record.recording import recording
from voice_guide.runners.keys import cbreak, key_map, press
from voice_guide.runners.keys import reader as key_reader
from voice_guide.runners.options import SessionOptions
from voice_guide.runners.typed import TypedCommands
from voice_guide.session.barge_in import GuardedListener
from voice_guide.session.core import ECHO_TAIL, Session, Speech
from voice_guide.session.screen import SessionScreen, want_screen
from voice_guide.session.sinks import sinks_for
from voice_guide.session.summary import Summary
from voice_guide.vocabulary import ALWAYS_ACTIVE
from voice_guide.voice.announcer import Announcer, make_speaker

_LOG = logging.getLogger(__name__)
GAP = 0.25        # s without microphone audio before silence is fed in its place
END_GRACE = 15.0  # s to let the last cue finish after the session ends


class LiveSession:
    """Owns the devices; `run()` until the session ends or SIGINT."""

    def __init__(self, protocol, options: SessionOptions) -> None:
        self.options = options
        settings = options.settings
        self.lang = options.lang or settings.language or protocol.language
        self.settings = settings.for_language(self.lang)  # Korean voice for a Korean session
        self.profile = options.profile
        self.q: queue.Queue = queue.Queue()
        self.samples = 0
        self.anchor = (0, time.monotonic())   # (samples fed, monotonic time of that sample)
        self.mic_lost = False
        self.messages = Messages(protocol)
        self.typed = TypedCommands(protocol.language)
        self.keys = key_map(self.settings.keys)
        self.screen = None
        if want_screen(options.screen, options.json, default=True):
            self.screen = SessionScreen(protocol, self.messages, lambda: self.now,
                                        keys=self.keys if options.keys else None)
        self.summary = Summary(self.messages.title)
        self.session = self._build_session(protocol)
        self.speaker = self._build_speaker()
        self.voice = Announcer(self.speaker, self._notice)
        self.mic = None

    # -- construction ---------------------------------------------------------------------

    def _build_session(self, protocol) -> Session:
        gram = grammar.load(self.lang)
        # the model loads while the guide sets up its voice and says the first cue
        rec = recognizer.create(self.options.engine, model=self.options.model, lang=self.lang,
                                grammar=gram, background=True)
        listener = Listener(rec, lang=self.lang,
                            templates=listening_templates(self.lang, self.profile))
        self.hearing = lambda: listener.hearing  # the therapist speaking: some cues wait
        session = Session(Dialogue(protocol),
                          [*([self.screen] if self.screen else sinks_for(self.options.json)),
                           self.summary, self._to_speaker],
                          listener=listener)  # the session sets the listener's echo filter
        log = self._log_decision if self.options.verbose else None
        session.listener = GuardedListener(listener, gram, lambda: session.speech, ECHO_TAIL,
                                           log)
        return session

    def _log_decision(self, d, why: str | None) -> None:
        if self.screen is not None:
            return self.screen.refused(d.text or "?", why) if why else None
        verdict = f"rejected: {why}" if why else f"-> {d.command}"
        _LOG.info("[heard %.2f-%.2fs] %r %s", d.start, d.end, d.text or "?", verdict)

    def _build_speaker(self):
        return make_speaker(self.settings, therapist_speaking=self.hearing,
                            on_speech_start=lambda text, s, e: self.q.put(("speech", text, s, e)),
                            on_speech=lambda text, s, e: self.q.put(("spoke", text, s, e)))

    def _open_mic(self):
        device = settings_mod.device_arg(self.settings.input_device)
        mic = Microphone(device, lambda pcm, t: self.q.put(("audio", pcm, t)),
                         lambda state, detail: self.q.put(("mic", state, detail)),
                         may_reinit=lambda: not self.speaker.player.playing)
        try:
            return mic.open()
        except Exception as exc:
            self.voice.tell(self.messages("no_mic", detail=device or "no default input"),
                            shown="")
            self.voice.wait(10.0)
            raise UserError(f"cannot open the microphone {device or '(default input)'}: "
                            f"{exc} (see `voice-guide devices`); or add --keyboard to type "
                            "the commands") from exc

    # -- time -----------------------------------------------------------------------------

    @property
    def now(self) -> float:
        """Audio time of this instant."""
        return self.audio_time(time.monotonic())

    def audio_time(self, mono: float) -> float:
        samples, at = self.anchor
        return max(0.0, samples / RATE + (mono - at))

    # -- main loop --------------------------------------------------------------------------

    def run(self) -> int:
        """With --keys (and a terminal) keypresses drive it too; else typed lines."""
        fd = sys.stdin.fileno() if self.options.keys else None
        if fd is None or not os.isatty(fd):
            return self._run(self._read_stdin)
        with cbreak(fd):
            return self._run(lambda: key_reader(fd, self.q))

    def _run(self, read_input) -> int:
        if self.screen is None:
            return self._loop(read_input)
        with self.screen.attach(self.session):
            return self._loop(read_input)

    def _loop(self, read_input) -> int:
        self.mic = self._open_mic()
        self.anchor = (0, time.monotonic())
        threading.Thread(target=read_input, name="stdin", daemon=True).start()
        ended_at, code = None, 0
        try:
            self.session.start(0.0)
            while ended_at is None or time.monotonic() - ended_at < END_GRACE:
                self._step()
                if self.session.ended and ended_at is None:
                    ended_at = time.monotonic()
                if ended_at is not None and self.speaker.wait_idle(0):
                    break
        except KeyboardInterrupt:
            d = self.session.dialogue
            self.speaker.silence()
            self.voice.tell(self.messages("interrupted", title=d.step.title if d.step
                                          else d.state))
            self._close_summary()  # a second Ctrl-C cuts it short
            code = 130  # interrupted, as every command reports Ctrl-C (entry.py)
        else:
            self._close_summary()
        finally:
            self.close()
        return code

    def _close_summary(self) -> None:
        """The closing summary, printed and spoken (the session has ended)."""
        for line in self.summary.shown(self.messages):
            self._notice(line)
        self.speaker.say(self.summary.spoken(self.messages))
        self.speaker.wait_idle(END_GRACE)

    def _step(self) -> None:
        try:
            item = self.q.get(timeout=0.05)
        except queue.Empty:
            item = None
        if item is not None:
            self._handle(item)
        self._fill_gap()

    def _handle(self, item: tuple) -> None:
        kind = item[0]
        if kind == "audio":
            _, pcm, t_end = item
            self.samples += len(pcm)
            self.anchor = (self.samples, t_end)
            if not self.session.ended:
                self._feed(pcm)
        elif kind in ("speech", "spoke"):
            self._speaking(kind, *item[1:])
        elif kind == "mic":
            self._mic_state(item[1], item[2])
        elif kind == "line":
            self._typed(item[1])
        elif kind == "key":
            press(item[1], self.keys, self.session, self.now, self.voice.tell, self.messages)

    def _fill_gap(self) -> None:
        """No microphone audio for a while: feed silence so audio time follows the clock."""
        behind = time.monotonic() - self.anchor[1]
        if behind < GAP or self.session.ended:
            return
        n = int(behind * RATE)
        self.samples += n
        self.anchor = (self.samples, self.anchor[1] + n / RATE)
        self._feed(np.zeros(n, dtype=np.int16))

    def _feed(self, pcm: np.ndarray) -> None:
        before = self.session.rejected_total
        self.session.feed_audio(pcm)
        new = self.session.rejected_total - before
        if self.options.verbose and new:
            for d, why in list(self.session.rejected)[-new:]:
                if self.screen is not None:
                    self.screen.refused(str(d.command), why)
                    continue
                _LOG.info("[heard %.2f-%.2fs] %s ignored: %s", d.start, d.end, d.command, why)

    def _speaking(self, kind: str, text: str, start: float, end: float) -> None:
        a_start, a_end = self.audio_time(start), self.audio_time(end)
        if kind == "spoke":  # the real end replaces the expected one (earlier when cut)
            self.session.speech = [s for s in self.session.speech
                                   if not (s.text == text and abs(s.start - a_start) < 0.5)]
        self.session.speaking(a_start, a_end, text, self._played_audio(text))

    def _played_audio(self, text: str):
        """What the speaker played for `text`, so the session can find the guide's echo in
        what the microphone hears (echo.py); None before it has played."""
        return self.speaker.played(text)

    def _to_speaker(self, event: Event) -> None:
        """Session sink: cues to the voice; stop/pause heard silence it first."""
        if event.event == "heard" and event.get("command") in ALWAYS_ACTIVE:
            self.speaker.silence()
        if event.event == "cue":
            self.speaker.say(event)

    # -- devices and keyboard ---------------------------------------------------------------

    def _mic_state(self, state: str, detail: str) -> None:
        if state == "open":
            return self._notice(f"Listening on {detail}.")
        self.mic_lost = state == "lost"
        if not self.mic_lost:
            self.speaker.retry_output()
        text = self.messages("mic_lost" if self.mic_lost else "mic_back")
        t = self.now
        for sink in self.session.sinks[:-1]:
            sink(Device(t, state=state, detail=detail))
        self.speaker.say(cue(t, text, priority="normal"))
        if self.screen is not None:
            self.screen.note(text)
        elif self.options.json:
            notice(text)

    def _read_stdin(self) -> None:
        try:
            for line in sys.stdin:
                self.q.put(("line", line))
        except (OSError, ValueError, UnicodeDecodeError):
            pass

    def _typed(self, line: str) -> None:
        if not normalise(line) or line.lstrip().startswith("#"):
            return
        word = self.typed.parse(line)
        if word is None:
            active = sorted(self.session.dialogue.active_commands())
            return self.voice.tell(self.messages("not_a_command", text=line.strip(),
                                                 commands=self.messages.commands(active)))
        self.session.command(word, self.now)

    def _notice(self, msg: str) -> None:
        if not msg:
            return
        if self.screen is not None:
            return self.screen.note(msg)
        notice(msg, None if self.options.json else sys.stdout)

    def close(self) -> None:
        if self.mic is not None:
            self.mic.close()
        self.speaker.close()


def run_live(protocol, options: SessionOptions) -> int:
    """Entry point used by `voice-guide run` (cli_core) when --keyboard is not given."""
    signal.signal(signal.SIGINT, signal.default_int_handler)
    live = LiveSession(protocol, options)
    with recording(live.session, options.record, engine=options.engine,
                   profile=live.profile.name if live.profile else None):
        return live.run()


__all__ = ["LiveSession", "Speech", "run_live"]
