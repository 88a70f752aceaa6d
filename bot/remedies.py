"""Remedies and mandates, promises, reopening, and the low-score follow-up.

An offer within the offerer's mandate goes straight to the customer. Above it, an approval
request (Approve / Decline) goes to the first person up the line whose mandate covers it; the
wait has its own deadline (`followup.approval_wait`, working time) and climbs
`followup.approval_ladder`. The customer hears that something is being arranged, never that it
needs permission.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.cases import customer_address
from bot.context import Ctx, quote
from bot.followup import (
    _lang_of,
    deadline_due,
    fbtn,
    ladder_person,
    on_reopen,
    schedule_deadline,
    schedule_update,
)
from bot.ports import Action, Handled
from bot.texts import Raw
from routing.config import WEEKDAYS, Config, Person
from storage import timers as tm
from storage.records import CaseRecord


def mandate_of(config: Config, pid: str) -> float:
    """A person's own mandate, else their team's."""
    if not config.has_person(pid):
        return 0.0
    p = config.person(pid)
    if p.mandate > 0:
        return p.mandate
    return config.team(p.team).mandate if config.has_team(p.team) else 0.0


def approval_chain(config: Config, offerer: str, amount: float) -> list[str]:
    """Who can approve, nearest first: the team lead, the process owner, then up the line:
    whoever has the largest mandate first (management)."""
    team_id = config.person(offerer).team if config.has_person(offerer) else ""
    team = config.team(team_id) if config.has_team(team_id) else None
    near = [x for x in ((team.lead, team.process_owner) if team else ()) if x]
    rest = sorted((p.id for p in config.people), key=lambda pid: -mandate_of(config, pid))
    out: list[str] = []
    for pid in [*near, *rest]:
        if pid != offerer and pid not in out and mandate_of(config, pid) >= amount \
                and config.has_person(pid) and config.person(pid).telegram_id is not None:
            out.append(pid)
    return out


_AMOUNT = re.compile(r"^\s*(?:€|eur|euro)?\s*(\d+(?:[.,]\d{1,2})?)\s*(?:€|eur|euro)?(?:\s+|$)",
                     re.IGNORECASE)


def parse_offer(text: str) -> tuple[float | None, str]:
    """'50 refund of the delivery costs' -> (50.0, 'refund of...'); 'flowers' -> (None, ...)."""
    m = _AMOUNT.match(text)
    if m is None:
        return None, text.strip()
    return float(m.group(1).replace(",", ".")), text[m.end():].strip()


def fmt_amount(ctx: Ctx, amount: float | None) -> str:
    if amount is None:
        return ""
    cur = ctx.config.followup.currency
    return f"{cur}{amount:.2f}".replace(".00", "")


def _offer_text(ctx: Ctx, amount: float | None, gesture: str) -> str:
    parts = [x for x in (fmt_amount(ctx, amount), gesture) if x]
    return " – ".join(parts)


async def offer(ctx: Ctx, case: CaseRecord, person: Person, lang: str, text: str) -> Handled:
    amount, gesture = parse_offer(text)
    if amount is None and not gesture:
        await ctx.reply(ctx.t(lang, "staff.usage", usage="/offer REF amount-or-gesture"))
        return Handled("usage")
    mandate = mandate_of(ctx.config, person.id)
    what = _offer_text(ctx, amount, gesture)
    if amount is None or amount <= mandate:
        r = await tm.add_remedy(ctx.unit, case.id, person.id, amount, gesture, "offered", None,
                                ctx.now)
        await ctx.unit.add_event(case.id, "remedy_offered", person.id, ctx.now, remedy=r.id,
                                 amount=amount, gesture=gesture)
        await _tell_customer_offer(ctx, case, person.display_first_name, what)
        await ctx.reply(ctx.t(lang, "followup.offer_sent", ref=case.reference, offer=what))
        return Handled("remedy_offered")
    chain = approval_chain(ctx.config, person.id, amount)
    approver = chain[0] if chain else None
    r = await tm.add_remedy(ctx.unit, case.id, person.id, amount, gesture, "awaiting", approver,
                            ctx.now)
    await ctx.unit.add_event(case.id, "remedy_requested", person.id, ctx.now, remedy=r.id,
                             amount=amount, gesture=gesture, approver=approver,
                             mandate=mandate)
    if approver is not None:
        await _ask_approval(ctx, case, r.id, person, approver, what, escalated=False)
        team = ctx.config.person(approver).team
        deadline = deadline_due(ctx.config, team, ctx.now, ctx.config.followup.approval_wait,
                                False)
        await schedule_deadline(ctx, case.id, "approval", deadline,
                                {"remedy": r.id, "asked": [approver]})
    address = await customer_address(ctx, case.customer_id)
    if address is not None:
        clang = case.language
        await ctx.send(address[0], address[1], ctx.t(
            clang, "followup.offer_arranging", ref=case.reference,
            name=person.display_first_name), case_id=case.id, link="relay")
    approver_name = ctx.config.person(approver).display_first_name if approver else "—"
    await ctx.reply(ctx.t(lang, "followup.offer_needs_approval", ref=case.reference, offer=what,
                          mandate=fmt_amount(ctx, mandate), approver=approver_name))
    return Handled("remedy_awaiting")


async def _tell_customer_offer(ctx: Ctx, case: CaseRecord, name: str, what: str) -> None:
    address = await customer_address(ctx, case.customer_id)
    if address is None:
        return
    clang = case.language
    await ctx.unit.add_message(case.id, "out", "system", address[0], what, ctx.now)
    await ctx.send(address[0], address[1], ctx.t(clang, "followup.offer_customer",
                                                 ref=case.reference, name=name, offer=what),
                   case_id=case.id, link="relay")


async def _ask_approval(ctx: Ctx, case: CaseRecord, remedy_id: int, offerer: Person | str,
                        approver: str, what: str, *, escalated: bool) -> None:
    chat = ctx.chat_of_person(approver)
    if chat is None:
        return
    lang = _lang_of(ctx, approver)
    name = offerer.display_first_name if isinstance(offerer, Person) else \
        (ctx.config.person(offerer).display_first_name if ctx.config.has_person(offerer)
         else offerer)
    key = "followup.approval_escalated" if escalated else "followup.approval_request"
    await ctx.send("telegram", chat, ctx.t(
        lang, key, ref=case.reference, name=name, offer=what,
        summary=Raw(quote(case.text.replace("\n", " "), 400))),
        [[fbtn(ctx, lang, "approve", Action("approve", case.reference, str(remedy_id))),
          fbtn(ctx, lang, "decline", Action("decline", case.reference, str(remedy_id)))]],
        case_id=case.id, link="notification")


async def decide(ctx: Ctx, case: CaseRecord, person: Person, lang: str, remedy_id: str,
                 approve: bool) -> Handled:
    try:
        r = await tm.remedy(ctx.unit, int(remedy_id))
    except ValueError:
        r = None
    if r is None or r.case_id != case.id:
        return Handled("invalid_button", toast=ctx.texts.raw(lang, "staff.cancelled"))
    if r.status != "awaiting":
        text = ctx.t(lang, "followup.already_decided", ref=case.reference)
        return Handled("remedy_already_decided", toast=str(text), alert=True)
    if (r.amount or 0) > mandate_of(ctx.config, person.id):
        text = ctx.t(lang, "followup.not_your_mandate", ref=case.reference)
        return Handled("remedy_not_mandated", toast=str(text), alert=True)
    await tm.decide_remedy(ctx.unit, r.id, "approved" if approve else "declined", person.id,
                           ctx.now)
    await tm.cancel(ctx.unit, case.id, ("approval",))
    what = _offer_text(ctx, r.amount, r.gesture)
    waited = ctx.fmt_duration(ctx.now - r.created_at, lang)
    await ctx.unit.add_event(case.id, "remedy_approved" if approve else "remedy_declined",
                             person.id, ctx.now, remedy=r.id,
                             waited_s=int((ctx.now - r.created_at).total_seconds()))
    offerer_name = ctx.config.person(r.offered_by).display_first_name \
        if ctx.config.has_person(r.offered_by) else r.offered_by
    if approve:
        await _tell_customer_offer(ctx, case, offerer_name, what)
    ochat = ctx.chat_of_person(r.offered_by)
    if ochat is not None:
        olang = _lang_of(ctx, r.offered_by)
        key = "followup.approved_owner" if approve else "followup.declined_owner"
        await ctx.send("telegram", ochat, ctx.t(olang, key, ref=case.reference, offer=what,
                                                name=person.display_first_name),
                       case_id=case.id, link="notification")
    text = ctx.t(lang, "followup.approved" if approve else "followup.declined",
                 ref=case.reference, offer=what, waited=waited)
    if ochat != ctx.ev.chat_id:
        await ctx.reply(text)
    return Handled("remedy_approved" if approve else "remedy_declined", toast=str(text))


async def fire_approval(ctx: Ctx, case: CaseRecord, timer: tm.TimerRecord) -> str:
    r = await tm.remedy(ctx.unit, int(timer.data["remedy"]))
    if r is None or r.status != "awaiting":
        return "decided"
    deadline = datetime.fromisoformat(timer.data["deadline"])
    what = _offer_text(ctx, r.amount, r.gesture)
    asked: list[str] = list(timer.data.get("asked", []))
    if timer.step == 0:
        if r.approver:
            chat = ctx.chat_of_person(r.approver)
            lang = _lang_of(ctx, r.approver)
            if chat:
                await ctx.send("telegram", chat, ctx.t(
                    lang, "followup.approval_reminder", ref=case.reference, offer=what,
                    due=ctx.fmt_time(deadline, lang)), case_id=case.id, link="notification")
        from bot.followup import _schedule_rung

        await _schedule_rung(ctx, case.id, "approval", 1, deadline, timer.data)
        return "approval_reminded"
    ladder = ctx.config.followup.approval_ladder
    rung = ladder[timer.step - 1]
    base_team = ctx.config.person(r.approver).team if r.approver and \
        ctx.config.has_person(r.approver) else case.owner_team
    pid = ladder_person(ctx.config, rung.to, base_team, r.approver)
    amount = r.amount or 0.0
    if pid is None or pid in asked or pid == r.offered_by or mandate_of(ctx.config, pid) < amount:
        pid = next((p for p in approval_chain(ctx.config, r.offered_by, amount)
                    if p not in asked), None)
    if pid is not None:
        asked.append(pid)
        await _ask_approval(ctx, case, r.id, r.offered_by, pid, what, escalated=True)
    ochat = ctx.chat_of_person(r.offered_by)
    if ochat is not None:
        olang = _lang_of(ctx, r.offered_by)
        await ctx.send("telegram", ochat, ctx.t(
            olang, "followup.approval_late_owner", ref=case.reference, offer=what,
            late=ctx.fmt_duration(max(ctx.now - deadline, timedelta(minutes=1)), olang),
            to=ctx.config.person(pid).display_first_name if pid else "—"),
            case_id=case.id, link="notification")
    await ctx.unit.add_event(case.id, "escalated", "system", ctx.now, kind="approval",
                             step=timer.step, to=pid,
                             late_s=int((ctx.now - deadline).total_seconds()))
    from bot.followup import _schedule_rung

    await _schedule_rung(ctx, case.id, "approval", timer.step + 1, deadline,
                         {**timer.data, "asked": asked})
    return f"approval_escalated_{timer.step}"


async def decide_latest(ctx: Ctx, case: CaseRecord, person: Person, lang: str,
                        approve: bool) -> Handled:
    """The typed twin of Approve / Decline: the case's latest offer awaiting approval."""
    waiting = [r for r in await tm.remedies(ctx.unit, case.id) if r.status == "awaiting"]
    if not waiting:
        await ctx.reply(ctx.t(lang, "followup.nothing_awaiting", ref=case.reference))
        return Handled("remedy_none_awaiting")
    result = await decide(ctx, case, person, lang, str(waiting[-1].id), approve)
    if result.toast and result.outcome not in ("remedy_approved", "remedy_declined"):
        await ctx.reply(Raw(result.toast))
    return result


