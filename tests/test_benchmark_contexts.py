"""The listening benchmark's contexts (benchmarks/contexts.py): where in a session a corpus
line is heard. Real protocols and the real dialogue, no audio."""

from __future__ import annotations

from benchmarks import corpus
from benchmarks.contexts import contexts, placed
from voice_guide.vocabulary import ALWAYS_ACTIVE, COMMANDS


def test_every_point_listens_for_what_it_expects_and_every_command_has_a_point():
    points = contexts("en")
    assert len(points) == len(set(points)) > 10
    for c in points:
        assert c.expected <= c.active and ALWAYS_ACTIVE <= c.active
    assert set(COMMANDS) <= set().union(*(c.active for c in points))


def test_a_command_is_heard_where_it_is_expected_and_chatter_anywhere():
    points = contexts("en")
    items = [corpus.Item("command", "found it", "located", 1.0, 1.5, "v", "normal"),
             corpus.Item("command", "stop", "stop", 3.0, 3.4, "v", "normal"),
             corpus.Item("chatter", "is that tender", None, 5.0, 6.0, "v", "normal")]
    got = placed(items, points, seed=1)
    assert [t for t, _ in got] == [1.0, 3.0, 5.0]
    assert "located" in got[0][1].expected
    assert "stop" in got[1][1].active  # no point expects stop: one where it is active
    assert got[2][1] in points
    assert placed(items, points, seed=1) == got  # seeded
