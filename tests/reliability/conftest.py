from tests.e2e.conftest import clock, emu, start_skewer  # noqa: F401 - shared fixtures
