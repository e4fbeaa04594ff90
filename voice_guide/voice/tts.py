"""Text to 16 kHz int16 audio with pyttsx3, rendered in a persistent child process.

`Renderer` owns one `voice_guide.voice.tts_worker` process (see there for why a child) and restarts
it if it dies. Rendering a sentence takes about 15 ms, so the speaker renders each cue just before
playing it; the audio it plays and the audio `render()` returns are the same array.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import IO, Any

import numpy as np

from voice_guide.audio.pcm import clip_int16, load_wav
from voice_guide.errors import SpeechUnavailable
from voice_guide.notice import warn
from voice_guide.voice import natural as natural_voice

_START_TIMEOUT = 15.0


class Renderer:
    """Thread-safe front of the pyttsx3 worker process."""

    def __init__(self, command: list[str] | None = None) -> None:
        self.command = command or [sys.executable, "-m", "voice_guide.voice.tts_worker"]
        self._proc: subprocess.Popen | None = None
        self._lock = threading.RLock()
        self._fell_back = False
        self._dir = tempfile.TemporaryDirectory(prefix="vg-tts-")

    def _ensure(self) -> subprocess.Popen:
        if self._proc and self._proc.poll() is None:
            return self._proc
        try:
            proc = subprocess.Popen(self.command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                    stderr=subprocess.DEVNULL, text=True, bufsize=1)
        except OSError as exc:
            raise SpeechUnavailable(f"cannot start the speech worker: {exc}") from exc
        first = _readline(proc, _START_TIMEOUT)
        if not first.get("ready"):
            proc.kill()
            raise SpeechUnavailable(first.get("error", "the speech worker did not start"))
        self._proc = proc
        return proc

    def _ask(self, req: dict[str, Any], timeout: float = 20.0) -> dict[str, Any]:
        with self._lock:
            proc = self._ensure()
            try:
                _pipe(proc.stdin).write(json.dumps(req) + "\n")
                _pipe(proc.stdin).flush()
            except OSError as exc:
                self._kill()
                raise SpeechUnavailable(f"the speech worker died: {exc}") from exc
            reply = _readline(proc, timeout)
            if "error" in reply and reply.get("fatal"):
                self._kill()
            return reply

    def render(self, text: str, voice: str | None = None, rate: int = 175,
               volume: float = 1.0) -> np.ndarray:
        """Speak `text` into memory: 16 kHz mono int16, exactly what the speaker plays.

        A `hibari:` voice is the natural one (natural_voice.py); if it cannot start, the
        guide says so once and speaks with espeak-ng's default voice instead."""
        if voice and voice.startswith("hibari:"):

            try:
                return natural_voice.render(text, voice, rate, volume)
            except SpeechUnavailable as exc:
                if not self._fell_back:
                    self._fell_back = True
                    warn(f"the voice: {exc}; speaking with espeak-ng instead")
                voice = None
        with self._lock:
            path = Path(self._dir.name) / "cue.wav"
            path.unlink(missing_ok=True)
            reply = self._ask({"op": "render", "text": text, "path": str(path),
                               "voice": voice, "rate": int(rate)})
            if "error" in reply:
                raise SpeechUnavailable(f"speech failed: {reply['error']}")
            return scaled(read_wav_16k(path), volume)

    def voices(self) -> list[dict[str, Any]]:
        """The voices pyttsx3 reports (espeak-ng's), as dicts with id, name, languages."""
        reply = self._ask({"op": "voices"})
        if "error" in reply:
            raise SpeechUnavailable(reply["error"])
        return reply["voices"]

    def _kill(self) -> None:
        if self._proc and self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait()
        self._proc = None

    def close(self) -> None:
        with self._lock:
            if self._proc and self._proc.poll() is None:
                _pipe(self._proc.stdin).close()
                try:
                    self._proc.wait(timeout=2)
                except subprocess.TimeoutExpired:
                    pass
            self._kill()
        self._dir.cleanup()


def scaled(pcm: np.ndarray, volume: float) -> np.ndarray:
    """`pcm` at `volume` (0..1). espeak renders at full volume and the samples are scaled
    here: espeak-ng's own volume setting did not always reach a fresh worker's first render
    (a CI run: a cue at volume 0.5 as loud as at 1.0)."""
    return pcm if volume == 1.0 else clip_int16(pcm.astype(np.float64) * volume)


def _pipe(stream: IO[str] | None) -> IO[str]:
    """The worker's stdin or stdout: always a pipe (it is started so)."""
    assert stream is not None, "the speech worker runs with stdin and stdout as pipes"
    return stream


def _readline(proc: subprocess.Popen, timeout: float) -> dict[str, Any]:
    """One JSON reply, or an error dict if the worker hangs (it is then killed) or dies."""
    box: list[str] = []
    reader = threading.Thread(target=lambda: box.append(_pipe(proc.stdout).readline()),
                              daemon=True)
    reader.start()
    reader.join(timeout)
    if not box:
        proc.kill()
        return {"error": "the speech worker did not answer", "fatal": True}
    if not box[0]:
        return {"error": "the speech worker exited", "fatal": True}
    return json.loads(box[0])


def read_wav_16k(path: str | Path) -> np.ndarray:
    """A WAV (any flavour libsndfile reads) as 16 kHz mono int16 (sounds, rendered speech)."""
    return load_wav(path)


