"""Numbers, times and lists read as people say them (spoken.py, messages.py)."""

from __future__ import annotations

from voice_guide.protocol.messages import Messages
from voice_guide.protocol.phrases import Phrases
from voice_guide.protocol.registry import resolve
from voice_guide.voice.spoken import count, korean_count, spoken_time


def test_times_in_english_and_korean():
    assert spoken_time(8) == "8 seconds" and spoken_time(1) == "1 second"
    assert spoken_time(99) == "1 minute 39 seconds" and spoken_time(120) == "2 minutes"
    assert spoken_time(61) == "1 minute 1 second" and spoken_time(2.5) == "2.5 seconds"
    assert spoken_time(0) == "0 seconds"
    assert spoken_time(99, "ko") == "1분 39초" and spoken_time(8, "ko") == "8초"
    assert spoken_time(300, "ko") == "5분"


def test_counts_take_the_right_number_words():
    assert count(1, "point") == "1 point" and count(6, "point") == "6 points"
    assert [korean_count(n) for n in (1, 2, 3, 20, 21, 35)] == \
        ["한", "두", "세", "스무", "스물한", "서른다섯"]
    assert count(2, "point", "ko") == "두 곳"


def test_phrases_read_session_time_without_zero_minutes():
    en, ko = Phrases({}, "en"), Phrases({}, "ko")
    assert en("session_time", minutes=0, seconds=8) == "8 seconds into the session."
    assert en("session_time", minutes=1, seconds=39) == "1 minute 39 seconds into the session."
    assert ko("session_time", minutes=0, seconds=8) == "세션 시작 후 8초 지났습니다."
    assert en("duration_call", minutes=1) == "1 minute."


def test_a_long_revisit_list_is_summarised_by_step_title():
    say = Messages(resolve("psoas"))
    marks = [{"point": i, "step": "explore" if i % 3 else "edges", "reason": "limit"}
             for i in range(1, 2001)]
    marks += [{"point": 2001, "step": "superior", "reason": "worse"},
              {"point": 2002, "step": "insertion_work", "reason": "worse"}]
    text = say.revisits(marks)
    assert text == ("2002 points to revisit with lighter pressure: 1334 points in Explore the "
                    "muscle, 666 points in Outer and inner edges and 2 points in other steps.")
    summary = say.summary(3, marks[:1], ["Glute strength"])
    assert summary == ("Session summary. 3 points held. 1 point to revisit with lighter "
                       "pressure, in Explore the muscle. Homework: Glute strength.")


def test_korean_summary_is_korean():
    say = Messages(resolve("psoas", language="ko"))
    text = say.summary(2, [{"point": 1, "step": "explore", "reason": "limit"}], [])
    assert text == ("세션 요약입니다. 누른 압통점은 두 곳입니다. "
                    "더 가볍게 다시 할 점은 근육 탐색에서 한 곳입니다.")
    assert "explore" not in text
