"""Bad input: each gets a clear answer, and nothing the customer sent is lost.

Stickers and empty messages, a paste Telegram splits in three, markup in customer text, unknown
commands, old buttons, a double press on Send, the database down at Send, the same update
delivered twice, and a config file with a typo.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from bot.app import SkewerApp
from bot.export import export
from bot.settings import load_config
from emulator.testing import CallbackPress, TgMessage, TgUser
from routing.config import ConfigError
from tests.conftest import CONFIG, ROOT
from tests.e2e.flows import finish_story, ref_of, send, tell, to_summary

WEBSHOP = "I can't log in to my account, the website keeps rejecting my password"


async def cases(app: SkewerApp) -> list[Any]:
    async with app.store.unit() as unit:
        return await unit.all_cases()


async def exported(app: SkewerApp) -> list[dict[str, Any]]:
    buf = StringIO()
    await export(app.store, app.config, buf)
    return [json.loads(line) for line in buf.getvalue().splitlines()]


async def forged(user: TgUser, message: TgMessage, data: str) -> CallbackPress:
    """Press a button with made-up callback data on one of the bot's messages."""
    result = await user.client.request("POST", f"/users/{user.id}/press", {
        "message_id": message.message_id, "callback_data": data, "force": True})
    return CallbackPress(user.client, result["callback_query_id"], result["chat_id"],
                         result["message_id"], result["data"])


def raw_message(user: TgUser, message_id: int, **content: Any) -> dict[str, Any]:
    """A Telegram Message JSON from the user, for updates the test client cannot produce."""
    me = {"id": user.id, "is_bot": False, "first_name": user.first_name,
          "language_code": user.language_code}
    return {"message_id": message_id, "date": int(time.time()), "from": me,
            "chat": {"id": user.id, "type": "private", "first_name": user.first_name},
            **content}


# -- no words ----------------------------------------------------------------------------
async def test_no_words_and_unknown_commands_get_an_answer_and_lose_nothing(
        skewer: SkewerApp, emu) -> None:
    ann = await emu.user(8001, "Ann", language_code="en")
    await ann.send_sticker("😡")
    ask = await ann.wait_for("in words")
    assert "sticker" in ask.text
    assert await cases(skewer) == []

    await tell(ann, "The website logs me out every time I pay.")
    await ann.send_sticker("🤬")
    await ann.wait_for("in words")
    # A message with nothing to read (a location; Telegram clients send those too).
    await emu.inject_update("message", raw_message(
        ann, 9001, location={"latitude": 52.37, "longitude": 4.89}))
    empty = await ann.wait_for("I didn't get any words there")
    assert empty.text.startswith("I didn't get any words there")
    await ann.send("And my password reset link is expired.")
    summary = await finish_story(ann, asks_reference=False)
    assert "logs me out" in summary.text and "reset link is expired" in summary.text
    await send(ann)
    (case,) = await cases(skewer)
    assert case.text == ("The website logs me out every time I pay.\n"
                         "And my password reset link is expired.")

    # Unknown commands in the middle of a story: answered, and the story is kept.
    gus = await emu.user(8005, "Gus", language_code="en")
    await tell(gus, "The webshop cart empties itself.")
    await gus.send("/refund now")
    unknown = await gus.wait_for("I don't know the command")
    assert "/refund" in unknown.text and "/help" in unknown.text
    await gus.send("/help@SkewerBot")
    await gus.wait_for("/status")
    summary = await finish_story(gus, asks_reference=False)
    assert "cart empties itself" in summary.text
    assert "/refund" not in summary.text and "/help" not in summary.text