async def followup_lines(ctx: Ctx, case: CaseRecord, lang: str) -> list[str]:
    """For /case: promises, offers awaiting approval, and the resolution deadline."""
    lines: list[str] = []
    pending = await tm.timers_of(ctx.unit, case.id, "pending")
    seen: set[str] = set()
    for t in pending:
        if t.kind == "promise" and t.data.get("deadline") not in seen:
            seen.add(t.data["deadline"])
            lines.append(str(ctx.t(lang, "followup.case_promise", promise=t.data.get("text", ""),
                                   due=ctx.fmt_time(datetime.fromisoformat(t.data["deadline"]),
                                                    lang))))
    for r in await tm.remedies(ctx.unit, case.id):
        who = ctx.config.person(r.approver).display_first_name \
            if r.approver and ctx.config.has_person(r.approver) else "—"
        lines.append(str(ctx.t(lang, f"followup.case_remedy_{r.status}",
                               offer=_offer_text(ctx, r.amount, r.gesture), approver=who,
                               since=ctx.fmt_time(r.created_at, lang))))
    if case.is_open and case.resolution_due:
        lines.append(str(ctx.t(lang, "followup.case_resolution",
                               due=ctx.fmt_time(case.resolution_due, lang))))
    return lines


# -- promises --------------------------------------------------------------------------------
DAY_WORDS = {
    **{w: i for i, w in enumerate(WEEKDAYS)},
    **{w: i for i, w in enumerate(("monday", "tuesday", "wednesday", "thursday", "friday",
                                   "saturday", "sunday"))},
    **{w: i for i, w in enumerate(("ma", "di", "wo", "do", "vr", "za", "zo"))},
    **{w: i for i, w in enumerate(("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag",
                                   "zaterdag", "zondag"))},
}


