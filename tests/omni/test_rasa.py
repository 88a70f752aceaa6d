"""Rasa: recorded action-server calls replayed against the mounted /webhook. A complaint filed
through a Rasa form reaches its owner in Telegram like a chat one; replays change nothing."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path
from typing import Any

import aiohttp

from tests.omni.conftest import base_url

PAYLOADS = Path(__file__).parent / "rasa_payloads"
REF = re.compile(r"\b([A-Z2-9]{3}-[A-Z2-9]{3})\b")
SECRET = "rasa-shared-secret"


def recorded(name: str, ref: str = "") -> dict[str, Any]:
    text = (PAYLOADS / name).read_text("utf-8").replace("{{REF}}", ref)
    return dict(json.loads(text))


async def post(http: aiohttp.ClientSession, url: str, payload: Any, secret: str | None = SECRET,
               raw: bytes | None = None) -> tuple[int, Any]:
    headers = {"X-Skewer-Rasa-Secret": secret} if secret else {}
    if raw is not None:
        headers["Content-Type"] = "application/json"
    async with http.post(url, json=None if raw is not None else payload, data=raw,
                         headers=headers) as r:
        return r.status, await r.json()


def texts(body: dict[str, Any]) -> list[str]:
    return [r.get("text") or "" for r in body["responses"]]


def slots(body: dict[str, Any]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in body["events"] if e["event"] == "slot"}


async def test_rasa_complaint_reaches_owner_and_replays_change_nothing(start_omni, emu, staff,
                                                                       http) -> None:
    app = await start_omni()
    app.runtime = dataclasses.replace(app.runtime, rasa_secret=SECRET)
    url = f"{base_url(app)}/webhook"

    status, body = await post(http, url, recorded("01_validate_complaint_text.json"))
    assert status == 200, body
    got = slots(body)
    assert got["complaint_text"].startswith("The app crashes") and got["requested_slot"] == \
        "complaint_better"
    status, body = await post(http, url, recorded("02_validate_complaint_better.json"))
    assert status == 200
    # A webshop complaint needs no order number: the form is complete, as in the chat.
    assert slots(body)["requested_slot"] is None

    status, body = await post(http, url, recorded("03_action_file_complaint.json"))
    assert status == 200, body
    said = " ".join(texts(body))
    assert "Your case number is" in said and "<b>" not in said
    ref = slots(body)["case_reference"]
    assert REF.fullmatch(ref)

    group, tom = staff["digital_group"], staff["tom"]
    note = await tom.wait_for(ref, chat=group)
    assert "Test the payment page before releasing." in note.text and "rasa" in note.text

    # Rasa retries a call (or someone replays it): the same case, no second notification.
    status, body = await post(http, url, recorded("03_action_file_complaint.json"))
    assert status == 200 and ref in " ".join(texts(body)) and "already sent" in " ".join(texts(body))
    await tom.expect_no_message(0.3, chat=group)
    async with app.store.unit() as unit:
        assert len(await unit.all_cases()) == 1

    status, body = await post(http, url, recorded("04_action_case_status.json"))
    assert status == 200 and ref in " ".join(texts(body))

    # Staff resolve in Telegram; the customer hears it at their next Rasa turn, and rates.
    await tom.send(f"/resolve {ref} software bug")
    await tom.wait_for("opgelost door")
    status, body = await post(http, url, recorded("04_action_case_status.json"))
    said = " ".join(texts(body))
    assert "as solved" in said and "How satisfied" in said
    assert slots(body)["skewer_seen"] > 0
    status, body = await post(http, url, recorded("05_action_case_feedback.json", ref))
    assert status == 200 and "Thank you" in " ".join(texts(body))
    score = await tom.wait_for("4/5")
    assert ref in score.text


async def test_rasa_refusals_never_echo_the_conversation(start_omni, emu, http) -> None:
    app = await start_omni()
    app.runtime = dataclasses.replace(app.runtime, rasa_secret=SECRET)
    url = f"{base_url(app)}/webhook"
    call = recorded("03_action_file_complaint.json")

    status, body = await post(http, url, call, secret=None)
    assert status == 401 and body == {"error": "unauthorized"}
    status, body = await post(http, url, call, secret="wrong")
    assert status == 401
    status, body = await post(http, url, None, raw=b'{"next_action": "action_file_complaint", "tr')
    assert status == 400 and "crashes" not in json.dumps(body)
    status, body = await post(http, url, {**call, "next_action": "action_nope"})
    assert status == 404 and "crashes" not in json.dumps(body)
    status, body = await post(http, url, {**call, "tracker": {"no": "sender"}})
    assert status == 400 and "crashes" not in json.dumps(body)
    async with app.store.unit() as unit:
        assert await unit.all_cases() == []

    async with http.get(f"{base_url(app)}/actions",
                        headers={"X-Skewer-Rasa-Secret": SECRET}) as r:
        names = {a["name"] for a in await r.json()}
    assert names == {"action_file_complaint", "validate_complaint_form", "action_case_status",
                     "action_case_feedback"}


async def test_standalone_rasa_sdk_actions_use_the_same_database(start_omni, emu, staff, clock,
                                                                 db_url, monkeypatch) -> None:
    """`python -m rasa_sdk --actions handlers.rasa`: the executor finds the four actions, and
    they build their use-cases from the environment; Skewer's worker notifies the owner. Both
    sides run on the test's clock, as both run on the system clock in production."""
    from rasa_sdk.executor import ActionExecutor

    import bot.rasa_standalone
    from tests.conftest import CONFIG

    await start_omni()  # the running service: migrations done, its outbox worker sends
    monkeypatch.setenv("SKEWER_CONFIG", str(CONFIG))
    monkeypatch.setenv("SKEWER_DATABASE_URL", db_url)
    monkeypatch.setattr(bot.rasa_standalone, "clock", clock)
    bot.rasa_standalone.cases.cache_clear()
    executor = ActionExecutor()
    executor.register_package("handlers.rasa")
    assert {a.name for a in executor.list_actions()} == {
        "action_file_complaint", "validate_complaint_form", "action_case_status",
        "action_case_feedback"}
    try:
        result = await executor.run(recorded("03_action_file_complaint.json"))
        assert result is not None
        said = " ".join(m.get("text") or "" for m in result.model_dump()["responses"])
        ref = REF.search(said).group(1)
        await staff["tom"].wait_for(ref, chat=staff["digital_group"])
    finally:
        await bot.rasa_standalone.cases().store.dispose()
        bot.rasa_standalone.cases.cache_clear()
