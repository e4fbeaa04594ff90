"""A real, throw-away PulseAudio server for audio tests: a fake microphone and a fake speaker.

This container has no sound card (/dev/snd), so tests start a user-mode `pulseaudio` in a
temporary HOME/XDG_RUNTIME_DIR with:

- `mic`: a `module-pipe-source` fed from a FIFO. `PulseServer.feed()` writes 16 kHz int16 audio
  into it at real-time pace; between clips a feeder thread writes silence, because a pipe source
  with no writer delivers nothing and a recording stream would simply stall.
- `out`: a `module-null-sink`; `PulseServer.record()` captures its monitor with `parec`,
  stamping every chunk with `time.monotonic()` on arrival so tests can time what was played.
  A second `parec` always drains the monitor: with nobody reading it, the null sink consumed
  a PortAudio stream at about 40 % of real time here (a 1 s clip took 2.7 s).

The server runs without PulseAudio's CPU limiter (it ends the daemon when it thinks it used
too much CPU, which a loaded 2-core CI machine can look like) and without shared memory (its
memfd path logged "Cannot send block reference" errors here); a CI run once lost the server in
the middle of a speaker test. `PulseServer.state()` says whether it is still up and what it
logged last, and the `pulse` fixture adds that to a failed test's report.

With `PULSE_SERVER` set, libasound2-plugins exposes the ALSA `pulse`/`default` devices, so
PortAudio/sounddevice use the real device path. PortAudio enumerates devices only when it is
initialised: call `reinit_sounddevice()` after the server starts in the same process.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

RATE = 16000
_CHUNK = 320  # 20 ms of feeder audio


def available() -> str | None:
    """None when the server can run here, else the reason to skip."""
    for exe in ("pulseaudio", "parec"):
        if shutil.which(exe) is None:
            return f"{exe} is not installed (scripts/ci-deps installs it)"
    return None


_CONFIG = """\
load-module module-native-protocol-unix auth-anonymous=1 socket={sock}
load-module module-null-sink sink_name=out rate={rate} channels=1 \
sink_properties=device.description=TestSpeaker
load-module module-pipe-source source_name=mic file={fifo} format=s16le rate={rate} channels=1 \
source_properties=device.description=TestMic
set-default-sink out
set-default-source mic
"""

#: The room: what the speaker plays is mixed into what the microphone hears.
_ECHO = """\
load-module module-null-sink sink_name=room rate={rate} channels=1 \
sink_properties=device.description=Room
load-module module-loopback source=mic sink=room latency_msec=20
load-module module-loopback source=out.monitor sink=room latency_msec=20
set-default-source room.monitor
"""


@dataclass
class Recording:
    """Audio captured from the null sink's monitor, with the arrival time of each chunk."""

    chunks: list[tuple[float, bytes]] = field(default_factory=list)
    proc: subprocess.Popen | None = None
    thread: threading.Thread | None = None

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=5)
        if self.thread:
            self.thread.join(timeout=5)

    def audio(self) -> np.ndarray:
        return np.frombuffer(b"".join(c for _, c in self.chunks), dtype="<i2").astype(np.int16)

    def sample_times(self) -> np.ndarray:
        """Monotonic time of each sample: a chunk's last sample arrived when the chunk did."""
        times = []
        for arrived, data in self.chunks:
            n = len(data) // 2
            times.append(arrived - (n - 1 - np.arange(n)) / RATE)
        return np.concatenate(times) if times else np.zeros(0)

    def loud_times(self, threshold: int = 300) -> np.ndarray:
        """Monotonic times of the samples louder than `threshold`."""
        audio = self.audio()
        return self.sample_times()[: len(audio)][np.abs(audio.astype(np.int32)) > threshold]


