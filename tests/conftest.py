"""Shared fixtures (the PulseAudio server, private session logs) and the test order."""

pytest_plugins = ["conftest_pulse", "conftest_record"]


def pytest_collection_modifyitems(config, items):
    """The long audio tests (marked slow) go first: scripts/test runs the suite on two
    workers (pytest-xdist), and a two-minute live session taken last would leave one worker
    idle for most of it."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)
