"""The load generator: simulated Telegram users driving the emulator's control API.

One websocket on ``/_emu/ws`` receives every event the emulator publishes (a user's message,
a button press, each message the bot sends) stamped with the emulator's clock, and routes it to
the inbox of its chat. Users act through the ordinary control API (``/_emu/users/{id}/...``),
with ``emulator.testing.EmulatorClient``. Nothing polls: a waiting user costs nothing.

Latencies are taken from the emulator's own timestamps: "end-to-end" is from the event of the
user's action (message stored and update queued, or button pressed) to the event of the bot
message the user was waiting for. The driver also notes "client" latency: from just before its
HTTP request to the moment it read the answer from the websocket (includes the harness).
"""

from __future__ import annotations

import asyncio
import json
import random
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from emulator.testing import EmulatorClient

JSON = dict[str, Any]
ROOT = Path(__file__).resolve().parent.parent
DEV_SET = ROOT.parent / "shared" / "data" / "complaints" / "dev.jsonl"
REF = re.compile(r"\b([A-Z2-9]{3}-[A-Z2-9]{3})\b")

BETTER = {
    "en": ["Call me when the driver is running late.", "Just keep the appointment you made.",
           "Tell me honestly what is going on instead of promising things.",
           "Answer the phone within ten minutes.", "Send a technician who knows the product.",
           "Refund me without me having to chase you."],
    "nl": ["Bel me als de chauffeur later komt.", "Gewoon de afspraak nakomen.",
           "Eerlijk zeggen wat er aan de hand is in plaats van beloftes.",
           "De telefoon binnen tien minuten opnemen.", "Een monteur sturen die het apparaat kent.",
           "Mijn geld terugstorten zonder dat ik erachteraan moet."],
}
FIRST_NAMES = ["Alice", "Bob", "Chantal", "Dirk", "Emma", "Finn", "Gert", "Hanna", "Ines", "Jan"]


