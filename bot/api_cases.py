"""Use-cases for channels that are not a chat: the REST API and a Rasa assistant.

They reuse the dialog's own pieces, not copies: the same classification, `cases.submit` (routing,
the owner's notification, the outbox), the same status, satisfaction and staff use-cases. Each
call is one transaction with an idempotency key, like `Service.handle`; what the use-case would
have said in the chat is collected and returned as plain text instead.
"""

from __future__ import annotations

import asyncio
import hashlib
import html
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.exc import IntegrityError

from bot import cases, staff
from bot.clock import Clock
from bot.context import Ctx, Deps
from bot.conversation import MAX_STORY_CHARS
from bot.linking import code_hash
from bot.omni_types import OmniError, Who, clean
from bot.ports import Action, Button, Handled, Inbound, Sender, SendResult, text_payload
from bot.timeline import message_timeline
from routing.references import extract_reference
from routing.types import CaseInput, Kind
from storage import omni
from storage.records import CaseRecord, CustomerRecord
from storage.store import ConcurrentUpdate, StorageUnavailable, Store

log = logging.getLogger("skewer.omni")

TAG = re.compile(r"<[^>]+>")
MAX_BETTER = 20_000
MAX_REFERENCE = 100
STAFF_CHANNEL = "api-staff"


def plain(text: str) -> str:
    """Chat markup (Telegram's HTML subset) as plain text for an API or a Rasa utterance."""
    return html.unescape(TAG.sub("", text))


@dataclass
class CapturingCtx(Ctx):
    """A Ctx whose replies to the caller are collected rather than queued: the API or Rasa
    returns them in its response. Messages to anyone else still go through the outbox."""

    captured: list[dict[str, Any]] = field(default_factory=list)

    async def reply(self, text: str, buttons: list[list[Button]] | None = None) -> None:
        self.captured.append(text_payload(plain(text), buttons))


class MailboxTransport:
    """For channels that do not push (the REST API, Rasa): a message for the customer is kept
    in the outbox, which is their mailbox; Rasa reads it at the customer's next turn, the API
    shows it in the case timeline. Delivering is marking it ready."""

    def __init__(self, channel: str) -> None:
        self.channel = channel

    async def deliver(self, chat_id: str, payload: dict[str, Any]) -> SendResult:
        return SendResult(None)


