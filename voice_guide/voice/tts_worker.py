"""Child process that renders speech with pyttsx3 (espeak-ng driver) into WAV files.

Why a child process: pyttsx3's espeak driver plays through `aplay` with no way to interrupt it,
`runAndWait` returns before the audio is done, and `save_to_file` is sticky (every later `say`
also goes to that file). Used only for `save_to_file`, in a process of its own, none of that
matters, and a hung or crashed engine can be killed and restarted without touching the session.
Playback is the parent's job (`voice_guide.voice.playback`), through a stream it can cut at once.

Protocol: one JSON object per line on stdin, one JSON reply per line on the original stdout:
  {"op": "render", "text", "path", "voice", "rate"} -> {"ok": true} | {"error": msg}
  {"op": "voices"} -> {"voices": [{"id", "name", "languages", "gender"}, ...]}
Renders are at full volume; the parent scales the samples (tts.scaled).
pyttsx3 prints "Audio saved to ..." on stdout, so stdout is redirected to stderr and replies go
to a duplicate of the original descriptor.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import wave
from typing import Any

RENDER_TIMEOUT = 20.0
#: Renders of a cue before it is given up as silent (see _Engine.render).
ATTEMPTS = 3


class _Engine:
    """One pyttsx3 engine, kept for the life of the process (espeak initialises only once)."""

    def __init__(self) -> None:
        import pyttsx3

        self.engine = pyttsx3.init("espeak")
        self.done = threading.Event()
        self.errors: list[str] = []
        self.engine.connect("finished-utterance", lambda **_: self.done.set())
        self.engine.connect("error", lambda exception=None, **_: self.errors.append(
            str(exception)))

    def render(self, req: dict[str, Any]) -> dict[str, Any]:
        """Render, and render again when the file came out empty. pyttsx3's espeak driver
        writes the file when espeak reports the end of the message, before it adds the audio
        delivered in the same callback; about one render in 150 delivers all of it there,
        and the cue was printed but never spoken. Still empty after ATTEMPTS, the file goes
        back as it is: the speaker skips that one cue and keeps its voice for the others."""
        out: dict[str, Any] = {}
        for _ in range(ATTEMPTS):
            out = self._render_once(req)
            if "error" in out or _frames(req["path"]) > 0:
                break
        return out

    def _render_once(self, req: dict[str, Any]) -> dict[str, Any]:
        self.done.clear()
        self.errors.clear()
        if req.get("voice"):
            self.engine.setProperty("voice", req["voice"])
        self.engine.setProperty("rate", int(req.get("rate", 175)))
        self.engine.save_to_file(req["text"], req["path"])
        self.engine.runAndWait()
        if not self.done.wait(RENDER_TIMEOUT):
            return {"error": "pyttsx3 did not finish rendering"}
        if self.errors:
            return {"error": self.errors[0]}
        return {"ok": True}

    def voices(self) -> dict[str, Any]:
        out = []
        for v in self.engine.getProperty("voices"):
            out.append({"id": v.id, "name": v.name, "languages": list(v.languages or []),
                        "gender": v.gender})
        return {"voices": out}


def _frames(path: str) -> int:
    """Samples in the WAV at `path` (0: missing, unreadable or empty)."""
    try:
        with wave.open(path, "rb") as f:
            return f.getnframes()
    except (OSError, EOFError, wave.Error):
        return 0


def main() -> int:
    reply = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    try:
        engine = _Engine()
    except Exception as exc:  # no espeak-ng library, broken install: tell the parent why
        reply.write(json.dumps({"error": f"pyttsx3 could not start: {exc}"}) + "\n")
        return 1
    reply.write(json.dumps({"ready": True}) + "\n")
    for line in sys.stdin:
        req = json.loads(line)
        try:
            out = engine.voices() if req.get("op") == "voices" else engine.render(req)
        except Exception as exc:  # one bad request (e.g. unknown voice) must not end the worker
            out = {"error": f"{type(exc).__name__}: {exc}"}
        reply.write(json.dumps(out) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
