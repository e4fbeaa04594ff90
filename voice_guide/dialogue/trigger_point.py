"""The shared trigger-point check: a component of the dialogue core with its own typed state.

tender -> "does it refer?" -> refers/local (or yes/no) -> a hold on audio time -> it ends by
`fading`, at the hold limit, or on `worse` (too much pressure). Limit and worse mark the point
for a revisit with lighter pressure. Afterwards the session returns to the step it came from.

The check owns its state (the hold under way, the points checked, the revisit marks). What it
needs of the dialogue that runs it (the machine's model, the clock and timers, the phrases,
saying a cue, logging an event, going back to a step) is spelled out by `CheckHost`.
"""

from __future__ import annotations

import typing
from dataclasses import dataclass
from typing import Any

from voice_guide.dialogue.clock import RunClock, Timer, TimerQueue
from voice_guide.dialogue.machine import TP_HOLD, TP_REFERS, FlowModel
from voice_guide.events import Event, Heartbeat, HoldEnd, HoldStart, Revisit
from voice_guide.protocol.model import Parameters, Step
from voice_guide.protocol.phrases import Phrases

SOUND_LIMIT = "chime"  # the speaker maps this name to a shipped sound file
# A `heartbeat` event every second of a hold: if the process dies mid-hold, the log's last
# line says how long the pressure was known to last (the record's resume closes it there).
HEARTBEAT = 1.0


@dataclass
class Hold:
    """The hold under way: which point, from which step, since when (run time and audio time)."""

    point: int
    step: str
    start_run: float
    start_t: float
    sensation: str  # "refers" or "local"


class CheckHost(typing.Protocol):
    """What the check uses of the dialogue that runs it (voice_guide.dialogue.core.Dialogue)."""

    model: FlowModel
    clock: RunClock
    timers: TimerQueue  # replaced when the session ends: read it at each use
    say: Phrases

    @property
    def state(self) -> str: ...

    @property
    def now(self) -> float: ...

    @property
    def parameters(self) -> Parameters: ...

    def cue(self, text: str, *, priority: str = "normal", interrupt: bool = False,
            step: str | None = None, kind: str | None = None,
            sound: str | None = None) -> None: ...

    def emit(self, event: Event) -> None: ...

    def state_event(self) -> None: ...

    def leave_step(self) -> None: ...

    def return_to(self, sid: str) -> None: ...

    def hint(self, cmd: str) -> None: ...


