"""Engines as extras: without the `vosk` library, English still runs on PocketSphinx and what
needs Vosk says, in one line and exit 2, which pip command installs it.

The library IS installed here (the test extra pulls `voice-guide[ko]`), so "not installed" is
faked the one way Python allows: `sys.modules["vosk"] = None` before the CLI runs, in a real
subprocess, which makes every `import vosk` fail as it would without the package.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from voice_guide.errors import UserError
from voice_guide.extras import installed, require

ROOT = Path(__file__).resolve().parent.parent
WITHOUT_VOSK = ("import sys; sys.modules['vosk'] = None; "
                "from voice_guide.cli.entry import main; sys.exit(main(sys.argv[1:]))")


def cli_without_vosk(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", WITHOUT_VOSK, *argv], capture_output=True,
                          text=True, timeout=120, cwd=ROOT)


@pytest.fixture(scope="module")
def wav(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("audio") / "next.wav"
    subprocess.run(["espeak-ng", "-w", str(path), "next"], check=True)
    return str(path)


@pytest.mark.parametrize("argv, command", [
    (["listen", "{wav}", "--engine", "vosk"], "pip install 'voice-guide[vosk]'"),
    (["listen", "{wav}", "--lang", "ko"], "pip install 'voice-guide[ko]'"),
    (["model", "download"], "pip install 'voice-guide[vosk]'"),
])
def test_what_needs_vosk_names_the_pip_command(wav, argv, command):
    result = cli_without_vosk(*[a.format(wav=wav) for a in argv])
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("voice-guide: error: "), result.stderr
    assert command in lines[0] and "Traceback" not in result.stderr


def test_english_runs_on_pocketsphinx_without_vosk(wav):
    result = cli_without_vosk("listen", wav, "--json")
    assert result.returncode == 0, result.stderr
    assert '"command": "next"' in result.stdout


def test_require_and_installed():
    assert installed("numpy") and not installed("no_such_module_here")
    with pytest.raises(UserError, match=r"the X needs the no_such_module_here library, which "
                       r"is not installed: pip install 'voice-guide\[x\]'"):
        require("no_such_module_here", extra="x", needed_for="the X")
    assert require("json", needed_for="-").dumps([]) == "[]"
