"""Take the test database away for a while: lock SQLite, or stop the PostgreSQL server."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import threading
from pathlib import Path

from tests.conftest import using_postgres


def _pg(*args: str) -> None:
    run_as = os.environ.get("PG_RUN_AS", "").split()
    bin_dir = next(d for d in sorted(Path("/usr/lib/postgresql").glob("*/bin"))
                   if (d / "pg_ctl").exists())
    subprocess.run([*run_as, str(bin_dir / "pg_ctl"), "-D", f"{os.environ['PG_DIR']}/data", *args],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


async def database_outage(db_url: str, seconds: float) -> str:
    """Make the database unusable for `seconds`; returns what was done."""
    if using_postgres():
        await asyncio.to_thread(_pg, "-m", "fast", "stop")
        await asyncio.sleep(seconds)
        port, sock = os.environ["PG_PORT"], os.environ["PG_DIR"]
        await asyncio.to_thread(_pg, "-w", "-l", f"{sock}/log", "-o",
                                f"-p {port} -k {sock} -c listen_addresses=127.0.0.1 -c fsync=off "
                                "-c max_connections=200", "start")
        return f"PostgreSQL stopped for {seconds:.0f} s"
    path = db_url.split("///", 1)[1]
    release = threading.Event()
    locked = threading.Event()

    def hold() -> None:
        conn = sqlite3.connect(path, timeout=30)
        conn.execute("BEGIN EXCLUSIVE")
        locked.set()
        release.wait()
        conn.rollback()
        conn.close()

    thread = threading.Thread(target=hold, daemon=True)
    thread.start()
    await asyncio.to_thread(locked.wait)
    await asyncio.sleep(seconds)
    release.set()
    await asyncio.to_thread(thread.join)
    return f"SQLite locked exclusively for {seconds:.0f} s"
