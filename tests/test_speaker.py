"""The speaker with real pyttsx3/espeak-ng and a real PulseAudio null sink as the speaker.

Timing is measured on what actually came out: the null sink's monitor is recorded with parec
and each sample stamped with time.monotonic() on arrival (a slight over-estimate of latency).
"""

from __future__ import annotations

import io
import sys
import threading
import time

import numpy as np
import pytest

from voice_guide.events import cue
from voice_guide.settings import Settings
from voice_guide.voice.playback import Player
from voice_guide.voice.speaker import Speaker, cuts_in
from voice_guide.voice.tts import Renderer

LONG = ("Place your fingertips two inches medial to the hip bone, let them sink slowly "
        "towards the spine, and wait for the tissue to soften before you go any deeper.")


class Log:
    """on_speech callback that remembers (text, start, end), thread-safe."""

    def __init__(self) -> None:
        self.items: list[tuple[str, float, float]] = []
        self.lock = threading.Lock()

    def __call__(self, text: str, start: float, end: float) -> None:
        with self.lock:
            self.items.append((text, start, end))

    def texts(self) -> list[str]:
        return [t for t, _, _ in self.items]

    def get(self, text: str) -> tuple[str, float, float]:
        return next(i for i in self.items if i[0] == text)


@pytest.fixture
def speaker(pulse):
    log = Log()
    text = io.StringIO()
    sp = Speaker(Settings(rate=175), text=text, on_speech=log)
    sp.log, sp.out = log, text
    yield sp
    sp.close()


def _wait_playing(sp: Speaker, timeout: float = 5.0) -> None:
    end = time.monotonic() + timeout
    while not sp.player.playing and time.monotonic() < end:
        time.sleep(0.01)
    assert sp.player.playing


def test_cuts_in_rules():
    normal = {"priority": "normal"}
    safety = {"priority": "safety"}
    limit = {"priority": "timer", "kind": "hold_limit"}
    count = {"priority": "timer", "kind": "hold_call"}
    rep = {"priority": "timer", "kind": "rep"}
    assert cuts_in(safety, normal) and cuts_in(limit, normal) and cuts_in(rep, normal)
    assert not cuts_in(count, normal) and not cuts_in(normal, normal)
    assert not cuts_in(limit, safety) and not cuts_in(safety, safety)
    assert not cuts_in(rep, rep)
    assert cuts_in({"priority": "normal", "interrupt": True}, safety)
    assert not cuts_in(safety, None)


def test_priority_order(speaker):
    speaker.say(cue(0, "One moment."))
    _wait_playing(speaker)
    speaker.say(cue(0, "Normal first."))
    speaker.say(cue(0, "Timer.", priority="timer"))
    speaker.say(cue(0, "Normal second."))
    assert speaker.wait_idle(20)
    assert speaker.log.texts() == ["One moment.", "Timer.", "Normal first.", "Normal second."]
    # printed at once, in the order given, whatever the order of speech
    assert speaker.out.getvalue().splitlines() == [
        "One moment.", "Normal first.", "Timer.", "Normal second."]


def test_safety_interrupts_long_cue(speaker, pulse):
    rec = pulse.record()
    speaker.say(cue(0, LONG))
    _wait_playing(speaker)
    time.sleep(1.0)
    t_call = time.monotonic()
    speaker.say(cue(0, "Release now.", priority="safety"))
    assert speaker.wait_idle(10)
    rec.stop()
    _, _, long_end = speaker.log.get(LONG)
    _, s_start, _ = speaker.log.get("Release now.")
    assert long_end - t_call < 0.3, "the long cue was not cut"
    assert s_start - t_call < 0.5, "the safety cue waited"
    loud = rec.loud_times()
    assert len(loud[(loud > s_start) & (loud < s_start + 1.0)]), "safety cue not heard"


def test_silence_latency_on_real_output(speaker, pulse):
    rec = pulse.record()
    speaker.say(cue(0, LONG))
    _wait_playing(speaker)
    time.sleep(1.5)
    t_call = time.monotonic()
    speaker.silence()
    time.sleep(1.0)
    rec.stop()
    loud = rec.loud_times()
    assert len(loud[(loud > t_call - 0.5) & (loud < t_call)]), "was not speaking at the call"
    latency = float(loud[-1] - t_call)  # negative: nothing audible after the call at all
    print(f"silence(): last audible sample {latency * 1000:+.0f} ms from the call",
          file=sys.stderr)
    assert latency < 0.25
    assert speaker.wait_idle(1)