def load_texts(path: Path = DEV_SET) -> list[tuple[str, str]]:
    """(language, text) of the dev set; the config's examples when the data isn't there."""
    out: list[tuple[str, str]] = []
    if path.exists():
        for line in path.read_text("utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                if row.get("text", "").strip():
                    out.append((str(row.get("lang") or "nl"), str(row["text"])))
    if not out:
        from bot.settings import load_config

        config = load_config(ROOT / "config.yaml")
        for cat in config.categories:
            for lang, examples in (cat.examples or {}).items():
                out.extend((str(lang), e) for e in examples)
    return out


# ------------------------------------------------------------------ events


class EventStream:
    """One websocket with every emulator event, handed out per chat."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.inboxes: dict[int, asyncio.Queue[tuple[float, JSON]]] = {}
        self.events = 0
        self.gaps = 0
        self._last_seq: int | None = None
        self._session: aiohttp.ClientSession | None = None
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._session = aiohttp.ClientSession()
        self._ws = await self._session.ws_connect(f"{self.base_url}/_emu/ws", heartbeat=None,
                                                  max_msg_size=0)
        self._task = asyncio.create_task(self._pump(), name="emu-events")

    async def _pump(self) -> None:
        assert self._ws is not None
        async for msg in self._ws:
            if msg.type != aiohttp.WSMsgType.TEXT:
                break
            received = time.time()
            ev = json.loads(msg.data)
            self.events += 1
            seq = ev.get("seq")
            if isinstance(seq, int):
                if self._last_seq is not None and seq > self._last_seq + 1:
                    self.gaps += seq - self._last_seq - 1
                self._last_seq = seq
            box = self.inboxes.get(ev.get("chat_id"))  # type: ignore[arg-type]
            if box is not None:
                box.put_nowait((received, ev))

    def open(self, chat_id: int) -> asyncio.Queue[tuple[float, JSON]]:
        box: asyncio.Queue[tuple[float, JSON]] = asyncio.Queue()
        self.inboxes[chat_id] = box
        return box

    def close_inbox(self, chat_id: int) -> None:
        self.inboxes.pop(chat_id, None)

    async def stop(self) -> None:
        if self._ws is not None:
            await self._ws.close()
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except (asyncio.CancelledError, Exception):
                pass
        if self._session is not None:
            await self._session.close()


# ------------------------------------------------------------------ one user


@dataclass
class Step:
    """One update the bot had to handle and the answer the user waited for."""

    label: str  # e.g. "echo", "story", "done", "better", "reference", "send"
    kind: str  # "message" or "callback_query"
    client_sent: float  # driver clock, before the HTTP request
    user_event: float | None = None  # emulator clock: the update exists
    answer_event: float | None = None  # emulator clock: the bot's answer is stored
    client_received: float | None = None  # driver clock: the driver read the answer
    ok: bool = False
    error: str = ""

    @property
    def e2e(self) -> float | None:
        if self.ok and self.user_event is not None and self.answer_event is not None:
            return self.answer_event - self.user_event
        return None

    @property
    def client(self) -> float | None:
        if self.ok and self.client_received is not None:
            return self.client_received - self.client_sent
        return None


class StepTimeout(Exception):
    pass


Pred = Callable[[JSON], bool]


def buttons(view: JSON) -> list[tuple[str, str]]:
    """(text, callback_data) of a message view's inline keyboard."""
    markup = view.get("reply_markup") or {}
    return [(b.get("text", ""), b.get("callback_data", "")) for row in
            markup.get("inline_keyboard", []) for b in row]


def button_data(view: JSON, action: str) -> str | None:
    """The callback_data of Skewer's button for ``action`` (ActionData packs as k:<name>:...)."""
    for _, data in buttons(view):
        if data.split(":", 2)[:2] == ["k", action]:
            return data
    return None


class SimUser:
    def __init__(self, client: EmulatorClient, stream: EventStream, user_id: int,
                 timeout: float) -> None:
        self.client = client
        self.stream = stream
        self.id = user_id
        self.timeout = timeout
        self.inbox = stream.open(user_id)

    def close(self) -> None:
        self.stream.close_inbox(self.id)

    async def _next(self, pred: Callable[[JSON], bool], deadline: float) -> tuple[float, JSON]:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise StepTimeout
            try:
                received, ev = await asyncio.wait_for(self.inbox.get(), remaining)
            except TimeoutError:
                raise StepTimeout from None
            if pred(ev):
                return received, ev

    async def _act(self, step: Step, request: Awaitable[JSON], own: Callable[[JSON], Pred],
                   answer: Pred) -> JSON | None:
        deadline = time.monotonic() + self.timeout
        try:
            result = await request
            is_own = own(result)
            _, ev = await self._next(is_own, deadline)
            step.user_event = float(ev["time"])
            received, ev = await self._next(
                lambda e: e.get("type") == "message_new" and bool(e["message"]["from_bot"])
                and answer(e["message"]), deadline)
        except StepTimeout:
            step.error = "timeout"
            return None
        except Exception as e:
            step.error = f"{type(e).__name__}: {e}"[:200]
            return None
        step.answer_event = float(ev["time"])
        step.client_received = received
        step.ok = True
        return dict(ev["message"])

    async def send(self, text: str, label: str, answer: Pred, steps: list[Step]) -> JSON | None:
        step = Step(label, "message", time.time())
        steps.append(step)
        request = self.client.request("POST", f"/users/{self.id}/messages", {"text": text})

        def own(result: JSON) -> Pred:
            ids = {m["message_id"] for m in result["messages"]}
            return lambda e: (e.get("type") == "message_new" and not e["message"]["from_bot"]
                              and e["message"]["message_id"] in ids)

        return await self._act(step, request, own, answer)

    async def press(self, message: JSON, data: str, label: str, answer: Pred,
                    steps: list[Step]) -> JSON | None:
        step = Step(label, "callback_query", time.time())
        steps.append(step)
        request = self.client.request("POST", f"/users/{self.id}/press",
                                      {"callback_data": data, "message_id": message["message_id"]})

        def own(result: JSON) -> Pred:
            qid = result["callback_query_id"]
            return lambda e: e.get("type") == "callback_query" and e.get("callback_query_id") == qid

        return await self._act(step, request, own, answer)


# ------------------------------------------------------------------ scripts


def any_message(view: JSON) -> bool:
    return True


def has_button(*actions: str) -> Pred:
    return lambda view: any(button_data(view, a) for a in actions)


@dataclass
class Load:
    """What every simulated user shares: the clients, the stop flag and the results."""

    client: EmulatorClient
    stream: EventStream
    texts: list[tuple[str, str]]
    seed: int
    timeout: float
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    steps: list[Step] = field(default_factory=list)
    conversations: int = 0
    conversations_done: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)

    def count(self, outcome: str) -> None:
        self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1