# -- a long paste ------------------------------------------------------------------------
async def test_long_pastes_are_gathered_where_they_were_written(skewer: SkewerApp, emu,
                                                                staff) -> None:
    words = [f"word{n:04d}" for n in range(1200)]
    paste = ("My account on the website is broken. " + " ".join(words))[:10_000].rsplit(" ", 1)[0]
    assert len(paste) > 9_900
    bea = await emu.user(8002, "Bea", language_code="en")
    sent = await bea.send(paste)
    assert len(sent.parts) == 3, "the emulator splits like a Telegram client"
    await bea.wait_for("That's everything")
    summary = await finish_story(bea, asks_reference=False)
    assert "[…]" in summary.text  # the summary shows the start, not 10,000 characters
    ref, _ = await send(bea)

    (row,) = await exported(skewer)
    assert row["reference"] == ref
    assert row["text"].split() == paste.split(), "every word, once, in order"
    note = await staff["tom"].wait_for(ref, chat=staff["digital_group"])
    assert "My account on the website is broken." in note.text and "[…]" in note.text

    # Telegram splits any paste over 4096 characters, not only the story.
    better = "Better: " + " ".join(f"idea{n:04d}" for n in range(700))
    comment = "Comment: " + " ".join(f"note{n:04d}" for n in range(700))
    assert len(better) > 4096 and len(comment) > 4096
    mo = await emu.user(8012, "Mo", language_code="en")
    await tell(mo, WEBSHOP)
    await mo.press("That's everything")
    await mo.wait_for("served you better")
    assert len((await mo.send(better)).parts) == 2
    summary = await mo.wait_for("Shall I send it?")
    await mo.press("Send", message=summary)
    ref = ref_of(await mo.wait_for("Your case number is"))
    case = (await cases(skewer))[-1]
    assert case.text == WEBSHOP, "the rest of the better-service answer went into the story"
    assert case.better_service.split() == better.split()

    await staff["tom"].send(f"/resolve {ref} software bug")
    await mo.wait_for("How satisfied")
    await mo.press("2")
    await mo.wait_for("anything else")
    assert len((await mo.send(comment)).parts) == 2
    await mo.wait_for("Thank you for your feedback")
    await mo.send("/status")
    await mo.wait_for("Your cases:")
    texts = [m.text for m in await mo.bot_messages()]
    assert sum(t.startswith("Hello Mo") for t in texts) == 1, "a new intake was started"
    async with skewer.store.unit() as unit:
        fb = await unit.feedback(case.id)
    assert fb.score == 2 and fb.comment.split() == comment.split()
    # Tom got both parts (each cut to fit a message; the whole comment is stored).
    got = [m.text for m in await staff["tom"].bot_messages() if f"Beoordeling van {ref}" in m.text]
    assert len(got) == 3 and "note0000" in got[1] and "note06" in got[2], got


# -- markup in customer text -------------------------------------------------------------
async def test_html_and_markdown_from_customers_are_shown_literally(skewer: SkewerApp, emu,
                                                                    staff) -> None:
    story = ("The <b>website</b> login fails & shows *error* _500_ `x` <script>alert(1)</script>"
             " [click](http://evil.example) </i>")
    better = "Say <i>sorry</i> & <u>fix</u> it"
    eve = await emu.user(8003, "<b>Eve</b>", language_code="en")
    await tell(eve, story, photo="<b>screenshot</b> & more")
    summary = await finish_story(eve, better=better, asks_reference=False)
    assert story in summary.text and better in summary.text
    ref, _ = await send(eve)

    group, tom = staff["digital_group"], staff["tom"]
    note = await tom.wait_for(ref, chat=group)
    # The emulator accepted the HTML (else nothing would have arrived), and the customer's
    # markup is text: shown literally, escaped in the HTML, never formatting.
    assert story in note.text and better in note.text and "<b>Eve</b>" in note.text
    assert "&lt;b&gt;website&lt;/b&gt;" in note.html and "&lt;script&gt;" in note.html
    start = note.text.index(story)
    for e in note.entities:
        if e["type"] in ("bot_command", "url", "mention", "hashtag", "email"):
            continue  # detected by Telegram in any text, not markup
        inside = e["offset"] < start + len(story) and e["offset"] + e["length"] > start
        assert not inside, f"customer text got formatting: {e}"
    photo = await tom.wait_for(lambda m: m.kind == "photo", chat=group)
    assert "<b>screenshot</b> & more" in photo.text
    (case,) = await cases(skewer)
    # A caption is part of the story too.
    assert case.text == story + "\n<b>screenshot</b> & more" and case.better_service == better

    # ... and the same when the customer writes again on the open case.
    await eve.send("<b>still</b> broken")
    await eve.wait_for("Passed on to")
    relayed = await tom.wait_for("still", chat=group)
    assert "<b>still</b> broken" in relayed.text

    # A long story full of markup: escaping makes it longer than 4096; it still arrives.
    story = "The website app fails <&> " + "<b>&amp;</b> " * 300
    fred = await emu.user(8004, "Fred", language_code="en")
    await to_summary(fred, story)
    ref, _ = await send(fred)
    note = await tom.wait_for(ref, chat=group)
    assert "The website app fails <&> <b>&amp;</b>" in note.text
    last = await tom.wait_for(lambda m: bool(m.button_texts), chat=group)
    assert "Oppakken" in last.button_texts


