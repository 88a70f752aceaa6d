"""The other channels: web chat, Rasa and the REST API against the real service and the Bot API
emulator, whose staff chats show that each complaint reached its owner in Telegram."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from bot.app import SkewerApp
from tests.e2e.conftest import clock, emu, staff, start_skewer  # noqa: F401 - shared fixtures


class WebCustomer:
    """A web chat client speaking the widget's WebSocket protocol."""

    def __init__(self, http: aiohttp.ClientSession, base: str, lang: str = "en",
                 name: str = "") -> None:
        self.http = http
        self.base = base
        self.lang = lang
        self.name = name
        self.session: str | None = None
        self.cursor = 0
        self.ws: aiohttp.ClientWebSocketResponse | None = None
        self.messages: list[dict[str, Any]] = []  # every bot message seen, in order
        self.frames: list[dict[str, Any]] = []  # every frame seen
        self._read = 0

    async def connect(self, after: int | None = None) -> None:
        self.ws = await self.http.ws_connect(f"{self.base}/chat/ws")
        await self.ws.send_json({"type": "hello", "session": self.session, "lang": self.lang,
                                 "name": self.name, "after": self.cursor if after is None else after})
        frame = await self._next()
        assert frame["type"] == "session", frame
        self.session = frame["session"]

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()

    async def _next(self, timeout: float = 5.0) -> dict[str, Any]:  # noqa: ASYNC109
        assert self.ws is not None
        msg = await self.ws.receive(timeout=timeout)
        assert msg.type == aiohttp.WSMsgType.TEXT, msg
        frame = json.loads(msg.data)
        self.frames.append(frame)
        if frame["type"] == "message":
            self.messages.append(frame)
            self.cursor = max(self.cursor, frame["seq"])
        return frame

    async def send_frame(self, frame: dict[str, Any]) -> str:
        assert self.ws is not None
        frame.setdefault("id", uuid.uuid4().hex)
        await self.ws.send_json(frame)
        return str(frame["id"])

    async def send(self, text: str, attachments: list[dict[str, Any]] | None = None) -> str:
        return await self.send_frame({"type": "message", "text": text,
                                      "attachments": attachments or []})

    async def press(self, label: str) -> str:
        for m in reversed(self.messages):
            for row in m["buttons"]:
                for b in row:
                    if b["label"] == label:
                        return await self.send_frame({"type": "button", "action": b["action"]})
        raise AssertionError(f"no button {label!r} in {[m['text'][:40] for m in self.messages]}")

    async def wait_for(self, text: str, timeout: float = 5.0) -> dict[str, Any]:  # noqa: ASYNC109
        """The next bot message containing `text` (earlier ones are consumed)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            while self._read < len(self.messages):
                m = self.messages[self._read]
                self._read += 1
                if text in m["text"]:
                    return m
            left = deadline - loop.time()
            if left <= 0:
                raise AssertionError(f"no message with {text!r}; got "
                                     f"{[m['text'][:60] for m in self.messages]}")
            try:
                await self._next(left)
            except TimeoutError:
                continue

    async def wait_frame(self, kind: str, id: str | None = None,
                         timeout: float = 5.0) -> dict[str, Any]:  # noqa: ASYNC109
        """The first frame of this kind (for this client id) not returned before."""

        def fits(f: dict[str, Any]) -> bool:
            return f["type"] == kind and not f.get("_seen") and (id is None or f.get("id") == id)

        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            for f in self.frames:
                if fits(f):
                    f["_seen"] = True
                    return f
            if loop.time() >= deadline:
                raise AssertionError(f"no {kind} frame; got {self.frames[-5:]}")
            try:
                await self._next(deadline - loop.time())
            except TimeoutError:
                continue


@pytest.fixture
def start_omni(start_skewer: Any, tmp_path: Any) -> Any:  # noqa: F811
    """Skewer with web chat uploads kept in the test's own directory (see start_skewer)."""

    async def start(**kw: Any) -> SkewerApp:
        app: SkewerApp = await start_skewer(**kw)
        assert app.webchat.upload_dir == tmp_path / "uploads"
        return app

    return start


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as s:
        yield s


def base_url(app: SkewerApp) -> str:
    return f"http://127.0.0.1:{app.bound_port}"
