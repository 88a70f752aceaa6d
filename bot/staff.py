"""Case use-cases for staff: take, reply, resolve, hand over, ask a colleague.

Every button has a typed twin (`/take REF`, `/resolve REF cause`, ...). Only people named in
config reach this module; the caller refuses everyone else.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from bot.cases import case_buttons, customer_address, ownership_state, render_case
from bot.context import Ctx, quote
from bot.ports import Action, Button, Handled
from bot.texts import Raw
from routing.config import OwnerRef, Person
from routing.types import CaseInput
from storage import timers as tm
from storage.records import CaseRecord

log = logging.getLogger("skewer.staff")

USAGE = {
    "take": "/take REF",
    "reply": "/reply REF text",
    "resolve": "/resolve REF root cause",
    "handover": "/handover REF team-or-person",
    "consult": "/consult REF team",
    "case": "/case REF",
    "promise": "/promise REF when text",
    "kept": "/kept REF",
    "offer": "/offer REF amount-or-gesture",
    "reopen": "/reopen REF",
    "approve": "/approve REF",
    "decline": "/decline REF",
}
OPEN_ANY = ("case", "reopen")  # commands that also work on a resolved case
FOLLOWUP_KINDS = ("take", "first_response", "resolution", "update", "promise")


async def handle_staff(ctx: Ctx, state: dict[str, Any], person: Person) -> Handled:
    lang = ctx.staff_language(person)
    ev = ctx.ev
    if ev.invalid_action:
        return Handled("invalid_button", toast=ctx.texts.raw(lang, "staff.cancelled"))
    if ev.action is not None:
        return await _button(ctx, state, person, lang, ev.action)
    if ev.command:
        return await _command(ctx, state, person, lang, ev.command.lower(), ev.args.strip())
    text = ev.text.strip()
    if ev.reply_to_message_id:
        link = await ctx.unit.link_for_message(ev.channel, ev.chat_id, ev.reply_to_message_id)
        if link is None:
            link = await _link_from_text(ctx, ev.reply_to_text, person)
        if link is not None:
            case = await ctx.unit.case_by_id(link[0])
            if not text:
                await ctx.reply(ctx.t(lang, "staff.no_text"))
                return Handled("staff_no_text")
            if link[1] == "consult" and not _is_owner(case, person):
                return await _consult_answer(ctx, case, person, lang, text)
            if link[1] == "internal":
                # A colleague's input is between staff: a reply to it never goes to the customer.
                await ctx.reply(ctx.t(lang, "staff.internal_reply", ref=case.reference))
                return Handled("internal_reply_refused")
            return await reply_to_customer(ctx, case, person, lang, text)
    awaiting = state.get("await")
    if awaiting:
        case = await ctx.unit.case_by_ref(state.get("case", ""))
        state.clear()
        if case is None:
            return Handled("staff_await_lost")
        if not text:
            await ctx.reply(ctx.t(lang, "staff.no_text"))
            state.update({"await": awaiting, "case": case.reference})
            return Handled("staff_no_text")
        if awaiting == "reply":
            return await reply_to_customer(ctx, case, person, lang, text)
        if awaiting == "cause":
            return await resolve(ctx, case, person, lang, text)
    if ev.is_group:
        return Handled("group_chatter")
    await ctx.reply(ctx.t(lang, "staff.help"))
    return Handled("staff_help")


REFERENCE = re.compile(r"\b([A-Z2-9]{3}-[A-Z2-9]{3})\b")


async def _link_from_text(ctx: Ctx, text: str | None, person: Person
                          ) -> tuple[int, str] | None:
    """A reply to a case message whose link is not recorded yet: the reference in its text."""
    if not text:
        return None
    found = REFERENCE.search(text)
    if found is None:
        return None
    case = await ctx.unit.case_by_ref(found.group(1))
    if case is None:
        return None
    if text.startswith("🤝"):  # between staff: a consult request, or the input it brought back
        return case.id, "internal" if _is_owner(case, person) else "consult"
    return case.id, "notification"


def _is_owner(case: CaseRecord, person: Person) -> bool:
    return case.owner_person == person.id or (case.owner_person is None
                                              and case.owner_team == person.team)


async def _load(ctx: Ctx, lang: str, ref: str, *, open_only: bool = True
                ) -> tuple[CaseRecord | None, Handled | None]:
    case = await ctx.unit.case_by_ref(ref) if ref else None
    if case is None:
        text = ctx.t(lang, "staff.unknown_case", ref=ref or "?")
        if ctx.ev.action is None:
            await ctx.reply(text)
        return None, Handled("unknown_case", toast=str(text), alert=True)
    if open_only and not case.is_open:
        text = ctx.t(lang, "staff.case_closed", ref=case.reference)
        if ctx.ev.action is None:
            await ctx.reply(text)
        return None, Handled("case_closed", toast=str(text), alert=True)
    return case, None


async def _button(ctx: Ctx, state: dict[str, Any], person: Person, lang: str,
                  action: Action) -> Handled:
    case, refusal = await _load(ctx, lang, action.ref, open_only=action.name != "reopen")
    if case is None:
        assert refusal is not None
        return refusal
    name = action.name
    if name in ("kept", "approve", "decline", "reopen"):
        from bot import remedies

        if name == "kept":
            return await remedies.kept(ctx, case, person, lang)
        if name == "reopen":
            return await remedies.reopen(ctx, case, person, lang)
        return await remedies.decide(ctx, case, person, lang, action.arg, name == "approve")
    if name == "take":
        return await take(ctx, case, person, lang)
    if name in ("reply", "update"):
        state.clear()
        state.update({"await": "reply", "case": case.reference})
        customer = await ctx.unit.get_customer(case.customer_id)
        await ctx.reply(ctx.t(lang, "staff.reply_prompt", ref=case.reference,
                              customer=customer.display_name or "—"))
        return Handled("reply_prompt")
    if name == "resolve":
        causes = ctx.config.root_causes_for(case.category)
        rows = [[Button(c, Action("cause", case.reference, str(i)))] for i, c in enumerate(causes)]
        rows.append([ctx.btn(lang, "cause_other", Action("cause", case.reference, "other"))])
        await ctx.reply(ctx.t(lang, "staff.resolve_prompt", ref=case.reference), rows)
        return Handled("resolve_prompt")
    if name == "cause":
        causes = ctx.config.root_causes_for(case.category)
        if action.arg == "other":
            state.clear()
            state.update({"await": "cause", "case": case.reference})
            await ctx.reply(ctx.t(lang, "staff.resolve_type_cause", ref=case.reference))
            return Handled("cause_prompt")
        try:
            cause = causes[int(action.arg)]
        except (ValueError, IndexError):
            return Handled("invalid_button", toast=ctx.texts.raw(lang, "staff.cancelled"))
        return await resolve(ctx, case, person, lang, cause)
    if name in ("handover", "consult"):
        key = "staff.handover_prompt" if name == "handover" else "staff.consult_prompt"
        short = "ho" if name == "handover" else "co"
        teams = [t for t in ctx.config.teams
                 if not (name == "handover" and t.id == case.owner_team)]
        rows = [[Button(ctx.team_name(t.id, lang), Action(short, case.reference, t.id))]
                for t in teams]
        await ctx.reply(ctx.t(lang, key, ref=case.reference), rows)
        return Handled(f"{name}_prompt")
    if name == "ho":
        return await hand_over(ctx, case, person, lang, action.arg)
    if name == "co":
        return await consult(ctx, case, person, lang, action.arg)
    return Handled("unknown_button", toast=ctx.texts.raw(lang, "staff.cancelled"))


async def _command(ctx: Ctx, state: dict[str, Any], person: Person, lang: str, cmd: str,
                   args: str) -> Handled:
    if cmd in ("help", "start"):
        await ctx.reply(Raw(ctx.t(lang, "staff.help") + "\n" + ctx.t(lang, "followup.help")))
        return Handled("staff_help")
    if cmd == "cancel":
        state.clear()
        await ctx.reply(ctx.t(lang, "staff.cancelled"))
        return Handled("staff_cancelled")
    if cmd == "mycases":
        return await my_cases(ctx, person, lang)
    if cmd not in USAGE:
        await ctx.reply(ctx.t(lang, "staff.unknown_command", command="/" + cmd))
        return Handled("unknown_command")
    ref, _, rest = args.partition(" ")
    rest = rest.strip()
    needs_rest = cmd in ("reply", "resolve", "handover", "consult", "promise", "offer")
    if not ref or (needs_rest and not rest):
        await ctx.reply(ctx.t(lang, "staff.usage", usage=USAGE[cmd]))
        return Handled("usage")
    case, refusal = await _load(ctx, lang, ref, open_only=cmd not in OPEN_ANY)
    if case is None:
        assert refusal is not None
        return refusal
    if cmd == "case":
        header = ctx.t(lang, "staff.case_view", ref=case.reference,
                       status=ctx.texts.raw(lang, f"status.{case.status}"),
                       urgency=ctx.texts.raw(lang, f"urgency.{case.urgency}"),
                       category=case.category, owner=ctx.case_owner_name(case, lang))
        from bot.remedies import followup_lines
        from bot.timeline import timeline_lines

        body = await render_case(ctx, case, lang, header)
        body = Raw("\n".join([body, *await followup_lines(ctx, case, lang), "",
                              *await timeline_lines(ctx, case, lang)]))
        await ctx.send(ctx.ev.channel, ctx.ev.chat_id, body,
                       case_buttons(ctx, lang, case) if case.is_open else None,
                       case_id=case.id, link="notification")
        return Handled("case_view")
    if cmd == "take":
        return await take(ctx, case, person, lang)
    if cmd == "reply":
        return await reply_to_customer(ctx, case, person, lang, rest)
    if cmd == "resolve":
        return await resolve(ctx, case, person, lang, rest)
    if cmd == "handover":
        return await hand_over(ctx, case, person, lang, rest)
    if cmd in ("promise", "kept", "offer", "reopen", "approve", "decline"):
        from bot import remedies

        if cmd in ("approve", "decline"):
            return await remedies.decide_latest(ctx, case, person, lang, cmd == "approve")
        if cmd == "promise":
            return await remedies.promise(ctx, case, person, lang, rest)
        if cmd == "kept":
            return await remedies.kept(ctx, case, person, lang)
        if cmd == "offer":
            return await remedies.offer(ctx, case, person, lang, rest)
        return await remedies.reopen(ctx, case, person, lang)
    return await consult(ctx, case, person, lang, rest)


async def my_cases(ctx: Ctx, person: Person, lang: str) -> Handled:
    cases = await ctx.unit.all_open_cases_of(person.id)
    if not cases:
        await ctx.reply(ctx.t(lang, "staff.mycases_none"))
        return Handled("mycases")
    lines = [ctx.texts.raw(lang, "staff.mycases_header")]
    for c in cases:
        line = ctx.t(lang, "staff.mycases_line", ref=c.reference,
                     urgency=ctx.texts.raw(lang, f"urgency.{c.urgency}"), category=c.category,
                     status=ctx.texts.raw(lang, f"status.{c.status}"))
        due = c.first_response_due if c.first_response_at is None else c.resolution_due
        if due is not None:
            what = "first_response" if c.first_response_at is None else "resolution"
            key = "followup.mycases_late" if due < ctx.now else "followup.mycases_due"
            line = Raw(line + ctx.t(lang, key, what=ctx.texts.raw(lang, f"followup.what.{what}"),
                                    due=ctx.fmt_time(due, lang)))
        lines.append(line)
    await ctx.reply(Raw("\n".join(lines)))
    return Handled("mycases")


# -- the use-cases ---------------------------------------------------------------------------
async def take(ctx: Ctx, case: CaseRecord, person: Person, lang: str) -> Handled:
    if case.status == "taken" and case.owner_person and case.owner_person != person.id:
        other = ctx.config.person(case.owner_person).display_first_name \
            if ctx.config.has_person(case.owner_person) else case.owner_person
        text = ctx.t(lang, "staff.taken_already", ref=case.reference, name=other)
        if ctx.ev.action is None:
            await ctx.reply(text)
        return Handled("already_taken", toast=str(text), alert=True)
    if case.status == "taken" and case.owner_person == person.id:
        return Handled("already_yours", toast=str(ctx.t(lang, "staff.taken", name=person.display_first_name,
                                                          ref=case.reference)))
    previous = case.owner_person
    case = await ctx.unit.update_case(case.id, ctx.now, status="taken", owner_person=person.id,
                                      owner_team=person.team, taken_at=ctx.now)
    await ctx.unit.add_event(case.id, "taken", person.id, ctx.now, previous=previous)
    await tm.cancel(ctx.unit, case.id, ("take",))
    text = ctx.t(lang, "staff.taken", name=person.display_first_name, ref=case.reference)
    await ctx.reply(text)
    if previous != person.id:
        await _tell_customer(ctx, case, "customer.handed_over",
                             owner=lambda cl: ctx.case_owner_name(case, cl))
    return Handled("taken", toast=str(text))


async def reply_to_customer(ctx: Ctx, case: CaseRecord, person: Person, lang: str,
                            text: str) -> Handled:
    if not case.is_open:
        await ctx.reply(ctx.t(lang, "staff.case_closed", ref=case.reference))
        return Handled("case_closed")
    address = await customer_address(ctx, case.customer_id)
    await ctx.unit.add_message(case.id, "out", person.id, address[0] if address else "-",
                               text, ctx.now)
    await ctx.unit.add_event(case.id, "reply", person.id, ctx.now, chars=len(text))
    fields: dict[str, Any] = {}
    if case.first_response_at is None:
        fields["first_response_at"] = ctx.now
    if case.owner_person is None:
        fields.update(owner_person=person.id, status="taken", taken_at=ctx.now)
    if fields:
        case = await ctx.unit.update_case(case.id, ctx.now, **fields)
    from bot.remedies import first_response_given

    await first_response_given(ctx, case)
    if address is None:
        await ctx.reply(ctx.t(lang, "staff.reply_undeliverable", ref=case.reference,
                              channel=case.channel))
        return Handled("reply_undeliverable")
    clang = case.language
    await ctx.send(address[0], address[1], ctx.t(clang, "customer.staff_reply",
                                                 name=person.display_first_name,
                                                 team=ctx.team_name(person.team, clang),
                                                 ref=case.reference, text=text),
                   case_id=case.id, link="relay")
    await ctx.reply(ctx.t(lang, "staff.reply_sent", ref=case.reference))
    return Handled("replied")


async def resolve(ctx: Ctx, case: CaseRecord, person: Person, lang: str, cause: str) -> Handled:
    if not case.is_open:  # e.g. a colleague resolved it while this cause was being typed
        text = ctx.t(lang, "staff.case_closed", ref=case.reference)
        await ctx.reply(text)
        return Handled("case_closed", toast=str(text), alert=True)
    cause = cause.strip()[:300]
    case = await ctx.unit.update_case(case.id, ctx.now, status="resolved", root_cause=cause,
                                      resolved_at=ctx.now,
                                      owner_person=case.owner_person or person.id)
    await ctx.unit.add_event(case.id, "resolved", person.id, ctx.now, root_cause=cause)
    await tm.cancel(ctx.unit, case.id, FOLLOWUP_KINDS)
    await ctx.reply(ctx.t(lang, "staff.resolved", ref=case.reference, name=person.display_first_name,
                          cause=cause))
    slang, owner_chat = ctx.owner_chat(case)
    if owner_chat and owner_chat != ctx.ev.chat_id:
        await ctx.send("telegram", owner_chat,
                       ctx.t(slang, "staff.resolved", ref=case.reference,
                             name=person.display_first_name, cause=cause))
    address = await customer_address(ctx, case.customer_id)
    if address is not None:
        clang = case.language
        text = ctx.t(clang, "customer.resolved", name=person.display_first_name,
                     ref=case.reference)
        text = Raw(text + "\n" + ctx.t(clang, "customer.resolved_cause", cause=cause))
        await ctx.send(address[0], address[1], text, case_id=case.id, link="relay")
        rate = [[Button(str(n), Action("rate", case.reference, str(n))) for n in range(1, 6)]]
        await ctx.send(address[0], address[1],
                       ctx.t(clang, "customer.ask_satisfaction", ref=case.reference), rate,
                       case_id=case.id, link="relay")
    return Handled("resolved")


def _target(ctx: Ctx, target: str) -> tuple[str, str | None] | None:
    target = target.strip().lower()
    for t in ctx.config.teams:
        if target in (t.id.lower(), *(n.lower() for n in t.name.values())):
            return t.id, None
    for p in ctx.config.people:
        if target in (p.id.lower(), p.name.lower(), p.display_first_name.lower()):
            return p.team, p.id
    return None


async def hand_over(ctx: Ctx, case: CaseRecord, person: Person, lang: str,
                    target: str) -> Handled:
    found = _target(ctx, target)
    if found is None:
        await ctx.reply(ctx.t(lang, "staff.unknown_target", target=target))
        return Handled("unknown_target", toast=str(ctx.t(lang, "staff.unknown_target",
                                                         target=target)))
    team_id, pid = found
    if pid is None:
        router = ctx.deps.router
        inp = CaseInput(text=case.text, channel=case.channel, language=case.language, now=ctx.now)
        owner, _steps = router.ownership.resolve(OwnerRef(team=team_id), router.classify(inp), inp,
                                                 await ownership_state(ctx))
        team_id, pid = owner.team, owner.person
    from_name = person.display_first_name
    case = await ctx.unit.update_case(case.id, ctx.now, owner_team=team_id, owner_person=pid,
                                      status="open", taken_at=None)
    if pid:
        await ctx.unit.set_last_assigned(team_id, pid)
    await ctx.unit.add_event(case.id, "handed_over", person.id, ctx.now, team=team_id, person=pid)
    from bot.followup import schedule_take

    await schedule_take(ctx, case)  # the new person takes it in time, or it moves on
    to = ctx.owner_name(team_id, pid, lang)
    await ctx.reply(ctx.t(lang, "staff.handed_over", ref=case.reference, from_name=from_name, to=to))
    slang, chat = ctx.owner_chat(case)
    if chat is not None:
        header = ctx.t(slang, "staff.handed_over_to_you", ref=case.reference, from_name=from_name)
        body = await render_case(ctx, case, slang, header)
        await ctx.send("telegram", chat,
                       Raw(body + "\n\n" + ctx.texts.raw(slang, "staff.reply_hint")),
                       case_buttons(ctx, slang, case), case_id=case.id, link="notification")
    await _tell_customer(ctx, case, "customer.handed_over",
                         owner=lambda cl: ctx.case_owner_name(case, cl))
    return Handled("handed_over")


async def consult(ctx: Ctx, case: CaseRecord, person: Person, lang: str, team_ref: str) -> Handled:
    found = _target(ctx, team_ref)
    if found is None:
        await ctx.reply(ctx.t(lang, "staff.unknown_target", target=team_ref))
        return Handled("unknown_target")
    team = ctx.config.team(found[0])
    chat = ctx.chat_of_person(found[1]) if found[1] else ctx.chat_of_team(team)
    owner_first = ctx.config.person(case.owner_person).display_first_name \
        if case.owner_person and ctx.config.has_person(case.owner_person) else person.display_first_name
    await ctx.unit.add_event(case.id, "consult", person.id, ctx.now, team=team.id)
    if chat is not None:
        tlang = ctx.staff_language(None)
        summary = Raw(quote(case.text, 1200))
        await ctx.send("telegram", chat,
                       ctx.t(tlang, "staff.consult_request", name=person.display_first_name,
                             ref=case.reference, owner=ctx.case_owner_name(case, tlang),
                             owner_first=owner_first, summary=summary),
                       case_id=case.id, link="consult")
    await ctx.reply(ctx.t(lang, "staff.consult_sent", team=ctx.team_name(team.id, lang),
                          ref=case.reference))
    return Handled("consulted")


async def _consult_answer(ctx: Ctx, case: CaseRecord, person: Person, lang: str,
                          text: str) -> Handled:
    await ctx.unit.add_message(case.id, "internal", person.id, "telegram", text, ctx.now)
    await ctx.unit.add_event(case.id, "consult_answer", person.id, ctx.now, chars=len(text))
    slang, chat = ctx.owner_chat(case)
    if chat is not None:
        await ctx.send("telegram", chat,
                       ctx.t(slang, "staff.consult_answer", ref=case.reference,
                             name=person.display_first_name,
                             team=ctx.team_name(person.team, slang), text=text),
                       case_id=case.id, link="internal")
    await ctx.reply(ctx.t(lang, "staff.consult_thanks", owner=ctx.case_owner_name(case, lang)))
    return Handled("consult_answered")


async def _tell_customer(ctx: Ctx, case: CaseRecord, key: str, **values: Any) -> None:
    address = await customer_address(ctx, case.customer_id)
    if address is None:
        return
    clang = case.language
    filled = {k: (v(clang) if callable(v) else v) for k, v in values.items()}
    await ctx.send(address[0], address[1], ctx.t(clang, key, ref=case.reference, **filled),
                   case_id=case.id, link="relay")
