"""Spoken, hands-free enrollment: the guide asks for each take, listens, says why to redo it.

First the room is measured (a second of quiet), so "too quiet" means quiet against this room.
Each take is listened for right after the guide stops speaking: the segmenter (silero VAD)
finds where the phrasing ends, and the capture runs on half a second past it, so a take is
speech with some room on both sides, as the checks expect (takes.py). Last, a short spoken
test: a few of the enrolled commands said once more and heard by the listener with the new
profile, so the therapist hears that it works before the first session.
"""

from __future__ import annotations

import queue
from collections.abc import Callable

import numpy as np

from voice_guide.audio.mic import Microphone
from voice_guide.const import FRAME, RATE
from voice_guide.ears import recognizer as recognizers
from voice_guide.ears.listener import Listener
from voice_guide.ears.room import frame_db
from voice_guide.ears.segmenter import Segmenter
from voice_guide.enroll.core import Enrollment
from voice_guide.enroll.plan import Prompt
from voice_guide.enroll.profiles import Profile, listening_templates
from voice_guide.errors import UserError
from voice_guide.settings import Settings, device_arg
from voice_guide.voice.announcer import Announcer, make_speaker

LISTEN = 6.0      # s to wait for a take to start
TAIL = 0.5        # s of room kept after the take's end
ROOM = 1.0        # s of quiet measured as the room
TRIES = 3         # extra tries per prompt before moving on
LOUD_DB = 20.0    # a capture with no utterance but this far above the room is checked anyway
TESTS = 3         # commands in the closing spoken test
LISTENING = "(listening)"  # shown, not said: the take is captured from now on
WORDS = {"en": ("Say", "Again"), "ko": ("말씀하세요", "한 번 더")}


class Capture:
    """The microphone as a queue of 16 kHz chunks, read on the caller's thread."""

    def __init__(self, device: str | None) -> None:
        self._q: queue.Queue[np.ndarray] = queue.Queue()
        self.mic = Microphone(device_arg(device), lambda pcm, t: self._q.put(pcm.copy()))

    def open(self) -> Capture:
        try:
            self.mic.open()
        except Exception as exc:  # PortAudio raises several kinds: one line for the user
            raise UserError(f"no microphone ({exc.__class__.__name__}: {exc}); check "
                            "`voice-guide devices`, or enroll from files with --from DIR"
                            ) from None
        return self

    def drain(self) -> None:
        while not self._q.empty():
            self._q.get_nowait()

    def _chunk(self) -> np.ndarray:
        try:
            return self._q.get(timeout=2.0)
        except queue.Empty:
            raise UserError("the microphone stopped sending audio") from None

    def record(self, seconds: float) -> np.ndarray:
        got: list[np.ndarray] = []
        while sum(map(len, got)) < seconds * RATE:
            got.append(self._chunk())
        return np.concatenate(got)

    def take(self, room: float, wait: float = LISTEN, tail: float = TAIL) -> np.ndarray | None:
        """Audio from now to `tail` s after the first utterance ends. When none began within
        `wait` s: what was heard if something stood out of the `room` (dB) all the same (the
        VAD does not call badly clipped speech speech; the checks will say why), else None."""
        self.drain()
        seg, got, end = Segmenter(), [], None
        n = pushed = 0
        while end is None or n < end:
            chunk = self._chunk()
            got.append(chunk)
            n += len(chunk)
            while end is None and pushed + FRAME <= n:
                pcm = np.concatenate(got)
                if seg.push(pcm[pushed:pushed + FRAME]) is not None:
                    end = pushed + FRAME + int(tail * RATE)
                pushed += FRAME
            if end is None and not seg.open and n > wait * RATE:
                heard = np.concatenate(got)
                return heard if frame_db(heard, FRAME).max() > room + LOUD_DB else None
        return np.concatenate(got)[:end]

    def close(self) -> None:
        self.mic.close()


class SpokenEnrollment:
    def __init__(self, enrollment: Enrollment, settings: Settings,
                 show: Callable[[str], None]) -> None:
        self.e = enrollment
        self.settings = settings
        self.voice = Announcer(make_speaker(settings), lambda line: show(line))
        self.say, self.again = WORDS.get(enrollment.lang, WORDS["en"])

    def run(self) -> None:
        capture = Capture(self.settings.input_device).open()
        try:
            self._tell("Enrollment. Say each word as you would at the table. First, a second "
                       "of quiet while I measure the room.")
            capture.drain()
            room = float(np.median(frame_db(capture.record(ROOM), FRAME)))
            for prompt in self.e.prompts:
                self._enroll(prompt, capture, room)
            self._test(capture, room)
        finally:
            capture.close()
            self.voice.close()

    def _tell(self, text: str, shown: str | None = None) -> None:
        self.voice.tell(text, shown)
        self.voice.wait()

    def _enroll(self, prompt: Prompt, capture: Capture, room: float) -> None:
        tries = 0
        while self.e.needs(prompt) and tries < self.e.wanted + TRIES:
            tries += 1
            k = self.e.wanted - self.e.needs(prompt) + 1
            word = self.say if k == 1 else self.again
            self._tell(f"{word}: {prompt.text}.", f"{word}: {prompt.text}  "
                       f"(take {k} of {self.e.wanted})")
            self.voice.show(LISTENING)
            pcm = capture.take(room)
            why = "I heard nothing" if pcm is None else self.e.offer(prompt, pcm, room)
            if why:
                self._tell(f"Once more: {why}.", f"refused: {why}")
        if self.e.needs(prompt):
            self._tell(f"Moving on; {prompt.text} keeps the shipped voices.")

    def _test(self, capture: Capture, room: float) -> None:
        """Say a few enrolled commands once more, heard with the new profile."""
        tested = self.e.done()[:TESTS]
        if not tested:
            return
        templates = listening_templates(self.e.lang, Profile("new", {self.e.lang:
                                                                     self.e.templates()}))
        rec = recognizers.create("auto", lang=self.e.lang, announce=False)
        self._tell("Now a short test.")
        for prompt in tested:
            self._tell(f"{self.say}: {prompt.text}.", f"test: {self.say}: {prompt.text}")
            self.voice.show(LISTENING)
            pcm = capture.take(room)
            listener = Listener(rec, lang=self.e.lang, templates=templates)
            heard = [] if pcm is None else [*listener.feed(pcm), *listener.flush()]
            got = next((d.command for d in heard if d.command), None)
            self._tell(f"Heard {got}." if got == prompt.command else
                       f"I did not hear {prompt.text}; you can redo it with enroll "
                       f"{prompt.command}.",
                       f"test: heard {got or 'nothing'} for {prompt.text}")
