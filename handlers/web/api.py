"""The REST API for phone agents, web forms and CRMs: thin, over the same case use-cases.

Authentication: `Authorization: Bearer skw_...` (keys from `skewer apikey create`). Errors are
JSON `{"error": code, "message": text}` and never echo what was sent.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from aiohttp import web

from bot.omni_types import ApiPrincipal, OmniError, Who, clean

log = logging.getLogger("skewer.api")

REF = re.compile(r"^[A-Za-z2-9]{3}-[A-Za-z2-9]{3}$")
KEY = web.AppKey("skewer_api_principal", ApiPrincipal)
MAX_BODY = 256 * 1024
ERROR_STATUS = {"empty_text": 422, "link_unknown": 404, "link_used": 409, "link_expired": 410,
                "duplicate": 409, "not_found": 404, "unknown_person": 403,
                "unknown_action": 404, "unavailable": 503}


class CaseUseCases(Protocol):
    async def file_complaint(self, who: Who, *, text: str, better: str | None = None,
                             reference: str | None = None, idempotency_key: str,
                             attachments: list[dict[str, Any]] | None = None,
                             link_code: str | None = None) -> Any: ...

    async def case_view(self, ref: str) -> dict[str, Any] | None: ...

    async def staff_action(self, person_id: str, ref: str, action: str, *, text: str = "",
                           target: str = "", idempotency_key: str) -> Any: ...


Verify = Callable[[str], Awaitable[ApiPrincipal | None]]


def error(status: int, code: str, message: str) -> web.Response:
    return web.json_response({"error": code, "message": message}, status=status)


def _str(body: dict[str, Any], key: str, *, required: bool = False, limit: int = 60_000
         ) -> str | None:
    value = body.get(key)
    if value is None:
        if required:
            raise OmniError("invalid", f"'{key}' is required")
        return None
    if not isinstance(value, str):
        raise OmniError("invalid", f"'{key}' must be a string")
    if len(value) > limit:
        raise OmniError("invalid", f"'{key}' is longer than {limit} characters")
    return clean(value)


class RestApi:
    def __init__(self, cases: CaseUseCases, verify: Verify) -> None:
        self.cases = cases
        self.verify = verify

    def add_routes(self, app: web.Application) -> None:
        app.router.add_get("/api/v1/openapi.json", self.openapi)
        app.router.add_post("/api/v1/complaints", self.guard(self.complaint, "intake"))
        app.router.add_get("/api/v1/cases/{ref}", self.guard(self.case, "intake"))
        for action in ("take", "reply", "resolve", "handover"):
            app.router.add_post(f"/api/v1/cases/{{ref}}/{action}",
                                self.guard(self.staff_action(action), "staff"))

    def guard(self, handler: Callable[[web.Request, ApiPrincipal], Awaitable[web.Response]],
              scope: str) -> Callable[[web.Request], Awaitable[web.Response]]:
        """Authenticate, check the scope, and translate errors once, here."""

        async def wrapped(request: web.Request) -> web.Response:
            auth = request.headers.get("Authorization", "")
            if not auth.startswith("Bearer ") or len(auth) > 300:
                return error(401, "unauthorized", "an API key is required: Authorization: Bearer skw_...")
            principal = await self.verify(auth[7:].strip())
            if principal is None:
                log.warning("api: wrong or revoked key from %s", request.remote)
                return error(401, "unauthorized", "the API key is not valid")
            if scope == "staff" and principal.scope != "staff":
                return error(403, "forbidden", "this key may not act as staff")
            try:
                return await handler(request, principal)
            except OmniError as e:
                status = 400 if e.code == "invalid" else ERROR_STATUS.get(e.code, 400)
                return error(status, e.code, e.message)
            except Exception:
                log.exception("api: unexpected error on %s %s", request.method, request.path)
                return error(500, "internal", "something went wrong; nothing was lost, try again")

        return wrapped

    @staticmethod
    async def _body(request: web.Request) -> dict[str, Any]:
        if request.content_length is not None and request.content_length > MAX_BODY:
            raise OmniError("invalid", "the request body is too large")
        raw = await request.read()
        if len(raw) > MAX_BODY:
            raise OmniError("invalid", "the request body is too large")
        try:
            body = json.loads(raw or b"null")
        except (ValueError, UnicodeDecodeError):
            raise OmniError("invalid", "the body is not valid JSON") from None
        if not isinstance(body, dict):
            raise OmniError("invalid", "the body must be a JSON object")
        return body

    @staticmethod
    def _idempotency(request: web.Request) -> str:
        key = request.headers.get("Idempotency-Key", "")
        if not key:
            return uuid.uuid4().hex
        if len(key) > 100:
            raise OmniError("invalid", "Idempotency-Key is longer than 100 characters")
        return clean(key)

    async def complaint(self, request: web.Request, principal: ApiPrincipal) -> web.Response:
        body = await self._body(request)
        text = _str(body, "text", required=True) or ""
        customer = body.get("customer")
        if not isinstance(customer, dict):
            raise OmniError("invalid", "'customer' is required: {\"id\": \"...\"}")
        cid = _str(customer, "id", required=True, limit=100) or ""
        if not cid.strip():
            raise OmniError("invalid", "'customer.id' is empty")
        name = _str(customer, "name", limit=200) or ""
        language = _str(customer, "language", limit=8)
        key = self._idempotency(request)
        # The key's id is part of the identity: two CRMs never share a customer by accident.
        who = Who("api", f"{principal.key_id}:{cid.strip()}", name, language)
        out = await self.cases.file_complaint(
            who, text=text, better=_str(body, "better_service", limit=20_000),
            reference=_str(body, "order_reference", limit=100),
            idempotency_key=f"{principal.key_id}:{key}",
            link_code=_str(customer, "link_code", limit=20))
        if out.extra.get("kind") == "compliment" or out.case is None:
            return web.json_response({"kind": "compliment", "messages": out.messages},
                                     status=200 if out.extra.get("duplicate") else 201)
        return web.json_response(self._case_summary(out.case, out.messages),
                                 status=200 if out.extra.get("duplicate") else 201)

    @staticmethod
    def _case_summary(case: Any, messages: list[str]) -> dict[str, Any]:
        return {"reference": case.reference, "status": case.status, "kind": case.kind,
                "category": case.category, "urgency": case.urgency,
                "owner": {"team": case.owner_team, "person": case.owner_person},
                "first_response_due": case.first_response_due.isoformat()
                if case.first_response_due else None,
                "messages": messages}

    async def case(self, request: web.Request, _principal: ApiPrincipal) -> web.Response:
        ref = request.match_info["ref"]
        if not REF.match(ref):
            raise OmniError("not_found", "no such case")
        view = await self.cases.case_view(ref)
        if view is None:
            raise OmniError("not_found", "no such case")
        return web.json_response(view)

    def staff_action(self, action: str
                     ) -> Callable[[web.Request, ApiPrincipal], Awaitable[web.Response]]:
        async def run(request: web.Request, principal: ApiPrincipal) -> web.Response:
            ref = request.match_info["ref"]
            if not REF.match(ref):
                raise OmniError("not_found", "no such case")
            body = await self._body(request) if action != "take" or request.can_read_body else {}
            text = target = ""
            if action == "reply":
                text = _str(body, "text", required=True, limit=4000) or ""
                if not text.strip():
                    raise OmniError("invalid", "'text' is empty")
            elif action == "resolve":
                text = _str(body, "cause", required=True, limit=300) or ""
                if not text.strip():
                    raise OmniError("invalid", "'cause' is empty")
            elif action == "handover":
                target = _str(body, "to", required=True, limit=100) or ""
            assert principal.person is not None
            out = await self.cases.staff_action(
                principal.person, ref, action, text=text, target=target,
                idempotency_key=f"{principal.key_id}:{action}:{self._idempotency(request)}")
            if out.handled.outcome in ("case_closed", "unknown_target"):
                return web.json_response({"error": out.handled.outcome,
                                          "message": " ".join(out.messages)}, status=409)
            return web.json_response({"outcome": out.handled.outcome, "messages": out.messages,
                                      **self._case_summary(out.case, [])})

        return run

    async def openapi(self, _: web.Request) -> web.Response:
        from handlers.web.openapi import SPEC

        return web.json_response(SPEC)
