"""`skewer run` (and `skewer emulator`) on a port another program holds: one line that names the
port and the option to change it, exit code 2, no traceback, nothing left unclosed."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import CONFIG, ROOT

EMULATOR_TAKEN = ("skewer: port {port} is already in use (the Bot API emulator); choose another "
                  "with --emulator-port N (make run EMULATOR_PORT=N)")
SERVICE_TAKEN = ("skewer: port {port} is already in use (the service's web server); choose "
                 "another with --port N (make run PORT=N)")


@pytest.fixture
def taken() -> Iterator[int]:
    """A port some other program listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield int(sock.getsockname()[1])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def skewer(*args: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    env.update(SKEWER_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'skewer.db'}",
               SKEWER_UPLOAD_DIR=str(tmp_path / "uploads"), PYTHONWARNINGS="default")
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60, check=False)


def assert_one_clean_line(proc: subprocess.CompletedProcess[str], line: str) -> None:
    output = proc.stdout + proc.stderr
    assert proc.returncode == 2, output
    assert "Traceback" not in output and "Unclosed" not in output, output
    assert proc.stderr.strip().splitlines()[-1] == line, output
    assert proc.stderr.count("already in use") == 1, output


def test_emulator_port_taken(taken: int, tmp_path: Path) -> None:
    proc = skewer("run", "--config", str(CONFIG), "--port", str(free_port()),
                  "--emulator-port", str(taken), tmp_path=tmp_path)
    assert_one_clean_line(proc, EMULATOR_TAKEN.format(port=taken))


def test_service_port_taken(taken: int, tmp_path: Path) -> None:
    """The emulator has started by then: it is stopped again, its client session closed."""
    proc = skewer("run", "--config", str(CONFIG), "--port", str(taken),
                  "--emulator-port", str(free_port()), tmp_path=tmp_path)
    assert_one_clean_line(proc, SERVICE_TAKEN.format(port=taken))


def test_emulator_alone_port_taken(taken: int, tmp_path: Path) -> None:
    proc = skewer("emulator", "--port", str(taken), tmp_path=tmp_path)
    assert_one_clean_line(proc, f"skewer: port {taken} is already in use (the Bot API "
                                f"emulator); choose another with --port N")
