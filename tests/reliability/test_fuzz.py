"""Hostile input, property-based: hypothesis draws sequences of Telegram updates.

Random Unicode, huge texts, HTML and Markdown injection, forged or replayed callback data,
callbacks for another customer's case, non-staff using staff commands and buttons, unknown
update types, edited messages, media without captions. They go through the real aiogram
dispatcher; every answer goes through the outbox to the emulator, whose HTML parser refuses
markup the way Telegram does. Properties: never an unhandled exception, never unescaped markup
sent (no 400 "can't parse entities"), never a case shown to someone it does not belong to.
"""

from __future__ import annotations

import json
import re
from typing import Any

from aiogram.types import Update
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storage import outbox as q
from tests.reliability.test_crash import RESULTS, staff_users
from tests.reliability.test_faults import settled

CUSTOMERS = [6001, 6002, 6003]
NON_STAFF_IN_GROUP = 6009
STAFF = 1041  # Tom, digital team
GROUP = -1005001
UNKNOWN_GROUP = -1007777
REF = re.compile(r"\b[A-Z2-9]{3}-[A-Z2-9]{3}\b")

INJECTIONS = [
    "<b>bold</b>", "<script>alert(1)</script>", "</i>", "<a href='javascript:x'>x</a>", "&lt;",
    "&amp", "*bold* _it_ `code` [link](http://x)", "\\*", "<<>>", "<tg-spoiler>", "&#0;",
    "\u202etxet", "\u0000", "💥" * 50, "ＡＢＣ", "/take", "/resolve", "k:take:", "\n\n\n",
]


def text_strategy() -> st.SearchStrategy[str]:
    return st.one_of(
        st.text(max_size=200),
        st.lists(st.sampled_from(INJECTIONS), min_size=1, max_size=8).map(" ".join),
        st.builds(lambda w, n: (w + " ") * n, st.sampled_from([*INJECTIONS, "woord"]),
                  st.integers(300, 1200)),  # huge: up to ~10k characters
        st.sampled_from(["/start", "/new", "/status", "/help", "/language", "/language xx",
                         "/cancel", "/take ABC-234", "/resolve ABC-234 because", "/mycases",
                         "/case", "/reply", "/handover ABC-234 finance", "/consult x y", "/",
                         "/start@other_bot", "/" + "x" * 300]),
    )


def callback_strategy() -> st.SearchStrategy[str]:
    names = st.sampled_from(["send", "done", "change", "cancel", "chg", "skipbetter", "noref",
                             "rate", "nocomment", "lang", "take", "reply", "resolve", "handover",
                             "consult", "cause", "ho", "co", "zz"])
    refs = st.one_of(st.just("{ref}"), st.sampled_from(["", "ABC-234", "abc", "x" * 30]),
                     st.text(max_size=10))
    args = st.one_of(st.sampled_from(["", "1", "5", "9", "-1", "nl", "other", "finance"]),
                     st.text(max_size=8))
    forged = st.builds(lambda n, r, a: f"k:{n}:{r}:{a}", names, refs, args)
    return st.one_of(forged, st.text(max_size=70), st.just("k:"), st.just(""))


def event_strategy() -> st.SearchStrategy[dict[str, Any]]:
    who = st.sampled_from([*CUSTOMERS, STAFF, NON_STAFF_IN_GROUP])
    where = st.sampled_from(["private", "private", "private", "group", "unknown_group"])
    kind = st.sampled_from(["text", "text", "text", "callback", "callback", "photo",
                            "document", "sticker", "edit", "unknown", "reply"])
    return st.fixed_dictionaries({
        "who": who, "where": where, "kind": kind, "text": text_strategy(),
        "data": callback_strategy(), "caption": st.one_of(st.none(), text_strategy()),
    })


SEQUENCES: list[list[dict[str, Any]]] = []


@settings(max_examples=300, database=None, derandomize=True, deadline=None,
          suppress_health_check=list(HealthCheck))
@given(st.lists(event_strategy(), min_size=1, max_size=6))
def _draw(seq: list[dict[str, Any]]) -> None:
    SEQUENCES.append(seq)


