"""Enrollment (issue 15) through the real CLI: real espeak-ng takes, real PocketSphinx, real
files with their modes, and a spoken enrollment through a virtual PulseAudio microphone.

The voice `en-029+Storm` (an espeak-ng voice with a variant the shipped templates never
heard) says "fading" in a way the listener misses without a profile (checked: the template
witness and the grammar pass disagree); three takes of it at other rates and pitches teach
the listener that voice.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from pulse import PulseServer, available

from voice_guide.ears import grammar
from voice_guide.ears.listener import embedder
from voice_guide.enroll.core import Enrollment
from voice_guide.enroll.plan import plan
from voice_guide.enroll.takes import problem
from voice_guide.runners.simulate.synth import synthesize

ROOT = Path(__file__).resolve().parents[1]
VOICE = "en-029+Storm"
#: (words a minute, espeak pitch) of the three takes: not the test's own 160 / 50.
TAKES = ((178, 29), (143, 71), (114, 32))


def cli(*argv: str, env: dict, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "voice_guide", *argv], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)


@pytest.fixture
def env(tmp_path) -> dict:
    return {**os.environ, "VOICE_GUIDE_DATA": str(tmp_path / "data"),
            "XDG_CONFIG_HOME": str(tmp_path / "config")}


def recording(pcm: np.ndarray, hiss: float = 30.0, seed: int = 1) -> np.ndarray:
    """Speech as a recorder keeps it: half a second of a quiet room on both sides."""
    pad = np.zeros(8000)
    x = np.concatenate([pad, np.asarray(pcm, dtype=np.float64), pad])
    x += hiss * np.random.default_rng(seed).standard_normal(len(x))
    return np.clip(np.round(x), -32768, 32767).astype(np.int16)


def write_takes(folder: Path, word: str, voice: str = VOICE, rate: int = 44100) -> None:
    """COMMAND-1..3 as 44.1 kHz float WAVs: enrollment reads what `listen` reads."""
    folder.mkdir(parents=True, exist_ok=True)
    for n, (wpm, pitch) in enumerate(TAKES, 1):
        pcm = recording(synthesize(word, voice=voice, rate=wpm, pitch=pitch), seed=n)
        up = np.interp(np.arange(int(len(pcm) * rate / 16000)) * 16000 / rate,
                       np.arange(len(pcm)), pcm.astype(np.float64))
        sf.write(folder / f"{word}-{n}.wav", up / 32768.0, rate, subtype="FLOAT")


def heard(out: subprocess.CompletedProcess) -> list[str]:
    assert out.returncode == 0, out.stderr
    return [line.split('"command": "')[1].split('"')[0] for line in out.stdout.splitlines()]


def test_enroll_from_folder_then_listen_hears_what_it_missed(tmp_path, env):
    write_takes(tmp_path / "takes", "worse")  # a word the shipped templates miss in VOICE
    test = tmp_path / "worse.wav"
    sf.write(test, recording(synthesize("worse", voice=VOICE, rate=160, pitch=50), seed=9),
             16000, subtype="PCM_16")
    assert heard(cli("listen", str(test), "--json", env=env)) == []
    out = cli("enroll", "--from", str(tmp_path / "takes"), "--profile", "ana", env=env)
    assert out.returncode == 0, out.stderr
    assert "profile 'ana': 3 takes of 1 phrasings (en)" in out.stdout
    assert "no takes of: located" in out.stderr  # said, not an error: the others stay shipped
    assert heard(cli("listen", str(test), "--json", "--profile", "ana", env=env)) == ["worse"]
    # the setting does the same as the option
    (tmp_path / "config" / "voice-guide").mkdir(parents=True)
    (tmp_path / "config" / "voice-guide" / "settings.yaml").write_text("profile: ana\n")
    assert heard(cli("listen", str(test), "--json", env=env)) == ["worse"]


def test_profile_files_are_private_and_listed_and_removed(tmp_path, env):
    write_takes(tmp_path / "takes", "fading")
    assert cli("enroll", "--from", str(tmp_path / "takes"), env=env).returncode == 0
    folder = tmp_path / "data" / "profiles"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((folder / "default.npz").stat().st_mode) == 0o600
    assert [p.name for p in folder.iterdir()] == ["default.npz"]  # no temporary left
    out = cli("profiles", env=env)
    assert out.returncode == 0 and out.stdout.split() == ["default", "en:", "3", "takes", "of",
                                                          "1", "commands"], out.stdout
    out = cli("profiles", "remove", "default", env=env)
    assert out.returncode == 0 and not (folder / "default.npz").exists()
    out = cli("profiles", "remove", "default", env=env)
    assert out.returncode == 2 and out.stderr.count("\n") == 1 and "no profile" in out.stderr


def test_silent_and_clipped_takes_are_refused_with_the_reason(tmp_path, env):
    folder = tmp_path / "takes"
    write_takes(folder, "tender")
    sf.write(folder / "tender-1.wav", np.zeros(24000, np.int16), 16000)
    loud = synthesize("tender", voice="en-us", rate=160).astype(np.float64) * 40
    sf.write(folder / "tender-2.wav", recording(np.clip(loud, -32768, 32767)), 16000)
    out = cli("enroll", "--from", str(folder), "tender", env=env)
    assert out.returncode == 2
    assert f"{folder / 'tender-1.wav'}: refused: too quiet" in out.stderr
    assert f"{folder / 'tender-2.wav'}: refused: clipped" in out.stderr
    assert "Traceback" not in out.stderr
    assert "profile 'default': 1 takes of 1 phrasings" in out.stdout  # the good one is kept


def test_bad_profiles_are_one_line_errors(tmp_path, env):
    wav = tmp_path / "x.wav"
    sf.write(wav, np.zeros(16000, np.int16), 16000)
    for argv, says in ((("listen", str(wav), "--profile", "nobody"), "no profile 'nobody'"),
                       (("listen", str(wav), "--profile", "../x"), "profile name"),
                       (("enroll", "--from", str(tmp_path / "none")), "no such folder"),
                       (("enroll", "--from", str(tmp_path), "bogus"), "unknown command")):
        out = cli(*argv, env=env)
        assert out.returncode == 2 and out.stderr.count("\n") == 1, (argv, out.stderr)
        assert says in out.stderr, out.stderr
    folder = tmp_path / "data" / "profiles"
    folder.mkdir(parents=True)
    (folder / "bad.npz").write_bytes(b"PK\x03\x04 not a zip")
    out = cli("listen", str(wav), "--profile", "bad", env=env)
    assert out.returncode == 2 and "the profile is damaged" in out.stderr
    assert "unreadable" in cli("profiles", env=env).stdout


def test_chatter_with_the_enrolled_words_is_still_refused(tmp_path, env):
    """Sentences that contain the enrolled command words, in the enrolled voice: refused."""
    for word in ("fading", "tender", "stop"):
        write_takes(tmp_path / "takes", word)
    assert cli("enroll", "--from", str(tmp_path / "takes"), "--profile", "ana",
               env=env).returncode == 0
    sentences = ["is that tender", "tell me when it starts fading", "we can stop whenever you like",
                 "it was tender last time as well", "that usually stops hurting after a while"]
    gap = np.zeros(int(1.5 * 16000), np.int16)
    pcm = np.concatenate([x for s in sentences
                          for x in (synthesize(s, voice=VOICE, rate=160), gap)])
    wav = tmp_path / "chatter.wav"
    sf.write(wav, recording(pcm), 16000)
    assert heard(cli("listen", str(wav), "--json", "--profile", "ana", env=env)) == []


def test_korean_enrollment_uses_the_korean_phrasings(tmp_path, env):
    folder = tmp_path / "takes"
    folder.mkdir()
    for n, (wpm, pitch) in enumerate(TAKES, 1):
        sf.write(folder / f"next-{n}.wav",
                 recording(synthesize("다음", voice="ko", rate=wpm, pitch=pitch)), 16000)
    out = cli("enroll", "--from", str(folder), "--lang", "ko", "next", env=env)
    assert out.returncode == 0, out.stderr
    assert "3 takes of 1 phrasings (ko)" in out.stdout
    out = cli("profiles", env=env)
    assert "ko: 3 takes of 1 commands" in out.stdout


def test_simulated_session_records_the_profile(tmp_path, env):
    write_takes(tmp_path / "takes", "fading")
    assert cli("enroll", "--from", str(tmp_path / "takes"), "--profile", "ana",
               env=env).returncode == 0
    script = tmp_path / "s.yaml"
    script.write_text("protocol: psoas\nturns:\n  - say: next\n    expect: locate\n")
    out = cli("simulate", str(script), "--profile", "ana", env=env, timeout=300)
    assert out.returncode == 0, out.stderr
    [log] = (tmp_path / "data" / "sessions").glob("*.jsonl")
    assert '"profile": "ana"' in log.read_text().splitlines()[0]


# -- spoken enrollment through a virtual PulseAudio microphone ----------------------------------

class Enroller:
    """The `enroll` subprocess; its stdout lines read on a thread."""

    def __init__(self, env: dict, *argv: str) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "voice_guide", "enroll", *argv],
                                     cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        self.lines: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line.rstrip())

    def wait_line(self, pred, after: int, timeout: float = 60.0) -> int:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            for k in range(after, len(self.lines)):
                if pred(self.lines[k]):
                    return k
            if self.proc.poll() is not None and after >= len(self.lines):
                break
            time.sleep(0.05)
        raise AssertionError(f"timed out; stdout: {self.lines[-8:]}")


@pytest.mark.slow
def test_spoken_enrollment_through_a_virtual_microphone(tmp_path, env):
    reason = available()
    if reason:
        pytest.skip(reason)
    server = PulseServer().start()
    word = synthesize("next", voice="en-us", rate=160)
    clipped = np.clip(word.astype(np.float64) * 40, -32768, 32767).astype(np.int16)
    pad = np.zeros(6400, np.int16)
    # what the therapist says at each "(listening)": a clipped take, three good ones, the test
    said = [clipped, word, word, word, word]
    guide = Enroller({**server.env, **{k: env[k] for k in ("VOICE_GUIDE_DATA",
                                                           "XDG_CONFIG_HOME")},
                      "PYTHONUNBUFFERED": "1"}, "next", "--profile", "spoken")
    try:
        at = 0
        for take in said:
            at = guide.wait_line(lambda line: line == "(listening)", at) + 1
            server.feed(np.concatenate([pad, take, pad]))
        assert guide.proc.wait(timeout=60) == 0, guide.proc.stderr.read()
    finally:
        if guide.proc.poll() is None:
            guide.proc.kill()
        server.stop()
    out = "\n".join(guide.lines)
    assert "refused: clipped" in out, out
    assert "Say: next  (take 1 of 3)" in out and "Again: next  (take 3 of 3)" in out
    assert "test: heard next for next" in out
    assert "profile 'spoken': 3 takes of 1 phrasings (en)" in out
    assert stat.S_IMODE((tmp_path / "data" / "profiles" / "spoken.npz").stat().st_mode) == 0o600


def test_cut_off_and_unlike_takes_are_asked_again():
    """The checks without the CLI: half a word at the capture's edge, and a take of another
    word among takes of "tender" (the odd one is dropped, whichever it is)."""
    word = synthesize("tender", voice="en-us", rate=160)
    loud = int(np.argmax(np.abs(word)))
    assert problem(recording(word)) is None
    assert "cut off at the start" in problem(recording(word)[8000 + loud:])
    assert "cut off at the end" in problem(recording(word)[:8000 + loud])
    [prompt] = plan(grammar.load("en"), ["tender"])
    e = Enrollment([prompt], "en", embedder())
    for wpm, pitch in TAKES[:2]:
        assert e.offer(prompt, recording(synthesize("tender", voice="en-us", rate=wpm,
                                                    pitch=pitch))) is None
    why = e.offer(prompt, recording(synthesize("finished", voice="en-us", rate=160)))
    assert why and "sounded unlike the others" in why and e.needs(prompt) == 1


def test_a_take_out_of_warping_reach_is_called_too_long_or_short_not_a_distance():
    """A take over twice as long as the others has no DTW path to them: it is the odd one,
    said in words (the distance is INF, which once printed as 117647056.00)."""
    [prompt] = plan(grammar.load("en"), ["tender"])
    e = Enrollment([prompt], "en", embedder())
    for wpm, pitch in TAKES[:2]:
        assert e.offer(prompt, recording(synthesize("tender", voice="en-us", rate=wpm,
                                                    pitch=pitch))) is None
    why = e.offer(prompt, recording(synthesize("it is tender right there, yes",
                                               voice="en-us", rate=140)))
    assert why and "over twice as long or as short" in why and e.needs(prompt) == 1
