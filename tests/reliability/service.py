"""Run the real service as a subprocess against an emulator, to kill it and start it again."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from tests.conftest import ROOT


def fast_config(tmp: Path, source: Path = ROOT / "config.yaml") -> Path:
    """The example config, with the sending limits raised for the local emulator."""
    text = source.read_text("utf-8").replace(
        "  mode: polling", "  mode: polling\n  limits: {overall_per_second: 5000, chat_per_second: 500,"
        " chat_burst: 50, group_per_minute: 60000, group_burst: 500}", 1)
    path = tmp / "config.yaml"
    path.write_text(text, "utf-8")
    return path


class ServiceProcess:
    def __init__(self, config: Path, base_url: str, token: str, database_url: str, log: Path,
                 mode: str = "polling") -> None:
        self.config, self.log, self.mode = config, log, mode
        self.env = {**os.environ, "TELEGRAM_BOT_TOKEN": token, "TELEGRAM_API_BASE": base_url,
                    "SKEWER_DATABASE_URL": database_url, "SKEWER_LOG_LEVEL": "INFO",
                    "PYTHONUNBUFFERED": "1"}
        self.proc: asyncio.subprocess.Process | None = None
        self.starts = 0
        self.kills = 0

    async def start(self, within: float = 90.0) -> None:
        self.starts += 1
        with self.log.open("a") as out:
            out.write(f"\n=== start {self.starts}\n")
        handle = self.log.open("a")
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", "--config", str(self.config), "--port", "0",
            "--mode", self.mode, cwd=str(ROOT), env=self.env, stdout=handle, stderr=handle)
        handle.close()
        marker = f"=== start {self.starts}\n"
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while loop.time() < deadline:
            text = self.log.read_text(errors="replace")
            if '"skewer started"' in text[text.rfind(marker):]:
                return
            if self.proc.returncode is not None:
                break
            await asyncio.sleep(0.05)
        raise AssertionError(f"service did not start:\n{self.log.read_text()[-3000:]}")

    async def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        await self.proc.wait()
        self.kills += 1

    async def stop(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.proc.wait(), 20)
            except TimeoutError:
                self.proc.kill()
                await self.proc.wait()