class Feeder:
    """Builds raw Telegram updates and feeds them to the app's dispatcher."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.update_id = 10_000_000
        self.message_id = 500_000
        self.refs: list[str] = []

    def _chat(self, ev: dict[str, Any]) -> dict[str, Any]:
        if ev["where"] == "group":
            return {"id": GROUP, "type": "supergroup", "title": "Digitaal"}
        if ev["where"] == "unknown_group":
            return {"id": UNKNOWN_GROUP, "type": "group", "title": "Random"}
        return {"id": ev["who"], "type": "private", "first_name": "Fuzz"}

    def build(self, ev: dict[str, Any]) -> dict[str, Any]:
        self.update_id += 1
        self.message_id += 1
        user = {"id": ev["who"], "is_bot": False, "first_name": "Fuzz<b>", "language_code":
                "nl" if ev["who"] % 2 else "en"}
        chat = self._chat(ev)
        base = {"message_id": self.message_id, "date": 1795000000, "chat": chat, "from": user}
        kind = ev["kind"]
        ref = self.refs[ev["who"] % len(self.refs)] if self.refs else "ABC-234"
        if kind == "callback":
            msg = {"message_id": self.message_id, "date": 1795000000, "chat": chat,
                   "from": {"id": 123456789, "is_bot": True, "first_name": "Skewer"},
                   "text": "old message"}
            data = ev["data"].replace("{ref}", ref).encode()[:64].decode(errors="ignore")
            return {"update_id": self.update_id, "callback_query": {
                "id": f"fz{self.update_id}", "from": user, "chat_instance": "1", "data": data,
                "message": msg}}
        if kind == "photo":
            base["photo"] = [{"file_id": f"ph{self.message_id}", "file_unique_id": "u",
                              "width": 10, "height": 10}]
            if ev["caption"]:
                base["caption"] = ev["caption"][:1024]
        elif kind == "document":
            base["document"] = {"file_id": f"doc{self.message_id}", "file_unique_id": "u",
                                "file_name": ev["caption"] or None}
        elif kind == "sticker":
            base["sticker"] = {"file_id": "st", "file_unique_id": "u", "type": "regular",
                               "width": 1, "height": 1, "is_animated": False,
                               "is_video": False}
        elif kind == "reply":
            base["text"] = ev["text"][:4096] or "x"
            base["reply_to_message"] = {
                "message_id": 1, "date": 1795000000, "chat": chat,
                "from": {"id": 123456789, "is_bot": True, "first_name": "Skewer"},
                "text": f"🤝 Nieuwe zaak {ref} <b>"}
        else:
            base["text"] = ev["text"][:4096] or " "
        if kind == "edit":
            base["edit_date"] = 1795000001
            return {"update_id": self.update_id, "edited_message": base}
        if kind == "unknown":
            return {"update_id": self.update_id, "my_chat_member": {
                "chat": chat, "from": user, "date": 1795000000,
                "old_chat_member": {"status": "left", "user": user},
                "new_chat_member": {"status": "member", "user": user}}}
        return {"update_id": self.update_id, "message": base}

    async def feed(self, raw: dict[str, Any]) -> None:
        update = Update.model_validate(raw, context={"bot": self.app.bot})
        await self.app.dp.feed_update(self.app.bot, update)


async def test_hostile_updates_never_crash_leak_or_send_bad_markup(emu, start_skewer, staff,
                                                                   tmp_path) -> None:
    from tests.conftest import CONFIG
    from tests.e2e.flows import file_complaint

    _draw()
    assert len(SEQUENCES) >= 250
    # The flood limit has its own test; here it would turn most fuzzed messages away.
    config = tmp_path / "config.yaml"
    config.write_text(CONFIG.read_text().replace(
        "  mode: polling", "  mode: polling\n  flood_per_minute: 100000", 1))
    app = await start_skewer("polling", config=config)
    await app.poller.stop()  # updates come from the feeder alone
    for cid in [*CUSTOMERS, NON_STAFF_IN_GROUP]:
        await emu.user(cid, f"Fuzz{cid}", language_code="en")
    await staff_users(emu)
    # Real cases to aim forged callbacks and replies at.
    feeder = Feeder(app)
    owner_of: dict[str, int] = {}
    for cid in CUSTOMERS[:2]:
        user = await emu.user(cid, f"Fuzz{cid}", language_code="en")
        app.poller.start()
        ref = await file_complaint(user, "the app crashes every time I try to pay my order")
        await app.poller.stop()
        feeder.refs.append(ref)
        owner_of[ref] = cid

    fed = 0
    for seq in SEQUENCES:
        for ev in seq:
            raw = feeder.build(ev)
            try:
                await feeder.feed(raw)
            except Exception as e:  # pragma: no cover - the property under test
                detail = json.dumps(raw)[:600]
                raise AssertionError(f"unhandled {type(e).__name__} for update {detail}") from e
            fed += 1
    await settled(app)

    metrics = app.metrics.updates.collect()[0].samples
    errors = [s for s in metrics if s.labels.get("outcome") == "error" and s.value]
    assert not errors, f"unhandled errors inside the service: {errors}"

    async with app.store.unit() as unit:
        rows = await q.list_messages(unit, None, 100_000)
        cases = await unit.all_cases()
        idents = {c.id: await unit.identities(c.customer_id) for c in cases}
    bad_markup = [r for r in rows if r.status == "dead" and "parse entities" in (r.last_error or "")]
    assert not bad_markup, f"markup Telegram refused: {[r.payload for r in bad_markup][:2]}"
    # A customer's chat only ever shows references of that customer's own cases.
    ref_owner = {c.reference: {i.chat_id for i in idents[c.id]} for c in cases}
    staff_chats = {"1001", "1002", "1003", "1011", "1012", "1013", "1021", "1022", "1023", "1031",
                   "1032", "1041", "1042", "1051", "1061", "1062", "1063", "1071", str(GROUP)}
    for r in rows:
        if r.chat_id in staff_chats or r.payload.get("type") != "text":
            continue
        for ref in REF.findall(r.payload.get("text", "")):
            if ref in ref_owner:
                assert r.chat_id in ref_owner[ref], (
                    f"case {ref} shown in chat {r.chat_id}: {r.payload['text'][:200]}")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "fuzz.json").write_text(json.dumps({
        "sequences": len(SEQUENCES), "updates_fed": fed, "messages_sent": len(rows),
        "unhandled": 0, "bad_markup": 0, "leaks": 0}))
