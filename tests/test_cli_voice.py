"""`voice-guide voices|devices|say|check-mic` through a real subprocess (real espeak-ng,
real PulseAudio for the device commands)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np

from voice_guide.runners.simulate.synth import synthesize

ROOT = Path(__file__).resolve().parents[1]


def _run(*argv: str, env: dict | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "voice_guide", *argv], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)


def _env(tmp_path: Path, base: dict | None = None) -> dict:
    env = dict(base or os.environ)
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    return env


def test_voices_lists_espeak_voices(tmp_path):
    out = _run("voices", env=_env(tmp_path))
    assert out.returncode == 0, out.stderr
    assert "gmw/en-us" in out.stdout and "English (America)" in out.stdout
    only_en = _run("voices", "--lang", "en", env=_env(tmp_path)).stdout.splitlines()
    assert only_en and all(" en" in line for line in only_en)


def test_devices_lists_pulse_inputs_and_outputs(pulse, tmp_path):
    out = _run("devices", env=_env(tmp_path, pulse.env))
    assert out.returncode == 0, out.stderr
    inputs, outputs = out.stdout.split("outputs:")
    assert "inputs:" in inputs and "pulse" in inputs and "pulse" in outputs


def test_devices_without_any(tmp_path):
    """This container has no sound card: without the test server PortAudio sees nothing."""
    env = _env(tmp_path)
    env.pop("PULSE_SERVER", None)
    env["PULSE_SERVER"] = "unix:/nonexistent"
    out = _run("devices", env=env)
    assert out.returncode == 2 and "no audio devices" in out.stderr


def test_say_saves_settings_and_plays(pulse, tmp_path):
    env = _env(tmp_path, pulse.env)
    rec = pulse.record()
    out = _run("say", "Is it tender?", "--rate", "140", "--save-settings", env=env)
    rec.stop()
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "Is it tender?"
    assert "rate: 140" in (tmp_path / "config/voice-guide/settings.yaml").read_text()
    assert len(rec.loud_times()) > 1000, "nothing reached the speaker"


def test_check_mic_shows_level_and_hears_a_command(pulse, tmp_path):
    speech = synthesize("tender", rate=140)
    pad = np.zeros(8000, np.int16)
    for _ in range(3):
        pulse.feed(np.concatenate([pad, speech, pad]))
    out = _run("check-mic", "--seconds", "4", env=_env(tmp_path, pulse.env))
    assert out.returncode == 0, out.stderr
    levels = [float(line.split()[1]) for line in out.stdout.splitlines()
              if line.startswith("level")]
    assert levels and max(levels) > -40 and min(levels) < -60
    assert "-> tender" in out.stdout
