"""The customer's intake dialog, the same on every channel.

story -> better-service question -> order number (when the category needs one) -> summary ->
Send / Change / Cancel. The state is a plain dict stored durably by the caller.
"""

from __future__ import annotations

import secrets
from typing import Any

from bot import cases
from bot.context import Ctx
from bot.ports import Action, Button, Handled
from bot.texts import esc
from routing.references import extract_reference
from routing.types import Kind
from storage.records import CustomerRecord

GREETINGS = {
    "hi", "hello", "hey", "hallo", "hoi", "goedemorgen", "goedemiddag", "goedenavond", "dag",
    "good morning", "good afternoon", "good evening", "yo", "hiya", "hai", "heey", "hee",
}
# A second story message within this many seconds is a continuation (Telegram splits a long
# paste into several messages): gathered silently instead of prompting again.
CONTINUATION_SECONDS = 3.0
MAX_STORY_CHARS = 60_000
# A Telegram client splits a text over 4096 characters into parts of at least about half that.
# A long message followed within seconds by another is one paste: the rest belongs with it.
SPLIT_PART_MIN = 2000
# What the summary shows of the story and the better-service answer (escaped), so it always
# fits in one Telegram message; everything is stored and shown to staff.
SUMMARY_STORY_CHARS = 1500
SUMMARY_BETTER_CHARS = 1000


def _token() -> str:
    return secrets.token_hex(3)


def fresh_intake(state: dict[str, Any]) -> dict[str, Any]:
    keep = {k: state[k] for k in ("lang", "sent") if k in state}
    return {**keep, "step": "story", "intake": _token(), "parts": [], "attachments": [],
            "better": None, "better_skipped": False, "reference": None,
            "reference_skipped": False}


def story_text(state: dict[str, Any]) -> str:
    return "\n".join(p for p in state.get("parts", []) if p).strip()


async def handle_customer(ctx: Ctx, state: dict[str, Any], customer: CustomerRecord) -> Handled:
    ev = ctx.ev
    lang = state.get("lang") or ctx.texts.lang(ev.sender.language_code or customer.language)
    state["lang"] = lang

    if ev.action is not None or ev.invalid_action:
        return await _on_button(ctx, state, customer, lang)
    if ev.command:
        return await _on_command(ctx, state, customer, lang)

    step = state.get("step", "idle")
    text = ev.text.strip()
    if not text and not ev.attachments:
        key = "customer.sticker" if ev.unsupported == "sticker" else "customer.story_empty"
        await ctx.reply(ctx.t(lang, key))
        return Handled("asked_for_words")

    rest_of = _continuation_of(ctx, state)
    if rest_of is not None and text:
        return await _continue_long(ctx, state, customer, rest_of, text)

    if step == "feedback_comment":
        ref = state.get("feedback_case")
        result = await cases.feedback_comment(ctx, state, customer, lang, text)
        _note_long(ctx, state, "feedback", text, case=ref)
        return result

    if step == "idle":
        open_case = await _latest_open_case(ctx, customer)
        if open_case is not None:
            return await cases.customer_followup(ctx, open_case, customer, lang)
        first_name = ev.sender.first_name or customer.display_name
        state.update(fresh_intake(state))
        if text.lower().strip("!.? ") in GREETINGS and not ev.attachments:
            await ctx.reply(ctx.t(lang, "customer.greeting", name=first_name,
                                  org=ctx.config.organisation.name))
            return Handled("greeted")
        await ctx.reply(ctx.t(lang, "customer.greeting_short", name=first_name))
        return await _add_story(ctx, state, lang, text)

    if step == "story":
        return await _add_story(ctx, state, lang, text)
    if step in ("better", "reference", "summary", "change"):
        # A photo or document sent at any question belongs to the complaint (a photo of the
        # receipt is the natural answer to "what is the order number?").
        _keep_attachments(ctx, state)
    if step == "better":
        if not text:
            await ctx.reply(ctx.t(lang, "customer.attachment_kept_better"),
                            [[ctx.btn(lang, "skip", Action("skipbetter", state["intake"]))]])
            return Handled("attachment_kept")
        state["better"] = text[:MAX_STORY_CHARS]
        state["better_skipped"] = False
        _note_long(ctx, state, "better", text)
        return await _after_better(ctx, state, lang)
    if step == "reference":
        ref = extract_reference(text, ctx.config) or _loose_reference(text)
        if ref is None:
            key = ("customer.attachment_kept_reference" if ev.attachments
                   else "customer.reference_not_understood")
            await ctx.reply(ctx.t(lang, key),
                            [[ctx.btn(lang, "no_reference", Action("noref", state["intake"]))]])
            return Handled("reference_not_understood")
        state["reference"] = ref
        state["reference_skipped"] = False
        return await _show_summary(ctx, state, lang)
    if step in ("summary", "change"):
        # Typing (or sending a photo) at the summary adds to the story rather than being lost.
        _append(state, text)
        await ctx.reply(ctx.t(lang, "customer.summary_add_hint"))
        return await _show_summary(ctx, state, lang)
    state.update(fresh_intake(state))
    return await _add_story(ctx, state, lang, text)


