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
from voice_guide.record import sessions_dir
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


def _parse(line: bytes) -> dict | None:
    try:
        obj = json.loads(line)
    except (ValueError, UnicodeDecodeError, RecursionError):  # [[[[... nests past the stack
        return None
    ok = isinstance(obj, dict) and isinstance(obj.get("event"), str)
    return obj if ok and isinstance(obj.get("t"), (int, float)) else None


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
    if not log.events or log.events[0]["event"] != "session_start":
        raise UserError(f"{path}: not a voice-guide session log (no session_start line)")
    return log


def all_logs() -> list[Log]:
    """Every readable log in the sessions folder, newest first (unreadable ones left out)."""
    folder = sessions_dir()
    logs = []
    for path in sorted(folder.glob("*.jsonl")) if folder.is_dir() else []:
        try:
            logs.append(read_log(path))
        except UserError:
            continue
    return sorted(logs, key=_newest, reverse=True)


def _newest(log: Log) -> tuple[str, int]:
    """Start time, then the `.N` a second log started in the same second gets in its name."""
    n = Path(log.path.stem).suffix.lstrip(".")
    return str(log.start.get("started")), int(n) if n.isdigit() else 1


def newest_unfinished(protocol_id: str) -> Path:
    for log in all_logs():
        if log.protocol == protocol_id and not log.finished:
            return log.path
    raise UserError(f"no unfinished '{protocol_id}' session to resume in {sessions_dir()}")
