"""The REST API: a complaint filed by a CRM reaches its owner in Telegram like a chat one;
keys are scoped and hashed; bad calls get clear errors and change nothing."""

from __future__ import annotations

from typing import Any

import aiohttp

from bot.apikeys import create_key, revoke_key
from tests.e2e.conftest import NOW
from tests.omni.conftest import base_url


async def call(http: aiohttp.ClientSession, method: str, url: str, key: str | None = None,
               body: Any = None, raw: bytes | None = None, **headers: str) -> tuple[int, Any]:
    h = dict(headers)
    if key is not None:
        h["Authorization"] = f"Bearer {key}"
    if raw is not None:
        h["Content-Type"] = "application/json"
    async with http.request(method, url, json=body if raw is None else None, data=raw,
                            headers=h) as r:
        return r.status, await r.json()


async def test_api_complaint_reaches_owner_and_staff_work_through_api(start_omni, emu, staff,
                                                                      http) -> None:
    app = await start_omni()
    base = base_url(app)
    intake = await create_key(app.store, "intake", "CRM", None, NOW)
    tom_key = await create_key(app.store, "staff", "Tom's console", "tom", NOW)

    complaint = {"text": "The app crashes every time I try to pay, I cannot order anything",
                 "better_service": "Test the payment page before releasing.",
                 "customer": {"id": "crm-42", "name": "Frank", "language": "en"}}
    status, body = await call(http, "POST", f"{base}/api/v1/complaints", intake, complaint,
                              **{"Idempotency-Key": "ticket-1001"})
    assert status == 201, body
    ref = body["reference"]
    assert body["owner"]["team"] == "digital" and body["category"] == "webshop"
    assert any("Your case number is" in m for m in body["messages"])

    # The owner gets it in Telegram, exactly as a chat complaint.
    group, tom = staff["digital_group"], staff["tom"]
    note = await tom.wait_for(ref, chat=group)
    assert "Test the payment page before releasing." in note.text and "api" in note.text

    # The same request again (a CRM retry) files nothing new.
    status, again = await call(http, "POST", f"{base}/api/v1/complaints", intake, complaint,
                               **{"Idempotency-Key": "ticket-1001"})
    assert status == 200 and again["reference"] == ref
    await tom.expect_no_message(0.3, chat=group)

    # Staff actions need a staff key.
    status, body = await call(http, "POST", f"{base}/api/v1/cases/{ref}/take", intake, {})
    assert status == 403 and body["error"] == "forbidden"
    status, body = await call(http, "POST", f"{base}/api/v1/cases/{ref}/take", tom_key, {})
    assert status == 200 and body["outcome"] == "taken" and body["owner"]["person"] == "tom"
    status, body = await call(http, "POST", f"{base}/api/v1/cases/{ref}/reply", tom_key,
                              {"text": "We rolled out a fix."})
    assert status == 200 and body["outcome"] == "replied"
    status, body = await call(http, "POST", f"{base}/api/v1/cases/{ref}/handover", tom_key,
                              {"to": "nowhere"})
    assert status == 409
    status, body = await call(http, "POST", f"{base}/api/v1/cases/{ref}/resolve", tom_key,
                              {"cause": "software bug"})
    assert status == 200 and body["status"] == "resolved"

    status, view = await call(http, "GET", f"{base}/api/v1/cases/{ref}", intake)
    assert status == 200 and view["status"] == "resolved" and view["root_cause"] == "software bug"
    assert [(m["direction"], m["channel"]) for m in view["messages"]] == [("in", "api"),
                                                                           ("out", "api")]


async def test_api_refuses_bad_calls_clearly(start_omni, emu, http) -> None:
    app = await start_omni()
    base = base_url(app)
    url = f"{base}/api/v1/complaints"
    intake = await create_key(app.store, "intake", "form", None, NOW)
    good = {"text": "my parcel never arrived", "customer": {"id": "c1"}}

    status, body = await call(http, "POST", url, None, good)
    assert status == 401 and body["error"] == "unauthorized"
    status, body = await call(http, "POST", url, intake[:-3] + "xyz", good)
    assert status == 401 and "my parcel" not in str(body)
    status, body = await call(http, "POST", url, "skw_nothing_here", good)
    assert status == 401
    status, body = await call(http, "POST", url, intake, raw=b'{"text": "my parcel never')
    assert status == 400 and body["error"] == "invalid" and "JSON" in body["message"]
    assert "my parcel" not in body["message"]
    status, body = await call(http, "POST", url, intake, [1, 2])
    assert status == 400
    status, body = await call(http, "POST", url, intake, {"text": "x"})
    assert status == 400 and "customer" in body["message"]
    status, body = await call(http, "POST", url, intake, {"text": "  ", "customer": {"id": "c1"}})
    assert status == 422 and body["error"] == "empty_text"
    status, body = await call(http, "GET", f"{base}/api/v1/cases/AAA-BBB", intake)
    assert status == 404
    status, body = await call(http, "GET", f"{base}/api/v1/cases/not-a-reference", intake)
    assert status == 404

    # Nothing was filed by any of those.
    async with app.store.unit() as unit:
        assert await unit.all_cases() == []

    # Characters a database cannot store (found by schemathesis on PostgreSQL) are dropped at
    # the door instead of failing the request.
    status, body = await call(http, "POST", url, intake, {
        "text": "parcel\u0000 never came \udab4", "better_service": "\u0000",
        "customer": {"id": "c\u00009", "name": "\ud83d"}})
    assert status == 201, body
    status, view = await call(http, "GET", f"{base}/api/v1/cases/{body['reference']}", intake)
    assert view["text"] == "parcel never came ?"

    # A revoked key stops working.
    assert await revoke_key(app.store, intake.split("_")[1], NOW)
    status, _ = await call(http, "POST", url, intake, good)
    assert status == 401

    status, spec = await call(http, "GET", f"{base}/api/v1/openapi.json")
    assert status == 200 and "/api/v1/complaints" in spec["paths"]