def parse_when(text: str, now: datetime, tz: ZoneInfo) -> tuple[datetime, str] | None:
    """'thursday 14:00 call back' / 'tomorrow ...' / '2026-11-26 ...' / '16:00 ...' / '2h ...'
    -> (when, the rest). A day without a time means 17:00."""
    words = text.split()
    if not words:
        return None
    local = now.astimezone(tz)
    first = words[0].lower().rstrip(",")
    day = None
    used = 1
    if first in DAY_WORDS:
        ahead = (DAY_WORDS[first] - local.weekday()) % 7 or 7
        day = local.date() + timedelta(days=ahead)
    elif first in ("today", "vandaag"):
        day = local.date()
    elif first in ("tomorrow", "morgen"):
        day = local.date() + timedelta(days=1)
    elif re.fullmatch(r"\d{4}-\d{2}-\d{2}", first):
        day = datetime.strptime(first, "%Y-%m-%d").date()
    elif re.fullmatch(r"\d+[mhd]", first):
        from routing.config import parse_duration

        return now + parse_duration(first), " ".join(words[1:])
    else:
        used = 0
    at = time(17, 0)
    if len(words) > used and re.fullmatch(r"\d{1,2}[:.]\d{2}", words[used]):
        hh, mm = (int(x) for x in re.split(r"[:.]", words[used]))
        at = time(hh % 24, mm % 60)
        used += 1
        if day is None:
            day = local.date() if datetime.combine(local.date(), at, tz) > local \
                else local.date() + timedelta(days=1)
    if day is None:
        return None
    return datetime.combine(day, at, tz).astimezone(now.tzinfo), " ".join(words[used:])


