"""Every test writes session logs to its own temporary folder, never the user's data folder."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _private_session_logs(tmp_path_factory, monkeypatch):
    """Runs of `run --keyboard` and `simulate` record by default; keep those logs in tmp."""
    monkeypatch.setenv("VOICE_GUIDE_DATA", str(tmp_path_factory.mktemp("data")))
