"""The shared trigger-point check, mixed into the dialogue core.

tender -> "does it refer?" -> refers/local (or yes/no) -> a hold on audio time -> it ends by
`fading`, at the hold limit, or on `worse` (too much pressure). Limit and worse mark the point
for a revisit with lighter pressure. Afterwards the session returns to the step it came from.
"""

from __future__ import annotations

from dataclasses import dataclass

from voice_guide.dialogue.clock import Timer
from voice_guide.dialogue.machine import TP_HOLD, TP_REFERS

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


class TriggerPointCheck:
    """Methods of Dialogue that run the check (they use its clock, timers and cues)."""

    def _start_check(self, step, cmd: str) -> None:
        self._leave_step()
        self.points += 1  # the point being checked, whether or not it comes to a hold
        self.model.origin = step.id
        self.model.trigger(f"cmd_{cmd}")
        self._state_event()
        if cmd == "tender":
            self._cue(self.say("tp_ask"), kind="tp_ask")
        else:
            self._start_hold(cmd)

    def _check(self, cmd: str) -> None:
        if self.state == TP_REFERS:
            return self._check_refers(cmd)
        if cmd in ("fading", "worse"):
            return self._release(cmd)
        self._cue(self.say("hold_needs"), kind="hint")

    def _check_refers(self, cmd: str) -> None:
        if cmd in ("refers", "local", "yes", "no"):
            self.model.trigger(f"cmd_{cmd}")
            self._state_event()
            return self._start_hold("refers" if cmd in ("refers", "yes") else "local")
        if cmd in ("worse", "next", "back"):
            if cmd == "worse":
                self._cue(self.say("tp_worse"), priority="safety", interrupt=True,
                          kind="tp_worse")
                self._mark_revisit(self.model.origin, "worse")
            else:
                self._cue(self.say("tp_cancel"), kind="tp_cancel")
            return self._leave_check(f"cmd_{cmd}")
        if cmd == "tender":
            return self._cue(self.say("tp_ask"), kind="tp_ask")
        self._hint(cmd)

    def _start_hold(self, sensation: str) -> None:
        run = self.clock.run(self._t)
        self.hold = Hold(self.points, self.model.origin, run, self._t, sensation)
        self._emit("hold_start", step=self.hold.step, point=self.points, sensation=sensation)
        key = "tp_hold_refers" if sensation == "refers" else "tp_hold_local"
        self._cue(self.say(key), kind="tp_hold")
        limit = self.p.parameters.hold_limit
        for call in self.p.parameters.hold_calls:
            self.timers.add(run + call, "hold_call", "hold", seconds=call)
        self.timers.add(run + limit, "hold_limit", "hold")
        for k in range(1, int(limit / HEARTBEAT) + 1):
            if k * HEARTBEAT < limit:
                self.timers.add(run + k * HEARTBEAT, "heartbeat", "hold")

    def _release(self, reason: str) -> None:
        """End the hold by `fading` or `worse` (a command) or `limit` (the timer)."""
        duration = self._end_hold(reason)
        if reason == "fading":
            self._cue(self.say("tp_fading", seconds=round(duration)), kind="tp_fading")
        else:
            key = "tp_limit" if reason == "limit" else "tp_worse"
            secs = round(self.p.parameters.hold_limit)
            self._cue(self.say(key, seconds=secs), priority="safety", interrupt=True,
                      kind=key, sound="chime" if reason == "limit" else None)
            self._mark_revisit(self.model.origin, reason)
        self._leave_check("hold_limit" if reason == "limit" else f"cmd_{reason}")

    def _end_hold(self, reason: str) -> float:
        if not self.hold:
            return 0.0
        self.timers.cancel("hold")
        duration = self.clock.run(self.now) - self.hold.start_run
        self._emit("hold_end", duration=round(duration, 3), reason=reason, step=self.hold.step,
                   point=self.hold.point, sensation=self.hold.sensation)
        self.hold = None
        return duration

    def _leave_check(self, trigger: str) -> None:
        origin = self.model.origin
        self.model.trigger(trigger)
        self.model.origin = None
        self._return_to(origin)

    def _mark_revisit(self, step: str, reason: str) -> None:
        mark = {"point": self.points, "step": step, "reason": reason}
        self.revisits.append(mark)
        self._emit("revisit", **mark)

    def _on_hold_call(self, timer: Timer) -> None:
        secs = timer.payload["seconds"]
        self._cue(self.say("hold_call", seconds=f"{secs:g}"), priority="timer",
                  kind="hold_call")

    def _on_heartbeat(self, timer: Timer) -> None:
        if self.hold:
            self._emit("heartbeat", point=self.hold.point)

    def _on_hold_limit(self, timer: Timer) -> None:
        if self.state == TP_HOLD:
            self._release("limit")