async def promise(ctx: Ctx, case: CaseRecord, person: Person, lang: str, text: str) -> Handled:
    parsed = parse_when(text, ctx.now, ctx.deps.tz)
    if parsed is None or parsed[0] <= ctx.now:
        await ctx.reply(ctx.t(lang, "followup.promise_usage"))
        return Handled("usage")
    when, what = parsed
    what = what.strip()[:500] or ctx.texts.raw(case.language, "followup.promise_default")
    await ctx.unit.add_event(case.id, "promise", person.id, ctx.now, due=when.isoformat(),
                             text=what)
    await schedule_deadline(ctx, case.id, "promise", when, {"text": what, "by": person.id})
    address = await customer_address(ctx, case.customer_id)
    if address is not None:
        clang = case.language
        msg = ctx.t(clang, "followup.promise_customer", ref=case.reference,
                    name=person.display_first_name, promise=what, when=ctx.fmt_time(when, clang))
        await ctx.unit.add_message(case.id, "out", person.id, address[0], str(msg), ctx.now)
        await ctx.send(address[0], address[1], msg, case_id=case.id, link="relay")
    await ctx.reply(ctx.t(lang, "followup.promise_set", ref=case.reference, promise=what,
                          when=ctx.fmt_time(when, lang)))
    return Handled("promise_set")


