pytest_plugins = ["conftest_pulse", "conftest_record"]
