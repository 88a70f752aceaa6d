"""One customer across channels, only on purpose: a /link code from one channel typed in the
other. Cases and replies then follow the customer to the channel they used last."""

from __future__ import annotations

import re
from datetime import timedelta

from tests.omni.conftest import WebCustomer, base_url

REF = re.compile(r"\b([A-Z2-9]{3}-[A-Z2-9]{3})\b")
CODE = re.compile(r"/link ([A-Z2-9]{6})")


async def test_link_telegram_to_web_then_replies_follow_the_customer(start_omni, emu, staff,
                                                                     http, clock) -> None:
    app = await start_omni()
    gina = await emu.user(5101, "Gina", language_code="en")
    await gina.send("The app crashes every time I try to pay, I cannot order anything")
    await gina.wait_for("That's everything")
    await gina.press("That's everything")
    await gina.wait_for("how could we have served you better?")
    await gina.press("Skip")
    await gina.wait_for("Shall I send it?")
    await gina.press("Send")
    ref = REF.search((await gina.wait_for("Your case number is")).text).group(1)
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
