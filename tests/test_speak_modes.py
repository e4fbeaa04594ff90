"""Every mode speaks: `run --keyboard` through the real CLI, its speech captured from a
PulseAudio null sink (tests/pulse.py), measured in seconds of sound.

`--verbose` makes the runner log each clip it played with its monotonic start and end
(`[spoke START-END] text`); the recording stamps every sample with monotonic time, so a
clip's interval can be checked for sound in what the sink really received.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

CLI = [sys.executable, "-m", "voice_guide"]
ROOT = Path(__file__).resolve().parents[1]
LEVEL = 300  # int16 amplitude taken for sound (espeak-ng speech peaks near 10,000)

TINY = """\
id: tiny
title: Tiny
version: 1
language: en
start: press
parameters: {hold_limit: 3, hold_calls: [2]}
steps:
  press:
    title: The lateral edge
    kind: treatment
    cue: "Press the lateral edge. Say tender at a tender spot, or next."
    on:
      next: done
  done:
    title: Finish
    kind: finish
    end: true
    cue: "That is all."
"""


def run(pulse, tmp_path, script: str, *extra: str):
    proto = tmp_path / "tiny.yaml"
    proto.write_text(TINY)
    env = dict(pulse.env, VOICE_GUIDE_DATA=str(tmp_path / "data"))
    rec = pulse.record()
    t0 = time.monotonic()
    result = subprocess.run(CLI + ["run", str(proto), "--keyboard", "--virtual-clock",
                                   "--verbose", *extra], input=script, capture_output=True,
                            text=True, timeout=120, env=env, cwd=ROOT)
    time.sleep(0.3)  # the last chunks reach the recorder
    rec.stop()
    assert result.returncode == 0, result.stderr
    return result, rec, t0


def sound_seconds(rec, start: float = 0.0, end: float = float("inf")) -> float:
    """Seconds of 20 ms frames in [start, end] (monotonic) whose peak passes LEVEL."""
    audio, times = rec.audio(), rec.sample_times()
    n = min(len(audio), len(times)) // 320 * 320
    frames = np.abs(audio[:n].astype(np.int32)).reshape(-1, 320).max(axis=1) > LEVEL
    mid = times[:n].reshape(-1, 320)[:, 160]
    return float(np.sum(frames & (mid >= start) & (mid <= end))) * 0.02


def spoken(stderr: str) -> list[tuple[float, float, str]]:
    return [(float(a), float(b), text) for a, b, text in
            re.findall(r"^\[spoke ([\d.]+)-([\d.]+)\] (.*)$", stderr, re.M)]


@pytest.mark.slow
def test_keyboard_session_speaks_every_cue_and_the_summary(pulse, tmp_path):
    script = "hello\ntender\nlocal\nwait 4\nnext\n"
    result, rec, t0 = run(pulse, tmp_path, script)
    clips = spoken(result.stderr)
    texts = [c[2] for c in clips]
    assert texts[0].startswith("Press the lateral edge")
    assert any("'hello' is not a command here" in t for t in texts)  # the hint is spoken
    assert any(t.startswith("3 seconds. Release now") for t in texts)
    assert texts[-1] == ("Session summary. 1 point held. 1 point to revisit with lighter "
                         "pressure, in The lateral edge.")
    assert all(c[0] >= t0 for c in clips)
    total = sound_seconds(rec)
    said = sum(b - a for a, b, _ in clips)
    assert said > 8 and total > 0.6 * said, (total, said)
    start, end, _ = clips[-1]  # the closing summary, heard on the sink
    assert sound_seconds(rec, start, end) > 0.6 * (end - start) > 1.5
    assert "Points held: 1" in result.stdout and "in The lateral edge" in result.stdout


def test_quiet_plays_nothing_and_keeps_the_text(pulse, tmp_path):
    for flag in ("--quiet", "--no-speech"):
        result, rec, _ = run(pulse, tmp_path, "hello\nnext\n", flag)
        assert spoken(result.stderr) == []
        assert sound_seconds(rec) == 0.0
        assert "guide  Press the lateral edge" in result.stdout
        assert "'hello' is not a command here" in result.stdout


def test_natural_voice_speaks_a_keyboard_session(pulse, tmp_path):
    """--voice hibari:heart: the same speaker, the natural voice; what the sink received
    matches hibari's render of the cue (fixed seed), not espeak-ng's."""
    from voice_guide.runners.simulate.synth import synthesize
    from voice_guide.voice import natural as natural_voice

    result, rec, _ = run(pulse, tmp_path, "next\n", "--voice", "hibari:heart")
    clips = spoken(result.stderr)
    assert clips[0][2].startswith("Press the lateral edge")
    start, end, text = clips[0]
    heard = sound_seconds(rec, start, end)
    expected = natural_voice.render(text)
    espeak = synthesize(text, voice="en-us", rate=165)
    assert abs((end - start) - len(expected) / 16000) < 0.3  # the clip played is hibari's
    assert abs(len(expected) - len(espeak)) / 16000 > 0.3     # ... and espeak's differs
    assert heard > 0.6 * (end - start)


def test_natural_voice_is_refused_by_name_unless_heart(tmp_path):
    result = subprocess.run(CLI + ["run", "psoas", "--keyboard", "--voice", "hibari:emma"],
                            input="", capture_output=True, text=True, timeout=30)
    assert result.returncode == 2 and "hibari:heart" in result.stderr
    assert "Traceback" not in result.stderr


def test_natural_voice_in_settings_scripted_audio_and_korean(tmp_path, monkeypatch):
    from voice_guide.runners.simulate.simulator import default_render
    from voice_guide.settings import Settings
    from voice_guide.voice import natural as natural_voice

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    (tmp_path / "voice-guide").mkdir()
    (tmp_path / "voice-guide" / "settings.yaml").write_text("voice: hibari:heart\n")
    render = default_render("en")
    first = render("Eight seconds.")
    assert np.array_equal(first, render("Eight seconds."))  # replays exactly
    assert np.array_equal(first, natural_voice.render("Eight seconds."))
    assert Settings(voice="hibari:heart").for_language("ko").voice == "ko"  # Korean: espeak


def test_no_microphone_is_spoken_before_the_one_line_error(pulse, tmp_path):
    env = dict(pulse.env, VOICE_GUIDE_DATA=str(tmp_path / "data"))
    rec = pulse.record()
    result = subprocess.run(CLI + ["run", "psoas", "--device", "no-such-microphone"],
                            input="", capture_output=True, text=True, timeout=60, env=env,
                            cwd=ROOT)
    time.sleep(0.3)
    rec.stop()
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.splitlines()[-1].startswith("voice-guide: error: cannot open the "
                                                     "microphone no-such-microphone")
    assert sound_seconds(rec) > 2.0  # "No microphone: no-such-microphone. Connect one, ..."