def _sent_at(ctx: Ctx) -> float:
    """When the customer sent it (a retried delivery keeps its time), else now."""
    return ctx.ev.timestamp if ctx.ev.timestamp is not None else ctx.now.timestamp()


def _note_long(ctx: Ctx, state: dict[str, Any], where: str, text: str, **info: Any) -> None:
    if len(text) >= SPLIT_PART_MIN:
        state["long_part"] = {"to": where, "at": _sent_at(ctx), **info}
    else:
        state.pop("long_part", None)


def _continuation_of(ctx: Ctx, state: dict[str, Any]) -> dict[str, Any] | None:
    """Where the previous, long message went, if this one is the next part of the same paste."""
    last = state.pop("long_part", None)
    if last is None or ctx.ev.attachments or ctx.ev.command:
        return None
    return last if abs(_sent_at(ctx) - float(last["at"])) <= CONTINUATION_SECONDS else None


async def _continue_long(ctx: Ctx, state: dict[str, Any], customer: CustomerRecord,
                         rest_of: dict[str, Any], text: str) -> Handled:
    """The next part of a long answer: kept with the answer, silently (one reply per paste)."""
    if rest_of["to"] == "better" and state.get("better") is not None:
        state["better"] = f"{state['better']}\n{text}"[:MAX_STORY_CHARS]
        _note_long(ctx, state, "better", text)
        return Handled("better_part")
    if rest_of["to"] == "feedback" and rest_of.get("case"):
        await cases.feedback_comment_more(ctx, customer, rest_of["case"], text)
        _note_long(ctx, state, "feedback", text, case=rest_of["case"])
        return Handled("feedback_comment_part")
    return Handled("ignored_part")


def _clip(text: str, limit: int) -> str:
    """At most `limit` characters once escaped for HTML (markup can make text 5x longer)."""
    if len(esc(text)) <= limit:
        return text
    while len(esc(text)) > limit - 4:
        text = text[: max(0, min(len(text) - 1, int(len(text) * 0.9)))]
    return text + " […]"


async def _latest_open_case(ctx: Ctx, customer: CustomerRecord) -> Any:
    for case in await ctx.unit.cases_of_customer(customer.id, limit=10):
        if case.is_open and case.kind != "compliment":
            return case
    return None


def _append(state: dict[str, Any], text: str) -> None:
    if text:
        used = sum(len(p) for p in state["parts"])
        if used < MAX_STORY_CHARS:
            state["parts"].append(text[: MAX_STORY_CHARS - used])


def _loose_reference(text: str) -> str | None:
    """A customer answering the order-number question may type any short code."""
    cleaned = text.strip()
    if 3 <= len(cleaned) <= 40 and any(ch.isdigit() for ch in cleaned) and "\n" not in cleaned:
        return cleaned
    return None


def _keep_attachments(ctx: Ctx, state: dict[str, Any]) -> None:
    for a in ctx.ev.attachments:
        state["attachments"].append({"kind": a.kind, "file_id": a.file_id,
                                     "file_name": a.file_name, "caption": a.caption,
                                     "channel": ctx.ev.channel})


async def _add_story(ctx: Ctx, state: dict[str, Any], lang: str, text: str) -> Handled:
    _append(state, text)
    _keep_attachments(ctx, state)
    now = ctx.now.timestamp()
    last = state.get("last_part_at")
    state["last_part_at"] = now
    if last is not None and now - float(last) < CONTINUATION_SECONDS and state.get("prompted"):
        return Handled("story_part")
    state["prompted"] = True
    await ctx.reply(ctx.t(lang, "customer.story_received"),
                    [[ctx.btn(lang, "done", Action("done", state["intake"]))]])
    return Handled("story_part")


