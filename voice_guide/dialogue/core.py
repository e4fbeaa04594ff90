"""The dialogue core: commands and audio time in, cues and events out. No I/O, no wall clock.

One core serves the keyboard, a WAV file, the microphone and scripted audio alike. Callers
feed `hear(command, t)` and `tick(t)` with audio time in seconds; both return the events that
happened up to t, each stamped with the exact audio time it was due.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from voice_guide import events as ev
from voice_guide.dialogue.clock import RunClock, Timer, TimerQueue
from voice_guide.dialogue.machine import (
    CHECK_STATES,
    CONFIRM,
    TP_HOLD,
    TP_REFERS,
    FlowModel,
    build_machine,
)
from voice_guide.dialogue.trigger_point import Hold, TriggerPointCheck
from voice_guide.events import Event
from voice_guide.protocol.model import CONTROLS, END, Parameters, Protocol, Reps, Step
from voice_guide.protocol.phrases import Phrases
from voice_guide.vocabulary import ALWAYS_ACTIVE, COMMANDS

NERVE_CHECK = "nerve_check"  # paused_by while the guide asks whether numbness was said


class Dialogue:
    """Runs one protocol. Read `state`, `ended`, `active_commands()` and `next_due()`.

    The trigger-point check is a component (`check`, trigger_point.py); `hold`, `points` and
    `revisits` read its state. `cue`, `emit`, `state_event`, `leave_step`, `return_to` and
    `hint` are what the check calls back (its `CheckHost`), not for runners.
    """

    def __init__(self, protocol: Protocol) -> None:
        self.p = protocol
        self.say = Phrases(protocol.phrases, protocol.language)
        self.clock = RunClock()
        self.timers = TimerQueue()
        self.model = FlowModel()
        self.machine = build_machine(protocol, self.model)
        self.paused_by: str | None = None
        self.check = TriggerPointCheck(self)
        self.history: list[str] = []
        self.reps_done: dict[str, int] = {}
        self.finish_return: str | None = None
        self.asking_back: str | None = None  # the step where "did you say go back?" was asked
        self.last_cue = ""
        self.ended = False
        self._out: list[Event] = []
        self._t = 0.0

    # -- public API ---------------------------------------------------------------------
    @property
    def state(self) -> str:
        return self.model.state

    @property
    def hold(self) -> Hold | None:
        """The trigger-point hold under way, if any."""
        return self.check.hold

    @property
    def points(self) -> int:
        """Trigger points checked so far."""
        return self.check.points

    @property
    def revisits(self) -> list[dict[str, Any]]:
        """Points marked to revisit with lighter pressure (point, step, reason)."""
        return self.check.revisits

    @property
    def parameters(self) -> Parameters:
        return self.p.parameters

    @property
    def step(self) -> Step | None:
        sid = self.model.origin if self.state in CHECK_STATES else self.state
        return self.p.steps.get(sid) if sid else None

    def start(self, t: float = 0.0) -> list[Event]:
        self._t = t
        if self.p.parameters.duration.call_every:
            every = self.p.parameters.duration.call_every
            self.timers.add(every, "duration_call", "session", n=1)
        if self.p.parameters.duration.limit:
            self.timers.add(self.p.parameters.duration.limit, "duration_limit", "session")
        self._enter(self.p.start)
        return self._flush()

    def tick(self, t: float) -> list[Event]:
        """Fire every timer due by audio time t."""
        self._t = max(self._t, t)
        while not self.ended and not self.clock.paused:
            timer = self.timers.pop_due(self.clock.run(self._t))
            if timer is None:
                break
            self._fire(timer)
        return self._flush()

    def hear(self, command: str, t: float, confirm: bool = False) -> list[Event]:
        """A command heard at audio time t (timers due before t fire first). `confirm`: the
        ears heard a safety command on weak evidence; the guide acts safely and asks back."""
        out = self.tick(t)
        self._t = max(self._t, t)
        self.emit(ev.Heard(self.now, command, confirm))
        if not self.ended:
            if confirm and command == "numb" and self.paused_by != NERVE_CHECK:
                self._nerve_check()
            elif confirm and command == "back" and self._back_moves():
                self._back_check()
            elif self.asking_back is not None:
                self._back_answer(command)
            else:
                self._dispatch(command)
        return out + self._flush()

    def unclear(self, t: float) -> list[Event]:
        """The ears heard something close to a command, but not clearly enough to act on: the
        guide asks again instead of staying silent (Session decides when: session/pardon.py)."""
        return self._reply(t, lambda: self.cue(self.say("say_again"), kind="say_again"))

    def misplaced(self, command: str, t: float) -> list[Event]:
        """The ears heard a command clearly that does not fit the moment (and refused it):
        the hint a typed one gets, without acting on it. While paused, what the pause needs."""
        return self._reply(t, lambda: self._paused_hint() if self.paused_by
                           else self.hint(command))

    def _reply(self, t: float, say: Callable[[], None]) -> list[Event]:
        """Timers due by audio time t fire first; then the guide says `say`, unless the
        session has ended. Nothing else changes."""
        out = self.tick(t)
        self._t = max(self._t, t)
        if not self.ended:
            say()
        return out + self._flush()

    def interrupted(self, t: float) -> list[Event]:
        """The session was cut off at audio time t (resuming its log): timers due by t fire,
        and a hold still running is closed there, its point marked to revisit."""
        out = self.tick(t)
        if self.state != TP_HOLD:
            return out
        self.check.interrupted()
        return out + self._flush()

    def next_due(self) -> float | None:
        """Audio time of the next timer (None while paused or idle): tick by then."""
        due = self.timers.next_due()
        if due is None or self.clock.paused or self.ended:
            return None
        return self.clock.audio(due)

    def active_commands(self) -> set[str]:
        """What makes sense now: what the recognizer should listen for."""
        if self.ended:
            return set()
        base = set(ALWAYS_ACTIVE) | {"help", "repeat", "time", "finish", "numb"}
        if self.paused_by == NERVE_CHECK:
            return base | {"yes", "no", "resume"}
        if self.paused_by:
            return base | {"resume"}
        if self.state == CONFIRM or self.asking_back == self.state:
            return base | {"yes", "no"}
        if self.state == TP_REFERS:
            return base | {"refers", "local", "yes", "no", "worse", "next", "back", "tender"}
        if self.state == TP_HOLD:  # hands on a point: no finishing until it is released
            return (base - {"finish"}) | {"fading", "worse"}
        step = self.p.steps[self.state]
        words = set(step.on) | {r.command for r in self.p.rules_in(step)}
        if step.kind == "treatment":
            words |= {"tender", "refers", "local", "worse"}
        return base | words | {"back"}

    def expected_commands(self) -> set[str]:
        """The few commands this point of the session is waiting for: the ears' prior (a
        likely command needs less evidence than an unlikely one)."""
        if self.ended:
            return set()
        if (self.paused_by == NERVE_CHECK or self.state == CONFIRM
                or self.asking_back == self.state):
            return {"yes", "no"}
        if self.paused_by:
            return {"resume"}
        if self.state == TP_REFERS:
            return {"refers", "local", "yes", "no"}
        if self.state == TP_HOLD:
            return {"fading", "worse"}
        step = self.p.steps[self.state]
        return set(step.on) | ({"tender"} if step.kind == "treatment" else set())

    # -- dispatch -----------------------------------------------------------------------
    def _dispatch(self, cmd: str) -> None:
        if cmd not in COMMANDS:
            self.cue(self.say("hint", command=cmd), kind="hint")
        elif self.paused_by == NERVE_CHECK and cmd in ("yes", "no", "resume"):
            self._nerve_answer(cmd)
        elif cmd == "numb":
            self._nerve_stop()
        elif cmd in ("pause", "stop"):
            self._pause(cmd)
        elif (self.paused_by and self.state != CONFIRM
              and cmd not in ("resume", "finish", "help", "time", "repeat")):
            self._paused_hint()
        elif cmd in CONTROLS or self.state == CONFIRM:
            self._control(cmd)
        elif self.state in CHECK_STATES:
            self.check.command(cmd)
        else:
            self._step_command(cmd)

    def _control(self, cmd: str) -> None:
        if self.state == CONFIRM and cmd not in ("help", "time", "repeat", "finish"):
            return self._confirm(cmd)
        if cmd == "resume":
            return self._resume()
        if cmd == "finish":
            if self.state == TP_HOLD:
                return self.cue(self.say("hold_needs"), kind="hint")
            if self.state != CONFIRM:
                self.finish_return = self.state
                self.leave_step()  # no paced reps while the guide asks
                self.model.trigger(f"to_{CONFIRM}")
                self.state_event()
            return self.cue(self.say("confirm_finish"), kind="confirm")
        if cmd == "repeat":
            return self.cue(self.last_cue or self.p.steps[self.p.start].cue, kind="repeat")
        if cmd == "help":
            words = sorted(self.active_commands() - {"help"})
            return self.cue(self.say("help", commands=", ".join(words)), kind="help")
        if cmd == "time":
            return self._say_time()
        if cmd == "back":
            return self.check.refers_answer(cmd) if self.state == TP_REFERS else self._back()
        self.hint(cmd)

    def _confirm(self, cmd: str) -> None:
        if cmd == "yes":
            self.check.end_hold("finish")
            self._finish()
        elif cmd == "no":
            target, self.finish_return = self.finish_return or self.p.start, None
            self.model.trigger(f"to_{target}")
            self.state_event()
            self.cue(self.say("finish_cancel"), kind="confirm")
            if target in self.p.steps:
                self._resume_reps(target)
        else:
            self.cue(self.say("confirm_finish"), kind="confirm")

    def _step_command(self, cmd: str) -> None:
        step = self.p.steps[self.state]
        if step.kind == "treatment" and cmd in ("tender", "refers", "local"):
            return self.check.start(step, cmd)
        if cmd in step.on:
            tr = step.on[cmd]
            if step.record and cmd in ("yes", "no"):
                self.emit(ev.Answer(self.now, question=step.record, answer=cmd, step=step.id,
                                    title=step.title, asked=step.cue))
            if tr.say:
                self.cue(tr.say, kind="reply")
            if tr.target:
                self._go(cmd, tr.target)
            return None
        rule = self.p.rule_for(cmd, step)
        if rule:
            self.cue(rule.say, priority="safety", interrupt=True, kind="safety")
            if rule.target:
                self._go(cmd, rule.target)
            return None
        self.hint(cmd)

    def _go(self, cmd: str, target: str) -> None:
        """Follow a step's edge through the machine and enter the new step."""
        self.leave_step()
        if target == END:
            return self._finish()
        self.model.trigger(f"cmd_{cmd}")
        self._enter(target, moved=True)

    def hint(self, cmd: str) -> None:
        self.cue(self.say("hint", command=cmd), kind="hint")

    def _paused_hint(self) -> None:
        """What the pause needs: "say resume", or yes or no to "did you say numbness?"."""
        key = {NERVE_CHECK: "nerve_check", "stop": "stopped"}.get(self.paused_by or "", "paused")
        self.cue(self.say(key), kind="hint")

    # -- steps --------------------------------------------------------------------------
    def _enter(self, sid: str, moved: bool = False) -> None:
        step = self.p.steps[sid]
        if not self.history or self.history[-1] != sid:
            self.history.append(sid)
        self.state_event()
        self.cue(step.cue, step=sid, kind="step")
        if step.kind == "homework":
            self.emit(ev.Homework(self.now, step=sid, title=step.title, text=step.cue))
        if step.end:
            return self._finish(spoken=True)
        if step.then:
            self.model.trigger("then")
            return self._enter(step.then, moved=True)
        now = self.clock.run(self._t)
        for timer in step.timers:
            self.timers.add(now + timer.after, "step_timer", "step", say=timer.say)
        self._schedule_reprompt(now)
        if step.reps:
            self.reps_done[sid] = 0
            self.timers.add(now + step.reps.lead_in, "rep_lift", "step", n=1)

    def _schedule_reprompt(self, now: float) -> None:
        after = self.p.parameters.reprompt_after
        if after:
            self.timers.add(now + after, "reprompt", "step")

    def leave_step(self) -> None:
        self.timers.cancel("step")

    def return_to(self, sid: str) -> None:
        """Back from the trigger-point check: short re-prompt, reps go on where they were."""
        step = self.p.steps[sid]
        self.state_event()
        text = self.say("tp_return", title=step.title, reprompt=step.reprompt or step.cue)
        self.cue(text, step=sid, kind="return")
        self._schedule_reprompt(self.clock.run(self._t))
        self._resume_reps(sid)

    def _resume_reps(self, sid: str) -> None:
        """Paced reps go on from where they were interrupted (check, finish question)."""
        step, done = self.p.steps[sid], self.reps_done.get(sid, 0)
        if step.reps and done < step.reps.max:
            now = self.clock.run(self._t)
            self.timers.add(now + step.reps.lead_in, "rep_lift", "step", n=done + 1)

    def _back(self) -> None:
        if self.state in CHECK_STATES or len(self.history) < 2:
            return self.cue(self.say("first_step"), kind="hint")
        self.leave_step()
        self.history.pop()
        target = self.history.pop()
        self.model.trigger(f"to_{target}")
        self._enter(target, moved=True)

    def _back_moves(self) -> bool:
        """Whether `back` would leave this step now (not paused, not the first step): only
        then does a weakly heard `back` need asking; elsewhere it only says why not."""
        return (not self.paused_by and self.state in self.p.steps
                and len(self.history) >= 2)

    def _back_check(self) -> None:
        """`back` heard, but not clearly: stay on the step (timers run on) and ask. A wrong
        `back` loses the step's progress; a question costs one word."""
        self.asking_back = self.state
        self.cue(self.say("back_check"), kind="back_check")

    def _back_answer(self, cmd: str) -> None:
        """The command after "did you say go back?": yes goes back, no stays; anything else,
        or a step that has moved on meanwhile, lets the question lapse."""
        asked, self.asking_back = self.asking_back, None
        if asked != self.state or cmd not in ("yes", "no"):
            return self._dispatch(cmd)
        self.emit(ev.Confirmed(self.now, command="back", answer=cmd))
        if cmd == "yes":
            return self._back()
        self.cue(self.say("back_cancel"), kind="resume")

    def _nerve_stop(self) -> None:
        """Nerve signs stop the work wherever the session is: the hold is released, the
        guide advises, and everything waits (finish ends; resume if it was misheard)."""
        self._release_for_nerves()
        self.paused_by = "stop"
        self.clock.pause(self._t)
        self.cue(self.say("nerve_stop"), priority="safety", interrupt=True, kind="nerve_stop")

    def _nerve_check(self) -> None:
        """Nerve signs heard, but not clearly: release and freeze everything, then ask. A
        wrong stop costs the client a referral; a missed one could cost a nerve."""
        self._release_for_nerves()
        self.paused_by = NERVE_CHECK
        self.asking_back = None  # the nerve question supersedes "did you say go back?"
        self.clock.pause(self._t)
        self.cue(self.say("nerve_check"), priority="safety", interrupt=True, kind="nerve_check")

    def _nerve_answer(self, cmd: str) -> None:
        self.emit(ev.Confirmed(self.now, command="numb", answer="yes" if cmd == "yes" else "no"))
        if cmd == "yes":
            return self._nerve_stop()
        self.paused_by = None
        self.clock.resume(self._t)
        self.cue(self.say("nerve_cancel"), kind="resume")
        if self.state in self.p.steps:
            self._resume_reps(self.state)

    def _release_for_nerves(self) -> None:
        """End a running hold (or the check) and go back to its step, silently."""
        if self.state in CHECK_STATES:
            self.check.end_hold("nerve")
            self.check.mark_revisit(self.check.origin, "nerve")
            self.model.trigger("cmd_worse")  # out of the check, back to its step, silently
            self.model.origin = None
            self.state_event()
        self.leave_step()

    def _finish(self, spoken: bool = False) -> None:
        self.timers = TimerQueue()
        self.model.trigger(f"to_{END}")
        self.state_event()
        if not spoken:
            self.cue(self.say("ended"), kind="end")
        self.ended = True

    # -- pause, time --------------------------------------------------------------------
    def _pause(self, cmd: str) -> None:
        self.paused_by = cmd
        self.clock.pause(self._t)
        self.cue(self.say("stopped" if cmd == "stop" else "paused"), priority="safety",
                 interrupt=True, kind="pause")

    def _resume(self) -> None:
        if not self.paused_by:
            return self.cue(self.say("not_paused"), kind="hint")
        self.paused_by = None
        self.clock.resume(self._t)
        self.cue(self.say("resumed"), kind="resume")

    def _say_time(self) -> None:
        if self.hold:
            secs = int(self.clock.run(self._t) - self.hold.start_run)
            return self.cue(self.say("hold_time", seconds=secs), priority="timer", kind="time")
        total = int(self.clock.run(self._t))
        self.cue(self.say("session_time", minutes=total // 60, seconds=total % 60),
                 priority="timer", kind="time")

    # -- timers -------------------------------------------------------------------------
    def _fire(self, timer: Timer) -> None:
        self._t_fired = self.clock.audio(timer.due)
        handler = getattr(self, f"_on_{timer.kind}")
        handler(timer)
        self._t_fired = None

    def _on_hold_call(self, timer: Timer) -> None:
        self.check.on_hold_call(timer)

    def _on_heartbeat(self, timer: Timer) -> None:
        self.check.on_heartbeat(timer)

    def _on_hold_limit(self, timer: Timer) -> None:
        self.check.on_hold_limit(timer)

    def _on_step_timer(self, timer: Timer) -> None:
        self.cue(timer.payload["say"], priority="timer", kind="step_timer")

    def _on_reprompt(self, timer: Timer) -> None:
        step = self.step
        if step and self.state not in CHECK_STATES:
            self.cue(step.reprompt or step.cue, kind="reprompt")

    def _reps(self) -> tuple[Step, Reps]:
        """The step whose paced reps are running (rep timers live only in such a step)."""
        step = self.p.steps[self.state]
        assert step.reps is not None, f"a rep timer fired in {step.id}, which has no reps"
        return step, step.reps

    def _on_rep_lift(self, timer: Timer) -> None:
        (_, reps), n = self._reps(), timer.payload["n"]
        text = reps.call.format(n=n) if reps.call else self.say("rep_lift", n=n)
        self.cue(text, priority="timer", kind="rep")
        self.timers.add(timer.due + reps.lift, "rep_rest", "step", n=n)

    def _on_rep_rest(self, timer: Timer) -> None:
        (step, reps), n = self._reps(), timer.payload["n"]
        self.reps_done[step.id] = n
        self.cue(reps.rest_call or self.say("rep_rest"), priority="timer", kind="rep")
        if n < reps.max:
            self.timers.add(timer.due + reps.rest, "rep_lift", "step", n=n + 1)
        else:
            self.timers.add(timer.due + reps.rest, "reps_done", "step", n=n)

    def _on_reps_done(self, timer: Timer) -> None:
        n, done = timer.payload["n"], self._reps()[1].done_call
        self.cue(done.format(n=n) if done else self.say("reps_done", n=n), kind="reps_done")

    def _on_duration_call(self, timer: Timer) -> None:
        every, n = self.p.parameters.duration.call_every, timer.payload["n"]
        assert every is not None  # the timer is set only when the protocol has call_every
        if timer.due != self.p.parameters.duration.limit:  # the limit has its own call
            self.cue(self.say("duration_call", minutes=round(every * n / 60)),
                     priority="timer", kind="duration")
        self.timers.add(timer.due + every, "duration_call", "session", n=n + 1)

    def _on_duration_limit(self, timer: Timer) -> None:
        limit = self.p.parameters.duration.limit
        assert limit is not None  # the timer is set only when the protocol has a limit
        self.cue(self.say("duration_limit", minutes=round(limit / 60)), priority="timer",
                 kind="duration")

    # -- output -------------------------------------------------------------------------
    _t_fired: float | None = None

    @property
    def now(self) -> float:
        """Audio time to stamp events with: a timer's exact due time while it fires."""
        return self._t_fired if self._t_fired is not None else self._t

    def emit(self, event: Event) -> None:
        self._out.append(event)

    def state_event(self) -> None:
        self.emit(ev.StateChanged(self.now, self.state))

    def cue(self, text: str, *, priority: str = "normal", interrupt: bool = False,
            step: str | None = None, kind: str | None = None, sound: str | None = None) -> None:
        if kind in ("step", "return", "confirm") or (kind or "").startswith("tp_"):
            self.last_cue = text
        self._out.append(ev.cue(self.now, text, priority=priority, interrupt=interrupt,
                                step=step, kind=kind, sound=sound))

    def _flush(self) -> list[Event]:
        out, self._out = self._out, []
        return out
