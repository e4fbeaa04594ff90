"""Recording a session: the one call every runner makes around its run.

`recording(session, options, engine=...)` chooses between a new log and a resumed one, puts the
recorder first among the session's sinks and writes the closing line. The log itself is written
by voice_guide.record.writer; resuming is voice_guide.record.resume (which imports the writer, not
this module, so the two do not import each other).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from voice_guide.errors import UserError
from voice_guide.record.resume import resume_session
from voice_guide.record.writer import Recorder, now_iso, open_new


@dataclass(frozen=True)
class RecordOptions:
    """--no-record, --client, and --resume (None: a new log; "": the newest unfinished one)."""

    no_record: bool = False
    client: str | None = None
    resume: str | None = None


def session_end(rec: Recorder, session) -> None:
    """The closing line: how the session stood when this run ended (none if nothing ran)."""
    if not rec.started:
        return  # nothing happened in this run: no end line either
    d = session.dialogue
    t = max(rec.last_t, float(getattr(d, "now", 0.0) or 0.0))
    rec.write({"t": t, "event": "session_end", "ended": now_iso(), "finished": bool(d.ended),
               "state": d.state, "points": d.points, "revisits": list(d.revisits)})


def engine_used(session, said: str) -> str:
    """The engine the session's listener really runs (`auto` resolved), else `said`."""
    obj = getattr(session, "listener", None)
    for attr in ("listener", "recognizer"):
        obj = getattr(obj, attr, obj)
    name = getattr(obj, "name", None)
    return name if isinstance(name, str) else said


@contextmanager
def recording(session, options: RecordOptions, *, engine: str, extra_sinks: tuple[list, ...] = (),
              profile: str | None = None) -> Iterator[Recorder | None]:
    """Record `session` while the runner runs inside this block (`--no-record` skips it).

    With `options.resume` the session's dialogue is first replaced by the replayed one from that
    log (see voice_guide.record.resume), and the log is appended to. `extra_sinks` are other sink
    lists that carry events not sent through the session (simulate's `turn`). `profile` is
    the enrolled voice profile the listener uses (None: none), kept in the log.
    """
    resume = options.resume
    if options.no_record:
        if resume is not None:
            raise UserError("--resume appends to the session's log; drop --no-record")
        yield None
        return
    if resume is not None:
        rec = resume_session(session, resume, engine_used(session, engine), profile)
    else:
        rec = open_new(session.dialogue.p, engine_used(session, engine),
                       options.client, profile)
    for sinks in (session.sinks, *extra_sinks):
        sinks.insert(0, rec)  # first: on disk before it is shown or spoken
    try:
        yield rec
    finally:
        session_end(rec, session)
        rec.close_file()