async def _story_done(ctx: Ctx, state: dict[str, Any], customer: CustomerRecord,
                      lang: str) -> Handled:
    story = story_text(state)
    if not story and not state["attachments"]:
        await ctx.reply(ctx.t(lang, "customer.story_empty"))
        return Handled("asked_for_words")
    c = await cases.classify_story(ctx, state, customer, lang, story)
    state["category"] = c.category
    if c.kind == Kind.compliment:
        return await cases.take_compliment(ctx, state, customer, lang, story)
    if state.get("reference") is None:
        state["reference"] = extract_reference(story, ctx.config)
    if state.get("return_to") == "summary":
        # A retold story (Change -> My story) goes back to the summary; the better-service
        # answer is kept, and only an order number the new category needs is asked.
        return await _after_better(ctx, state, lang)
    state["step"] = "better"
    await ctx.reply(ctx.t(lang, "customer.ask_better_service"),
                    [[ctx.btn(lang, "skip", Action("skipbetter", state["intake"]))]])
    return Handled("asked_better_service")


async def _after_better(ctx: Ctx, state: dict[str, Any], lang: str) -> Handled:
    state.pop("return_to", None)
    category = state.get("category", "other")
    needs = category in ctx.deps.categories and ctx.config.category(category).requires_reference
    if needs and not state.get("reference") and not state.get("reference_skipped"):
        state["step"] = "reference"
        team = ctx.config.category(category).team or ctx.config.organisation.frontline_team
        await ctx.reply(ctx.t(lang, "customer.ask_reference", team=ctx.team_name(team, lang)),
                        [[ctx.btn(lang, "no_reference", Action("noref", state["intake"]))]])
        return Handled("asked_reference")
    return await _show_summary(ctx, state, lang)


async def _show_summary(ctx: Ctx, state: dict[str, Any], lang: str) -> Handled:
    state["step"] = "summary"
    none = ctx.texts.raw(lang, "customer.summary_none")
    skipped = ctx.texts.raw(lang, "customer.summary_skipped")
    better = (_clip(state["better"], SUMMARY_BETTER_CHARS) if state.get("better")
              else skipped if state.get("better_skipped") else none)
    story = _clip(story_text(state), SUMMARY_STORY_CHARS)
    tok = state["intake"]
    await ctx.reply(
        ctx.t(lang, "customer.summary", story=story or none, better=better,
              reference=state.get("reference") or none,
              attachments=str(len(state["attachments"])) if state["attachments"] else none),
        [[ctx.btn(lang, "send", Action("send", tok)), ctx.btn(lang, "change", Action("change", tok)),
          ctx.btn(lang, "cancel", Action("cancel", tok))]],
    )
    return Handled("summary")


async def _on_button(ctx: Ctx, state: dict[str, Any], customer: CustomerRecord,
                     lang: str) -> Handled:
    action = ctx.ev.action
    if action is None:
        return Handled("invalid_button", toast=ctx.texts.raw(lang, "customer.stale_button"))
    name = action.name
    if name in ("rate", "nocomment"):
        return await cases.customer_rates(ctx, state, customer, lang, action)
    if name == "lang":
        return await _set_language(ctx, state, customer, action.arg)
    if name in ("done", "skipbetter", "noref", "send", "change", "cancel", "chg"):
        sent = state.get("sent", {})
        if action.ref in sent and name in ("send", "done", "change", "cancel", "chg"):
            await ctx.reply(ctx.t(lang, "customer.already_sent", ref=sent[action.ref]))
            return Handled("already_sent", toast=ctx.texts.raw(lang, "customer.already_sent")
                           .format(ref=sent[action.ref]).replace("<b>", "").replace("</b>", ""))
        if action.ref != state.get("intake") or state.get("step") in (None, "idle"):
            return Handled("stale_button", toast=ctx.texts.raw(lang, "customer.stale_button"),
                           alert=True)
        if name == "done":
            if state.get("step") != "story":
                return Handled("ignored_button")
            return await _story_done(ctx, state, customer, lang)
        if name == "skipbetter":
            if state.get("step") != "better":
                return Handled("ignored_button")
            state["better"] = None
            state["better_skipped"] = True
            return await _after_better(ctx, state, lang)
        if name == "noref":
            if state.get("step") != "reference":
                return Handled("ignored_button")
            state["reference_skipped"] = True
            return await _show_summary(ctx, state, lang)
        if name == "send":
            if state.get("step") != "summary":
                return Handled("ignored_button")
            return await cases.submit(ctx, state, customer, lang)
        if name == "cancel":
            tok = state.get("intake")
            state.clear()
            state.update({"lang": lang, "step": "idle", "sent": sent, "cancelled": tok})
            await ctx.reply(ctx.t(lang, "customer.cancelled"))
            return Handled("cancelled")
        if name == "change":
            state["step"] = "change"
            tok = state["intake"]
            await ctx.reply(ctx.t(lang, "customer.change_what"), [
                [ctx.btn(lang, "change_story", Action("chg", tok, "story"))],
                [ctx.btn(lang, "change_better", Action("chg", tok, "better"))],
                [ctx.btn(lang, "change_reference", Action("chg", tok, "reference"))],
                [ctx.btn(lang, "back", Action("chg", tok, "back"))],
            ])
            return Handled("change")
        if name == "chg":
            return await _change(ctx, state, lang, action.arg)
    return Handled("unknown_button", toast=ctx.texts.raw(lang, "customer.stale_button"))


