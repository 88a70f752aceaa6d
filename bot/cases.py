"""Case use-cases for customers: submit, compliments, follow-ups, status, satisfaction.

The staff side lives in `bot.staff`; both write every outgoing message to the outbox in the
same transaction as the change that caused it.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from bot.context import Ctx, quote
from bot.ports import Action, Button, Handled
from bot.texts import Raw, esc
from routing.types import (
    CaseInput,
    Classification,
    CustomerFacts,
    Decision,
    OwnershipState,
    PersonState,
)
from storage.records import CaseRecord, CustomerRecord

MAX_COMMENT = 20_000
# Channels whose attachments the Telegram transport can send on: Telegram's own file ids, and
# web chat uploads (kept in the upload directory).
FORWARDABLE = {"telegram", "web"}

URGENCY_ICON = {"critical": "🔴", "high": "🟠", "normal": "🟡", "low": "🟢"}


# -- addressing ------------------------------------------------------------------------------
async def customer_address(ctx: Ctx, customer_id: int) -> tuple[str, str] | None:
    """The channel and chat the customer used last and can still be reached on."""
    for ident in await ctx.unit.identities(customer_id):
        if ident.reachable:
            return ident.channel, ident.chat_id
    return None


async def ownership_state(ctx: Ctx) -> OwnershipState:
    counts = await ctx.unit.open_case_counts()
    unreachable = await ctx.unit.unreachable_staff_chats()
    people = {}
    for p in ctx.config.people:
        people[p.id] = PersonState(
            open_cases=counts.get(p.id, 0), away=p.away,
            unreachable=p.telegram_id is not None and str(p.telegram_id) in unreachable,
        )
    return OwnershipState(people=people, last_assigned=await ctx.unit.last_assigned())


async def case_input(ctx: Ctx, text: str, lang: str, customer: CustomerRecord) -> CaseInput:
    """What classification and routing read: the text, the language, and the customer's
    earlier contacts (a third contact about the same thing is more urgent)."""
    since = ctx.now - ctx.config.organisation.repeat_window
    facts = CustomerFacts(segment=customer.segment,
                          prior_contacts=await ctx.unit.prior_contacts(customer.id, since))
    return CaseInput(text=text, channel=ctx.ev.channel, language=lang, customer=facts, now=ctx.now)


def _classified_from(ctx: Ctx, inp: CaseInput) -> str:
    """A fingerprint of everything the classifier reads, and of the config it classifies with
    (not the time: only the rules read that, and they run at Send)."""
    facts = inp.customer
    key = [ctx.deps.config_digest, inp.text, inp.channel, inp.language, facts.segment,
           facts.vulnerable, sorted(facts.prior_contacts.items())]
    return hashlib.sha256(json.dumps(key, ensure_ascii=False).encode()).hexdigest()


async def classify_story(ctx: Ctx, state: dict[str, Any], customer: CustomerRecord, lang: str,
                         story: str) -> Classification:
    """Classify the finished story, and keep the result in the dialog state with a fingerprint
    of what it read, so Send routes on it instead of classifying the same story again."""
    inp = await case_input(ctx, story, lang, customer)
    c = ctx.deps.router.classify(inp)
    state["classified"] = {"from": _classified_from(ctx, inp), "as": c.to_dict()}
    return c


async def decide(ctx: Ctx, text: str, lang: str, customer: CustomerRecord,
                 state: dict[str, Any] | None = None) -> Decision:
    """Route the text. The classification kept in `state` by `classify_story` is used when it
    was made from exactly this input; a story changed since (retold, added to), a customer
    whose earlier contacts changed, or a reloaded config, is classified again."""
    inp = await case_input(ctx, text, lang, customer)
    ownership = await ownership_state(ctx)
    kept = (state or {}).get("classified")
    if isinstance(kept, dict) and kept.get("from") == _classified_from(ctx, inp):
        return ctx.deps.router.decide_classified(inp, Classification.from_dict(kept["as"]), ownership)
    return ctx.deps.router.decide(inp, ownership)


# -- submit ----------------------------------------------------------------------------------
async def submit(ctx: Ctx, state: dict[str, Any], customer: CustomerRecord, lang: str) -> Handled:
    from bot.conversation import story_text

    intake_key = f"{ctx.ev.channel}:{ctx.ev.chat_id}:{state['intake']}"
    existing = await ctx.unit.case_by_intake(intake_key)
    if existing is not None:
        await ctx.reply(ctx.t(lang, "customer.already_sent", ref=existing.reference))
        return Handled("already_sent")
    story = story_text(state)
    decision = await decide(ctx, story, lang, customer, state)
    c = decision.classification
    profile = decision.deadlines
    from bot.followup import deadline_due, schedule_case

    atc = ctx.config.deadlines[profile.profile].around_the_clock \
        if profile.profile in ctx.config.deadlines else False
    first_due = deadline_due(ctx.config, decision.owner.team, ctx.now, profile.first_response, atc)
    resolution_due = deadline_due(ctx.config, decision.owner.team, ctx.now, profile.resolution,
                                  atc)
    case = await ctx.unit.create_case(
        intake_key=intake_key, customer_id=customer.id, channel=ctx.ev.channel, language=lang,
        status="open", kind=c.kind.value, category=c.category, urgency=c.urgency.value,
        text=story, better_service=state.get("better"), order_reference=state.get("reference"),
        decision=decision.to_dict(), rule=decision.rule, owner_team=decision.owner.team,
        owner_person=decision.owner.person, tags=list(decision.tags), created_at=ctx.now,
        updated_at=ctx.now, first_response_due=first_due, resolution_due=resolution_due,
    )
    await schedule_case(ctx, case)
    if decision.owner.person:
        await ctx.unit.set_last_assigned(decision.owner.team, decision.owner.person)
    await ctx.unit.add_event(case.id, "created", "customer", ctx.now, channel=ctx.ev.channel,
                             decision=decision.to_dict())
    await ctx.unit.add_message(case.id, "in", "customer", ctx.ev.channel, story, ctx.now)
    if state.get("better"):
        await ctx.unit.add_event(case.id, "better_service", "customer", ctx.now,
                                 text=state["better"])
    await ctx.unit.add_attachments(case.id, state["attachments"], ctx.now)

    owner = ctx.owner_name(case.owner_team, case.owner_person, lang)
    due = case.first_response_due
    assert due is not None
    when = ctx.t(lang, "customer.when_within",
                 duration=ctx.fmt_duration(profile.first_response, lang),
                 time=ctx.fmt_time(due, lang))
    key = "customer.confirmation" if case.owner_person else "customer.confirmation_team"
    await ctx.reply(ctx.t(lang, key, ref=case.reference, owner=owner, when=when))
    await notify_new_case(ctx, case, customer, decision)

    sent = dict(state.get("sent", {}))
    sent[state["intake"]] = case.reference
    state.clear()
    state.update({"lang": lang, "step": "idle", "sent": dict(list(sent.items())[-10:])})
    return Handled("case_created", extra={"reference": case.reference})


def case_buttons(ctx: Ctx, lang: str, case: CaseRecord) -> list[list[Button]]:
    ref = case.reference
    first = [ctx.btn(lang, "reply", Action("reply", ref)), ctx.btn(lang, "resolve", Action("resolve", ref))]
    if case.owner_person is None or case.status == "open":
        first.insert(0, ctx.btn(lang, "take", Action("take", ref)))
    return [first, [ctx.btn(lang, "hand_over", Action("handover", ref)),
                    ctx.btn(lang, "consult", Action("consult", ref))]]


async def render_case(ctx: Ctx, case: CaseRecord, lang: str, header: Raw,
                      customer: CustomerRecord | None = None) -> Raw:
    d = case.decision
    cls = d.get("classification", {})
    reasons = "; ".join(
        f"{r['signal']}" + (f" (\u201c{r['words']}\u201d)" if r.get("words") else "")
        for r in cls.get("urgency_reasons", [])[:4]
    ) or "—"
    customer = customer or await ctx.unit.get_customer(case.customer_id)
    attachments = await ctx.unit.attachments(case.id)
    urgency = ctx.texts.raw(lang, f"urgency.{case.urgency}")
    cat = ctx.config.category(case.category).label.get(lang, case.category) \
        if case.category in ctx.deps.categories else case.category
    lines = [
        header,
        ctx.t(lang, "staff.urgency_reasons", urgency=urgency, reasons=reasons),
        ctx.t(lang, "staff.category_line", category=cat,
              kind=ctx.texts.raw(lang, f"kind.{case.kind}"), channel=case.channel,
              language=case.language),
        ctx.t(lang, "staff.customer_line", name=customer.display_name or "—"),
        "",
        ctx.t(lang, "staff.story", story=Raw(quote(case.text, 2500))),
        "",
        ctx.t(lang, "staff.better", better=Raw(quote(case.better_service, 600))
              if case.better_service else ctx.texts.raw(lang, "staff.better_skipped")),
    ]
    if case.order_reference:
        lines.append(ctx.t(lang, "staff.reference_line", reference=case.order_reference))
    if attachments:
        lines.append(ctx.t(lang, "staff.attachments_line", count=len(attachments)))
    if case.first_response_due:
        lines.append(ctx.t(lang, "staff.deadline_line",
                           due=ctx.fmt_time(case.first_response_due, lang)))
    lines.append(ctx.t(lang, "staff.why_line", why=d.get("why", case.rule)))
    return Raw("\n".join(lines))


async def notify_new_case(ctx: Ctx, case: CaseRecord, customer: CustomerRecord,
                          decision: Decision) -> None:
    lang, chat = ctx.owner_chat(case)
    urgency = ctx.texts.raw(lang, f"urgency.{case.urgency}")
    if chat is not None:
        header = ctx.t(lang, "staff.new_case", icon=URGENCY_ICON.get(case.urgency, ""),
                       ref=case.reference, urgency=urgency)
        body = await render_case(ctx, case, lang, header, customer)
        body = Raw(body + "\n\n" + ctx.texts.raw(lang, "staff.reply_hint"))
        await ctx.send("telegram", chat, body, case_buttons(ctx, lang, case), case_id=case.id,
                       link="notification")
        await send_attachments(ctx, case, chat, lang)
    notified = {chat}
    for pid in decision.notify:
        fyi_chat = ctx.chat_of_person(pid)
        if fyi_chat is None or fyi_chat in notified:
            continue
        notified.add(fyi_chat)
        plang = ctx.staff_language(ctx.config.person(pid))
        header = ctx.t(plang, "staff.new_case_fyi", ref=case.reference,
                       urgency=ctx.texts.raw(plang, f"urgency.{case.urgency}"),
                       owner=ctx.case_owner_name(case, plang))
        await ctx.send("telegram", fyi_chat, await render_case(ctx, case, plang, header, customer),
                       case_id=case.id, link="notification")
    await ctx.unit.add_event(case.id, "notified", "system", ctx.now,
                             chats=[c for c in notified if c])


async def send_attachments(ctx: Ctx, case: CaseRecord, chat: str, lang: str) -> None:
    items = await ctx.unit.attachments(case.id)
    for n, a in enumerate(items, 1):
        caption = ctx.texts.raw(lang, "staff.attachment_caption").format(
            ref=case.reference, n=n, total=len(items))
        if a.caption:
            caption += "\n" + esc(a.caption[:800])
        if a.channel not in FORWARDABLE:
            await ctx.send("telegram", chat, Raw(f"{caption}\n{esc(a.file_name or a.kind)}"),
                           case_id=case.id, link="notification")
            continue
        await ctx.send_media("telegram", chat, a.kind, a.file_id, caption, case_id=case.id,
                             file_name=a.file_name)


# -- compliments -----------------------------------------------------------------------------
async def take_compliment(ctx: Ctx, state: dict[str, Any], customer: CustomerRecord, lang: str,
                          story: str) -> Handled:
    decision = await decide(ctx, story, lang, customer, state)
    team, praised = _praise_target(ctx, story, decision)
    intake_key = f"{ctx.ev.channel}:{ctx.ev.chat_id}:{state['intake']}"
    stored = await ctx.unit.add_compliment(
        intake_key=intake_key, customer_id=customer.id, channel=ctx.ev.channel, language=lang,
        text=story, category=decision.classification.category, team=team, person=praised,
        at=ctx.now,
    )
    def who(in_lang: str) -> str:
        return ctx.owner_name(team, praised, in_lang) if praised else ctx.team_name(team, in_lang)

    await ctx.reply(ctx.t(lang, "customer.compliment_thanks", who=who(lang)))
    if stored:
        targets = [ctx.chat_of_person(praised)] if praised else []
        t = ctx.config.team(team)
        targets += [str(t.chat_id)] if t.chat_id is not None else [
            ctx.chat_of_person(m.id) for m in ctx.config.members(team)]
        if t.lead:
            targets.append(ctx.chat_of_person(t.lead))
        for chat in dict.fromkeys(c for c in targets if c):
            slang = ctx.staff_language(ctx.config.staff_by_telegram_id(int(chat))
                                       if chat.lstrip("-").isdigit() else None)
            await ctx.send("telegram", chat, ctx.t(slang, "staff.compliment", name=customer.display_name
                                                   or "—", who=who(slang), text=Raw(quote(story, 2000))))
    sent = state.get("sent", {})
    state.clear()
    state.update({"lang": lang, "step": "idle", "sent": sent})
    return Handled("compliment")


def _compliment_team(ctx: Ctx, decision: Decision) -> str:
    cat = decision.classification.category
    if cat in ctx.deps.categories and ctx.config.category(cat).team:
        return ctx.config.category(cat).team or decision.owner.team
    return decision.owner.team


def _praise_target(ctx: Ctx, story: str, decision: Decision) -> tuple[str, str | None]:
    """The team, and the person if we can tell, a compliment is about.

    A first name alone is not enough: in "bezorger Daan was supervriendelijk" the courier is
    praised, and the Daan of the quality team is someone else. A named staff member counts only
    when the role the customer mentions (the courier: delivery -> logistics) is their team's.
    """
    role_team = _role_team(ctx, story)
    praised = _praised_person(ctx, story)
    if praised and (role_team is None or ctx.config.person(praised).team == role_team):
        return ctx.config.person(praised).team, praised
    if role_team is not None:
        return role_team, None
    return _compliment_team(ctx, decision), None


def _role_team(ctx: Ctx, story: str) -> str | None:
    """The team of the work the praise is about (courier, fitter, app...), if it is clear."""
    classifier = ctx.deps.router.classifier
    scores = classifier.category_scores(story)
    owned = {c.id: c.team for c in ctx.config.categories if c.team and c.id != "staff_conduct"}
    ranked = sorted(((v, c) for c, v in scores.items() if c in owned), reverse=True)
    if ranked and ranked[0][0] >= classifier.thresholds.category_min_score:
        return owned[ranked[0][1]]
    return None


def _praised_person(ctx: Ctx, text: str) -> str | None:
    """A staff member named in the praise ('the fitter Bram was so friendly')."""
    words = {w.strip(".,!?;:()\"'").lower() for w in text.split()}
    found = [p.id for p in ctx.config.people if p.display_first_name.lower() in words]
    return found[0] if len(found) == 1 else None


# -- while a case is open --------------------------------------------------------------------
async def customer_followup(ctx: Ctx, case: CaseRecord, customer: CustomerRecord,
                            lang: str) -> Handled:
    text = ctx.ev.text.strip()
    await ctx.unit.add_message(case.id, "in", "customer", ctx.ev.channel, text, ctx.now)
    await ctx.unit.add_attachments(case.id, [
        {"kind": a.kind, "file_id": a.file_id, "file_name": a.file_name, "caption": a.caption,
         "channel": ctx.ev.channel} for a in ctx.ev.attachments], ctx.now)
    await ctx.unit.add_event(case.id, "customer_message", "customer", ctx.now,
                             channel=ctx.ev.channel, attachments=len(ctx.ev.attachments))
    slang, chat = ctx.owner_chat(case)
    if chat is not None:
        body = ctx.t(slang, "staff.followup", ref=case.reference, channel=ctx.ev.channel,
                     name=customer.display_name or "—", text=Raw(quote(text or "—", 3500)))
        await ctx.send("telegram", chat, Raw(body + "\n" + ctx.texts.raw(slang, "staff.followup_hint")),
                       case_id=case.id, link="relay")
        for a in ctx.ev.attachments:
            if ctx.ev.channel in FORWARDABLE:
                await ctx.send_media("telegram", chat, a.kind, a.file_id,
                                     f"{case.reference}" + (f"\n{esc(a.caption)}" if a.caption else ""),
                                     case_id=case.id, file_name=a.file_name)
    await ctx.reply(ctx.t(lang, "customer.followup_passed", ref=case.reference,
                          owner=ctx.case_owner_name(case, lang)))
    return Handled("followup_relayed")


async def customer_status(ctx: Ctx, customer: CustomerRecord, lang: str) -> Handled:
    cases = await ctx.unit.cases_of_customer(customer.id, limit=10)
    if not cases:
        await ctx.reply(ctx.t(lang, "customer.status_none"))
        return Handled("status")
    from storage import timers as tm

    lines = [ctx.texts.raw(lang, "customer.status_header")]
    for c in cases:
        cat = ctx.config.category(c.category).label.get(lang, c.category) \
            if c.category in ctx.deps.categories else c.category
        line = ctx.t(lang, "customer.status_line", ref=c.reference, category=cat,
                     status=ctx.texts.raw(lang, f"status.{c.status}"),
                     owner=ctx.case_owner_name(c, lang),
                     date=ctx.fmt_time(c.created_at, lang))
        if c.is_open:  # when they will hear from us next: the first response, else an update
            due = [t.due_at for t in await tm.timers_of(ctx.unit, c.id, "pending")
                   if t.kind == "update" and t.step == 0]
            nxt = c.first_response_due if c.first_response_at is None else min(due, default=None)
            if nxt is not None and nxt > ctx.now:
                line = Raw(line + ctx.t(lang, "followup.status_next", when=ctx.fmt_time(nxt, lang)))
        lines.append(line)
    await ctx.reply(Raw("\n".join(lines)))
    return Handled("status")


# -- satisfaction ----------------------------------------------------------------------------
async def customer_rates(ctx: Ctx, state: dict[str, Any], customer: CustomerRecord, lang: str,
                         action: Action) -> Handled:
    case = await ctx.unit.case_by_ref(action.ref)
    if case is None or case.customer_id != customer.id:
        return Handled("refused_foreign_case", toast=ctx.texts.raw(lang, "customer.not_your_case"),
                       alert=True)
    if action.name == "nocomment":
        if state.get("step") == "feedback_comment":
            state["step"] = "idle"
            state.pop("feedback_case", None)
        await ctx.reply(ctx.t(lang, "customer.feedback_thanks", name=_handler_name(ctx, case)))
        return Handled("feedback_done")
    try:
        score = int(action.arg)
    except ValueError:
        score = 0
    if not 1 <= score <= 5 or case.status != "resolved":
        return Handled("invalid_rating", toast=ctx.texts.raw(lang, "customer.stale_button"))
    if not await ctx.unit.add_feedback(case.id, score, None, ctx.now):
        await ctx.reply(ctx.t(lang, "customer.feedback_already", ref=case.reference))
        return Handled("feedback_duplicate")
    await ctx.unit.add_event(case.id, "feedback", "customer", ctx.now, score=score)
    await _feedback_to_owner(ctx, case, score, None)
    state["step"] = "feedback_comment"
    state["feedback_case"] = case.reference
    await ctx.reply(ctx.t(lang, "customer.ask_feedback_comment"),
                    [[ctx.btn(lang, "no_comment", Action("nocomment", case.reference))]])
    return Handled("feedback_score")


async def feedback_comment(ctx: Ctx, state: dict[str, Any], customer: CustomerRecord, lang: str,
                           text: str) -> Handled:
    ref = state.get("feedback_case", "")
    state["step"] = "idle"
    state.pop("feedback_case", None)
    case = await ctx.unit.case_by_ref(ref) if ref else None
    if case is None or case.customer_id != customer.id:
        return Handled("feedback_lost_case")
    await ctx.unit.set_feedback_comment(case.id, text[:MAX_COMMENT])
    fb = await ctx.unit.feedback(case.id)
    await ctx.unit.add_event(case.id, "feedback_comment", "customer", ctx.now,
                             text=text[:MAX_COMMENT])
    await _feedback_to_owner(ctx, case, fb.score if fb else 0, text)
    await ctx.reply(ctx.t(lang, "customer.feedback_thanks", name=_handler_name(ctx, case)))
    return Handled("feedback_comment")


async def feedback_comment_more(ctx: Ctx, customer: CustomerRecord, ref: str, text: str) -> None:
    """The next part of a comment Telegram split in two: appended, and passed on to the owner."""
    case = await ctx.unit.case_by_ref(ref)
    if case is None or case.customer_id != customer.id:
        return
    fb = await ctx.unit.feedback(case.id)
    if fb is None:
        return
    await ctx.unit.set_feedback_comment(case.id, f"{fb.comment or ''}\n{text}"[:MAX_COMMENT])
    await ctx.unit.add_event(case.id, "feedback_comment", "customer", ctx.now,
                             text=text[:MAX_COMMENT])
    await _feedback_to_owner(ctx, case, fb.score, text)


def _handler_name(ctx: Ctx, case: CaseRecord) -> str:
    if case.owner_person and ctx.config.has_person(case.owner_person):
        return ctx.config.person(case.owner_person).display_first_name
    return ctx.team_name(case.owner_team, case.language)


async def _feedback_to_owner(ctx: Ctx, case: CaseRecord, score: int, comment: str | None) -> None:
    """The score (then the comment) to the owner; a low one also to the team lead, and both
    get a Reopen button."""
    low = 1 <= score <= ctx.config.followup.low_score
    slang, chat = ctx.owner_chat(case)
    if chat is not None:
        extra = ctx.t(slang, "staff.feedback_comment", comment=Raw(quote(comment, 2000))) \
            if comment else ""
        buttons = [[Button(ctx.texts.raw(slang, "followup.buttons.reopen"),
                           Action("reopen", case.reference))]] if low else None
        await ctx.send("telegram", chat, ctx.t(slang, "staff.feedback", ref=case.reference,
                                               score=score, comment=Raw(extra)),
                       buttons, case_id=case.id, link="relay")
    if low:
        from bot.remedies import low_score

        await low_score(ctx, case, score, comment, skip=chat)