async def kept(ctx: Ctx, case: CaseRecord, person: Person, lang: str) -> Handled:
    n = await tm.cancel(ctx.unit, case.id, ("promise",))
    await ctx.unit.add_event(case.id, "promise_kept", person.id, ctx.now, timers=n)
    text = ctx.t(lang, "followup.promise_kept", ref=case.reference)
    await ctx.reply(text)
    return Handled("promise_kept", toast=str(text))


# -- reopen and the low score ----------------------------------------------------------------
async def reopen(ctx: Ctx, case: CaseRecord, person: Person, lang: str) -> Handled:
    if case.is_open:
        text = ctx.t(lang, "followup.already_open", ref=case.reference)
        if ctx.ev.action is None:
            await ctx.reply(text)
        return Handled("already_open", toast=str(text))
    status = "taken" if case.owner_person else "open"
    case = await ctx.unit.update_case(case.id, ctx.now, status=status, resolved_at=None)
    await ctx.unit.add_event(case.id, "reopened", person.id, ctx.now)
    await on_reopen(ctx, case)
    text = ctx.t(lang, "followup.reopened", ref=case.reference, owner=ctx.case_owner_name(case, lang))
    await ctx.reply(text)
    olang, ochat = ctx.owner_chat(case)
    if ochat is not None and ochat != ctx.ev.chat_id:
        await ctx.send("telegram", ochat, ctx.t(olang, "followup.reopened_owner",
                                                ref=case.reference,
                                                name=person.display_first_name),
                       case_id=case.id, link="notification")
    address = await customer_address(ctx, case.customer_id)
    if address is not None:
        clang = case.language
        await ctx.send(address[0], address[1], ctx.t(
            clang, "followup.reopened_customer", ref=case.reference,
            owner=ctx.case_owner_name(case, clang)), case_id=case.id, link="relay")
    return Handled("reopened", toast=str(text))


async def low_score(ctx: Ctx, case: CaseRecord, score: int, comment: str | None,
                    skip: str | None = None) -> None:
    """A low satisfaction score (and its comment) to the team lead, with Reopen (the owner has
    it already, in chat `skip`)."""
    targets: list[tuple[str, str]] = []
    lead = ctx.config.team(case.owner_team).lead if ctx.config.has_team(case.owner_team) else None
    lchat = ctx.chat_of_person(lead) if lead else None
    if lchat and lchat != skip:
        targets.append((_lang_of(ctx, lead), lchat))
    for lang, chat in targets:
        key = "followup.low_score_comment" if comment else "followup.low_score"
        await ctx.send("telegram", chat, ctx.t(
            lang, key, ref=case.reference, score=score, owner=ctx.case_owner_name(case, lang),
            comment=Raw(quote(comment or "", 2000)), cause=case.root_cause or "—"),
            [[fbtn(ctx, lang, "reopen", Action("reopen", case.reference))]],
            case_id=case.id, link="notification")


async def first_response_given(ctx: Ctx, case: CaseRecord) -> None:
    """A message reached the customer: the first-response clock stops, updates restart."""
    await tm.cancel(ctx.unit, case.id, ("first_response", "take"))
    await schedule_update(ctx, case, ctx.now)
