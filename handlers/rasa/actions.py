"""The four Rasa actions. Mounted on Skewer's own server (`handlers.rasa.mount`), or served by
rasa-sdk itself: `python -m rasa_sdk --actions handlers.rasa` (then the actions build their
use-cases from SKEWER_CONFIG and the database URL on first use, see `bot.rasa_standalone`).

The Rasa sender id and its input channel are the customer's identity (channel "rasa").
"""

from __future__ import annotations

import hashlib
import html
import importlib
import json
import logging
import re
from abc import ABC, abstractmethod
from typing import Any, Protocol

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.omni_types import OmniError, Who

log = logging.getLogger("skewer.rasa")

FORM = "complaint_form"
SLOT_TEXT, SLOT_BETTER, SLOT_REF = "complaint_text", "complaint_better", "complaint_reference"
SLOT_CASE, SLOT_SCORE, SLOT_COMMENT = "case_reference", "feedback_score", "feedback_comment"
SLOT_SEEN = "skewer_seen"
NONE_WORDS = {"none", "no", "nope", "geen", "nee", "-", "n/a", "skip", "overslaan", "niet"}
SKIPPED = "-"
REF = re.compile(r"\b([A-Za-z2-9]{3}-[A-Za-z2-9]{3})\b")


class RasaCases(Protocol):
    def text(self, lang: str | None, key: str, **values: Any) -> str: ...
    def needs_reference(self, text: str, lang: str | None) -> bool: ...
    async def file_complaint(self, who: Who, *, text: str, better: str | None = None,
                             reference: str | None = None, idempotency_key: str,
                             attachments: list[dict[str, Any]] | None = None) -> Any: ...
    async def status(self, who: Who) -> Any: ...
    async def feedback(self, who: Who, ref: str, score: int, comment: str | None,
                       idempotency_key: str) -> Any: ...
    async def history(self, channel: str, chat_id: str, after: int
                      ) -> list[tuple[int, dict[str, Any]]]: ...


def _standalone() -> RasaCases:
    # Late-bound on purpose: the adapter never imports storage; the standalone rasa-sdk server
    # has no composition root of ours, so it asks the one in bot/ for the use-cases.
    module = importlib.import_module("bot.rasa_standalone")
    cases: RasaCases = module.cases()
    return cases


def who_of(tracker: Tracker) -> Who:
    channel = tracker.get_latest_input_channel() or "rasa"
    lang = (tracker.latest_message or {}).get("metadata", {}).get("language") \
        if isinstance((tracker.latest_message or {}).get("metadata"), dict) else None
    lang = lang or tracker.get_slot("language")
    return Who("rasa", f"{channel}:{tracker.sender_id}"[:100], "", lang)


def event_key(tracker: Tracker, action: str) -> str:
    """The same Rasa turn (a retried or replayed call) gives the same key."""
    msg = tracker.latest_message or {}
    turn = msg.get("message_id") or ""
    if not turn:
        users = [e for e in tracker.events if e.get("event") == "user"]
        turn = json.dumps([len(users), users[-1].get("timestamp") if users else None,
                           msg.get("text")], default=str)
    return hashlib.sha256(f"{tracker.sender_id}|{action}|{turn}".encode()).hexdigest()[:40]


class WithCases:
    """The use-cases an action calls: injected (mounted on Skewer's server, or a test), else
    built on first use for the standalone rasa-sdk server. Not an Action itself, so rasa-sdk's
    package scan does not register it."""

    def __init__(self, cases: RasaCases | None = None) -> None:
        self._cases = cases

    @property
    def cases(self) -> RasaCases:
        if self._cases is None:
            self._cases = _standalone()
        return self._cases


class SkewerAction(WithCases, Action, ABC):
    """Base: staff replies waiting for the customer, one error shape.
    Abstract, so rasa-sdk's package scan registers only the concrete actions."""

    @abstractmethod
    def name(self) -> str: ...

    @abstractmethod
    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, who: Who
                  ) -> list[dict[str, Any]]: ...

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[dict[str, Any]]:
        who = who_of(tracker)
        try:
            events = await self._waiting(dispatcher, tracker, who)
            return events + await self.act(dispatcher, tracker, who)
        except OmniError as e:
            log.warning("rasa: %s refused: %s", self.name(), e.code)
            dispatcher.utter_message(text=self.cases.text(who.language, "api.error"))
            return []
        except Exception:
            # Logged with its traceback; the customer hears a plain apology, never their words.
            log.exception("rasa: %s failed", self.name())
            dispatcher.utter_message(text=self.cases.text(who.language, "api.error"))
            return []

    async def _waiting(self, dispatcher: CollectingDispatcher, tracker: Tracker, who: Who
                       ) -> list[dict[str, Any]]:
        """Staff replies and updates sent since this customer last heard from us."""
        try:
            seen = int(float(tracker.get_slot(SLOT_SEEN) or 0))
        except (TypeError, ValueError):
            seen = 0
        items = await self.cases.history("rasa", who.external_id, seen)
        if not items:
            return []
        for _seq, payload in items:
            text = re.sub(r"<[^>]+>", "", str(payload.get("text") or payload.get("caption") or ""))
            buttons = [{"title": b["label"], "payload": f"/rate{{\"case_reference\": \"{b['action']['r']}\","
                        f" \"feedback_score\": \"{b['action']['a']}\"}}"}
                       for row in payload.get("buttons", []) for b in row
                       if b.get("action", {}).get("n") == "rate"]
            dispatcher.utter_message(text=html.unescape(text), buttons=buttons or None)
        return [SlotSet(SLOT_SEEN, float(items[-1][0]))]


