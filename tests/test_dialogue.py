"""The dialogue core on audio time: steps, the trigger-point check, pause, controls."""

from __future__ import annotations

import pytest

from voice_guide.dialogue.core import Dialogue
from voice_guide.protocol.loader import load_protocol
from voice_guide.protocol.registry import protocol_files, shipped_folder


def protocol(name: str = "psoas"):
    return load_protocol(shipped_folder() / f"{name}.yaml")


def kinds(events, kind):
    return [e for e in events if e.event == kind]


def cue_of(events, kind):
    return [e for e in kinds(events, "cue") if e.get("kind") == kind][0]


def to_treatment(d: Dialogue) -> list:
    """Walk psoas to its first treatment step (contract_relax) at t = 3 s."""
    out = d.start(0.0)
    for t, cmd in ((1, "next"), (2, "located"), (3, "yes")):
        out += d.hear(cmd, t)
    assert d.state == "contract_relax"
    return out


SHIPPED = [p.stem for p in protocol_files(shipped_folder())]


@pytest.mark.parametrize("name", SHIPPED)
def test_every_step_is_reached_through_the_dialogue(name):
    """Breadth-first over commands: every step of the protocol is entered by some path."""
    p = protocol(name)
    seen, frontier = {p.start}, [[]]
    while frontier:
        path = frontier.pop(0)
        for cmd in ("next", "located", "yes", "no", "pulse", "softer", "worse"):
            d = Dialogue(p)
            events = d.start(0)
            for i, c in enumerate([*path, cmd]):
                events += d.hear(c, i + 1.0)
            new = {e.get("state") for e in kinds(events, "state")} & set(p.steps) - seen
            if new:
                seen |= new
                frontier.append([*path, cmd])
    assert seen == set(p.steps)


@pytest.mark.parametrize("limit", [12.0, 9.5])
def test_hold_ends_exactly_at_the_limit(limit):
    p = protocol()
    p = type(p)(**{**p.__dict__, "parameters": type(p.parameters)(
        **{**p.parameters.__dict__, "hold_limit": limit})})
    d = Dialogue(p)
    to_treatment(d)
    d.hear("tender", 10.0)
    start = kinds(d.hear("refers", 11.0), "hold_start")
    assert start and start[0].t == 11.0
    assert not kinds(d.tick(11.0 + limit - 0.001), "hold_end")
    events = d.tick(11.0 + limit + 0.5)
    end = kinds(events, "hold_end")[0]
    assert end.t == pytest.approx(11.0 + limit) and end.get("reason") == "limit"
    assert end.get("duration") == pytest.approx(limit)
    limit_cue = [e for e in kinds(events, "cue") if e.get("kind") == "tp_limit"][0]
    assert limit_cue.t == end.t and limit_cue.get("priority") == "safety"
    assert limit_cue.get("interrupt") and "lighter" in limit_cue.get("text")
    assert d.revisits == [{"point": 1, "step": "contract_relax", "reason": "limit"}]
    assert d.state == "contract_relax"


def test_hold_calls_the_time_on_schedule():
    d = Dialogue(protocol())
    to_treatment(d)
    d.hear("local", 20.0)
    calls = [e for e in kinds(d.tick(31.0), "cue") if e.get("kind") == "hold_call"]
    assert [(c.t, c.get("text")) for c in calls] == [(24.0, "4 seconds."), (28.0, "8 seconds.")]


def test_fading_ends_the_hold_and_returns_to_the_step():
    d = Dialogue(protocol())
    to_treatment(d)
    assert "refer" in cue_of(d.hear("tender", 10.0), "tp_ask").get("text")
    d.hear("refers", 11.0)
    events = d.hear("fading", 17.25)
    end = kinds(events, "hold_end")[0]
    assert (end.get("reason"), end.get("duration")) == ("fading", 6.25)
    assert d.state == "contract_relax" and d.revisits == []
    assert kinds(events, "state")[-1].get("state") == "contract_relax"


def test_worse_during_a_hold_releases_at_once_and_marks_a_revisit():
    d = Dialogue(protocol())
    to_treatment(d)
    d.hear("refers", 11.0)
    events = d.hear("worse", 14.0)
    end = kinds(events, "hold_end")[0]
    assert (end.t, end.get("reason"), end.get("duration")) == (14.0, "worse", 3.0)
    cue = [e for e in kinds(events, "cue") if e.get("kind") == "tp_worse"][0]
    assert cue.get("priority") == "safety" and cue.get("interrupt")
    assert "too much pressure" in cue.get("text").lower()
    assert kinds(events, "revisit")[0].get("reason") == "worse"
    assert not kinds(d.tick(40.0), "hold_end")  # the limit timer was cancelled


