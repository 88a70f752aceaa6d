"""The web chat: an embeddable widget talking WebSocket to the same dialog as Telegram.

Protocol (JSON frames):
  client -> {"type": "hello", "session": token|null, "after": last_seq, "lang": "en"}
  server -> {"type": "session", "session": token}            (a new or confirmed session)
  client -> {"type": "message", "id": client_id, "text": "...", "attachments": [{file_id...}]}
  client -> {"type": "button", "id": client_id, "action": {"n": .., "r": .., "a": ..}}
  server -> {"type": "ack", "id": client_id, "outcome": ".."}  (stored: safe to forget)
  server -> {"type": "message", "seq": n, "text": "..", "html": "..", "buttons": [[..]]}
  server -> {"type": "error", "id": client_id|null, "code": "..", "message": ".."}

Every client message has an id that becomes the event id: the widget keeps a message until it
is acknowledged and sends it again after a reconnect; a redelivery has no second effect. What
the server says is read from the outbox by sequence number, so a page reload or a dropped
connection resumes exactly where it left off.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import html
import json
import logging
import re
import secrets
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from aiohttp import BodyPartReader, WSMsgType, web

from bot.omni_types import clean
from bot.ports import Action, Handled, Inbound, IncomingAttachment, Sender, SendResult

log = logging.getLogger("skewer.webchat")

STATIC = Path(__file__).parent / "static"
MAX_UPLOAD = 5 * 1024 * 1024
MAX_TEXT = 8000
MAX_ATTACHMENTS = 10
# The widget runs on the organisation's own site, another origin: its fetches need CORS.
# No cookies are involved (the session travels in a header), so any origin may call.
CORS = {"Access-Control-Allow-Origin": "*",
        "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
        "Access-Control-Allow-Headers": "X-Skewer-Session, Content-Type",
        "Access-Control-Max-Age": "600"}
WIDGET_TEXTS = ("title", "placeholder", "send", "attach", "connecting", "reconnecting")
TAG = re.compile(r"<[^>]+>")
SESSION = re.compile(r"^[A-Za-z0-9_-]{32,64}$")
FILE_ID = re.compile(r"^web:[0-9a-f]{32}\.(jpg|png|webp|gif|pdf)$")
# What we take, recognised by the file's first bytes, not by the name or the browser's claim.
MAGIC: list[tuple[bytes, str, str]] = [
    (b"\xff\xd8\xff", "jpg", "photo"),
    (b"\x89PNG\r\n\x1a\n", "png", "photo"),
    (b"GIF87a", "gif", "photo"),
    (b"GIF89a", "gif", "photo"),
    (b"%PDF-", "pdf", "document"),
]

Handle = Callable[[Inbound], Awaitable[Handled]]
History = Callable[[str, str, int], Awaitable[list[tuple[int, dict[str, Any]]]]]
TextFor = Callable[[str | None, str], str]


def chat_id_of(session: str) -> str:
    """The chat id stored for a session: a hash, so the database never holds the secret."""
    return hashlib.sha256(session.encode()).hexdigest()[:40]


def sniff(head: bytes) -> tuple[str, str] | None:
    for magic, ext, kind in MAGIC:
        if head.startswith(magic):
            return ext, kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp", "photo"
    return None


class WebTransport:
    """The outbound side: a message is already durable in the outbox, which is the chat's
    history; delivering means waking the open connections of that chat to read it."""

    channel = "web"

    def __init__(self) -> None:
        self._listeners: dict[str, set[asyncio.Event]] = {}

    def listen(self, chat_id: str) -> asyncio.Event:
        ev = asyncio.Event()
        self._listeners.setdefault(chat_id, set()).add(ev)
        return ev

    def unlisten(self, chat_id: str, ev: asyncio.Event) -> None:
        listeners = self._listeners.get(chat_id)
        if listeners is not None:
            listeners.discard(ev)
            if not listeners:
                del self._listeners[chat_id]

    def poke(self, chat_id: str) -> None:
        for ev in self._listeners.get(chat_id, ()):
            ev.set()

    async def deliver(self, chat_id: str, payload: dict[str, Any]) -> SendResult:
        self.poke(chat_id)
        return SendResult(None)


def render(seq: int, payload: dict[str, Any]) -> dict[str, Any]:
    if payload.get("type") == "media":
        text = payload.get("caption") or ""
        return {"type": "message", "seq": seq, "text": html.unescape(TAG.sub("", text)),
                "html": text, "buttons": []}
    text = str(payload.get("text", ""))
    return {"type": "message", "seq": seq, "text": html.unescape(TAG.sub("", text)), "html": text,
            "buttons": payload.get("buttons", [])}


class WebChat:
    def __init__(self, handle: Handle, history: History, transport: WebTransport,
                 upload_dir: Path, text_for: TextFor) -> None:
        self.handle = handle
        self.history = history
        self.transport = transport
        self.upload_dir = upload_dir
        self.text_for = text_for

    def add_routes(self, app: web.Application) -> None:
        app.router.add_get("/chat/", self.page)
        app.router.add_get("/chat/widget.js", self.script)
        app.router.add_get("/chat/ws", self.websocket)
        app.router.add_post("/chat/upload", self.upload)
        app.router.add_route("OPTIONS", "/chat/upload", self.preflight)
        app.router.add_get("/chat/texts", self.texts)

    async def preflight(self, _: web.Request) -> web.Response:
        return web.Response(status=204, headers=CORS)

    # -- static ---------------------------------------------------------------------------
    async def page(self, _: web.Request) -> web.StreamResponse:
        return web.FileResponse(STATIC / "chat.html")

    async def script(self, _: web.Request) -> web.StreamResponse:
        return web.FileResponse(STATIC / "widget.js",
                                headers={"Content-Type": "application/javascript"})

    async def texts(self, request: web.Request) -> web.Response:
        lang = request.query.get("lang")
        return web.json_response({k: self.text_for(lang, f"web.{k}") for k in WIDGET_TEXTS},
                                 headers=CORS)

    # -- uploads --------------------------------------------------------------------------
    async def upload(self, request: web.Request) -> web.Response:
        """One photo or PDF, checked by its content; answers a file id for the next message."""
        lang = request.query.get("lang")
        session = request.headers.get("X-Skewer-Session", "")
        if not SESSION.match(session):
            return self._err(401, "no_session", self.text_for(lang, "web.bad_message"))
        if request.content_length is not None and request.content_length > MAX_UPLOAD + 4096:
            return self._too_big(lang)
        try:
            reader = await request.multipart()
            part = await reader.next()
        except Exception:
            return self._err(400, "bad_upload", self.text_for(lang, "web.bad_message"))
        if not isinstance(part, BodyPartReader) or part.name != "file":
            return self._err(400, "bad_upload", self.text_for(lang, "web.bad_message"))
        data = bytearray()
        while True:
            chunk = await part.read_chunk(64 * 1024)
            if not chunk:
                break
            data.extend(chunk)
            if len(data) > MAX_UPLOAD:
                return self._too_big(lang)
        found = sniff(bytes(data[:16]))
        if found is None:
            return self._err(415, "wrong_type", self.text_for(lang, "web.wrong_type"))
        ext, kind = found
        name = f"{uuid.uuid4().hex}.{ext}"
        self.upload_dir.mkdir(parents=True, exist_ok=True)
        path = self.upload_dir / name
        await asyncio.to_thread(path.write_bytes, bytes(data))
        filename = clean(part.filename or name)[:200]
        return web.json_response({"file_id": f"web:{name}", "kind": kind, "file_name": filename,
                                  "size": len(data)}, headers=CORS)

    def _too_big(self, lang: str | None) -> web.Response:
        return self._err(413, "too_big", self.text_for(lang, "web.too_big").format(
            mb=MAX_UPLOAD // (1024 * 1024)))

    def _err(self, status: int, code: str, message: str) -> web.Response:
        return web.json_response({"error": code, "message": message}, status=status,
                                 headers=CORS)

    # -- the conversation -----------------------------------------------------------------
    async def websocket(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(heartbeat=25, max_msg_size=256 * 1024)
        await ws.prepare(request)
        session: str | None = None
        chat_id = ""
        lang: str | None = None
        name = ""
        cursor = 0
        wake: asyncio.Event | None = None
        pusher: asyncio.Task[None] | None = None
        lock = asyncio.Lock()

        async def push() -> None:
            nonlocal cursor
            async with lock:
                while True:
                    items = await self.history("web", chat_id, cursor)
                    if not items:
                        return
                    for seq, payload in items:
                        await ws.send_json(render(seq, payload))
                        cursor = seq

        async def follow() -> None:
            assert wake is not None
            while not ws.closed:
                await wake.wait()
                wake.clear()
                with contextlib.suppress(ConnectionResetError):
                    await push()

        try:
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    continue
                try:
                    data = json.loads(msg.data)
                    if not isinstance(data, dict):
                        raise ValueError("not an object")
                except ValueError:
                    await ws.send_json({"type": "error", "id": None, "code": "bad_json",
                                        "message": self.text_for(lang, "web.bad_message")})
                    continue
                kind = data.get("type")
                if kind == "hello":
                    given = data.get("session")
                    session = given if isinstance(given, str) and SESSION.match(given) \
                        else secrets.token_urlsafe(32)
                    chat_id = chat_id_of(session)
                    lang = clean(data["lang"])[:8] if isinstance(data.get("lang"), str) else None
                    name = clean(str(data.get("name") or ""))[:100]
                    after = data.get("after")
                    cursor = after if isinstance(after, int) and after >= 0 else 0
                    await ws.send_json({"type": "session", "session": session})
                    if wake is None:
                        wake = self.transport.listen(chat_id)
                        pusher = asyncio.create_task(follow(), name=f"webchat-{chat_id[:8]}")
                    await push()
                    continue
                if session is None:
                    await ws.send_json({"type": "error", "id": data.get("id"), "code": "no_hello",
                                        "message": self.text_for(lang, "web.bad_message")})
                    continue
                ev = self._inbound(data, session, chat_id, name, lang)
                if ev is None:
                    await ws.send_json({"type": "error", "id": data.get("id"), "code": "bad_message",
                                        "message": self.text_for(lang, "web.bad_message")})
                    continue
                result = await self.handle(ev)
                if result.extra.get("retryable"):
                    # Not stored: no ack, so the widget keeps it and sends it again.
                    await ws.send_json({"type": "error", "id": data.get("id"),
                                        "code": "not_stored", "retry": True,
                                        "message": self.text_for(lang, "web.not_stored")})
                    continue
                await ws.send_json({"type": "ack", "id": data.get("id"), "outcome": result.outcome,
                                    "toast": result.toast})
                direct = result.extra.get("direct")
                if direct:
                    await ws.send_json({"type": "notice", "text": html.unescape(TAG.sub("", direct))})
                await push()
        except (ConnectionResetError, asyncio.CancelledError):
            pass
        finally:
            if pusher is not None:
                pusher.cancel()
                with contextlib.suppress(asyncio.CancelledError, ConnectionResetError):
                    await pusher
            if wake is not None:
                self.transport.unlisten(chat_id, wake)
        return ws

    @staticmethod
    def _inbound(data: dict[str, Any], session: str, chat_id: str, name: str,
                 lang: str | None) -> Inbound | None:
        client_id = data.get("id")
        if not isinstance(client_id, str) or not 1 <= len(client_id) <= 64:
            return None
        sender = Sender("web", chat_id, name, lang)
        base: dict[str, Any] = {"channel": "web", "event_id": f"{chat_id}:{client_id}",
                                "sender": sender, "chat_id": chat_id}
        if data.get("type") == "button":
            action = data.get("action")
            if not isinstance(action, dict):
                return None
            return Inbound(**base, action=Action.from_dict(action))
        if data.get("type") != "message":
            return None
        text = data.get("text") or ""
        if not isinstance(text, str):
            return None
        text = clean(text[:MAX_TEXT])
        atts = []
        for a in (data.get("attachments") or [])[:MAX_ATTACHMENTS]:
            if not isinstance(a, dict) or not FILE_ID.match(str(a.get("file_id", ""))):
                return None
            atts.append(IncomingAttachment(kind="document" if str(a["file_id"]).endswith(".pdf")
                                           else "photo", file_id=str(a["file_id"]),
                                           file_name=clean(str(a.get("file_name") or ""))[:200]
                                           or None,
                                           caption=None))
        command, args = None, ""
        if text.startswith("/") and not atts:
            head, _, args = text[1:].partition(" ")
            command = head.strip().lower() or None
            args = args.strip()
        return Inbound(**base, text="" if command else text, attachments=tuple(atts),
                       command=command, args=args)