async def _change(ctx: Ctx, state: dict[str, Any], lang: str, what: str) -> Handled:
    if what == "story":
        state["parts"] = []
        state["attachments"] = []
        state["step"] = "story"
        state["prompted"] = True
        state["last_part_at"] = None
        state["return_to"] = "summary"
        await ctx.reply(ctx.t(lang, "customer.retell"),
                        [[ctx.btn(lang, "done", Action("done", state["intake"]))]])
        return Handled("change_story")
    if what == "better":
        state["step"] = "better"
        state["return_to"] = "summary"
        await ctx.reply(ctx.t(lang, "customer.ask_better_again"),
                        [[ctx.btn(lang, "skip", Action("skipbetter", state["intake"]))]])
        return Handled("change_better")
    if what == "reference":
        state["step"] = "reference"
        await ctx.reply(ctx.t(lang, "customer.ask_reference_again"),
                        [[ctx.btn(lang, "no_reference", Action("noref", state["intake"]))]])
        return Handled("change_reference")
    return await _show_summary(ctx, state, lang)


async def _set_language(ctx: Ctx, state: dict[str, Any], customer: CustomerRecord,
                        code: str) -> Handled:
    lang = ctx.texts.lang(code)
    state["lang"] = lang
    await ctx.unit.set_customer_language(customer.id, lang)
    await ctx.reply(ctx.t(lang, "customer.language_set"))
    return Handled("language_set")


async def _on_command(ctx: Ctx, state: dict[str, Any], customer: CustomerRecord,
                      lang: str) -> Handled:
    cmd = (ctx.ev.command or "").lower()
    name = ctx.ev.sender.first_name or customer.display_name
    if cmd == "start":
        state.clear()
        state.update(fresh_intake({"lang": lang}))
        await ctx.reply(ctx.t(lang, "customer.greeting", name=name,
                              org=ctx.config.organisation.name))
        return Handled("greeted")
    if cmd == "new":
        state.update(fresh_intake(state))
        await ctx.reply(ctx.t(lang, "customer.greeting_short", name=name))
        return Handled("new_intake")
    if cmd == "help":
        await ctx.reply(ctx.t(lang, "customer.help"))
        return Handled("help")
    if cmd == "status":
        return await cases.customer_status(ctx, customer, lang)
    if cmd == "link":
        from bot.linking import handle_link

        return await handle_link(ctx, customer, lang, ctx.ev.args)
    if cmd in ("language", "taal", "lang"):
        arg = ctx.ev.args.strip().lower()
        if arg:
            return await _set_language(ctx, state, customer, arg)
        await ctx.reply(ctx.t(lang, "customer.language_choose"),
                        [[Button("Nederlands", Action("lang", "", "nl")),
                          Button("English", Action("lang", "", "en"))]])
        return Handled("language_choose")
    if cmd == "cancel":
        if state.get("step") in ("story", "better", "reference", "summary", "change",
                                 "feedback_comment"):
            sent = state.get("sent", {})
            state.clear()
            state.update({"lang": lang, "step": "idle", "sent": sent})
            await ctx.reply(ctx.t(lang, "customer.cancelled"))
            return Handled("cancelled")
        await ctx.reply(ctx.t(lang, "customer.cancel_nothing"))
        return Handled("cancel_nothing")
    await ctx.reply(ctx.t(lang, "customer.unknown_command", command="/" + cmd))
    return Handled("unknown_command")



