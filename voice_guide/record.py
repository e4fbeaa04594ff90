"""The session record: an append-only JSON-lines log of every event, written as it happens.

Why each line is written, flushed and fsync'd on its own: a crash, a killed process or a power
cut must lose at most the event being written (the record holds health information the
therapist did not write down anywhere else). Logs live in `<user data dir>/sessions`
(`$VOICE_GUIDE_DATA/sessions` for tests), the folder 0700 and the files 0600.

If the disk fills up or the folder cannot be written, the session goes on: the problem is said
once on stderr, the log is cut back to its last complete line, and nothing more is written.

`recording(session, args, engine=...)` is the one call every runner makes around its run.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import platformdirs

from voice_guide import __version__
from voice_guide.errors import UserError
from voice_guide.events import Event

LOG_FORMAT = 1


def sessions_dir() -> Path:
    """Where logs go: `$VOICE_GUIDE_DATA/sessions`, else the platform's user data folder."""
    env = os.environ.get("VOICE_GUIDE_DATA")
    base = Path(env) if env else Path(platformdirs.user_data_dir("voice-guide"))
    return base / "sessions"


def now_iso() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


def _private_dir() -> Path:
    """The sessions folder, created (or tightened) to 0700 whatever the umask."""
    folder = sessions_dir()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    return folder


def _new_file(protocol_id: str) -> tuple[Path, int]:
    """A fresh log file named by local time and protocol; O_EXCL so two sessions never share."""
    folder = _private_dir()
    stem = f"{datetime.now():%Y-%m-%d_%H-%M-%S}_{protocol_id}"
    for n in range(1, 100):
        path = folder / (f"{stem}.jsonl" if n == 1 else f"{stem}.{n}.jsonl")
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o600)
        except FileExistsError:
            continue
        os.fchmod(fd, 0o600)
        return path, fd
    raise OSError(f"too many logs named {stem}")


def _reopen(path: Path) -> int:
    """Open a log to append, cutting off a torn last line first (it would glue onto the next)."""
    fd = os.open(path, os.O_RDWR | os.O_APPEND)
    data = os.pread(fd, os.fstat(fd).st_size, 0) if os.fstat(fd).st_size else b""
    keep = data.rfind(b"\n") + 1
    if keep != len(data):
        os.ftruncate(fd, keep)
    return fd


class Recorder:
    """An event sink that appends each event to the log, one fsync'd line per event."""

    def __init__(self, path: Path, fd: int | None, *, warn=None) -> None:
        self.path, self.fd = path, fd
        self.size = os.fstat(fd).st_size if fd is not None else 0
        self.warn = warn or (lambda msg: print(msg, file=sys.stderr, flush=True))
        self.last_t = 0.0

    def __call__(self, event: Event) -> None:
        line = event.to_dict()
        line["t"] = event.t  # exact, so a replay orders commands and timers as they happened
        self.last_t = max(self.last_t, event.t)
        self.write(line)

    def write(self, obj: dict) -> None:
        if self.fd is None:
            return
        data = (json.dumps(obj, ensure_ascii=False) + "\n").encode()
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(self.fd, view):]
            os.fsync(self.fd)
            self.size += len(data)
        except OSError as exc:
            self._fail(exc)

    def _fail(self, exc: OSError) -> None:
        """Stop writing, keep what is there readable, and say so once."""
        try:
            os.ftruncate(self.fd, self.size)
        except OSError:
            pass  # a torn last line is tolerated on reading anyway
        self.close_file()
        self.warn(f"voice-guide: the session record stopped ({exc.strerror or exc}): {self.path} "
                  f"keeps what was written so far; the session goes on.")

    def close_file(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


def session_start(protocol, engine: str, client: str | None) -> dict:
    return {"t": 0.0, "event": "session_start", "protocol": protocol.id,
            "version": str(protocol.version), "title": protocol.title, "engine": engine,
            "client": client, "started": now_iso(), "tool_version": __version__,
            "format": LOG_FORMAT}


def open_new(protocol, engine: str, client: str | None, warn=None) -> Recorder:
    """A recorder on a new log; an unwritable folder gives a recorder that writes nothing."""
    rec_warn = warn or (lambda msg: print(msg, file=sys.stderr, flush=True))
    try:
        path, fd = _new_file(protocol.id)
    except OSError as exc:
        rec_warn(f"voice-guide: no session record ({exc.strerror or exc}: "
                 f"{getattr(exc, 'filename', None) or sessions_dir()}); the session goes on.")
        return Recorder(sessions_dir(), None, warn=warn)
    rec = Recorder(path, fd, warn=warn)
    rec.write(session_start(protocol, engine, client))
    return rec


def open_append(path: Path, offset: float, warn=None) -> Recorder:
    try:
        fd = _reopen(path)
    except OSError as exc:
        raise UserError(f"{path}: cannot append to the log ({exc.strerror or exc})") from None
    rec = Recorder(path, fd, warn=warn)
    rec.last_t = offset
    rec.write({"t": offset, "event": "session_resume", "resumed": now_iso(),
               "tool_version": __version__})
    return rec


def session_end(rec: Recorder, session) -> None:
    d = session.dialogue
    t = max(rec.last_t, float(getattr(d, "now", 0.0) or 0.0))
    rec.write({"t": t, "event": "session_end", "ended": now_iso(), "finished": bool(d.ended),
               "state": d.state, "points": d.points, "revisits": list(d.revisits)})


@contextmanager
def recording(session, args, *, engine: str, extra_sinks: tuple[list, ...] = ()
              ) -> Iterator[Recorder | None]:
    """Record `session` while the runner runs inside this block (`--no-record` skips it).

    With `args.resume` the session's dialogue is first replaced by the replayed one from that
    log (see voice_guide.resume), and the log is appended to. `extra_sinks` are other sink
    lists that carry events not sent through the session (simulate's `turn`).
    """
    resume = getattr(args, "resume", None)
    if getattr(args, "no_record", False):
        if resume is not None:
            raise UserError("--resume appends to the session's log; drop --no-record")
        yield None
        return
    if resume is not None:
        from voice_guide.resume import resume_session

        rec = resume_session(session, resume)
    else:
        rec = open_new(session.dialogue.p, engine, getattr(args, "client", None))
    for sinks in (session.sinks, *extra_sinks):
        sinks.insert(0, rec)  # first: on disk before it is shown or spoken
    try:
        yield rec
    finally:
        session_end(rec, session)
        rec.close_file()
