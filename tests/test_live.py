"""`voice-guide run psoas` end to end on a real PulseAudio, through sounddevice.

The room: a PulseAudio null sink `room` hears both the therapist (a FIFO-fed source, spoken by
espeak-ng via voice_guide.runners.simulate.synth) and the guide's own speaker output (loopback from
the speaker sink), and is the session's default input. So the guide hears every cue it says, full of
command words, exactly as through a real room. What it played is recorded from its sink.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from pulse import PulseServer, available

from voice_guide.runners.simulate.synth import synthesize

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


class Guide:
    """The `run` subprocess, its JSON events and its stderr, read on threads."""

    def __init__(self, env: dict, *extra: str) -> None:
        cmd = [sys.executable, "-m", "voice_guide", "run", "psoas", "--json", *extra]
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.events: list[dict] = []
        self.err: list[str] = []
        threading.Thread(target=self._read, args=(self.proc.stdout, True), daemon=True).start()
        threading.Thread(target=self._read, args=(self.proc.stderr, False), daemon=True).start()

    def _read(self, stream, is_json: bool) -> None:
        for line in stream:
            if is_json:
                self.events.append(json.loads(line))
            else:
                self.err.append(line.rstrip())

    def wait_for(self, pred, timeout: float = 30.0) -> dict:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            hit = next((e for e in list(self.events) if pred(e)), None)
            if hit:
                return hit
            time.sleep(0.05)
        raise AssertionError(f"timed out; events: {self.events[-8:]}; stderr: {self.err[-8:]}")

    def states(self) -> list[str]:
        return [e["state"] for e in self.events if e["event"] == "state"]

    def heard(self) -> list[str]:
        return [e["command"] for e in self.events if e["event"] == "heard"]

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        return self.proc.wait(timeout=15)


def _quiet_for(rec, seconds: float) -> bool:
    loud = rec.loud_times()
    return not len(loud) or time.monotonic() - loud[-1] > seconds


def wait_quiet(rec, seconds: float = 1.2, timeout: float = 40.0, since: float = 0) -> None:
    """Until the guide has spoken after `since` and then said nothing for `seconds`."""
    end = time.monotonic() + timeout
    while not _quiet_for(rec, seconds) or not (rec.loud_times() > since).any():
        assert time.monotonic() < end, "the guide never fell silent"
        time.sleep(0.1)


#: Phrasings and voices the listener recognises from espeak-ng (checked offline first;
#: "located" was once missing, and typed, before the template witness).
SPOKEN = {"next": ("next step", "en-us", 170), "located": ("located", "en-us", 160),
          "yes": ("yes", "en-us", 160), "stop": ("stop", "en-us", 140)}


def say(server: PulseServer, command: str) -> None:
    text, voice, rate = SPOKEN[command]
    pad = np.zeros(4000, np.int16)
    server.feed(np.concatenate([pad, synthesize(text, voice=voice, rate=rate), pad]), wait=True)


def say_until(server: PulseServer, guide: Guide, rec, command: str, pred) -> int:
    """Say `command` until the guide reacts (a real therapist repeats a missed word too).

    The recognizer misses some espeak-ng words through the room (it splits "next step" at
    the stop consonant now and then), and a "stop" said as a cue starts is often heard only
    at the second try: the echo the fit leaves around it still reaches the word
    (benchmarks/RESULTS-listen.md; `benchmarks.barge_in` counts such misses). This test is
    about the device path, so up to five tries are allowed and the count is printed.
    """
    for attempt in range(1, 6):
        say(server, command)
        try:
            guide.wait_for(pred, timeout=6)
            return attempt
        except AssertionError:
            wait_quiet(rec, since=0)
    raise AssertionError(f"{command!r} never heard; stderr: {guide.err[-10:]}")


def type_line(guide: Guide, line: str) -> None:
    guide.proc.stdin.write(line + "\n")
    guide.proc.stdin.flush()


@pytest.fixture
def room():
    reason = available()
    if reason:
        pytest.skip(reason)
    server = PulseServer(echo=True).start()
    yield server
    server.stop()


def test_live_session_through_the_room(room):
    """The whole scenario below, run a second time if the first fails.

    Why a second run: in this container the real-time room is unsteady in ways that are not
    the product's (a fresh `parec` monitor sometimes stalls and records only silence), and
    PocketSphinx mishears espeak-ng through the room now and then (issue 3: "next step" came
    out as "we're done" once). Both runs' failures are printed; two failures fail the test.
    """
    try:
        _room_session(room)
    except AssertionError as first:
        print(f"first run failed, running again: {str(first)[:500]}", file=sys.stderr)
        _room_session(room)


def _room_session(room):
    env = dict(room.env, PYTHONUNBUFFERED="1")
    rec = room.record()
    guide = Guide(env, "--verbose")
    try:
        guide.wait_for(lambda e: e["event"] == "state" and e["state"] == "position")
        since, tries = 0.0, []
        for word, state in (("next", "locate"), ("located", "confirm"),
                            ("yes", "contract_relax"), ("next", "explore")):
            wait_quiet(rec, since=since)
            since = time.monotonic()
            def reached(e, s=state):
                return e["event"] == "state" and e["state"] == s
            tries.append(say_until(room, guide, rec, word, reached))
        # barge-in: "stop" while the guide speaks cuts it; then it says "stopped" and is quiet
        wait_quiet(rec, since=since)
        typed = time.monotonic()
        type_line(guide, "repeat")
        while _quiet_for(rec, 0.3) and time.monotonic() - typed < 3.0:  # start-up, under load
            time.sleep(0.1)
        assert not _quiet_for(rec, 0.3), "the guide should be speaking the repeated cue"
        def heard_stop(e):
            return e["event"] == "heard" and e["command"] == "stop"
        tries.append(say_until(room, guide, rec, "stop", heard_stop))
        heard = guide.wait_for(heard_stop)
        wait_quiet(rec, 2.0, timeout=8)
        assert guide.stop() == 130  # Ctrl-C: the summary, then exit 130 like every command
    finally:
        if guide.proc.poll() is None:
            guide.proc.kill()
        rec.stop()
    assert guide.states()[:5] == ["position", "locate", "confirm", "contract_relax", "explore"]
    # never acted on its own voice: everything heard is what the therapist said (+ typed)
    assert guide.heard() == ["next", "located", "yes", "next", "repeat", "stop"], guide.err
    print(f"tries per spoken command: {tries}", file=sys.stderr)
    if os.environ.get("VG_TEST_VERBOSE"):
        print("\n".join(line for line in guide.err if "[heard" in line), file=sys.stderr)
    assert any(e["event"] == "cue" and e.get("kind") == "pause" for e in guide.events)
    assert heard["t"] > 0
    assert not any("Traceback" in line for line in guide.err), guide.err


def test_device_loss_keeps_state_and_timers(room):
    env = dict(room.env, PYTHONUNBUFFERED="1")
    guide = Guide(env, "--verbose")
    try:
        guide.wait_for(lambda e: e["event"] == "state" and e["state"] == "position")
        type_line(guide, "next")
        guide.wait_for(lambda e: e["event"] == "state" and e["state"] == "locate")
        # unplugged for 3 s: typed commands work meanwhile, and the clock keeps running
        threading.Thread(target=room.restart, args=(3.0,), daemon=True).start()
        lost = guide.wait_for(lambda e: e["event"] == "device" and e["state"] == "lost")
        type_line(guide, "time")
        told = guide.wait_for(lambda e: e["event"] == "cue" and e.get("kind") == "time")
        back = guide.wait_for(lambda e: e["event"] == "device" and e["state"] == "back",
                              timeout=20)
        type_line(guide, "located")
        guide.wait_for(lambda e: e["event"] == "state" and e["state"] == "confirm")
        rec = room.record()   # the new server's speaker sink
        wait_quiet(rec, since=0)
        say_until(room, guide, rec, "yes",   # heard through the reopened device
                  lambda e: e["event"] == "state" and e["state"] == "contract_relax")
        assert guide.stop() == 130  # Ctrl-C: the summary, then exit 130 like every command
    finally:
        if guide.proc.poll() is None:
            guide.proc.kill()
    assert lost["t"] < told["t"] < back["t"]
    assert back["t"] - lost["t"] > 2.0, "audio time stood still while the device was gone"
    assert guide.states()[:4] == ["position", "locate", "confirm", "contract_relax"]
    assert any("Microphone lost" in line for line in guide.err)
    assert os.environ.get("PULSE_SERVER") != room.env["PULSE_SERVER"]