# -- commands and buttons that do not fit ------------------------------------------------
async def test_old_buttons_of_an_earlier_intake_or_a_closed_case(skewer: SkewerApp, emu,
                                                                 staff) -> None:
    ida = await emu.user(8007, "Ida", language_code="en")
    old_summary = await to_summary(ida, WEBSHOP)
    await ida.press("Cancel", message=old_summary)
    await ida.wait_for("Cancelled")
    toast = await (await ida.press("Send", message=old_summary)).answer()
    assert "earlier conversation" in toast["text"] and toast["show_alert"]
    assert await cases(skewer) == []

    # A new intake; the old intake's buttons still do nothing to it.
    await ida.send("/new")
    await ida.wait_for("Hello Ida")
    await ida.send("The website shows someone else's order in my account.")
    story_prompt = await ida.wait_for("That's everything")
    toast = await (await ida.press("Change", message=old_summary)).answer()
    assert "earlier conversation" in toast["text"]
    await ida.press("That's everything", message=story_prompt)
    await ida.wait_for("served you better")
    await ida.press("Skip")
    summary = await ida.wait_for("Shall I send it?")
    assert "someone else's order" in summary.text and "rejecting my password" not in summary.text
    await ida.press("Send", message=summary)
    ref = ref_of(await ida.wait_for("Your case number is"))

    # Buttons of the closed case: the rating once given, the old story prompt.
    await staff["tom"].send(f"/resolve {ref} software bug")
    rate = await ida.wait_for("How satisfied")
    await ida.press("4", message=rate)
    await ida.wait_for("anything else")
    await ida.press("No, thanks")
    await ida.wait_for("Thank you for your feedback")
    await ida.press("1", message=rate)
    again = await ida.wait_for("already rated")
    assert ref in again.text
    async with skewer.store.unit() as unit:
        (case,) = await unit.all_cases()
        assert (await unit.feedback(case.id)).score == 4
    toast = await (await ida.press("That's everything", message=story_prompt)).answer()
    assert toast["text"], "an old button must say why nothing happens"
    # Made-up callback data is refused without harm.
    toast = await (await forged(ida, rate, "garbage")).answer()
    assert "earlier conversation" in toast["text"]
    toast = await (await forged(ida, rate, "k:send:ffffff:")).answer()
    assert "earlier conversation" in toast["text"]
    assert len(await cases(skewer)) == 1


# -- Send pressed twice ------------------------------------------------------------------
async def test_double_press_on_send_makes_one_case(skewer: SkewerApp, emu, staff) -> None:
    jan = await emu.user(8008, "Jan", language_code="en")
    summary = await to_summary(jan, WEBSHOP)
    first = await jan.press("Send", message=summary)
    second = await jan.press("Send", message=summary)
    ref = ref_of(await jan.wait_for("Your case number is"))
    again = await jan.wait_for("already sent")
    assert ref in again.text
    assert (await first.answer())["text"] in (None, "")
    assert ref in (await second.answer())["text"]
    (case,) = await cases(skewer)
    assert case.reference == ref
    notes = [m for m in await staff["tom"].bot_messages(chat=staff["digital_group"])
             if ref in m.text and m.button_texts]
    assert len(notes) == 1
    await jan.expect_no_message(0.3)


