from tests.e2e.conftest import clock, emu, staff, start_skewer  # noqa: F401 - shared fixtures
