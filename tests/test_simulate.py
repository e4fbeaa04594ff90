"""Whole sessions as real audio through the real recognizer (scripted audio)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import voice_guide
from tests.simkit import EXAMPLES
from voice_guide.errors import UserError
from voice_guide.runners.simulate.script import Noise, load_script
from voice_guide.testing import commands_said, simulate

LATENCY = 0.6  # decision latency allowed after the end of a word (s)
OVERLAP = 1.5  # ... when the guide's own cue overlapped the word, the utterance ends later


def heard_after_turns(result):
    """Every heard command is decided while or just after the therapist speaks (none comes
    from the guide's echo or the noise)."""
    spans = [(t.get("start"), t.get("end")) for t in result.turns if t.get("kind") == "say"]
    return all(any(a < h.t <= b + OVERLAP for a, b in spans) for h in result.of("heard"))


def retries(result) -> int:
    """Turns said again, and corrections ("no", "back") of what the guide misheard."""
    return sum(t.get("attempt") > 1 or bool(t.get("correction")) for t in result.turns)


@pytest.fixture(scope="module")
def psoas():
    return simulate(EXAMPLES / "psoas.yaml")


def test_psoas_main_path(psoas):
    assert heard_after_turns(psoas)
    assert retries(psoas) == 0, commands_said(psoas)
    assert psoas.states_include("position", "locate", "confirm", "contract_relax", "tp_refers",
                                "tp_hold", "contract_relax", "explore", "superior", "inferior",
                                "edges", "femoral_pulse", "insertion", "insertion_work", "end")
    assert psoas.hold_reasons == ["fading", "limit"]


def test_psoas_pulse_keeps_the_locating_step(psoas):
    pulse = [c for c in psoas.cues("safety") if "lateral" in c.get("text")]
    assert len(pulse) == 1
    state_before = [s for s in psoas.of("state") if s.t <= pulse[0].t][-1]
    assert state_before.get("state") == "locate"
    assert not [s for s in psoas.of("state") if s.t == pulse[0].t]


def test_psoas_hold_durations_follow_the_script(psoas):
    turns = {t.get("text"): t for t in psoas.turns if t.get("kind") == "say"}  # last attempts
    fading_hold, limit_hold = psoas.holds
    said = turns["fading"].get("end") - turns["refers"].get("end")
    latency = [h.t - t.get("end") for h in psoas.of("heard") for t in (turns["refers"],
               turns["fading"]) if h.get("command") == t.get("text")]
    assert all(0 <= x <= LATENCY for x in latency)
    assert abs(fading_hold.get("duration") - said) < 0.1 + max(latency) - min(latency)
    start = psoas.of("hold_start")[1]
    assert 0 <= start.t - turns["local"].get("end") <= LATENCY
    assert limit_hold.t == pytest.approx(start.t + 12.0, abs=1e-6)
    assert limit_hold.get("duration") == pytest.approx(12.0, abs=1e-6)
    limit_cue = psoas.cues("tp_limit")[0]
    assert limit_cue.t == limit_hold.t and limit_cue.get("priority") == "safety"


def test_iliacus_main_path_with_worse():
    result = simulate(EXAMPLES / "iliacus.yaml")
    assert heard_after_turns(result) and retries(result) == 0
    assert result.hold_reasons == ["fading", "limit", "worse"]
    worse = [h for h in result.of("heard") if h.get("command") == "worse"][0]
    assert result.holds[2].t == worse.t  # released at once
    assert result.states[-1] == "end" and result.cues("tp_worse")


def test_pause_freezes_a_hold(tmp_path):
    result = simulate("""\
        protocol: psoas
        engine: pocketsphinx
        turns:
          - {say: next, expect: locate}
          - {say: located, expect: confirm}
          - {say: "yes", expect: contract_relax}
          - {say: refers, expect: tp_hold}
          - {say: pause, wait: 3}
          - silence: 15
          - {say: resume}
          - {say: fading, wait: 2, expect: contract_relax}
        """, tmp_path)
    assert result.heard[-4:] == ["refers", "pause", "resume", "fading"]
    (hold,) = result.holds
    heard = {h.get("command"): h.t for h in result.of("heard")}
    frozen = heard["resume"] - heard["pause"]
    assert frozen > 15
    assert hold.get("reason") == "fading"
    expected = heard["fading"] - heard["refers"] - frozen
    assert hold.get("duration") == pytest.approx(expected, abs=1e-3) and expected < 12


def test_echo_at_0db_hears_nothing_the_therapist_did_not_say():
    """The guide's voice as loud as the therapist's: whatever is heard follows a turn. How
    many turns must be said again there is counted by benchmarks/scripts.py, not here."""
    result = simulate(EXAMPLES / "psoas.yaml", echo_db=0.0)
    assert result.heard and heard_after_turns(result)


@pytest.mark.parametrize("noise", [Noise("music", 15.0), Noise("babble", 10.0),
                                   Noise("pink", 20.0)], ids=lambda n: n.kind)
def test_no_event_from_the_guides_voice_or_the_noise_alone(noise, tmp_path):
    """Two minutes of the guide talking (its cue, re-prompts, paced reps) at the level of a
    therapist, in room noise, with nobody answering: nothing may be heard."""
    result = simulate("""\
        protocol: psoas-functional-release
        engine: pocketsphinx
        echo_db: 0
        turns:
          - silence: 120
        """, tmp_path, noise=noise)
    assert len(result.cues()) >= 3
    assert result.heard == []


@pytest.mark.parametrize("noise", [Noise("music", 15.0), Noise("babble", 10.0)],
                         ids=lambda n: n.kind)
def test_in_music_and_babble_every_event_follows_the_therapist(noise):
    """Recognition in noise is limited (see the listening benchmark), but what is heard must
    come from the therapist's turns, not from the noise or the guide's echo."""
    result = simulate(EXAMPLES / "psoas.yaml", echo_db=-6.0, noise=noise)
    assert heard_after_turns(result)


def test_script_errors_name_file_and_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("protocol: psoas\nturns:\n  - say: next\n    silence: 3\n")
    with pytest.raises(UserError, match=r"bad.yaml:3: a turn needs exactly one of"):
        load_script(bad)
    bad.write_text("protocol: psoas\nturns:\n  - say: next\n    wait: 1\n    at: 3\n")
    with pytest.raises(UserError, match=r"bad.yaml:3: a turn takes at most one of"):
        load_script(bad)
    bad.write_text("protocol: psoas\nturns:\n  - audio: missing.wav\n")
    with pytest.raises(UserError, match=r"bad.yaml:3: audio clip .* not found"):
        load_script(bad)
    result = subprocess.run([sys.executable, "-m", "voice_guide", "simulate", str(bad)],
                            capture_output=True, text=True)
    assert result.returncode == 2 and "Traceback" not in result.stderr


def test_simulate_cli_json_and_wav(tmp_path):
    wav = tmp_path / "mic.wav"
    result = subprocess.run(
        [sys.executable, "-m", "voice_guide", "simulate", str(EXAMPLES / "psoas.yaml"),
         "--json", "--wav", str(wav)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    events = [json.loads(line) for line in result.stdout.splitlines()]
    kinds = {e["event"] for e in events}
    assert {"cue", "heard", "state", "hold_start", "hold_end", "turn"} <= kinds
    turns = [e for e in events if e["event"] == "turn"]
    assert all(t["end"] > t["start"] for t in turns)
    import wave
    with wave.open(str(wav)) as w:
        seconds = w.getnframes() / w.getframerate()
    assert seconds > turns[-1]["end"]
    assert "x real time" in result.stderr


def test_expect_must_name_a_step_of_the_protocol(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("protocol: psoas\nturns:\n  - {say: next, expect: nowhere}\n")
    result = subprocess.run([sys.executable, "-m", "voice_guide", "simulate", str(bad)],
                            capture_output=True, text=True)
    assert result.returncode == 2
    assert "bad.yaml:3: 'expect: nowhere' is not a step of psoas" in result.stderr


def test_recorded_clip_turns_and_a_noise_file(tmp_path):
    """`audio:` turns and `noise: {kind: FILE.wav}` read whole WAV files (any rate, stereo)."""
    import wave

    import numpy as np

    from voice_guide.runners.simulate.synth import synthesize

    def write_wav(path, pcm, rate, channels=1):
        with wave.open(str(path), "wb") as w:
            w.setnchannels(channels)
            w.setsampwidth(2)
            w.setframerate(rate)
            w.writeframes(pcm.astype("<i2").tobytes())

    word = synthesize("next").astype(np.float64)
    up = np.interp(np.arange(0, len(word), 16000 / 44100), np.arange(len(word)), word)
    write_wav(tmp_path / "next.wav", np.repeat(up, 2), 44100, channels=2)
    hiss = np.random.default_rng(3).normal(0, 300, 16000 * 3)
    write_wav(tmp_path / "fan.wav", hiss, 16000)
    result = simulate("""\
        protocol: psoas
        engine: pocketsphinx
        noise: {kind: fan.wav, snr_db: 30}
        turns:
          - {audio: next.wav, expect: locate}
        """, tmp_path)
    assert result.turns[0].get("text") == "next.wav"
    assert "locate" in result.states


def test_a_protocol_author_tests_a_protocol_file_in_a_few_lines(tmp_path, monkeypatch):
    """docs/authoring.md's test, as written there: a protocol file of one's own (here a copy
    of the shipped psoas), a script as text with no folder given, `protocol=` from the
    current folder, and `missed` naming the turn whose `expect` was not met."""
    shipped = Path(voice_guide.__file__).parent / "data" / "protocols" / "psoas.yaml"
    (tmp_path / "my-protocol.yaml").write_text(shipped.read_text())
    monkeypatch.chdir(tmp_path)
    result = simulate("""
        protocol: my-protocol.yaml
        engine: pocketsphinx
        retries: 0
        turns:
          - {say: next, expect: locate}
          - {say: located, expect: contract_relax}
        """, protocol="my-protocol.yaml")
    assert result.states_include("position", "locate", "confirm")
    assert result.heard[:2] == ["next", "located"]
    assert [m[1] for m in result.missed] == ["contract_relax"]  # the guide was in confirm
    assert list(tmp_path.iterdir()) == [tmp_path / "my-protocol.yaml"]  # nothing left behind