def test_pause_freezes_the_hold():
    d = Dialogue(protocol())
    to_treatment(d)
    d.hear("refers", 10.0)
    d.hear("pause", 13.0)
    assert not kinds(d.tick(100.0), "hold_end") and d.next_due() is None
    d.hear("resume", 100.0)
    # 3 s were held before the pause: the limit lands 9 s after resuming.
    assert not kinds(d.tick(108.9), "hold_end")
    end = kinds(d.tick(109.5), "hold_end")[0]
    assert end.t == pytest.approx(109.0) and end.get("duration") == pytest.approx(12.0)


def test_stop_silences_and_only_resume_continues():
    d = Dialogue(protocol())
    to_treatment(d)
    cue = kinds(d.hear("stop", 5.0), "cue")[0]
    assert cue.get("interrupt") and cue.get("priority") == "safety"
    assert d.state == "contract_relax"
    d.hear("next", 6.0)
    assert d.state == "contract_relax"  # ignored while stopped, with a hint
    d.hear("resume", 7.0)
    d.hear("next", 8.0)
    assert d.state == "explore"


def test_pulse_in_a_locating_step_says_move_lateral_and_stays():
    d = Dialogue(protocol())
    d.start(0)
    d.hear("next", 1.0)
    events = d.hear("pulse", 2.0)
    cue = kinds(events, "cue")[0]
    assert d.state == "locate" and "lateral" in cue.get("text")
    assert cue.get("priority") == "safety" and not kinds(events, "state")


def test_command_not_valid_here_gets_a_hint_not_a_crash():
    d = Dialogue(protocol())
    d.start(0)
    events = d.hear("fading", 1.0)
    assert d.state == "position" and kinds(events, "cue")[0].get("kind") == "hint"
    assert "fading" not in d.active_commands()


def test_help_repeat_time_back_and_finish():
    d = Dialogue(protocol())
    to_treatment(d)
    help_text = cue_of(d.hear("help", 4.0), "help").get("text")
    assert "tender" in help_text and "next" in help_text
    assert cue_of(d.hear("repeat", 5.0), "repeat").get("text").startswith("Contract and relax")
    assert cue_of(d.hear("time", 6.0), "time").get("text") == "6 seconds into the session."
    d.hear("back", 7.0)
    assert d.state == "confirm"
    d.hear("finish", 8.0)
    assert d.state == "confirm_finish" and not d.ended
    d.hear("no", 9.0)
    assert d.state == "confirm"
    d.hear("finish", 10.0)
    d.hear("yes", 11.0)
    assert d.ended and d.state == "end"


def test_paced_reps_keep_their_rhythm():
    d = Dialogue(protocol())
    to_treatment(d)
    reps = [e for e in kinds(d.tick(60.0), "cue") if e.get("kind") in ("rep", "reps_done")]
    times = [e.t for e in reps]
    # lead-in 3 s, lift 2 s, rest 4 s, six lifts, then the count is announced.
    expected = []
    for n in range(6):
        expected += [6.0 + 6 * n, 8.0 + 6 * n]
    assert times == [*expected, 42.0]
    assert reps[-1].get("text") == "That was 6 lifts. Say next when you are ready."


def test_walk_to_the_end_of_iliacus():
    d = Dialogue(protocol("iliacus"))
    d.start(0)
    for i, cmd in enumerate(["next", "next", "located", "softer", "next", "next", "next"]):
        d.hear(cmd, float(i + 1))
    assert d.ended


def test_finish_question_during_paced_reps_then_no_resumes_them():
    """Found by the live room test: a rep timer fired while the guide asked to finish."""
    d = Dialogue(protocol())
    to_treatment(d)  # reps start 3 s later, at 6 s
    d.tick(9.0)  # lift 1 at 6 s, rest at 8 s
    d.hear("finish", 9.5)
    assert not [e for e in kinds(d.tick(30.0), "cue") if e.get("kind") == "rep"]
    d.hear("no", 30.0)
    assert d.state == "contract_relax"
    reps = [e for e in kinds(d.tick(40.0), "cue") if e.get("kind") == "rep"]
    assert reps[0].t == 33.0 and reps[0].get("text") == "Lift, 2."


def test_numb_heard_unclearly_releases_freezes_and_asks():
    """Weak evidence for numb (evidence.py): the hold ends at once, everything freezes, and
    the guide asks; "no" carries on where the session was, with the hold's point to revisit."""
    d = Dialogue(protocol())
    to_treatment(d)
    d.hear("refers", 10.0)
    events = d.hear("numb", 13.0, confirm=True)
    assert kinds(events, "heard")[0].get("confirm") is True
    end = kinds(events, "hold_end")[0]
    assert (end.get("reason"), end.get("duration")) == ("nerve", 3.0)
    cue = cue_of(events, "nerve_check")
    assert cue.get("priority") == "safety" and "numbness" in cue.get("text").lower()
    assert d.next_due() is None and d.expected_commands() == {"yes", "no"}
    assert not [e for e in events if e.get("kind") == "nerve_stop"]
    d.hear("next", 14.0)  # anything else: the question again, nothing moves
    assert d.state == "contract_relax" and d.paused_by == "nerve_check"
    events = d.hear("no", 15.0)
    assert kinds(events, "confirm")[0].get("answer") == "no"
    assert cue_of(events, "resume") and d.paused_by is None and d.state == "contract_relax"
    d.hear("next", 16.0)
    assert d.state == "explore"