def _dominant_hz(audio: np.ndarray) -> float:
    spec = np.abs(np.fft.rfft(audio.astype(np.float64) * np.hanning(len(audio))))
    return float(np.argmax(spec) * 16000 / len(audio))


def test_hold_limit_chime_on_time_during_long_cue(speaker, pulse):
    rec = pulse.record()
    speaker.say(cue(0, LONG))
    _wait_playing(speaker)
    time.sleep(1.2)
    t_call = time.monotonic()
    speaker.say(cue(0, "Ninety seconds: ease off.", priority="timer", kind="hold_limit",
                    sound="chime"))
    assert speaker.wait_idle(10)
    rec.stop()
    _, start, end = speaker.log.get("Ninety seconds: ease off.")
    assert start - t_call < 0.25, f"limit cue late by {start - t_call:.3f} s"
    times, audio = rec.sample_times(), rec.audio()
    window = audio[(times >= start + 0.05) & (times < start + 0.45)]
    assert abs(_dominant_hz(window) - 880) < 20, "the chime was not what played"


def test_stale_count_is_dropped(speaker):
    speaker.say(cue(0, LONG))
    _wait_playing(speaker)
    speaker.say(cue(0, "Eight seconds.", priority="timer", kind="hold_call"))
    assert speaker.wait_idle(20)
    assert speaker.log.texts() == [LONG]


def test_render_is_what_plays(speaker):
    """Volume 0.5 renders at half the loudness of 1.0. Two renders of one text are not the
    same samples: espeak-ng through pyttsx3 gave "Tender." peaks of 21072-22540 and lengths
    of 0.78-0.79 s in eight renders by one worker (0.73 s by others), so the ratio of two
    peaks lies within about 0.47-0.53 when the samples are scaled exactly (a CI run: 0.534);
    volume not applied gives 1.0, applied twice 0.25."""
    quiet = Speaker(Settings(volume=0.5), text=None, audio=False)
    try:
        loud_audio, quiet_audio = speaker.render("Tender."), quiet.render("Tender.")
    finally:
        quiet.close()
    assert loud_audio.dtype == np.int16 and 0.3 < len(loud_audio) / 16000 < 2
    ratio = np.abs(quiet_audio).max() / np.abs(loud_audio).max()
    assert 0.4 < ratio < 0.6


def test_text_fallback_without_output_device():
    """No PulseAudio here on purpose: this container has no sound card, so output fails."""
    out = io.StringIO()
    with Speaker(text=out, player=Player(device="no such device")) as sp:
        sp.say(cue(0, "First."))
        sp.say(cue(0, "Second."))
        assert sp.wait_idle(10)
        sp.say(cue(0, "Third."))
        assert sp.wait_idle(10)
    lines = out.getvalue().splitlines()
    assert [x for x in lines if not x.startswith("[voice]")] == ["First.", "Second.", "Third."]
    assert len([x for x in lines if x.startswith("[voice]")]) == 1


def test_text_fallback_without_tts():
    """Faked: a speech worker that cannot start stands for a missing espeak-ng/pyttsx3."""
    out = io.StringIO()
    broken = Renderer([sys.executable, "-c", "import sys; sys.exit(1)"])
    with Speaker(text=out, renderer=broken) as sp:
        sp.say(cue(0, "First."))
        assert sp.wait_idle(10)
        sp.say(cue(0, "Second."))
        assert sp.wait_idle(10)
    lines = out.getvalue().splitlines()
    assert lines[0] == "First." and lines[-1] == "Second."
    assert len([x for x in lines if "speech unavailable" in x]) == 1


def test_no_render_comes_out_silent():
    """pyttsx3's espeak driver wrote an empty file for about one render in 150 (4 of 600),
    and the speaker then printed the cue but never said it (test_priority_order lost
    "Normal first." so): the worker renders such a cue again. 400 real renders."""
    texts = ["Normal first.", "Timer.", "One moment.", LONG]
    renderer = Renderer()
    try:
        lengths = [len(renderer.render(texts[i % len(texts)])) for i in range(400)]
    finally:
        renderer.close()
    assert min(lengths) > 0.3 * 16000
