"""A Korean keyboard session typed in Korean from start to finish, through the real CLI.

The Korean cues tell the therapist to say 넘어가, 여기요, 약해진다...; typed, each must work
(grammars/ko.yaml phrasings with their endings joined), and what the runner itself says (a
mistake, the closing summary) must be Korean too.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

CLI = [sys.executable, "-m", "voice_guide"]
HANGUL = re.compile(r"[\uac00-\ud7a3]")

SCRIPT = ["넘어가", "진행", "여기요", "wait 20", "아파", "제자리", "wait 3", "약해진다",
          "넘어가", "압통", "퍼진다", "wait 4", "사라진다", "시간", "도움말", "잠시", "계속해",
          "안녕", "넘어가", "다시", "넘어가", "이전", "넘어가", "넘어가"]


def test_iliacus_typed_in_korean_to_the_end(tmp_path):
    env_data = {"VOICE_GUIDE_DATA": str(tmp_path)}
    result = subprocess.run(
        CLI + ["run", "iliacus", "--lang", "ko", "--keyboard", "--virtual-clock", "--json",
               "--quiet"], input="\n".join(SCRIPT) + "\n", capture_output=True, text=True,
        timeout=60, env={**os.environ, **env_data})
    assert result.returncode == 0, result.stderr
    events = [json.loads(line) for line in result.stdout.splitlines()]
    heard = [e["command"] for e in events if e["event"] == "heard"]
    assert heard == ["next", "next", "located", "tender", "local", "fading", "next", "tender",
                     "refers", "fading", "time", "help", "pause", "resume", "next", "repeat",
                     "next", "back", "next", "next"]
    states = [e["state"] for e in events if e["event"] == "state"]
    assert states[-2:] == ["done", "end"]
    assert [e["reason"] for e in events if e["event"] == "hold_end"] == ["fading", "fading"]
    cues = [e["text"] for e in events if e["event"] == "cue"]
    assert all(HANGUL.search(c) for c in cues), [c for c in cues if not HANGUL.search(c)]
    assert "세션 시작 후 27초 지났습니다." in cues  # the time, read naturally
    notices = [line for line in result.stderr.splitlines() if not line.startswith("[")]
    assert notices[0].startswith("지금 쓸 수 없는 명령입니다: '안녕'.")
    assert "넘어가" in notices[0]  # the commands it offers are the Korean phrasings
    assert notices[-1] == "세션 요약입니다. 누른 압통점은 두 곳입니다."
    assert not any(re.search(r"[A-Za-z]{4,}", n.split("'")[0]) for n in notices), notices