async def echo_user(load: Load, slot: int) -> None:
    """One user sending message after message to the echo bot, each after the echo came."""
    rng = random.Random(load.seed * 1_000_003 + slot)
    lang, _ = rng.choice(load.texts)
    await load.client.user(20_000_000 + slot, rng.choice(FIRST_NAMES), language_code=lang)
    user = SimUser(load.client, load.stream, 20_000_000 + slot, load.timeout)
    try:
        while not load.stop.is_set():
            _, text = rng.choice(load.texts)
            await user.send(text, "echo", any_message, load.steps)
    finally:
        user.close()


async def customer(load: Load, slot: int) -> None:
    """One customer after another going through a whole complaint, as fast as answers come.

    story -> "That's everything" -> better-service answer (or Skip) -> order number when asked
    (or "I don't have one") -> Send -> confirmation. Each conversation is a new customer.
    """
    rng = random.Random(load.seed * 1_000_003 + slot)
    n = 0
    while not load.stop.is_set():
        uid = 30_000_000 + slot * 10_000 + n
        n += 1
        lang, story = rng.choice(load.texts)
        await load.client.user(uid, rng.choice(FIRST_NAMES), language_code=lang)
        user = SimUser(load.client, load.stream, uid, load.timeout)
        load.conversations += 1
        try:
            outcome = await _conversation(load, user, rng, lang, story)
        finally:
            user.close()
        load.count(outcome)
        if outcome in ("case", "compliment"):
            load.conversations_done += 1


async def _conversation(load: Load, user: SimUser, rng: random.Random, lang: str,
                        story: str) -> str:
    steps = load.steps
    prompt = await user.send(story, "story", has_button("done"), steps)
    if prompt is None:
        return "failed:story"
    done = button_data(prompt, "done")
    assert done is not None
    reply = await user.press(prompt, done, "done", any_message, steps)
    if reply is None:
        return "failed:done"
    skip = button_data(reply, "skipbetter")
    if skip is None:
        return "compliment" if not buttons(reply) else "unexpected:done"
    if rng.random() < 0.2:
        reply = await user.press(reply, skip, "better", has_button("noref", "send"), steps)
    else:
        reply = await user.send(rng.choice(BETTER.get(lang, BETTER["en"])), "better",
                                has_button("noref", "send"), steps)
    if reply is None:
        return "failed:better"
    noref = button_data(reply, "noref")
    if noref is not None:
        if rng.random() < 0.15:
            reply = await user.press(reply, noref, "reference", has_button("send"), steps)
        else:
            number = f"{rng.choice((2024, 2025, 2026))}-{rng.randrange(1_000_000):06d}"
            reply = await user.send(f"{'het is' if lang == 'nl' else 'it is'} {number}",
                                    "reference", has_button("send", "noref"), steps)
            if reply is not None and button_data(reply, "send") is None:
                again = button_data(reply, "noref")
                assert again is not None
                reply = await user.press(reply, again, "reference", has_button("send"), steps)
        if reply is None:
            return "failed:reference"
    send = button_data(reply, "send")
    if send is None:
        return "unexpected:summary"
    confirmation = await user.press(reply, send, "send", any_message, steps)
    if confirmation is None:
        return "failed:send"
    return "case" if REF.search(confirmation.get("text") or "") else "unexpected:send"
