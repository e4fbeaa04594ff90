"""Reading session logs back: tolerant of a torn last line, strict about what a log is.

A log killed mid-write ends in a partial line; that line is dropped (it is at most the one
event being written). Any other unreadable line is skipped and counted, so a report still
comes out of a damaged file and says how much it left out.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from voice_guide.errors import UserError
from voice_guide.record.store import in_use, sessions_dir
from voice_guide.userfile import read_bytes


@dataclass
class Log:
    path: Path
    events: list[dict]
    torn: bool = False            # the last line was cut short and dropped
    skipped: list[int] = field(default_factory=list)  # line numbers of other bad lines

    @property
    def start(self) -> dict:
        return self.events[0]

    @property
    def protocol(self) -> str:
        return str(self.start.get("protocol"))

    @property
    def last_t(self) -> float:
        return max((float(e.get("t", 0.0)) for e in self.events), default=0.0)

    @property
    def finished(self) -> bool:
        ends = [e for e in self.events if e["event"] in ("session_end", "session_resume")]
        return bool(ends) and ends[-1]["event"] == "session_end" and bool(ends[-1].get("finished"))

    def of(self, *kinds: str) -> list[dict]:
        return [e for e in self.events if e.get("event") in kinds]


#: A session log: one JSON line per event, about 100 bytes; 64 MB is days of talk.
MAX_LOG = 64_000_000

MAX_T = 7 * 24 * 3600.0  # a week of audio time: anything later is not a session's time


def _no_constant(name: str):
    raise ValueError(f"{name} is not JSON")  # Infinity, -Infinity, NaN


def _parse(line: bytes) -> dict | None:
    """One event, or None: not JSON (NaN and Infinity included), no kind, or an absurd time."""
    try:
        obj = json.loads(line, parse_constant=_no_constant)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    if not isinstance(obj, dict) or not isinstance(obj.get("event"), str):
        return None
    t = obj.get("t")
    ok = isinstance(t, (int, float)) and not isinstance(t, bool) and 0.0 <= t <= MAX_T
    return obj if ok else None


def read_log(path: Path) -> Log:
    """The events of a log; UserError (one line) when it is missing or not a session log."""
    data = read_bytes(path, MAX_LOG)
    lines = data.split(b"\n")
    torn = lines[-1] != b""  # no newline at the end: the last write was cut short
    log = Log(Path(path), [])
    for n, line in enumerate(lines[:-1], start=1):
        obj = _parse(line) if line.strip() else None
        if obj is not None:
            log.events.append(obj)
        elif line.strip():
            log.skipped.append(n)
    log.torn = torn
    if not log.events or log.events[0]["event"] != "session_start" or log.events[0]["t"] != 0:
        raise UserError(f"{path}: not a voice-guide session log (no session_start line)")
    return log


def all_logs(notice=None) -> list[Log]:
    """Every readable log in the sessions folder, newest first.

    One bad log never stops the listing: it is left out, and `notice` (if given) is told why
    in one line; so are logs that had lines skipped.
    """
    folder = sessions_dir()
    logs = []
    for path in sorted(folder.glob("*.jsonl")) if folder.is_dir() else []:
        try:
            log = read_log(path)
            _newest(log)
        except (UserError, ValueError, TypeError) as exc:
            if notice:
                notice(f"voice-guide: skipped {exc}" if isinstance(exc, UserError)
                       else f"voice-guide: skipped {path}: {exc}")
            continue
        if notice and (log.torn or log.skipped):
            notice(f"voice-guide: {path}: {int(log.torn) + len(log.skipped)} unreadable "
                   "line(s) left out")
        logs.append(log)
    return sorted(logs, key=_newest, reverse=True)


def _newest(log: Log) -> tuple[str, int]:
    """Start time, then the `.N` a second log started in the same second gets in its name."""
    n = Path(log.path.stem).suffix.lstrip(".")
    return str(log.start.get("started")), int(n) if n.isdigit() else 1


def newest_unfinished(protocol_id: str) -> Path:
    """The log `--resume` picks: the newest unfinished one that no session is running on."""
    for log in all_logs():
        if log.protocol == protocol_id and not log.finished and not in_use(log.path):
            return log.path
    raise UserError(f"no unfinished '{protocol_id}' session to resume in {sessions_dir()}")


def numbered(notice=None) -> list[tuple[int, Log]]:
    """(number, log), newest first; numbers count from the oldest (1), so they stay put as
    new sessions are added."""
    logs = all_logs(notice)
    return [(len(logs) - i, log) for i, log in enumerate(logs)]


def find_log(which: str) -> Path:
    """A log by `latest`, its number in `sessions`, a path, or its name in the folder."""
    if which == "latest" or which.isdigit():
        rows = numbered()
        if not rows:
            raise UserError(f"no sessions in {sessions_dir()}")
        if which == "latest":
            return rows[0][1].path
        for n, log in rows:
            if n == int(which):
                return log.path
        raise UserError(f"no session {which}: `voice-guide sessions` lists 1 to {len(rows)}")
    path = Path(which)
    if path.exists():
        return path
    for name in (which, f"{which}.jsonl"):
        if "/" not in name and (sessions_dir() / name).is_file():
            return sessions_dir() / name
    raise UserError(f"{which}: no such log (give a path, a name or number from "
                    "`voice-guide sessions`, or latest)")