# -- the database down at Send -----------------------------------------------------------
class DatabaseDown:
    """Makes the database refuse statements, as a full disk or a lost server would.

    The error is raised by the DB driver inside the real statement, so it goes through the
    store's own error translation, the rollback, and the adapter's retry, like the real thing.
    `table`: refuse inserts into that table only (the outbox worker keeps working meanwhile).
    """

    def __init__(self, app: SkewerApp, table: str) -> None:
        self.engine = app.store.engine.sync_engine
        self.error = app.store.engine.dialect.loaded_dbapi.OperationalError
        self.prefix = f"INSERT INTO {table.upper()} "
        self.refused = 0

    def __enter__(self) -> DatabaseDown:
        event.listen(self.engine, "before_cursor_execute", self._check)
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._check)

    def _check(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith(self.prefix):
            self.refused += 1
            raise self.error("disk I/O error")


async def test_database_down_at_send_or_while_writing(skewer: SkewerApp, emu, staff) -> None:
    kees = await emu.user(8009, "Kees", language_code="en")
    summary = await to_summary(kees, WEBSHOP)
    with DatabaseDown(skewer, "cases") as db:
        await kees.press("Send", message=summary)
        sorry = await kees.wait_for("did not go through")
        assert "press <b>Send</b> again" not in sorry.text, "markup shown as text"
        assert "press Send again" in sorry.text
        assert db.refused == 1
        assert await cases(skewer) == []
        await kees.expect_no_message(0.3)  # above all: no confirmation
    # The database is back: Send works, once.
    await kees.press("Send", message=summary)
    ref = ref_of(await kees.wait_for("Your case number is"))
    (case,) = await cases(skewer)
    assert case.reference == ref and case.text == WEBSHOP
    await staff["tom"].wait_for(ref, chat=staff["digital_group"])
    texts = [m.text for m in await kees.bot_messages()]
    assert sum("did not go through" in t for t in texts) == 1
    assert sum("Your case number is" in t for t in texts) == 1

    # Down while the customer writes: the message is kept and stored when the DB is back.
    lia = await emu.user(8011, "Lia", language_code="en")
    await tell(lia, "The website logs me out at checkout.")
    with DatabaseDown(skewer, "inbound_events") as db:
        await lia.send("It started after the last app update.")
        sorry = await lia.wait_for("cannot save your message")
        assert "no need to send it again" in sorry.text
        # The adapter retries the message while the database is down (Telegram keeps it)...
        await emu.sleep_until(lambda: db.refused >= 2, timeout=10)
        texts = [m.text for m in await lia.bot_messages()]
        # ... and the customer is told once, not once per try.
        assert sum("cannot save your message" in t for t in texts) == 1, texts
    summary = await finish_story(lia, asks_reference=False)
    assert summary.text.count("after the last app update") == 1
    assert "logs me out at checkout" in summary.text


# -- the same update twice ---------------------------------------------------------------
async def test_the_same_update_delivered_twice_has_one_effect(skewer: SkewerApp, emu,
                                                              staff) -> None:
    lou = await emu.user(8010, "Lou", language_code="en")
    story = await lou.send("The website checkout page stays blank.")
    await lou.wait_for("That's everything")
    # Telegram delivers the very same message again (same chat and message id).
    await emu.inject_update("message", story.message)
    await lou.send("It happens on my phone and my laptop.")
    summary = await finish_story(lou, asks_reference=False)
    press = await lou.press("Send", message=summary)
    conf = await lou.wait_for("Your case number is")
    ref = ref_of(conf)
    # ... and the Send press again (same callback query id).
    await emu.inject_update("callback_query", {
        "id": press.id, "from": {"id": lou.id, "is_bot": False, "first_name": "Lou",
                                 "language_code": "en"},
        "message": summary.message, "chat_instance": "1", "data": press.data})
    await lou.send("/status")  # a marker: everything before it has been handled
    status = await lou.wait_for("Your cases:")
    assert status.text.count(ref) == 1
    between = [m for m in await lou.bot_messages()
               if conf.message_id < m.message_id < status.message_id]
    assert between == [], [str(m) for m in between]
    (case,) = await cases(skewer)
    assert case.text == ("The website checkout page stays blank.\n"
                         "It happens on my phone and my laptop.")
    notes = [m for m in await staff["tom"].bot_messages(chat=staff["digital_group"])
             if ref in m.text and m.button_texts]
    assert len(notes) == 1


# -- a broken config ---------------------------------------------------------------------
def _broken_config(tmp_path: Path) -> tuple[Path, int]:
    text = CONFIG.read_text("utf-8")
    assert "    requires_reference: true" in text
    bad = tmp_path / "bad.yaml"
    bad.write_text(text.replace("    requires_reference: true", "    requires_referense: true", 1),
                   "utf-8")
    line = next(n for n, row in enumerate(bad.read_text("utf-8").splitlines(), 1)
                if "requires_referense" in row)
    return bad, line


def test_broken_config_names_file_line_and_key(tmp_path: Path) -> None:
    bad, line = _broken_config(tmp_path)
    with pytest.raises(ConfigError) as err:
        load_config(bad)
    (problem,) = err.value.problems
    assert (problem.file, problem.line) == (str(bad), line)
    assert problem.key.endswith("requires_referense")
    assert f"{bad}:{line}" in str(err.value)


def test_skewer_refuses_to_start_on_a_broken_config(tmp_path: Path) -> None:
    bad, line = _broken_config(tmp_path)
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "HOME": str(tmp_path)}
    proc = subprocess.run([sys.executable, "-m", "bot", "run", "--config", str(bad)],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0
    assert f"{bad}:{line}" in proc.stderr and "requires_referense" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "skewer.db").exists(), "nothing started before the config was checked"



