"""The session screen (rich) in a real 80x24 terminal (tmux), driven by keys as a pedal would.

Checks what a therapist reads from the table: the step title, what can be said, the keys,
a large countdown during a hold, the last thing heard, the points to revisit; and that the
plain-text log is left behind when the screen closes. Speech is off (--quiet): no sound card.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from tmux import Tmux, available

from voice_guide.session.screen import big

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def session_screen(tmp_path):
    if available():
        pytest.skip(available())
    env = {"VOICE_GUIDE_DATA": str(tmp_path / "data"), "XDG_CONFIG_HOME": str(tmp_path),
           "PATH": os.environ["PATH"], "TERM": "xterm-256color"}
    t = Tmux(tmp_path, [sys.executable, "-m", "voice_guide", "run", "psoas", "--keys",
                        "--quiet"], env, ROOT)
    yield t
    t.close()


def test_screen_shows_the_step_a_big_countdown_and_leaves_a_log(session_screen, tmp_path):
    t = session_screen
    t.wait_for("STEP     Position", history=False)
    screen = t.screen()
    assert "SAY" in screen and "KEYS     space next" in screen
    assert all(len(line) <= 80 for line in screen.splitlines())
    for key, shown in (("Space", "STEP     Locate the psoas"), ("Space", "STEP     Confirm"),
                       ("y", "STEP     Contract and relax"), ("t", "HEARD    tender"),
                       ("x", "s left of 12, point 1")):
        t.send(key)
        screen = t.wait_for(shown, history=False)
    assert "█" in screen and "HOLD" in screen  # the countdown in block digits
    (tmp_path / "hold-screen.txt").write_text(screen)
    t.wait_for("s left of 12", history=False)
    t.send("w")  # worse: released at once, marked to revisit
    screen = t.wait_for("REVISIT  1 point to revisit with lighter pressure, in Contract",
                        history=False)
    assert "Too much pressure" in screen
    t.send("C-c")  # Ctrl-C: where it stopped, then the summary
    log = t.wait_for("EXIT=130", history=False)  # and the exit code every Ctrl-C gives
    assert "STEP" not in log  # the screen is gone; its plain-text log stays
    assert "Interrupted: the session stopped at Contract and relax." in log
    assert "------ hold 1 ends after" in log and "Points held: 1" in log


def test_big_digits():
    assert big("12").splitlines()[0] == " █   ███"
    assert len(big("7", scale=2).splitlines()) == 10


def test_screen_scales_up_on_a_large_terminal():
    """Rendered off-terminal (rich's own Console) at 80x24 and 160x50: the countdown digits
    double on the tall one, and every line fits the width."""
    from rich.console import Console

    from voice_guide.dialogue.core import Dialogue
    from voice_guide.protocol.messages import Messages
    from voice_guide.protocol.registry import resolve
    from voice_guide.session.core import Session
    from voice_guide.session.screen import SessionScreen

    protocol = resolve("psoas")
    rows = {}
    for width, height in ((80, 24), (160, 50)):
        console = Console(width=width, height=height, record=True, color_system=None)
        screen = SessionScreen(protocol, Messages(protocol), lambda: 5.0, console=console)
        session = Session(Dialogue(protocol), [screen])
        screen.attach(session)
        session.start(0.0)
        for i, word in enumerate(["next", "located", "yes", "tender", "local"]):
            session.command(word, float(i))
        console.print(screen)
        text = console.export_text()
        assert all(len(line) <= width for line in text.splitlines())
        assert "s left of 12, point 1" in text and "STEP     Contract and relax" in text
        rows[height] = sum("█" in line for line in text.splitlines())
    assert rows[24] == 5 and rows[50] == 10
