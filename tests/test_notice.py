"""One notice path for what the user must read; `logging` for diagnostics, on with --verbose."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from voice_guide import notice as notices
from voice_guide.cli.main import build_parser, configure_logging

PACKAGE = Path(__file__).resolve().parent.parent / "voice_guide"
CLI = [sys.executable, "-m", "voice_guide"]


def stderr_writes(tree: ast.AST) -> list[int]:
    """Lines that print to sys.stderr or write to it directly."""
    def is_stderr(node: ast.AST) -> bool:
        return ast.unparse(node) == "sys.stderr"

    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id == "print" and any(
                k.arg == "file" and ("sys.stderr" in ast.unparse(k.value)) for k in node.keywords):
            found.append(node.lineno)
        elif isinstance(func, ast.Attribute) and func.attr in ("write", "writelines") and \
                is_stderr(func.value):
            found.append(node.lineno)
    return found


def test_only_the_notice_module_writes_to_stderr():
    found = {str(p.relative_to(PACKAGE)): lines for p in sorted(PACKAGE.rglob("*.py"))
             if p.name != "notice.py"
             and (lines := stderr_writes(ast.parse(p.read_text(encoding="utf-8"))))}
    assert not found, f"stderr written outside voice_guide/notice.py (use notice/warn): {found}"


def test_the_check_finds_a_stray_print():
    tree = ast.parse("import sys\nprint('x', file=sys.stderr)\nsys.stderr.write('y')\n"
                     "print('z', file=sys.stderr if a else sys.stdout)\nprint('ok')\n")
    assert stderr_writes(tree) == [2, 3, 4]


def test_notice_warn_error_lines(capsys):
    notices.notice("Listening on pulse.")
    notices.warn("a.wav ends early:\nusing what is there")
    notices.error("no such protocol 'x'")
    notices.notice("to stdout", sys.stdout)
    out, err = capsys.readouterr()
    assert err.splitlines() == ["Listening on pulse.",
                                "voice-guide: warning: a.wav ends early: using what is there",
                                "voice-guide: error: no such protocol 'x'"]
    assert out == "to stdout\n"


def test_every_command_takes_verbose():
    parser = build_parser()
    for argv in (["protocols"], ["check", "f.yaml"], ["run", "psoas"], ["listen", "a.wav"],
                 ["simulate", "s.yaml"], ["report", "latest"], ["sessions"], ["voices"],
                 ["say", "hi"], ["check-mic"], ["graph", "psoas", "-o", "g.svg"]):
        assert parser.parse_args([*argv, "--verbose"]).verbose is True


def test_diagnostics_are_logged_only_with_verbose(capsys):
    import logging

    log = logging.getLogger("voice_guide.some.stage")
    configure_logging(False)
    log.info("engine: x")
    log.warning("a diagnostic warning")
    assert capsys.readouterr().err == "a diagnostic warning\n"
    configure_logging(True)
    log.info("engine: x")
    assert capsys.readouterr().err == "engine: x\n"
    configure_logging(False)


@pytest.fixture(scope="module")
def wav(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("audio") / "next.wav"
    subprocess.run(["espeak-ng", "-w", str(path), "next"], check=True)
    return str(path)


def test_listen_says_nothing_of_engines_unless_verbose(wav):
    """The engine line (with Vosk's cache folders) was printed on every English `listen`."""
    quiet = subprocess.run([*CLI, "listen", wav], capture_output=True, text=True, timeout=120)
    assert quiet.returncode == 0 and quiet.stderr == "", quiet.stderr
    assert "next" in quiet.stdout
    loud = subprocess.run([*CLI, "listen", wav, "--verbose"], capture_output=True, text=True,
                          timeout=120)
    assert loud.returncode == 0, loud.stderr
    assert "voice-guide: engine: pocketsphinx" in loud.stderr
    if sys.platform != "win32":
        assert "AppData" not in loud.stderr
