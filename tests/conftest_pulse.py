"""Fixtures for tests that need real audio devices: a throw-away PulseAudio server.

`pulse` starts the server (tests/pulse.py), points this process's PortAudio at it and
restores the environment afterwards. Tests using it are skipped, with the reason, only when
the pulseaudio binaries are not installed (scripts/ci-deps installs them).
"""

from __future__ import annotations

import os

import pytest
from pulse import PulseServer, available, reinit_sounddevice


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed test that used the server gets the server's state and last log lines."""
    outcome = yield
    report = outcome.get_result()
    server = getattr(item, "funcargs", {}).get("pulse")
    if report.failed and call.when == "call" and isinstance(server, PulseServer):
        report.sections.append(("pulseaudio", server.state()))


@pytest.fixture
def pulse():
    reason = available()
    if reason:
        pytest.skip(reason)
    saved = {k: os.environ.get(k) for k in ("HOME", "XDG_RUNTIME_DIR", "PULSE_SERVER")}
    server = PulseServer().start()
    reinit_sounddevice(server.env)
    try:
        yield server
    finally:
        server.stop()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        import sounddevice as sd

        sd._terminate()
        sd._initialize()
