"""The session record: an append-only JSON-lines log of every event, written as it happens.

Why each line is written, flushed and fsync'd on its own: a crash, a killed process or a power
cut must lose at most the event being written (the record holds health information the
therapist did not write down anywhere else). During a hold the core sends a `heartbeat` every
second, so a hold cut off by a crash is known to have lasted until the last one. Logs live in
`<user data dir>/sessions` (`$VOICE_GUIDE_DATA/sessions` for tests), the folder 0700 and the
files 0600 whatever the umask or the modes found, never through a symbolic link.

Nothing is written before the session's first event (a live start that fails leaves no log),
and a log is locked (flock) while a session writes it, so two resumes never interleave.

If the disk fills up or the folder cannot be written, the session goes on: the problem is said
once on stderr, the log is cut back to its last complete line, and nothing more is written.

`recording(session, options, engine=...)` (voice_guide.record.recording) is the one call every
runner makes around its run; it chooses between a new log (here) and a resumed one
(voice_guide.record.resume).
"""

from __future__ import annotations

import errno
import json
import math
import os
from datetime import datetime
from pathlib import Path

from voice_guide import __version__
from voice_guide.errors import UserError
from voice_guide.events import Event
from voice_guide.notice import notice
from voice_guide.record.store import folder_fd, lock, private_open, sessions_dir

LOG_FORMAT = 1


def now_iso() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


def _new_file(protocol_id: str) -> tuple[Path, int]:
    """A fresh log file named by local time and protocol; O_EXCL so two sessions never share."""
    dfd = folder_fd()
    try:
        stem = f"{datetime.now():%Y-%m-%d_%H-%M-%S}_{protocol_id}"
        for n in range(1, 100):
            path = sessions_dir() / (f"{stem}.jsonl" if n == 1 else f"{stem}.{n}.jsonl")
            try:
                fd = private_open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND,
                                  dir_fd=dfd)
            except FileExistsError:
                continue
            lock(fd, path)
            return path, fd
    finally:
        os.close(dfd)
    raise OSError(f"too many logs named {stem}")


def _reopen(path: Path) -> int:
    """Open a log to append, locked, 0600 (its folder 0700 when it is the sessions folder)."""
    fd = private_open(path, os.O_RDWR | os.O_APPEND)
    lock(fd, path)
    try:
        if os.path.samefile(path.parent, sessions_dir()):
            os.close(folder_fd())
    except OSError:
        pass  # not in the sessions folder: its folder is the user's to set
    except UserError:
        os.close(fd)
        raise
    return fd


def cut_torn_line(fd: int) -> None:
    """Cut off a torn last line before appending (it would glue onto the next)."""
    size = os.fstat(fd).st_size
    data = os.pread(fd, size, 0) if size else b""
    keep = data.rfind(b"\n") + 1
    if keep != len(data):
        os.ftruncate(fd, keep)


