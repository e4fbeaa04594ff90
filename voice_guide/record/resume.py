"""Resume = replay: an interrupted session's dialogue rebuilt from its log, then continued.

The dialogue core is deterministic and does no I/O, so a fresh Dialogue for the same protocol
(id and version checked), started at 0 and fed every logged `heard` command at its logged time,
then ticked to the last logged time, is in the state the session was in: step, reps, points,
revisits, pause. The replayed events go nowhere (they were shown and spoken the first time);
they are compared with the logged ones, and a difference is said on stderr.

A hold running when the process died is closed at the last logged time (a `heartbeat` is
logged every second of a hold, so that is within a second of the kill) with reason
`interrupted` and its point marked to revisit: nobody knows how long the pressure really
lasted, so the safe reading is "check this point again, lighter" (`Dialogue.interrupted`).

The runner then continues on its own time from 0; `Shifted` adds the log's last time to it, so
the log and the timers carry on where they stopped.
"""

from __future__ import annotations

import os

from voice_guide import events as ev
from voice_guide.dialogue.core import Dialogue
from voice_guide.dialogue.machine import TP_HOLD
from voice_guide.errors import UserError
from voice_guide.notice import notice
from voice_guide.protocol.messages import Messages
from voice_guide.record.reader import Log, find_log, newest_unfinished, read_log
from voice_guide.record.writer import Recorder, lock_existing, open_append

COMPARED = ("heard", "state", "hold_start", "hold_end", "revisit")


def close_interrupted(d: Dialogue, t: float) -> list[ev.Event]:
    """End a hold that was running when the session was cut off (at audio time t)."""
    return d.interrupted(t)


def pickup_text(d: Dialogue, t: float) -> str:
    """What the guide says when it picks up: the step (by title), the time, the holds so far,
    the points to revisit grouped by step (messages.py), in the session's language."""
    say = Messages(d.p)
    step = d.step
    parts = [say("resume_at", title=step.title if step else d.state,
                 seconds=round(d.clock.run(t))),
             say("held_so_far", points=say.points(d.points))]
    cut = [r for r in d.revisits if r["reason"] == "interrupted" and r["point"] == d.points]
    if cut and d.hold is None and d.state != TP_HOLD:
        parts.append(say("resume_cut"))
    if d.revisits:
        parts.append(say.revisits(d.revisits))
    if d.paused_by:
        parts.append(say("resume_paused"))
    return " ".join(parts)


def pick_up(d: Dialogue, t: float) -> list[ev.Event]:
    """Everything that happens at the moment of resuming (also re-done when replaying)."""
    closed = close_interrupted(d, t)
    out = [ev.cue(t, pickup_text(d, t), kind="resume"), *closed]
    if d.last_cue and not any(e.get("kind") == "return" for e in closed):
        out.append(ev.cue(t, d.last_cue, kind="repeat"))
    return out


def check_protocol(protocol, log: Log) -> None:
    start = log.start
    if (start.get("protocol"), str(start.get("version"))) != (protocol.id, str(protocol.version)):
        raise UserError(f"{log.path}: the log is of protocol {start.get('protocol')} version "
                        f"{start.get('version')}, not {protocol.id} version {protocol.version}")
    if log.finished:
        raise UserError(f"{log.path}: that session finished; there is nothing to resume")


def replay(protocol, log: Log) -> Dialogue:
    """A dialogue in the state the log leaves it in (its own events are compared, not sent)."""
    check_protocol(protocol, log)
    d = Dialogue(protocol)
    made = d.start(0.0)
    for e in log.events[1:]:
        if e["event"] == "heard":
            made += d.hear(e["command"], float(e["t"]), confirm=bool(e.get("confirm")))
        elif e["event"] == "session_resume":
            made += pick_up(d, float(e["t"]))
    made += d.tick(log.last_t)
    differs = first_difference(made, log)
    if differs:
        notice(f"voice-guide: {log.path}: the replay differs from the log ({differs}); "
               f"going on from the replayed state.")
    return d


def _key(e: dict) -> tuple:
    keep = ("command", "state", "point", "step", "reason")
    return (e["event"], round(float(e["t"]), 2), *(e.get(k) for k in keep),
            round(float(e.get("duration", 0.0)), 2))


def first_difference(made: list[ev.Event], log: Log) -> str | None:
    mine = [_key(e.to_dict()) for e in made if e.event in COMPARED]
    logged = [_key(e) for e in log.of(*COMPARED)]
    for a, b in zip(mine, logged, strict=False):
        if a != b:
            return f"replayed {a[0]} at {a[1]} s, logged {b[0]} at {b[1]} s"
    if len(mine) != len(logged):
        return f"{len(mine)} events replayed, {len(logged)} logged"
    return None


class Shifted:
    """The replayed dialogue, seen on the runner's clock (which starts again at 0)."""

    def __init__(self, d: Dialogue, offset: float) -> None:
        self.inner, self.offset = d, offset

    def start(self, t: float = 0.0) -> list[ev.Event]:
        return pick_up(self.inner, self.offset + t)

    def hear(self, command: str, t: float, confirm: bool = False) -> list[ev.Event]:
        return self.inner.hear(command, self.offset + t, confirm)

    def tick(self, t: float) -> list[ev.Event]:
        return self.inner.tick(self.offset + t)

    def next_due(self) -> float | None:
        due = self.inner.next_due()
        return None if due is None else due - self.offset

    def __getattr__(self, name: str):
        return getattr(self.inner, name)


def resume_session(session, which: str, engine: str, profile: str | None = None) -> Recorder:
    """Replace the session's dialogue by the replayed one and append to its log.

    The log is locked before it is read, so a second resume of it is refused ("in use")
    instead of replaying the same state and interleaving lines with the first.
    """
    protocol = session.dialogue.p
    path = find_log(which) if which else newest_unfinished(protocol.id)
    fd = lock_existing(path)
    try:
        log = read_log(path)
        d = replay(protocol, log)
    except BaseException:
        os.close(fd)
        raise
    session.dialogue = Shifted(d, log.last_t)
    left_out = int(log.torn) + len(log.skipped)
    notice(f"Resuming {path} at {log.last_t:.1f} s"
           f"{f' ({left_out} unreadable line(s) left out)' if left_out else ''}.")
    return open_append(path, fd, log.last_t, engine, profile)