class ActionFileComplaint(SkewerAction):
    def name(self) -> str:
        return "action_file_complaint"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, who: Who
                  ) -> list[dict[str, Any]]:
        text = str(tracker.get_slot(SLOT_TEXT) or "").strip()
        if not text:
            dispatcher.utter_message(text=self.cases.text(who.language, "api.text_too_short"))
            return []
        better = tracker.get_slot(SLOT_BETTER)
        reference = tracker.get_slot(SLOT_REF)
        out = await self.cases.file_complaint(
            who, text=text, better=None if better in (None, SKIPPED) else str(better),
            reference=None if reference in (None, SKIPPED) else str(reference),
            idempotency_key=event_key(tracker, self.name()))
        for m in out.messages:
            dispatcher.utter_message(text=m)
        events: list[dict[str, Any]] = [SlotSet(SLOT_TEXT, None), SlotSet(SLOT_BETTER, None),
                                        SlotSet(SLOT_REF, None)]
        if out.case is not None:
            events.append(SlotSet(SLOT_CASE, out.case.reference))
        return events


class ValidateComplaintForm(WithCases, FormValidationAction):
    def name(self) -> str:
        return "validate_complaint_form"

    async def required_slots(self, domain_slots: list[str], dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: DomainDict) -> list[str]:
        """The order number is asked only when the story's category needs one, as in chat."""
        slots = [s for s in domain_slots if s != SLOT_REF]
        text = tracker.get_slot(SLOT_TEXT)
        if SLOT_REF in domain_slots and text and self.cases.needs_reference(str(text),
                                                                           who_of(tracker).language):
            slots.append(SLOT_REF)
        return slots

    async def validate_complaint_text(self, value: Any, dispatcher: CollectingDispatcher,
                                      tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        text = str(value or "").strip()
        if len(text) < 3:
            dispatcher.utter_message(text=self.cases.text(who_of(tracker).language,
                                                          "api.text_too_short"))
            return {SLOT_TEXT: None}
        return {SLOT_TEXT: text[:60_000]}

    async def validate_complaint_better(self, value: Any, dispatcher: CollectingDispatcher,
                                        tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        text = str(value or "").strip()
        return {SLOT_BETTER: SKIPPED if not text or text.lower() in NONE_WORDS else text[:20_000]}

    async def validate_complaint_reference(self, value: Any, dispatcher: CollectingDispatcher,
                                           tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        text = str(value or "").strip()
        if not text or text.lower() in NONE_WORDS:
            return {SLOT_REF: SKIPPED}
        return {SLOT_REF: text[:100]}


class ActionCaseStatus(SkewerAction):
    def name(self) -> str:
        return "action_case_status"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, who: Who
                  ) -> list[dict[str, Any]]:
        out = await self.cases.status(who)
        for m in out.messages:
            dispatcher.utter_message(text=m)
        return []


class ActionCaseFeedback(SkewerAction):
    def name(self) -> str:
        return "action_case_feedback"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, who: Who
                  ) -> list[dict[str, Any]]:
        ref = str(tracker.get_slot(SLOT_CASE) or "").strip().upper()
        found = REF.search(ref)
        try:
            score = int(float(tracker.get_slot(SLOT_SCORE) or 0))
        except (TypeError, ValueError):
            score = 0
        if found is None or not 1 <= score <= 5:
            dispatcher.utter_message(text=self.cases.text(who.language, "api.rating_invalid"))
            return [SlotSet(SLOT_SCORE, None)]
        comment = tracker.get_slot(SLOT_COMMENT)
        out = await self.cases.feedback(who, found.group(1).upper(), score,
                                        str(comment) if comment else None,
                                        event_key(tracker, self.name()))
        for m in out.messages:
            dispatcher.utter_message(text=m)
        return [SlotSet(SLOT_SCORE, None), SlotSet(SLOT_COMMENT, None)]


ACTIONS = (ActionFileComplaint, ValidateComplaintForm, ActionCaseStatus, ActionCaseFeedback)
