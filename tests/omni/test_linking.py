"""One customer across channels, only on purpose: a /link code from one channel typed in the
other. Cases and replies then follow the customer to the channel they used last."""

from __future__ import annotations

import re
from datetime import timedelta

from tests.e2e.flows import finish_story, send, tell
from tests.omni.conftest import WebCustomer, base_url

CODE = re.compile(r"/link ([A-Z2-9]{6})")


async def test_link_telegram_to_web_then_replies_follow_the_customer(start_omni, emu, staff,
                                                                     http, clock) -> None:
    app = await start_omni()
    gina = await emu.user(5101, "Gina", language_code="en")
    await tell(gina, "The app crashes every time I try to pay, I cannot order anything")
    await finish_story(gina, asks_reference=False)
    ref, _ = await send(gina)
    tom, group = staff["tom"], staff["digital_group"]
    note = await tom.wait_for(ref, chat=group)

    # Same first name on the web: not merged on a name.
    web = WebCustomer(http, base_url(app), "en", "Gina")
    await web.connect()
    await web.send("/status")
    await web.wait_for("no cases")

    await gina.send("/link")
    code = CODE.search((await gina.wait_for("/link")).text).group(1)
    await web.send(f"/link {code.lower()}")
    linked = await web.wait_for("Linked")
    assert "1 moved" not in linked["text"]  # the web customer had no cases of their own
    await web.send("/status")
    status = await web.wait_for("Your cases")
    assert ref in status["text"]

    # The web chat is now the channel Gina used last: Tom's answer goes there, live.
    await tom.reply(note, "We found the bug, a fix is live.")
    answer = await web.wait_for("a fix is live")
    assert ref in answer["text"]
    await gina.expect_no_message(0.3)

    # A message from the web is a follow-up on her Telegram case.
    await web.send("great, it works")
    await web.wait_for("Passed on to")
    follow = await tom.wait_for("great, it works")
    assert ref in follow.text
    view = await app.omni.case_view(ref)
    assert view is not None
    assert [m["channel"] for m in view["messages"] if m["direction"] == "in"] == \
        ["telegram", "web"]
    # ... and Tom's /case view in Telegram shows the same timeline: each message, its channel.
    await tom.send(f"/case {ref}")
    shown = await tom.wait_for(lambda m: ref in m.text and "Berichten" in m.text)
    timeline = shown.text.split("Berichten, met het kanaal van elk:\n", 1)[1].splitlines()
    assert [line.split(" · ", 1)[1] for line in timeline] == [
        "klant via telegram: The app crashes every time I try to pay, I cannot order anything",
        "Tom aan de klant via web: We found the bug, a fix is live.",
        "klant via web: great, it works",
    ]
    assert [m["channel"] for m in view["messages"]] == ["telegram", "web", "web"]

    # The code worked once.
    other = WebCustomer(http, base_url(app), "en")
    await other.connect()
    await other.send(f"/link {code}")
    await other.wait_for("already used")
    await other.send("/link NOPE99")
    await other.wait_for("not known")

    # Codes expire.
    await other.send("/link")
    fresh = CODE.search((await other.wait_for("/link"))["text"]).group(1)
    clock.advance(timedelta(minutes=11))
    await gina.send(f"/link {fresh}")
    await gina.wait_for("expired")
    for c in (web, other):
        await c.close()


async def test_phone_agent_files_for_a_telegram_customer_with_their_link_code(
        start_omni, emu, staff, http) -> None:
    """The customer reads their /link code to a phone agent, whose desk files through the API:
    the case is theirs, and the owner's reply reaches them in Telegram."""
    from bot.apikeys import create_key
    from tests.e2e.conftest import NOW
    from tests.omni.test_rest_api import call

    app = await start_omni()
    base = base_url(app)
    key = await create_key(app.store, "intake", "phone desk", None, NOW)
    hugo = await emu.user(5301, "Hugo", language_code="en")
    await hugo.send("/link")
    code = CODE.search((await hugo.wait_for("/link")).text).group(1)
    complaint = {"text": "The app crashes every time I try to pay, I cannot order anything",
                 "customer": {"id": "call-7781", "name": "Hugo", "language": "en",
                              "link_code": "nope99"}}

    status, body = await call(http, "POST", f"{base}/api/v1/complaints", key, complaint)
    assert status == 404 and body["error"] == "link_unknown" and "not known" in body["message"]
    complaint["customer"]["link_code"] = code
    status, body = await call(http, "POST", f"{base}/api/v1/complaints", key, complaint)
    assert status == 201, body
    ref = body["reference"]

    await hugo.send("/status")
    assert ref in (await hugo.wait_for("Your cases")).text
    tom, group = staff["tom"], staff["digital_group"]
    note = await tom.wait_for(ref, chat=group)
    await tom.reply(note, "Fixed it, sorry for the trouble.")
    answer = await hugo.wait_for("Fixed it")
    assert ref in answer.text

    # Used once: the code does not work again, and nothing is filed.
    status, body = await call(http, "POST", f"{base}/api/v1/complaints", key,
                              {**complaint, "customer": {"id": "call-7782", "link_code": code}})
    assert status == 409 and body["error"] == "link_used"
    async with app.store.unit() as unit:
        assert len(await unit.all_cases()) == 1
