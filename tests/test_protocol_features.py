"""Protocol features beyond psoas/iliacus: includes, automatic steps, recorded answers,
homework, paced calls, nerve signs, and the linter."""

from __future__ import annotations

import textwrap

import pytest

from voice_guide.dialogue.core import Dialogue
from voice_guide.errors import UserError
from voice_guide.protocol.loader import lint, load_protocol
from voice_guide.protocol.registry import protocol_files, shipped_folder

SHIPPED = protocol_files(shipped_folder())


def kinds(events, kind):
    return [e for e in events if e.event == kind]


def walk(d: Dialogue, *commands: str) -> list:
    events = d.start(0.0)
    for i, cmd in enumerate(commands):
        events += d.hear(cmd, float(i + 1))
    return events


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_protocols_load_and_lint_clean(path):
    p = load_protocol(path)
    assert p.id == path.stem and lint(p) == []


def test_assessment_chains_into_psoas_and_back_to_homework():
    p = load_protocol(shipped_folder() / "iliopsoas-assessment-first.yaml")
    answers = ["yes", "no", "yes", "no", "yes", "no", "no"]
    events = walk(Dialogue(p), "next", *answers, "next", "yes", "next", "located", "yes",
                  "next", "next", "next", "next", "next", "pulse", "located", "next", "next")
    states = [e.get("state") for e in kinds(events, "state")]
    assert "psoas.contract_relax" in states
    assert states[-3:] == ["homework", "done", "end"]
    recorded = [(a.get("question"), a.get("answer")) for a in kinds(events, "answer")]
    assert recorded[0] == ("anterior_tilt_or_lordosis", "yes")
    assert recorded[-1] == ("nerve_signs", "no") and len(recorded) == 7
    assert kinds(events, "homework")[0].get("step") == "homework"


def test_assessment_nerve_signs_refer_out():
    p = load_protocol(shipped_folder() / "iliopsoas-assessment-first.yaml")
    d = Dialogue(p)
    events = walk(d, "next", "no", "no", "no", "no", "no", "no", "yes")
    assert d.ended and "refer the client to a physician" in kinds(events, "cue")[-1].get("text")


def test_numb_stops_the_work_anywhere_even_mid_hold():
    d = Dialogue(load_protocol(shipped_folder() / "psoas.yaml"))
    walk(d, "next", "located", "yes", "local")
    events = d.hear("numb", 7.5)
    end = kinds(events, "hold_end")[0]
    assert end.get("reason") == "nerve" and end.get("duration") == pytest.approx(3.5)
    assert kinds(events, "revisit")[0].get("point") == 1
    cue = kinds(events, "cue")[0]
    assert cue.get("priority") == "safety" and cue.get("interrupt")
    assert "nerve signs" in cue.get("text").lower()
    # the work stops: every timer frozen, nothing goes on until finish (or resume)
    assert d.paused_by == "stop" and d.state == "contract_relax" and d.next_due() is None
    assert not kinds(d.tick(60.0), "cue")
    d.hear("next", 61.0)
    assert d.state == "contract_relax"
    d.hear("finish", 62.0)
    d.hear("yes", 63.0)
    assert d.ended


def test_worse_before_a_hold_marks_the_point_being_checked():
    d = Dialogue(load_protocol(shipped_folder() / "psoas.yaml"))
    walk(d, "next", "located", "yes", "local", "fading", "tender")
    events = d.hear("worse", 8.0)
    assert kinds(events, "revisit")[0].get("point") == 2


def test_paced_breaths_use_the_protocols_own_calls():
    d = Dialogue(load_protocol(shipped_folder() / "psoas-functional-release.yaml"))
    walk(d, "next", "located", "yes", "next", "next", "next", "next", "next")
    assert d.state == "breaths"
    texts = [e.get("text") for e in kinds(d.tick(60.0), "cue") if e.get("kind") != "duration"]
    assert texts[:2] == ["Breathe in deeply, 1.", "And slowly out."]
    assert texts[-1] == "That was 4 breaths. Say next."


def test_session_time_is_called_each_minute_and_at_the_limit():
    d = Dialogue(load_protocol(shipped_folder() / "psoas-functional-release.yaml"))
    d.start(0.0)
    calls = [e for e in kinds(d.tick(421.0), "cue") if e.get("kind") == "duration"]
    assert [c.t for c in calls] == [60.0, 120.0, 180.0, 240.0, 300.0, 360.0, 420.0]
    assert calls[-1].get("text").startswith("Time is up: 7 minutes")


def test_sink_timers_are_spoken_on_time():
    d = Dialogue(load_protocol(shipped_folder() / "myofascial-hip-flexors.yaml"))
    walk(d, "next")
    timers = [e for e in kinds(d.tick(100.0), "cue") if e.get("kind") == "step_timer"]
    assert [t.t for t in timers] == [31.0, 61.0, 91.0]


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


INNER = """\
id: inner
title: Inner
start: a
steps:
  a: {cue: Inner step., kind: treatment, on: {next: z}}
  z: {cue: Inner done., end: true}
"""


def test_include_by_path_and_its_errors(tmp_path):
    write(tmp_path, "inner.yaml", INNER)
    host = write(tmp_path, "host.yaml", """\
        id: host
        title: Host
        start: s
        include:
          in: {protocol: inner.yaml, then: t}
        steps:
          s: {cue: Start., on: {next: in.a}}
          t: {cue: After., end: true}
        """)
    p = load_protocol(host)
    d = Dialogue(p)
    events = walk(d, "next", "next")
    assert [e.get("state") for e in kinds(events, "state")] == ["s", "in.a", "in.z", "t", "end"]
    cycle = write(tmp_path, "inner.yaml", INNER.replace(
        "start: a\n", "start: a\ninclude:\n  h: {protocol: host.yaml}\n"))
    with pytest.raises(UserError, match=r"host.yaml:5: include 'in': 'inner.yaml' leads back"):
        load_protocol(cycle)


def test_lint_finds_a_command_without_phrasing_and_an_unspoken_limit(tmp_path):
    p = load_protocol(write(tmp_path, "p.yaml", """\
        id: p
        title: P
        language: en
        start: a
        parameters: {duration: {call_every: 60}}
        steps:
          a: {cue: Go., on: {next: b}}
          b: {cue: Done., end: true}
        """))
    findings = lint(p)
    assert any("no spoken limit" in f for f in findings)
    import voice_guide.ears.grammar as grammar
    real = grammar.load

    def without_next(lang="en", path=None):
        g = real(lang, path)
        return type(g)(g.lang, {k: v for k, v in g.phrases.items() if k != "next"}, g.source,
                       g.lines)

    grammar.load = without_next
    try:
        assert any("error: step 'a' listens for 'next'" in f for f in lint(p))
    finally:
        grammar.load = real


def test_the_authoring_guides_example_is_a_valid_protocol(tmp_path):
    import re
    from pathlib import Path

    guide = (Path(__file__).parent.parent / "docs" / "authoring.md").read_text()
    example = re.findall(r"```yaml\n(.*?)```", guide, re.S)[0]
    p = load_protocol(write(tmp_path, "guide.yaml", example))
    assert p.id == "glute-med-release" and lint(p) == []
    d = Dialogue(p)
    walk(d, "next", "located", "local")
    assert kinds(d.tick(20.0), "hold_end")[0].get("reason") == "limit"