class PulseServer:
    """Start with `start()`, end with `stop()`; `env` is what child processes need."""

    def __init__(self, root: Path | None = None, echo: bool = False):
        """`echo`: the default input is a room where the speaker's output is heard too."""
        self.echo = echo
        self.root = Path(root or tempfile.mkdtemp(prefix="vg-pulse-"))
        self.runtime = self.root / "run"
        self.fifo = self.root / "mic.fifo"
        self.sock = self.runtime / "native"
        self.proc: subprocess.Popen | None = None
        self._queue: list[np.ndarray] = []
        self._lock = threading.Lock()
        self._idle = threading.Event()
        self._idle.set()
        self._stop = threading.Event()
        self._feeder: threading.Thread | None = None

    @property
    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(HOME=str(self.root), XDG_RUNTIME_DIR=str(self.runtime),
                   PULSE_SERVER=f"unix:{self.sock}")
        return env

    def start(self, timeout: float = 10.0) -> PulseServer:
        self.runtime.mkdir(parents=True, exist_ok=True)
        os.chmod(self.runtime, 0o700)
        config = self.root / "test.pa"
        text = _CONFIG + (_ECHO if self.echo else "")
        config.write_text(text.format(sock=self.sock, fifo=self.fifo, rate=RATE))
        cmd = ["pulseaudio", "-n", "-F", str(config), "--daemonize=no", "--exit-idle-time=-1",
               "--use-pid-file=no", "--no-cpu-limit=yes", "--disable-shm=yes",
               "--log-target=file:" + str(self.root / "pulse.log")]
        self.proc = subprocess.Popen(cmd, env=self.env, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        self._wait_ready(timeout)
        self._fifo_fd = os.open(self.fifo, os.O_WRONLY)
        self._feeder = threading.Thread(target=self._feed_loop, name="pulse-feeder", daemon=True)
        self._feeder.start()
        self._keepalive = self.record(keep=False)
        return self

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                log = (self.root / "pulse.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"pulseaudio exited {self.proc.returncode}: {log}")
            ok = subprocess.run(["pactl", "info"], env=self.env, capture_output=True)
            if ok.returncode == 0:
                return
            time.sleep(0.1)
        raise RuntimeError("pulseaudio did not become ready")

    def feed(self, audio: np.ndarray, wait: bool = False) -> None:
        """Queue 16 kHz int16 audio for the microphone; `wait` blocks until it has been sent."""
        with self._lock:
            self._idle.clear()
            self._queue.append(np.asarray(audio, dtype=np.int16))
        if wait:
            self._idle.wait()

    def _next_chunk(self) -> bytes:
        with self._lock:
            if not self._queue:
                self._idle.set()
                return bytes(_CHUNK * 2)
            head = self._queue[0]
            chunk, rest = head[:_CHUNK], head[_CHUNK:]
            if len(rest):
                self._queue[0] = rest
            else:
                self._queue.pop(0)
        if len(chunk) < _CHUNK:
            chunk = np.concatenate([chunk, np.zeros(_CHUNK - len(chunk), np.int16)])
        return chunk.astype("<i2").tobytes()

    def _feed_loop(self) -> None:
        """Write 20 ms chunks on a real-time clock, so the mic runs at real-time pace."""
        t0 = time.monotonic()
        n = 0
        while not self._stop.is_set():
            try:
                os.write(self._fifo_fd, self._next_chunk())
            except OSError:
                return
            n += 1
            delay = t0 + n * _CHUNK / RATE - time.monotonic()
            if delay > 0:
                time.sleep(delay)

    def record(self, attempts: int = 5, keep: bool = True) -> Recording:
        """Start capturing the null sink's monitor (what the speaker played).

        A fresh `parec` on an idle null sink sometimes receives nothing at all (seen about one
        time in three here); such a recorder is replaced until chunks flow.
        """
        for _ in range(attempts):
            rec = self._start_parec(keep)
            deadline = time.monotonic() + 1.0
            while not rec.chunks and time.monotonic() < deadline:
                time.sleep(0.02)
            if rec.chunks:
                return rec
            rec.stop()
        raise RuntimeError("parec delivered no audio from out.monitor")

    def _start_parec(self, keep: bool) -> Recording:
        cmd = ["parec", "-d", "out.monitor", "--format=s16le", f"--rate={RATE}",
               "--channels=1", "--latency-msec=10", "--raw"]
        rec = Recording()
        rec.proc = subprocess.Popen(cmd, env=self.env, stdout=subprocess.PIPE,
                                    stderr=subprocess.DEVNULL)

        def pump() -> None:
            fd = rec.proc.stdout.fileno()
            while True:
                data = os.read(fd, 640)
                if not data:
                    return
                if keep or not rec.chunks:
                    rec.chunks.append((time.monotonic(), data))

        rec.thread = threading.Thread(target=pump, name="pulse-recorder", daemon=True)
        rec.thread.start()
        return rec

    def state(self, lines: int = 25) -> str:
        """Whether the server still runs, and the end of its log (for failure reports)."""
        code = self.proc.poll() if self.proc else None
        up = self.proc is not None and code is None
        head = "pulseaudio is running" if up else f"pulseaudio exited {code}"
        try:
            log = (self.root / "pulse.log").read_text(errors="replace").splitlines()[-lines:]
        except OSError as exc:
            log = [f"(no log: {exc})"]
        return "\n".join([head, *log])

    def kill(self) -> None:
        """Kill the server abruptly: to the client this is an unplugged device."""
        keep = getattr(self, "_keepalive", None)
        if keep:
            keep.stop()
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=5)

    def restart(self, down: float = 0.0) -> None:
        """Kill the server, wait `down` s, bring it back on the same socket (unplug/replug)."""
        self._stop.set()
        if self._feeder:
            self._feeder.join(timeout=2)
        os.close(self._fifo_fd)
        self.kill()
        time.sleep(down)
        self.fifo.unlink(missing_ok=True)
        self.sock.unlink(missing_ok=True)
        self._stop.clear()
        self.start()

    def stop(self) -> None:
        self._stop.set()
        if self._feeder:
            self._feeder.join(timeout=2)
        try:
            os.close(self._fifo_fd)
        except (AttributeError, OSError):
            pass
        self.kill()
        shutil.rmtree(self.root, ignore_errors=True)


def reinit_sounddevice(env: dict[str, str]) -> None:
    """Point this process at the server and make PortAudio enumerate devices afresh."""
    for key in ("HOME", "XDG_RUNTIME_DIR", "PULSE_SERVER"):
        os.environ[key] = env[key]
    import sounddevice as sd

    sd._terminate()
    sd._initialize()
