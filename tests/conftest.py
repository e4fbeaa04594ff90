pytest_plugins = ["conftest_pulse"]
