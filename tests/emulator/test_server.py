"""Serving: python -m emulator, the sandbox page, reset."""

from __future__ import annotations

import asyncio
import socket
import sys

import aiohttp

from emulator import Emulator


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_python_dash_m_emulator_serves_the_bot_api() -> None:
    port = free_port()
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "emulator", "--host", "127.0.0.1", "--port", str(port),
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
    try:
        async with aiohttp.ClientSession() as http:
            for _ in range(100):
                try:
                    async with http.get(f"http://127.0.0.1:{port}/bot1:x/getMe") as resp:
                        body = await resp.json()
                        break
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.05)
            assert body["ok"] and body["result"]["id"] == 1
    finally:
        proc.terminate()
        await proc.wait()


async def test_sandbox_page_and_config() -> None:
    people = [{"id": 1001, "name": "Sanne (Logistics)"}]
    groups = [{"id": -1005001, "title": "Digital", "members": [1001]}]
    async with Emulator(sandbox_people=people, sandbox_groups=groups) as emu, \
            aiohttp.ClientSession() as http:
        async with http.get(f"{emu.base_url}/", allow_redirects=False) as resp:
            assert resp.status == 302 and resp.headers["Location"] == "/sandbox"
        async with http.get(f"{emu.base_url}/sandbox") as resp:
            assert resp.status == 200 and "sandbox.js" in await resp.text()
        async with http.get(f"{emu.base_url}/static/sandbox.js") as resp:
            assert resp.status == 200
        config = await emu.request("GET", "/config")
        assert config["people"] == people and config["groups"] == groups
        # configured people exist and can be messaged; so does the configured group
        sanne = (await emu.request("GET", "/users/1001"))
        assert sanne["first_name"] == "Sanne"
        chat = await emu.request("GET", "/chats/-1005001")
        assert chat["members"] == [1001]
        await emu.reset()
        assert (await emu.request("GET", "/users/1001"))["id"] == 1001  # seeded again