def test_numb_confirmed_stops_the_work():
    d = Dialogue(protocol())
    to_treatment(d)
    d.hear("numb", 5.0, confirm=True)
    events = d.hear("yes", 6.0)
    assert kinds(events, "confirm")[0].get("answer") == "yes"
    assert cue_of(events, "nerve_stop").get("priority") == "safety"
    assert d.paused_by == "stop"


def test_numb_heard_clearly_stops_at_once():
    d = Dialogue(protocol())
    to_treatment(d)
    events = d.hear("numb", 5.0)
    assert cue_of(events, "nerve_stop") and not [e for e in kinds(events, "cue")
                                                  if e.get("kind") == "nerve_check"]


def test_back_heard_unclearly_stays_and_asks():
    """Weak evidence for back (evidence.py): the step stays, its timers run on, and the guide
    asks; "yes" goes back, and the record keeps the question and the answer."""
    d = Dialogue(protocol())
    to_treatment(d)
    events = d.hear("back", 5.0, confirm=True)
    assert kinds(events, "heard")[0].get("confirm") is True
    assert "go back" in cue_of(events, "back_check").get("text").lower()
    assert d.state == "contract_relax" and d.paused_by is None and d.next_due() is not None
    assert d.expected_commands() == {"yes", "no"} and {"yes", "no"} <= d.active_commands()
    events = d.hear("yes", 6.0)
    assert [(e.get("command"), e.get("answer")) for e in kinds(events, "confirm")] == [
        ("back", "yes")]
    assert d.state == "confirm"  # the step before contract_relax


def test_back_asked_and_denied_stays_on_the_step():
    d = Dialogue(protocol())
    to_treatment(d)
    d.hear("back", 5.0, confirm=True)
    events = d.hear("no", 6.0)
    assert kinds(events, "confirm")[0].get("answer") == "no"
    assert "staying" in cue_of(events, "resume").get("text").lower()
    assert d.state == "contract_relax" and "yes" not in d.expected_commands()
    d.hear("next", 7.0)
    assert d.state == "explore"


def test_back_asked_then_another_command_lets_the_question_lapse():
    d = Dialogue(protocol())
    to_treatment(d)
    d.hear("back", 5.0, confirm=True)
    events = d.hear("next", 6.0)
    assert not kinds(events, "confirm") and d.state == "explore"
    d.hear("yes", 7.0)  # no longer an answer to the question
    assert d.state == "explore"


def test_a_nerve_check_while_asking_back_takes_the_answer():
    """"Did you say go back?", then a weak numb: the nerve question supersedes, and its
    "no" resumes the step rather than going back."""
    d = Dialogue(protocol())
    to_treatment(d)
    d.hear("back", 5.0, confirm=True)
    d.hear("numb", 6.0, confirm=True)
    assert d.expected_commands() == {"yes", "no"}
    events = d.hear("no", 7.0)
    assert [(e.get("command"), e.get("answer")) for e in kinds(events, "confirm")] == [
        ("numb", "no")]
    assert d.state == "contract_relax" and d.paused_by is None
    d.hear("yes", 8.0)  # the back question lapsed with the nerve check
    assert d.state == "contract_relax"


def test_back_heard_unclearly_where_it_cannot_move_is_not_asked():
    d = Dialogue(protocol())
    events = d.start(0.0) + d.hear("back", 1.0, confirm=True)
    assert cue_of(events, "hint").get("text") == "This is the first step."
    assert not [e for e in kinds(events, "cue") if e.get("kind") == "back_check"]


def test_expected_commands_follow_the_session():
    d = Dialogue(protocol())
    d.start(0.0)
    assert d.expected_commands() == {"next"}
    to = Dialogue(protocol())
    to_treatment(to)
    assert "tender" in to.expected_commands() and "next" in to.expected_commands()
    to.hear("refers", 10.0)
    assert to.expected_commands() == {"fading", "worse"}
    to.hear("pause", 11.0)
    assert to.expected_commands() == {"resume"}


def test_the_report_lists_a_nerve_check_and_its_answer(tmp_path):
    """The record keeps both: the unclear numb (a safety event) and the therapist's "no"."""
    from voice_guide.record.reader import Log
    from voice_guide.report.render import render

    d = Dialogue(protocol())
    events = to_treatment(d)
    events += d.hear("refers", 10.0) + d.hear("numb", 13.0, confirm=True) + d.hear("no", 15.0)
    start = {"event": "session_start", "t": 0.0, "protocol": "psoas", "title": "Psoas release",
             "language": "en", "engine": "pocketsphinx"}
    log = Log(tmp_path / "s.jsonl", [start] + [e.to_dict() for e in events])
    text = render(log, "report", "md").decode()
    assert "Nerve signs heard unclearly" in text and "misheard?" in text
