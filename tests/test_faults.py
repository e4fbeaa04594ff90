"""Faults during a session: the session says what happened, keeps its state, and its log stays
readable.

Covered elsewhere, with real devices: the microphone vanishing for 3 s (test_live.py,
`test_device_loss_keeps_state_and_timers`, a PulseAudio room), the output device missing
(test_speaker.py), the disk full during a keyboard session (test_record.py). Here: the
recognizer raising mid-stream, the speech engine dying mid-session, and the disk filling up
during an audio session, followed by the report and a resume from that log.
"""

from __future__ import annotations

import errno
import io
import os
import sys
import time

import numpy as np
import pytest

from voice_guide.cli import main as cli
from voice_guide.cli import simulate as simulate_module
from voice_guide.dialogue.core import Dialogue
from voice_guide.ears.engines.pocketsphinx import PocketSphinxRecognizer
from voice_guide.protocol import registry
from voice_guide.record.reader import read_log
from voice_guide.session.core import Session
from voice_guide.voice.playback import Played
from voice_guide.voice.speaker import Speaker
from voice_guide.voice.tts import Renderer

SCRIPT = """\
protocol: psoas
engine: pocketsphinx
turns:
  - say: next
  - say: next
  - say: located
"""


def sessions(data: str) -> list:
    from pathlib import Path

    return sorted((Path(data) / "sessions").glob("*.jsonl"))


@pytest.fixture
def script(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(SCRIPT)
    return path


def test_recognizer_raising_mid_stream_loses_one_utterance(monkeypatch, capsys, script):
    """Faked: a native decoder error cannot be caused on demand, so the first decode raises.
    Everything else is the real `simulate` path (the recognizer made by `create`)."""
    real, calls = PocketSphinxRecognizer.decode, []

    def failing_once(self, pcm):
        calls.append(len(pcm))
        if len(calls) == 1:
            raise RuntimeError("decoder state corrupt")
        return real(self, pcm)

    monkeypatch.setattr(PocketSphinxRecognizer, "decode", failing_once)
    assert cli.main(["simulate", str(script)]) == 0
    out, err = capsys.readouterr()
    assert err.count("the recognizer failed (RuntimeError: decoder state corrupt)") == 1
    assert "final step: confirm" in out  # the first `next` lost, the second one heard
    log = read_log(sessions(os.environ["VOICE_GUIDE_DATA"])[0])
    assert [e["command"] for e in log.of("heard")] == ["next", "located"]
    assert not log.torn and not log.skipped and log.events[-1]["event"] == "session_end"


class Output:
    """Faked output device (its failures are test_speaker.py's); the speech engine is real."""

    def __init__(self) -> None:
        self.clips: list[int] = []
        self.playing = False

    def play(self, audio, cancelled=None, on_start=None) -> Played:
        self.clips.append(len(audio))
        now = time.monotonic()
        return Played(now, now + len(audio) / 16000, True)

    def cut(self) -> None:
        pass


def test_speech_engine_dying_mid_session_goes_on_in_text():
    """The worker is really killed. Its restart failing is faked (a command that exits), as
    espeak-ng cannot be uninstalled mid-test."""
    text, output, renderer = io.StringIO(), Output(), Renderer()
    with Speaker(text=text, notices=text, renderer=renderer, player=output) as speaker:
        session = Session(Dialogue(registry.resolve("psoas")), [
            lambda e: speaker.say(e) if e.event == "cue" else None])
        session.start(0.0)
        assert speaker.wait_idle(30) and len(output.clips) == 1  # spoken for real
        _kill(renderer)  # the speech worker dies: the next cue restarts it
        session.command("next", 5.0)
        assert speaker.wait_idle(30) and len(output.clips) == 2
        _kill(renderer)  # ... and now it cannot start again
        renderer.command = [sys.executable, "-c", "raise SystemExit(1)"]
        session.command("located", 9.0)
        session.command("no", 12.0)
        assert speaker.wait_idle(30)
    assert session.dialogue.state == "locate"  # located -> confirm, no -> locate again
    lines = text.getvalue().splitlines()
    assert sum("speech unavailable" in x for x in lines) == 1
    shown = [x for x in lines if "[voice]" not in x]
    assert len(output.clips) == 2 and len(shown) >= 4, lines  # every cue still shown


def _kill(renderer: Renderer) -> None:
    renderer._proc.kill()
    renderer._proc.wait()


def test_disk_full_in_an_audio_session_then_report_and_resume(monkeypatch, capsys, script):
    real_write, writes = os.write, []

    def full_after_six(fd, data):
        writes.append(fd)
        if len(writes) > 6:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", full_after_six)
    assert cli.main(["simulate", str(script)]) == 0
    monkeypatch.setattr(os, "write", real_write)
    out, err = capsys.readouterr()
    assert "final step: confirm" in out  # the session went on to the end of the script
    assert err.count("session record stopped (No space left on device)") == 1
    [path] = sessions(os.environ["VOICE_GUIDE_DATA"])
    log = read_log(path)
    assert len(log.events) == 6 and not log.torn and not log.skipped
    assert cli.main(["report", str(path)]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("yes\n"))
    assert cli.main(["run", "psoas", "--keyboard", "--virtual-clock", "--resume", str(path)]) == 0
    resumed = read_log(path)
    assert resumed.of("session_resume") and resumed.events[-1]["event"] == "session_end"
    assert np.all(np.diff([e["t"] for e in resumed.events]) >= 0)


def test_open_pass_raising_leaves_the_grammar_to_judge(monkeypatch, capsys, script):
    """Faked as above: the open-vocabulary pass raises every time. The commands are still
    taken on the grammar pass and the coverage rule; the failure is said once. Beside the
    templates the pass is never asked for a command's length of speech, so the listener here
    has none (as for a language without shipped templates), and every command goes through
    the pass."""
    def failing(self, pcm):
        raise RuntimeError("language model unreadable")

    monkeypatch.setattr(PocketSphinxRecognizer, "transcribe", failing)
    monkeypatch.setattr(simulate_module, "listening_templates", lambda lang, profile: None)
    assert cli.main(["simulate", str(script)]) == 0
    out, err = capsys.readouterr()
    assert err.count("the recognizer failed (RuntimeError: language model unreadable)") == 1
    log = read_log(sessions(os.environ["VOICE_GUIDE_DATA"])[0])
    assert "next" in [e["command"] for e in log.of("heard")]
