"""Bad input, as a user meets it: each case through the real command line (a subprocess), one
line on stderr that names the file (and line) and the fix, exit code 2, never a traceback.
Audio that is odd but usable is used, with a one-line warning where it is degraded.

Grammar files have no command-line option (the packaged grammar is chosen by language), so
they are checked through `grammar.load(path=...)`, the one door a grammar file comes in by.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import wave
from pathlib import Path

import numpy as np
import pytest

from voice_guide.ears import grammar
from voice_guide.errors import UserError

ROOT = Path(__file__).resolve().parent.parent
RATE = 16000


def cli(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "voice_guide", *args], cwd=cwd, text=True,
                          capture_output=True, timeout=120, stdin=subprocess.DEVNULL,
                          env={**os.environ, **(env or {})})


def error_line(proc: subprocess.CompletedProcess) -> str:
    """The one error line; the engine announcement (`voice-guide: engine: ...`) may precede."""
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    lines = [x for x in proc.stderr.splitlines() if not x.startswith("voice-guide: engine:")]
    assert len(lines) == 1, proc.stderr
    return lines[0]


def write(folder: Path, name: str, text: str) -> Path:
    (folder / name).write_text(text, encoding="utf-8")
    return folder / name


# -- protocol files ---------------------------------------------------------------------------

STEPS = "steps:\n  a: {cue: Say next., on: {next: b}}\n  b: {cue: Done., end: true}\n"
PROTOCOLS = {
    "malformed_yaml": ("id: t\ntitle: [T\nstart: a\n", ":3:", "invalid YAML"),
    "toml_instead_of_yaml": ('[protocol]\nid = "t"\n', "p.toml", "write it as .yaml"),
    "wrong_type_cue": ("id: t\ntitle: T\nstart: a\nsteps:\n  a: {cue: 5, end: true}\n",
                       ":5:", "must be non-empty text"),
    "wrong_type_steps": ("id: t\ntitle: T\nstart: a\nsteps: [a, b]\n", ":4:", "must map"),
    "unknown_key": ("id: t\ntitle: T\nstart: a\ncolour: red\n" + STEPS, ":4:",
                    "unknown key 'colour'"),
    "missing_target": ("id: t\ntitle: T\nstart: a\nsteps:\n  a: {cue: x, on: {next: zz}}\n",
                       ":5:", "missing step 'zz'"),
    "missing_start": ("id: t\ntitle: T\nstart: zz\n" + STEPS, ":3:", "start step 'zz'"),
    "cycle_with_no_exit": ("id: t\ntitle: T\nstart: a\nsteps:\n"
                           "  a: {cue: x, on: {next: b, located: d}}\n"
                           "  b: {cue: y, on: {next: c}}\n  c: {cue: z, on: {next: b}}\n"
                           "  d: {cue: done, end: true}\n", ":6:", "loop with no way on"),
    "empty_cue": ("id: t\ntitle: T\nstart: a\nsteps:\n  a: {cue: '  ', end: true}\n", ":5:",
                  "'cue' of step 'a' must be non-empty text"),
    "negative_timer": ("id: t\ntitle: T\nstart: a\nsteps:\n  a:\n    cue: x\n    end: true\n"
                       "    timers: [{after: -5, say: hi}]\n", ":8:", "use a value from 1"),
    "hours_long_hold": ("id: t\ntitle: T\nstart: a\nparameters: {hold_limit: 7200}\n"
                        "steps:\n  a: {cue: x, end: true}\n", ":4:", "from 1 to 15"),
    "hours_long_reps": ("id: t\ntitle: T\nstart: a\nsteps:\n  a:\n    cue: x\n    end: true\n"
                        "    reps: {min: 2, lift: 7200}\n", ":8:", "from 0.5 to 30"),
}


@pytest.mark.parametrize("case", sorted(PROTOCOLS))
def test_bad_protocol_file(tmp_path, case):
    text, where, fix = PROTOCOLS[case]
    name = "p.toml" if "toml" in case else "p.yaml"
    write(tmp_path, name, text)
    line = error_line(cli("check", name, cwd=tmp_path))
    assert line.startswith(name) and where in line and fix in line, line


def test_bad_protocol_file_given_to_run(tmp_path):
    write(tmp_path, "p.yaml", PROTOCOLS["cycle_with_no_exit"][0])
    line = error_line(cli("run", "p.yaml", "--keyboard", "--no-record", cwd=tmp_path))
    assert line.startswith("voice-guide: error: p.yaml:6: ")


# -- script files -----------------------------------------------------------------------------

SCRIPTS = {
    "malformed_yaml": ("protocol: psoas\nturns:\n  - {say: next\n", ":4:", "invalid YAML"),
    "wrong_type_turns": ("protocol: psoas\nturns: {say: next}\n", ":2:", "non-empty list"),
    "wrong_type_rate": ("protocol: psoas\nturns:\n  - {say: next, rate: fast}\n", ":3:",
                        "'rate' must be a number"),
    "unknown_key": ("protocol: psoas\nturns:\n  - {say: next, shout: true}\n", ":3:",
                    "unknown key 'shout'"),
    "empty_say": ("protocol: psoas\nturns:\n  - {say: ''}\n", ":3:", "'say' needs text"),
    "missing_clip": ("protocol: psoas\nturns:\n  - {audio: gone.wav}\n", ":3:", "not found"),
    "negative_silence": ("protocol: psoas\nturns:\n  - {silence: -3}\n", ":3:", "from 0.01"),
    "absurd_wait": ("protocol: psoas\nturns:\n  - {say: next, wait: 99999}\n", ":3:",
                    "from 0 to 21600"),
}


@pytest.mark.parametrize("case", sorted(SCRIPTS))
def test_bad_script_file(tmp_path, case):
    text, where, fix = SCRIPTS[case]
    write(tmp_path, "s.yaml", text)
    line = error_line(cli("simulate", "s.yaml", "--no-record", cwd=tmp_path))
    assert "s.yaml" in line and where in line and fix in line, line


def test_script_with_an_unknown_protocol(tmp_path):
    write(tmp_path, "s.yaml", "protocol: nosuch\nturns:\n  - {say: next}\n")
    line = error_line(cli("simulate", "s.yaml", "--no-record", cwd=tmp_path))
    assert "unknown protocol 'nosuch'" in line and "psoas" in line


# -- grammar files (no CLI option takes one; see the module docstring) -------------------------

GRAMMARS = {
    "malformed_yaml": ("language: en\ncommands: {next: [next\n", "not valid YAML"),
    "nul_byte": ("language: en\x00\n", "not valid YAML"),
    "wrong_type": ("language: en\ncommands: [next, stop]\n", "must map command"),
    "unknown_command": ("language: en\ncommands:\n  jump: [jump]\n", "unknown command 'jump'"),
    "empty_phrasings": ("language: en\ncommands:\n  next: []\n", "give a list of phrasings"),
    "phrase_twice": ("language: en\ncommands:\n  next: [go]\n  stop: [go]\n", "already means"),
}


@pytest.mark.parametrize("case", sorted(GRAMMARS))
def test_bad_grammar_file(tmp_path, case):
    text, fix = GRAMMARS[case]
    (tmp_path / "g.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(UserError) as err:
        grammar.load(path=tmp_path / "g.yaml")
    message = str(err.value)
    assert "\n" not in message and "g.yaml" in message and fix in message, message


# -- audio ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def stop_word() -> np.ndarray:
    """'stop' spoken by espeak-ng, with a second of silence either side (float, -1..1)."""
    from voice_guide.runners.simulate.synth import synthesize

    pcm = synthesize("stop", voice="en-us", rate=160, pitch=50).astype(np.float32) / 32768
    pad = np.zeros(RATE, np.float32)
    return np.concatenate([pad, pcm, pad])


def wav(path: Path, x: np.ndarray, rate: int = RATE, channels: int = 1) -> Path:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(np.round(np.clip(x, -1, 1) * 32767).astype("<i2").tobytes())
    return path


def listen(path: Path) -> tuple[list[str | None], subprocess.CompletedProcess]:
    proc = cli("listen", path.name, "--json", "--engine", "pocketsphinx", cwd=path.parent)
    assert "Traceback" not in proc.stderr, proc.stderr
    if proc.returncode:
        return [], proc
    return [json.loads(x)["command"] for x in proc.stdout.splitlines()], proc


def resampled(x: np.ndarray, rate: int) -> np.ndarray:
    import soxr

    return soxr.resample(x, RATE, rate)


@pytest.mark.parametrize("rate", [8000, 96000])
def test_other_sample_rates_are_resampled(tmp_path, stop_word, rate):
    heard, proc = listen(wav(tmp_path / "r.wav", resampled(stop_word, rate), rate))
    assert proc.returncode == 0 and len(heard) == 1, proc.stderr
    if rate == 96000:
        assert heard == ["stop"]
    else:  # telephone band: heard as a command, but said to be degraded
        assert "warning: r.wav is 8000 Hz" in proc.stderr


def test_stereo_is_mixed_down(tmp_path, stop_word):
    both = np.stack([stop_word, 0.5 * stop_word], axis=1)
    assert listen(wav(tmp_path / "s.wav", both, channels=2))[0] == ["stop"]


def test_clipping_is_still_heard(tmp_path, stop_word):
    assert listen(wav(tmp_path / "c.wav", stop_word * 30))[0] == ["stop"]  # ~30 dB over


def test_silence_only_gives_no_command(tmp_path):
    heard, proc = listen(wav(tmp_path / "q.wav", np.zeros(5 * RATE)))
    assert proc.returncode == 0 and heard == []


def test_truncated_file_is_used_with_a_warning(tmp_path, stop_word):
    data = wav(tmp_path / "full.wav", stop_word).read_bytes()
    (tmp_path / "t.wav").write_bytes(data[: 44 + 2 * int(1.5 * RATE)])  # cut mid-word
    heard, proc = listen(tmp_path / "t.wav")
    assert proc.returncode == 0 and "t.wav ends early" in proc.stderr, proc.stderr


def test_corrupt_samples_are_noise_not_a_crash(tmp_path, stop_word):
    data = bytearray(wav(tmp_path / "c.wav", stop_word).read_bytes())
    data[44:] = np.random.default_rng(0).integers(0, 256, len(data) - 44, np.uint8).tobytes()
    (tmp_path / "c.wav").write_bytes(bytes(data))
    heard, proc = listen(tmp_path / "c.wav")
    assert proc.returncode == 0 and heard == []


@pytest.mark.parametrize("case,content,fix", [
    ("empty", b"", "not a readable audio file"),
    ("header_only", b"RIFF\x24\x00\x00\x00WAVEfmt ", "not a readable audio file"),
    ("corrupt_header", b"RIFF\x00\x00\x00\x00WAVEjunkjunkjunk", "not a readable audio file"),
    ("one_hertz", b"RIFF\x2c\x7d\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00"
     b"\x01\x00\x00\x00\x02\x00\x00\x00\x02\x00\x10\x00data\x00\x7d\x00\x00" + b"\x01" * 32000,
     "says 1 Hz, which is not a recording rate"),
])
def test_unreadable_audio_is_one_line(tmp_path, case, content, fix):
    (tmp_path / "a.wav").write_bytes(content)
    line = error_line(listen(tmp_path / "a.wav")[1])
    assert "a.wav" in line and fix in line, line


def test_wrong_sample_width_8_bit_is_read(tmp_path, stop_word):
    with wave.open(str(tmp_path / "b.wav"), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(1)
        w.setframerate(RATE)
        w.writeframes(np.round(stop_word * 127 + 128).astype(np.uint8).tobytes())
    assert listen(tmp_path / "b.wav")[0] == ["stop"]


def two_hour_wav(path: Path) -> Path:
    """A 2-hour 16 kHz WAV as a sparse file: the header, then a hole of zeros (no disk used)."""
    import struct

    n = 2 * 3600 * RATE * 2
    with open(path, "wb") as f:
        f.write(b"RIFF" + struct.pack("<I", 36 + n) + b"WAVEfmt "
                + struct.pack("<IHHIIHH", 16, 1, 1, RATE, 2 * RATE, 2, 16)
                + b"data" + struct.pack("<I", n))
        f.truncate(44 + n)
    return path


@pytest.mark.slow
def test_two_hour_file_streams_with_flat_memory(tmp_path):
    """All 2 hours through the reader (in-process, tracemalloc), then the real `listen` for a
    while: its resident memory must not grow as it gets through the file."""
    import tracemalloc

    from voice_guide.audio.pcm import read_wav

    path = two_hour_wav(tmp_path / "long.wav")
    tracemalloc.start()
    total = sum(len(c) for c in read_wav(path, chunk_seconds=1.0))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert total == 7200 * RATE and peak < 4_000_000, peak
    proc = subprocess.Popen([sys.executable, "-m", "voice_guide", "listen", str(path)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    began = time.monotonic()
    try:
        rss = [_rss_at(proc, began + s) for s in (3.0, 9.0)]  # 6 s: over 10 min of audio
    finally:
        proc.kill()
        proc.wait()
    assert rss[1] - rss[0] < 5_000, rss  # kB


def _rss_at(proc: subprocess.Popen, when: float) -> int:
    """Resident memory (kB) of a running process at monotonic time `when`."""
    time.sleep(max(0.0, when - time.monotonic()))
    assert proc.poll() is None, "listen ended early"
    status = Path(f"/proc/{proc.pid}/status").read_text()
    return int(next(x for x in status.splitlines() if x.startswith("VmRSS:")).split()[1])


# -- options ----------------------------------------------------------------------------------


def test_unknown_protocol_id(tmp_path):
    line = error_line(cli("run", "psoaz", "--keyboard", "--no-record", cwd=tmp_path))
    assert "unknown protocol 'psoaz'" in line and "known: " in line and "psoas" in line


def test_unknown_engine(tmp_path):
    line = error_line(cli("run", "psoas", "--engine", "whisper", "--no-record", cwd=tmp_path))
    assert "unknown engine 'whisper'" in line and "pocketsphinx" in line


def test_missing_vosk_model_says_how_to_get_one(tmp_path):
    env = {"HOME": str(tmp_path), "VOSK_MODEL_PATH": "", "VOICE_GUIDE_VOSK_MODEL": ""}
    line = error_line(cli("run", "psoas", "--engine", "vosk", "--lang", "en", "--no-record",
                          cwd=tmp_path, env=env))
    assert "no Vosk model for 'en'" in line and "voice-guide model download" in line


def test_model_folder_that_is_not_a_model(tmp_path):
    wav(tmp_path / "x.wav", np.zeros(RATE))
    line = error_line(cli("listen", "x.wav", "--engine", "vosk", "--model", str(tmp_path),
                          cwd=tmp_path))
    assert "not a Vosk model folder" in line and "voice-guide model download" in line


def test_no_input_device_offers_the_keyboard(tmp_path):
    line = error_line(cli("run", "psoas", "--device", "no-such-microphone", "--no-speech",
                          "--no-record", cwd=tmp_path))
    assert "cannot open the microphone no-such-microphone" in line and "--keyboard" in line