@dataclass
class Outcome:
    handled: Handled
    messages: list[str]
    case: CaseRecord | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class OmniService:
    def __init__(self, store: Store, deps_ref: Callable[[], Deps],
                 clock: Clock, on_outbox: Callable[[], None] | None = None) -> None:
        self.store = store
        self.deps_ref = deps_ref
        self.clock = clock
        self.on_outbox = on_outbox or (lambda: None)

    # -- for adapters that phrase their own questions (Rasa) -------------------------------
    def text(self, lang: str | None, key: str, **values: Any) -> str:
        deps = self.deps_ref()
        return plain(deps.texts.get(deps.texts.lang(lang), key, **values))

    def needs_reference(self, text: str, lang: str | None) -> bool:
        """Whether the intake would ask this story for an order number (its category needs one)."""
        deps = self.deps_ref()
        c = deps.router.classify(CaseInput(text=text, channel="rasa",
                                           language=deps.texts.lang(lang), now=self.clock()))
        if c.kind == Kind.compliment or c.category not in deps.categories:
            return False
        if extract_reference(text, deps.config):
            return False
        return bool(deps.config.category(c.category).requires_reference)

    # -- the transaction -----------------------------------------------------------------
    async def _run(self, who: Who, event_id: str | None,
                   body: Callable[[CapturingCtx, CustomerRecord, str], Awaitable[Outcome]],
                   on_duplicate: Callable[[CapturingCtx, CustomerRecord, str], Awaitable[Outcome]]
                   | None = None) -> Outcome:
        deps = self.deps_ref()
        who = Who(who.channel, clean(who.external_id), clean(who.name),
                  clean(who.language) if who.language else None)
        for attempt in range(6):
            try:
                async with self.store.unit() as unit:
                    now = self.clock()
                    ev = Inbound(channel=who.channel, event_id=event_id or "", chat_id=who.external_id,
                                 sender=Sender(who.channel, who.external_id, who.name, who.language))
                    ctx = CapturingCtx(deps, unit, ev, now)
                    if who.channel == STAFF_CHANNEL:  # staff are not customers
                        customer = CustomerRecord(0, who.name, deps.texts.lang(who.language), "")
                    else:
                        customer = await unit.customer_for(
                            who.channel, who.external_id, who.external_id, who.name,
                            deps.texts.lang(who.language), now)
                        if who.channel == "api" and await omni.has_other_reachable_identity(
                                unit, customer.id, "api"):
                            # A CRM or a phone agent is not where the customer reads: a linked
                            # customer's replies keep going to their own chat.
                            await omni.set_identity_reachable(unit, "api", who.external_id, False)
                    lang = deps.texts.lang(who.language or customer.language)
                    if event_id and not await unit.claim_event(who.channel, event_id, now):
                        if on_duplicate is None:
                            raise OmniError("duplicate", "this request was already handled")
                        dup = await on_duplicate(ctx, customer, lang)
                        dup.messages = [m["text"] for m in ctx.captured]
                        return dup
                    out = await body(ctx, customer, lang)
                    out.messages = [m["text"] for m in ctx.captured]
                    if event_id:
                        await unit.set_event_outcome(who.channel, event_id, out.handled.outcome)
                self.on_outbox()
                return out
            except (ConcurrentUpdate, IntegrityError) as e:
                log.info("retrying %s after a concurrent update (%s)", event_id, type(e).__name__)
                await asyncio.sleep(0.01 * (attempt + 1))
            except StorageUnavailable as e:
                log.error("storage unavailable: %s", e)
                raise OmniError("unavailable", "the service is temporarily unavailable") from e
        raise OmniError("unavailable", "the service is temporarily unavailable")

    # -- filing a complaint --------------------------------------------------------------
    async def file_complaint(self, who: Who, *, text: str, better: str | None = None,
                             reference: str | None = None, idempotency_key: str,
                             attachments: list[dict[str, Any]] | None = None,
                             link_code: str | None = None) -> Outcome:
        """The whole intake in one call: classified, routed and notified exactly like a chat.

        `link_code`: a code the customer got with /link in their chat and read out (to a phone
        agent, say): the complaint is theirs, and replies go to that chat. A wrong, used or
        expired code files nothing and leaves the code as it was."""
        text = clean(text).strip()[:MAX_STORY_CHARS]
        better = clean(better) if better else better
        reference = clean(reference) if reference else reference
        if not text:
            raise OmniError("empty_text", "the complaint text is empty")
        intake = hashlib.sha256(idempotency_key.encode()).hexdigest()[:16]

        async def body(ctx: CapturingCtx, customer: CustomerRecord, lang: str) -> Outcome:
            if link_code:
                customer = await self._link(ctx, who, customer, lang, link_code)
            state: dict[str, Any] = {
                "lang": lang, "step": "summary", "intake": intake, "parts": [text],
                "attachments": list(attachments or []),
                "better": (better or "").strip()[:MAX_BETTER] or None,
                "better_skipped": not (better or "").strip(),
                "reference": (reference or "").strip()[:MAX_REFERENCE] or None,
            }
            c = await cases.classify_story(ctx, state, customer, lang, text)
            if c.kind == Kind.compliment:
                h = await cases.take_compliment(ctx, state, customer, lang, text)
                return Outcome(h, [], extra={"kind": "compliment"})
            if state["reference"] is None:
                state["reference"] = extract_reference(text, ctx.config)
            h = await cases.submit(ctx, state, customer, lang)
            case = await ctx.unit.case_by_ref(h.extra.get("reference", "")) \
                if h.extra.get("reference") else None
            return Outcome(h, [], case=case)

        async def again(ctx: CapturingCtx, customer: CustomerRecord, lang: str) -> Outcome:
            case = await ctx.unit.case_by_intake(f"{who.channel}:{who.external_id}:{intake}")
            if case is not None:
                await ctx.reply(ctx.t(lang, "customer.already_sent", ref=case.reference))
            kind = "complaint" if case is not None else "compliment"
            return Outcome(Handled("duplicate"), [], case=case, extra={"kind": kind,
                                                                          "duplicate": True})

        return await self._run(who, f"complaint:{idempotency_key}", body, again)

    @staticmethod
    async def _link(ctx: CapturingCtx, who: Who, customer: CustomerRecord, lang: str,
                    code: str) -> CustomerRecord:
        status, target = await omni.redeem_link_code(ctx.unit, code_hash(code), ctx.now)
        if status != "ok" or target is None:
            raise OmniError(f"link_{status}", plain(ctx.t(lang, f"link.{status}")))
        await omni.merge_customer(ctx.unit, customer.id, target, ctx.now)
        await omni.set_identity_reachable(ctx.unit, who.channel, who.external_id, False)
        return await ctx.unit.get_customer(target)

    # -- status and feedback ---------------------------------------------------------------
    async def status(self, who: Who) -> Outcome:
        async def body(ctx: CapturingCtx, customer: CustomerRecord, lang: str) -> Outcome:
            h = await cases.customer_status(ctx, customer, lang)
            return Outcome(h, [], extra={"cases": await ctx.unit.cases_of_customer(customer.id, 10)})

        return await self._run(who, None, body)

    async def feedback(self, who: Who, ref: str, score: int, comment: str | None,
                       idempotency_key: str) -> Outcome:
        async def body(ctx: CapturingCtx, customer: CustomerRecord, lang: str) -> Outcome:
            state: dict[str, Any] = {"lang": lang}
            h = await cases.customer_rates(ctx, state, customer, lang,
                                           Action("rate", ref.upper(), str(score)))
            if h.outcome == "feedback_score" and comment and clean(comment).strip():
                h = await cases.feedback_comment(ctx, state, customer, lang,
                                                 clean(comment).strip())
            elif h.toast and h.outcome != "feedback_score":
                ctx.captured.append(text_payload(plain(h.toast)))
            return Outcome(h, [])

        return await self._run(who, f"feedback:{idempotency_key}", body)

    # -- reading a case ------------------------------------------------------------------
    async def case_view(self, ref: str) -> dict[str, Any] | None:
        async with self.store.unit() as unit:
            case = await unit.case_by_ref(ref.upper())
            if case is None:
                return None
            messages = await unit.messages(case.id)
            events = await unit.events(case.id)
            fb = await unit.feedback(case.id)
        return {
            "reference": case.reference, "status": case.status, "kind": case.kind,
            "category": case.category, "urgency": case.urgency, "channel": case.channel,
            "owner": {"team": case.owner_team, "person": case.owner_person},
            "created_at": case.created_at.isoformat(),
            "first_response_due": case.first_response_due.isoformat()
            if case.first_response_due else None,
            "text": case.text, "better_service": case.better_service,
            "order_reference": case.order_reference, "rule": case.rule,
            "root_cause": case.root_cause,
            "feedback": {"score": fb.score, "comment": fb.comment} if fb else None,
            "messages": message_timeline(messages),
            "events": [{"at": e.at.isoformat(), "type": e.type, "actor": e.actor}
                       for e in events],
        }

    # -- staff actions (REST, with a staff key bound to a person) -------------------------
    async def staff_action(self, person_id: str, ref: str, action: str, *, text: str = "",
                           target: str = "", idempotency_key: str) -> Outcome:
        deps = self.deps_ref()
        if not deps.config.has_person(person_id):
            raise OmniError("unknown_person", "the key's staff member is not in the config")
        person = deps.config.person(person_id)
        who = Who(STAFF_CHANNEL, person_id, person.display_first_name,
                  person.languages[0] if person.languages else None)

        async def body(ctx: CapturingCtx, _customer: CustomerRecord, _lang: str) -> Outcome:
            lang = ctx.staff_language(person)
            case = await ctx.unit.case_by_ref(ref.upper())
            if case is None:
                raise OmniError("not_found", "no such case")
            if action == "take":
                h = await staff.take(ctx, case, person, lang)
            elif action == "reply":
                h = await staff.reply_to_customer(ctx, case, person, lang, text)
            elif action == "resolve":
                h = await staff.resolve(ctx, case, person, lang, text)
            elif action == "handover":
                h = await staff.hand_over(ctx, case, person, lang, target)
            else:
                raise OmniError("unknown_action", "unknown staff action")
            return Outcome(h, [], case=await ctx.unit.case_by_ref(case.reference))

        return await self._run(who, f"staff:{idempotency_key}", body)

    # -- a chat's messages, for channels that read them (web chat) ------------------------
    async def history(self, channel: str, chat_id: str, after: int) -> list[tuple[int, dict[str, Any]]]:
        async with self.store.unit() as unit:
            return await omni.chat_history(unit, channel, chat_id, after)