class TriggerPointCheck:
    """The check run inside a dialogue; `hold`, `points` and `revisits` are its state."""

    def __init__(self, host: CheckHost) -> None:
        self.host = host
        self.hold: Hold | None = None
        self.points = 0  # points checked, whether or not they came to a hold
        self.revisits: list[dict[str, Any]] = []

    @property
    def origin(self) -> str:
        """The step the running check started from (the machine's model keeps it)."""
        origin = self.host.model.origin
        assert origin is not None, "no trigger-point check is running"
        return origin

    def start(self, step: Step, cmd: str) -> None:
        """`tender`, `refers` or `local` said in a treatment step."""
        h = self.host
        h.leave_step()
        self.points += 1  # the point being checked, whether or not it comes to a hold
        h.model.origin = step.id
        h.model.trigger(f"cmd_{cmd}")
        h.state_event()
        if cmd == "tender":
            h.cue(h.say("tp_ask"), kind="tp_ask")
        else:
            self._start_hold(cmd)

    def command(self, cmd: str) -> None:
        """A command heard while the check runs (asking whether it refers, or holding)."""
        if self.host.state == TP_REFERS:
            return self.refers_answer(cmd)
        if cmd in ("fading", "worse"):
            return self._release(cmd)
        self.host.cue(self.host.say("hold_needs"), kind="hint")

    def refers_answer(self, cmd: str) -> None:
        """A command heard while the guide asks whether the point refers."""
        h = self.host
        if cmd in ("refers", "local", "yes", "no"):
            h.model.trigger(f"cmd_{cmd}")
            h.state_event()
            return self._start_hold("refers" if cmd in ("refers", "yes") else "local")
        if cmd in ("worse", "next", "back"):
            if cmd == "worse":
                h.cue(h.say("tp_worse"), priority="safety", interrupt=True, kind="tp_worse")
                self.mark_revisit(self.origin, "worse")
            else:
                h.cue(h.say("tp_cancel"), kind="tp_cancel")
            return self.leave(f"cmd_{cmd}")
        if cmd == "tender":
            return h.cue(h.say("tp_ask"), kind="tp_ask")
        h.hint(cmd)

    def _start_hold(self, sensation: str) -> None:
        # Only ever on a command (never while a timer fires): `now` is the audio time heard.
        h = self.host
        run = h.clock.run(h.now)
        self.hold = Hold(self.points, self.origin, run, h.now, sensation)
        h.emit(HoldStart(h.now, step=self.hold.step, point=self.points, sensation=sensation))
        key = "tp_hold_refers" if sensation == "refers" else "tp_hold_local"
        h.cue(h.say(key), kind="tp_hold")
        limit = h.parameters.hold_limit
        for call in h.parameters.hold_calls:
            h.timers.add(run + call, "hold_call", "hold", seconds=call)
        h.timers.add(run + limit, "hold_limit", "hold")
        for k in range(1, int(limit / HEARTBEAT) + 1):
            if k * HEARTBEAT < limit:
                h.timers.add(run + k * HEARTBEAT, "heartbeat", "hold")

    def _release(self, reason: str) -> None:
        """End the hold by `fading` or `worse` (a command) or `limit` (the timer)."""
        h = self.host
        duration = self.end_hold(reason)
        if reason == "fading":
            h.cue(h.say("tp_fading", seconds=round(duration)), kind="tp_fading")
        else:
            key = "tp_limit" if reason == "limit" else "tp_worse"
            secs = round(h.parameters.hold_limit)
            h.cue(h.say(key, seconds=secs), priority="safety", interrupt=True,
                  kind=key, sound="chime" if reason == "limit" else None)
            self.mark_revisit(self.origin, reason)
        self.leave("hold_limit" if reason == "limit" else f"cmd_{reason}")

    def end_hold(self, reason: str) -> float:
        """End the hold under way (if any), log it and return how long it lasted."""
        if not self.hold:
            return 0.0
        h = self.host
        h.timers.cancel("hold")
        duration = h.clock.run(h.now) - self.hold.start_run
        h.emit(HoldEnd(h.now, duration=round(duration, 3), reason=reason, step=self.hold.step,
                       point=self.hold.point, sensation=self.hold.sensation))
        self.hold = None
        return duration

    def leave(self, trigger: str) -> None:
        """Out of the check by the machine's `trigger`, back to the step it started from."""
        origin = self.origin
        self.host.model.trigger(trigger)
        self.host.model.origin = None
        self.host.return_to(origin)

    def mark_revisit(self, step: str, reason: str) -> None:
        mark: dict[str, Any] = {"point": self.points, "step": step, "reason": reason}
        self.revisits.append(mark)
        self.host.emit(Revisit(self.host.now, **mark))

    def interrupted(self) -> None:
        """The session was cut off during a hold: close it, mark the point, go back."""
        origin = self.origin
        self.end_hold("interrupted")
        self.mark_revisit(origin, "interrupted")
        self.leave("cmd_fading")  # the machine's way back from a hold to its step

    # -- timers (the dialogue routes the hold's timers here) ---------------------------
    def on_hold_call(self, timer: Timer) -> None:
        secs = timer.payload["seconds"]
        self.host.cue(self.host.say("hold_call", seconds=f"{secs:g}"), priority="timer",
                      kind="hold_call")

    def on_heartbeat(self, timer: Timer) -> None:
        if self.hold:
            self.host.emit(Heartbeat(self.host.now, point=self.hold.point))

    def on_hold_limit(self, timer: Timer) -> None:
        if self.host.state == TP_HOLD:
            self._release("limit")
