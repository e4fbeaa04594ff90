"""Translations beside a protocol: one flow, many languages; gaps are `check` errors."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from voice_guide.dialogue.core import Dialogue
from voice_guide.errors import UserError
from voice_guide.protocol import registry
from voice_guide.protocol.loader import load_protocol
from voice_guide.protocol.phrases import PHRASE_KEYS, default_phrases

SHIPPED = Path(registry.shipped_folder())


@pytest.mark.parametrize("pid", ["psoas", "iliacus"])
def test_shipped_korean_translation_covers_every_spoken_text(pid):
    en = registry.resolve(pid)
    ko = registry.resolve(pid, language="ko")
    assert ko.language == "ko" and ko.steps.keys() == en.steps.keys()
    for sid, step in ko.steps.items():
        assert _hangul(step.cue) and _hangul(step.title), sid
        assert (step.reprompt is None) == (en.steps[sid].reprompt is None)
        for cmd, tr in step.on.items():
            assert tr.target == en.steps[sid].on[cmd].target
            assert tr.say is None or _hangul(tr.say)
    assert all(_hangul(r.say) for r in ko.safety)


def test_korean_phrases_cover_every_key():
    ko = default_phrases("ko")
    assert set(ko) == set(PHRASE_KEYS) and all(_hangul(v) for v in ko.values())


def test_korean_session_speaks_korean_and_names_korean_words():
    d = Dialogue(registry.resolve("psoas", language="ko"))
    out = d.start(0.0) + d.hear("help", 1.0) + d.hear("softer", 2.0)
    texts = [e.get("text") for e in out if e.event == "cue"]
    assert "'넘어가'" in texts[0]
    assert "넘어가" in texts[1] and "next" not in texts[1]
    assert texts[2].startswith("'부드러워' 명령은")


def test_registry_does_not_list_translations():
    ids = [e.id for e in registry.entries()]
    assert "psoas" in ids and len(ids) == len(set(ids))
    assert not [e for e in registry.entries() if e.path.name.count(".") > 1]


def _copy(tmp_path: Path, pid: str = "psoas") -> tuple[Path, Path]:
    src = SHIPPED / f"{pid}.yaml"
    shutil.copy(src, tmp_path / src.name)
    shutil.copy(SHIPPED / f"{pid}.ko.yaml", tmp_path / f"{pid}.ko.yaml")
    return tmp_path / src.name, tmp_path / f"{pid}.ko.yaml"


def _drop_line(path: Path, startswith: str) -> None:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    k = next(i for i, line in enumerate(lines) if line.lstrip().startswith(startswith))
    path.write_text("".join(lines[:k] + lines[k + 1:]), encoding="utf-8")


def test_missing_reprompt_names_file_step_and_language(tmp_path):
    proto, ko = _copy(tmp_path)
    _drop_line(ko, 'reprompt: "맥박 바로 바깥쪽')
    with pytest.raises(UserError, match=r"psoas\.ko\.yaml:\d+: the reprompt of step "
                       r"'insertion' is not translated \(language 'ko'\)"):
        load_protocol(proto, language="ko")


def test_missing_reply_and_stale_step_are_errors(tmp_path):
    proto, ko = _copy(tmp_path)
    _drop_line(ko, 'no: "아직이네요')
    with pytest.raises(UserError, match=r"'on' of step 'confirm' is not translated"):
        load_protocol(proto, language="ko")
    _, ko = _copy(tmp_path)
    ko.write_text(ko.read_text(encoding="utf-8") + "  extra:\n    title: x\n    cue: y\n",
                  encoding="utf-8")
    with pytest.raises(UserError, match=r"step 'extra' is not in protocol 'psoas'"):
        load_protocol(proto, language="ko")


def test_no_translation_file_is_a_clear_error(tmp_path):
    proto, ko = _copy(tmp_path)
    ko.unlink()
    with pytest.raises(UserError, match=r"no translation into 'ko' \(expected psoas\.ko\.yaml"):
        load_protocol(proto, language="ko")


def test_check_validates_translations_beside_the_protocol(tmp_path):
    proto, ko = _copy(tmp_path)
    ok = _check(proto)
    assert ok.returncode == 0 and "psoas.ko.yaml: ok (language 'ko')" in ok.stdout
    _drop_line(ko, "title: 대퇴동맥 맥박 찾기")
    bad = _check(ko)  # naming the translation checks its protocol and it
    assert bad.returncode == 2
    assert "error: the title of step 'femoral_pulse' is not translated (language 'ko')" in (
        bad.stderr)


def test_included_protocol_is_translated_from_its_own_file(tmp_path):
    _copy(tmp_path)
    host = tmp_path / "host.yaml"
    host.write_text("id: host\ntitle: Host\nstart: intro\nsteps:\n  intro:\n    kind: setup\n"
                    "    cue: Say next.\n    on: {next: release.position}\n"
                    "include:\n  release: {protocol: psoas.yaml}\n", encoding="utf-8")
    (tmp_path / "host.ko.yaml").write_text(
        "protocol: host\ntitle: 호스트\nsteps:\n"
        "  intro: {title: 시작, cue: \"'다음'이라고 하세요.\"}\n", encoding="utf-8")
    p = load_protocol(host, language="ko")
    assert p.steps["release.locate"].cue.startswith("전상장골극")
    assert any("대동맥" in r.say for r in p.safety)
    assert _check(host).returncode == 0


def _check(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "voice_guide", "check", str(path)],
                          capture_output=True, text=True, timeout=60)


def _hangul(text: str | None) -> bool:
    return bool(text) and any("\uac00" <= ch <= "\ud7a3" for ch in text)


def test_keyboard_session_in_korean(tmp_path):
    env = {**__import__("os").environ, "XDG_CONFIG_HOME": str(tmp_path)}
    out = subprocess.run([sys.executable, "-m", "voice_guide", "run", "psoas", "--keyboard",
                          "--virtual-clock", "--lang", "ko", "--no-record"],
                         input="next\nlocated\nyes\ntender\nrefers\nwait 13\nfinish\nyes\n",
                         capture_output=True, text=True, timeout=60, env=env)
    assert out.returncode == 0, out.stderr
    assert "전상장골극" in out.stdout and "4초." in out.stdout and "12초입니다" in out.stdout
    assert "세션을 마쳤습니다" in out.stdout