class Recorder:
    """An event sink that appends each event to the log, one fsync'd line per event.

    Nothing is written until the session sends its first event: a live start that fails (no
    microphone) leaves no log. `opener` makes the file then; `pending` are the lines that
    go before that first event (session_start, or session_resume on an existing log).
    """

    def __init__(self, path: Path, fd: int | None, *, warn=None, opener=None,
                 pending: list[dict] | None = None) -> None:
        self.path, self.fd, self.opener = path, fd, opener
        self.pending = list(pending or [])
        self.size = os.fstat(fd).st_size if fd is not None else 0
        self.warn = warn or notice
        self.last_t = 0.0
        self.started = False  # a line of this run is on disk
        self.skipped_bad = 0

    def __call__(self, event: Event) -> None:
        line = event.to_dict()
        line["t"] = event.t  # exact, so a replay orders commands and timers as they happened
        if not math.isfinite(event.t):
            return self._bad(f"an event at time {event.t}")
        self.last_t = max(self.last_t, event.t)
        self.write(line)

    def write(self, obj: dict) -> None:
        fd = self._ready()
        if fd is None:
            return
        try:
            data = (json.dumps(obj, ensure_ascii=False, allow_nan=False) + "\n").encode()
        except ValueError:
            return self._bad(f"a {obj.get('event')} event with a non-finite number")
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
            self.size += len(data)
            self.started = True
        except OSError as exc:
            self._fail(fd, exc)

    def _bad(self, what: str) -> None:
        """An event JSON cannot hold (NaN, infinity) is left out, said once."""
        if not self.skipped_bad:
            self.warn(f"voice-guide: {what} was not recorded (not a finite number)")
        self.skipped_bad += 1

    def _ready(self) -> int | None:
        """Open the file and write the pending lines, the first time there is a line; the
        file to write to, None if there is none (not opened, or writing failed)."""
        if self.fd is None and self.opener is not None:
            opener, self.opener = self.opener, None
            try:
                self.path, self.fd = opener()
                self.size = os.fstat(self.fd).st_size
            except OSError as exc:
                self.warn(f"voice-guide: no session record ({exc.strerror or exc}: "
                          f"{getattr(exc, 'filename', None) or sessions_dir()}); the session "
                          "goes on.")
        if self.fd is None:
            return None
        pending, self.pending = self.pending, []
        for obj in pending:
            self.write(obj)
        return self.fd

    def _fail(self, fd: int, exc: OSError) -> None:
        """Stop writing, keep what is there readable, and say so once."""
        try:
            os.ftruncate(fd, self.size)
        except OSError:
            pass  # a torn last line is tolerated on reading anyway
        self.close_file()
        self.warn(f"voice-guide: the session record stopped ({exc.strerror or exc}): {self.path} "
                  f"keeps what was written so far; the session goes on.")

    def close_file(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


def session_start(protocol, engine: str, client: str | None, profile: str | None = None
                  ) -> dict:
    """The first line: what was run, in which language, with the step titles the report
    shows (the protocol file may change later; the log keeps what was said), and the voice
    profile the listener used (`profile`, null for none; older logs have no such key)."""
    return {"t": 0.0, "event": "session_start", "protocol": protocol.id,
            "version": str(protocol.version), "title": protocol.title, "engine": engine,
            "client": client, "profile": profile, "started": now_iso(), "tool_version": __version__,
            "format": LOG_FORMAT, "language": protocol.language,
            "steps": {sid: step.title for sid, step in protocol.steps.items()}}


def open_new(protocol, engine: str, client: str | None, profile: str | None = None,
             warn=None) -> Recorder:
    """A recorder whose log is made on the first event (an unwritable folder: it writes
    nothing and says so once; a symlinked folder is refused before the session starts)."""
    rec_warn = warn or notice
    try:
        os.close(folder_fd())
    except OSError as exc:
        rec_warn(f"voice-guide: no session record ({exc.strerror or exc}: "
                 f"{getattr(exc, 'filename', None) or sessions_dir()}); the session goes on.")
        return Recorder(sessions_dir(), None, warn=warn)
    rec = Recorder(sessions_dir(), None, warn=warn, opener=lambda: _new_file(protocol.id))
    rec.pending = [session_start(protocol, engine, client, profile)]
    return rec


def lock_existing(path: Path) -> int:
    """The log opened to append and locked (before it is read for the replay)."""
    try:
        return _reopen(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise UserError(f"{path}: a symbolic link; give the log itself") from None
        raise UserError(f"{path}: cannot append to the log ({exc.strerror or exc})") from None


def open_append(path: Path, fd: int, offset: float, engine: str, profile: str | None = None,
                warn=None) -> Recorder:
    """A recorder on a locked log; `session_resume` goes down with the first event."""
    cut_torn_line(fd)
    rec = Recorder(path, fd, warn=warn)
    rec.last_t = offset
    rec.pending = [{"t": offset, "event": "session_resume", "resumed": now_iso(),
                    "engine": engine, "profile": profile, "tool_version": __version__}]
    return rec
