"""The same complaint on Telegram, web chat, REST and Rasa: the same owner gets the same
notification, the only differences being the reference, the channel and the customer's name."""

from __future__ import annotations

import dataclasses
import re

from bot.apikeys import create_key
from tests.e2e.conftest import NOW
from tests.e2e.flows import REF, finish_story, send, tell
from tests.omni.conftest import WebCustomer, base_url
from tests.omni.test_rasa import SECRET, post, recorded, slots
from tests.omni.test_rest_api import call

STORY = "The app crashes every time I try to pay, I cannot order anything"
BETTER = "Test the payment page before releasing."


def normalised(text: str, ref: str) -> str:
    text = text.replace(ref, "REF")
    text = re.sub(r"· (telegram|web|api|rasa) \(", "· CHANNEL (", text)
    return re.sub(r"(Klant: ).*", r"\1NAME", text)


async def test_one_complaint_four_channels_one_owner(start_omni, emu, staff, http) -> None:
    app = await start_omni()
    app.runtime = dataclasses.replace(app.runtime, rasa_secret=SECRET)
    base = base_url(app)
    refs: dict[str, str] = {}

    kim = await emu.user(5201, "Kim", language_code="en")
    await tell(kim, STORY)
    await finish_story(kim, better=BETTER, asks_reference=False)
    refs["telegram"], _ = await send(kim)

    web = WebCustomer(http, base, "en", "Kim")
    await web.connect()
    await web.send(STORY)
    await web.wait_for("That's everything")
    await web.press("That's everything")
    await web.wait_for("how could we have served you better?")
    await web.send(BETTER)
    await web.wait_for("Shall I send it?")
    await web.press("Send")
    refs["web"] = REF.search((await web.wait_for("Your case number is"))["text"]).group(1)
    await web.close()

    key = await create_key(app.store, "intake", "CRM", None, NOW)
    status, body = await call(http, "POST", f"{base}/api/v1/complaints", key,
                              {"text": STORY, "better_service": BETTER,
                               "customer": {"id": "kim", "name": "Kim", "language": "en"}})
    assert status == 201
    refs["api"] = body["reference"]

    status, body = await post(http, f"{base}/webhook", recorded("03_action_file_complaint.json"))
    assert status == 200
    refs["rasa"] = slots(body)["case_reference"]

    group, tom = staff["digital_group"], staff["tom"]
    notes = {ch: await tom.wait_for(ref, chat=group) for ch, ref in refs.items()}
    shapes = {ch: normalised(n.text, refs[ch]) for ch, n in notes.items()}
    assert len(set(shapes.values())) == 1, shapes
    assert all(n.button_texts == notes["telegram"].button_texts for n in notes.values())
    for ch, note in notes.items():
        assert f"· {ch} (en)" in note.text
