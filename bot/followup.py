"""Follow-through: durable timers for deadlines, reminders, the escalation ladder, take-over,
progress updates, promises, approvals and the weekly signals; and the worker that fires them.

Timers live in the database (storage.timers). The worker claims due timers with a lease and
fires each in ONE transaction that marks it fired (a conditional update: exactly one worker
wins), schedules the next step, and writes its messages to the outbox. A crash before the
commit leaves the timer pending (the lease expires, it fires later); after it, it never fires
again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.clock import Clock, system_clock
from bot.context import Ctx, Deps
from bot.ports import Action, Button, Inbound, Sender
from bot.texts import Raw
from bot.worker import PollingWorker
from routing.config import WEEKDAYS, Config, DeadlineProfile, Hours, LadderStep
from routing.deadlines import add_business_time, local_moment
from storage import timers as tm
from storage.records import CaseRecord
from storage.store import StorageUnavailable, Store, Unit

log = logging.getLogger("skewer.followup")

LEASE = timedelta(seconds=30)
MAX_FAILURES = 5  # a timer whose firing keeps raising is set aside ('failed'), with its error
DEADLINE_KINDS = ("first_response", "resolution", "promise", "approval")
CASE_KINDS = ("take", "first_response", "resolution", "update", "promise", "approval")


# -- time arithmetic for a case --------------------------------------------------------------
def team_hours(config: Config, team_id: str) -> Hours:
    if config.has_team(team_id) and config.team(team_id).hours is not None:
        hours = config.team(team_id).hours
        assert hours is not None
        return hours
    return config.organisation.hours


def case_profile(config: Config, case: CaseRecord) -> DeadlineProfile:
    name = (case.decision.get("deadlines") or {}).get("profile")
    if name in config.deadlines:
        return config.deadlines[name]
    if case.urgency in config.deadlines:
        return config.deadlines[case.urgency]
    return next(iter(config.deadlines.values()))


def case_due(config: Config, case: CaseRecord, start: datetime, duration: timedelta,
             profile: DeadlineProfile | None = None) -> datetime:
    profile = profile or case_profile(config, case)
    return add_business_time(start, duration, team_hours(config, case.owner_team),
                             profile.around_the_clock)


def deadline_due(config: Config, team: str, start: datetime, duration: timedelta,
                 around_the_clock: bool) -> datetime:
    return add_business_time(start, duration, team_hours(config, team), around_the_clock)


def timer_ctx(deps: Deps, unit: Unit, now: datetime, name: str = "timer") -> Ctx:
    ev = Inbound(channel="timer", event_id=f"{name}:{now.isoformat()}",
                 sender=Sender("timer", "system"), chat_id="")
    return Ctx(deps, unit, ev, now)


def fbtn(ctx: Ctx, lang: str, key: str, action: Action) -> Button:
    return Button(ctx.texts.raw(lang, f"followup.buttons.{key}"), action)


# -- scheduling (called from the use-cases, inside their transaction) ------------------------
async def schedule_deadline(ctx: Ctx, case_id: int, kind: str, deadline: datetime,
                            data: dict[str, Any] | None = None) -> None:
    """A reminder before `deadline` (if there is still time), then the ladder after it."""
    fu = ctx.config.followup
    info = {"deadline": deadline.isoformat(), **(data or {})}
    remind_at = deadline - fu.remind_before
    if remind_at <= ctx.now:  # a short window (critical: 30m): remind halfway instead
        remind_at = ctx.now + (deadline - ctx.now) / 2
    if deadline - remind_at >= timedelta(minutes=1) and fu.remind_before > timedelta(0):
        await tm.schedule(ctx.unit, case_id, kind, remind_at, ctx.now, step=0, data=info)
    else:
        await _schedule_rung(ctx, case_id, kind, 1, deadline, info)


def _ladder(ctx: Ctx, kind: str) -> list[LadderStep]:
    fu = ctx.config.followup
    return fu.approval_ladder if kind == "approval" else fu.ladder


async def _schedule_rung(ctx: Ctx, case_id: int, kind: str, step: int, deadline: datetime,
                         info: dict[str, Any]) -> None:
    ladder = _ladder(ctx, kind)
    if step > len(ladder):
        return
    rung = ladder[step - 1]
    case = await ctx.unit.case_by_id(case_id)
    profile = case_profile(ctx.config, case)
    due = deadline if rung.after <= timedelta(0) else \
        case_due(ctx.config, case, deadline, rung.after, profile)
    await tm.schedule(ctx.unit, case_id, kind, max(due, ctx.now), ctx.now, step=step, data=info)


async def schedule_case(ctx: Ctx, case: CaseRecord) -> None:
    """At submit: take-over, first response, progress updates, resolution."""
    if case.first_response_due:
        await schedule_deadline(ctx, case.id, "first_response", case.first_response_due)
    if case.resolution_due:
        await schedule_deadline(ctx, case.id, "resolution", case.resolution_due)
    await schedule_update(ctx, case, ctx.now)
    await schedule_take(ctx, case)


async def schedule_take(ctx: Ctx, case: CaseRecord) -> None:
    """A person (not a group chat) must take the case within the take window."""
    profile = case_profile(ctx.config, case)
    fu = ctx.config.followup
    await tm.cancel(ctx.unit, case.id, ("take",))
    team = ctx.config.team(case.owner_team) if ctx.config.has_team(case.owner_team) else None
    half = profile.first_response / 2
    window = half if fu.take_within is None else min(fu.take_within, half)
    if case.owner_person and team is not None and team.pick != "group" \
            and fu.take_within != timedelta(0) and case.first_response_at is None:
        await tm.schedule(ctx.unit, case.id, "take",
                          case_due(ctx.config, case, ctx.now, window, profile), ctx.now,
                          data={"owner": case.owner_person, "since": ctx.now.isoformat()})


async def schedule_update(ctx: Ctx, case: CaseRecord, since: datetime) -> None:
    profile = case_profile(ctx.config, case)
    await tm.cancel(ctx.unit, case.id, ("update",))
    await tm.schedule(ctx.unit, case.id, "update",
                      case_due(ctx.config, case, since, profile.update_interval, profile),
                      ctx.now, data={"since": since.isoformat()})


async def on_reopen(ctx: Ctx, case: CaseRecord) -> None:
    profile = case_profile(ctx.config, case)
    await schedule_deadline(ctx, case.id, "resolution",
                            case_due(ctx.config, case, ctx.now, profile.resolution, profile))
    await schedule_update(ctx, case, ctx.now)


# -- who is told -----------------------------------------------------------------------------
def ladder_person(config: Config, to: str, team_id: str, owner: str | None) -> str | None:
    team = config.team(team_id) if config.has_team(team_id) else None
    if to == "owner":
        return owner
    if to == "lead":
        return team.lead if team else None
    if to == "process_owner":
        return team.process_owner if team else None
    return to if config.has_person(to) else None


def _lang_of(ctx: Ctx, pid: str | None) -> str:
    return ctx.staff_language(ctx.config.person(pid) if pid and ctx.config.has_person(pid)
                              else None)


def _late(ctx: Ctx, deadline: datetime, lang: str) -> str:
    late = ctx.now - deadline
    if late < timedelta(minutes=1):
        return ctx.texts.raw(lang, "followup.just_now")
    return ctx.fmt_duration(late, lang)


# -- firing ----------------------------------------------------------------------------------
async def fire(ctx: Ctx, timer: tm.TimerRecord) -> str:
    """Do what a due timer means; returns an outcome word. Runs inside the firing unit."""
    if timer.kind == "signals":
        from bot.reports import send_weekly_signals

        await send_weekly_signals(ctx)
        await schedule_weekly_signals(ctx)
        return "signals_sent"
    if timer.case_id is None:
        return "no_case"
    case = await ctx.unit.case_by_id(timer.case_id)
    if not case.is_open and timer.kind != "approval":
        return "case_closed"
    if timer.kind == "take":
        return await _fire_take(ctx, case, timer)
    if timer.kind == "update":
        return await _fire_update(ctx, case, timer)
    if timer.kind == "approval":
        from bot.remedies import fire_approval

        return await fire_approval(ctx, case, timer)
    return await _fire_deadline(ctx, case, timer)


async def _still_due(ctx: Ctx, case: CaseRecord, timer: tm.TimerRecord) -> bool:
    if timer.kind == "first_response":
        return case.first_response_at is None
    return case.is_open


async def _fire_deadline(ctx: Ctx, case: CaseRecord, timer: tm.TimerRecord) -> str:
    if not await _still_due(ctx, case, timer):
        return "met"
    deadline = datetime.fromisoformat(timer.data["deadline"])
    what_key = f"followup.what.{timer.kind}"
    if timer.step == 0:
        lang, chat = ctx.owner_chat(case)
        if chat is not None:
            buttons = [[fbtn(ctx, lang, "kept", Action("kept", case.reference))]] \
                if timer.kind == "promise" else None
            await ctx.send("telegram", chat, ctx.t(
                lang, "followup.reminder", ref=case.reference,
                what=ctx.texts.raw(lang, what_key), due=ctx.fmt_time(deadline, lang),
                promise=timer.data.get("text", "")), buttons, case_id=case.id, link="notification")
        await ctx.unit.add_event(case.id, "reminder", "system", ctx.now, kind=timer.kind)
        await _schedule_rung(ctx, case.id, timer.kind, 1, deadline, timer.data)
        return "reminded"
    rung = _ladder(ctx, timer.kind)[timer.step - 1]
    pid = ladder_person(ctx.config, rung.to, case.owner_team, case.owner_person)
    lang = _lang_of(ctx, pid)
    if pid is None and rung.to == "owner":
        lang, chat = ctx.owner_chat(case)
    else:
        chat = ctx.chat_of_person(pid) if pid else None
    if chat is not None:
        key = "followup.overdue_owner" if rung.to == "owner" else "followup.escalated"
        buttons = [[fbtn(ctx, lang, "kept", Action("kept", case.reference))]] \
            if timer.kind == "promise" else None
        await ctx.send("telegram", chat, ctx.t(
            lang, key, ref=case.reference, what=ctx.texts.raw(lang, what_key),
            due=ctx.fmt_time(deadline, lang), late=_late(ctx, deadline, lang),
            owner=ctx.case_owner_name(case, lang),
            urgency=ctx.texts.raw(lang, f"urgency.{case.urgency}"),
            promise=timer.data.get("text", ""),
            summary=Raw(_summary(case.text))), buttons, case_id=case.id, link="notification")
    await ctx.unit.add_event(case.id, "escalated", "system", ctx.now, kind=timer.kind,
                             step=timer.step, to=pid or rung.to,
                             late_s=int((ctx.now - deadline).total_seconds()))
    await _schedule_rung(ctx, case.id, timer.kind, timer.step + 1, deadline, timer.data)
    return f"escalated_{timer.step}"


def _summary(text: str, limit: int = 300) -> str:
    from bot.context import quote

    return quote(text.replace("\n", " "), limit)


async def _fire_take(ctx: Ctx, case: CaseRecord, timer: tm.TimerRecord) -> str:
    owner = timer.data.get("owner")
    if case.status != "open" or case.owner_person != owner or case.first_response_at is not None:
        return "taken"
    nxt = _next_person(ctx, case)
    if nxt is None:
        return "nobody_else"
    from bot.cases import case_buttons, render_case

    case = await ctx.unit.update_case(case.id, ctx.now, owner_person=nxt)
    await ctx.unit.set_last_assigned(case.owner_team, nxt)
    await ctx.unit.add_event(case.id, "taken_over", "system", ctx.now, previous=owner, person=nxt)
    lang, chat = ctx.owner_chat(case)
    window = ctx.fmt_duration(timer.due_at - datetime.fromisoformat(
        timer.data.get("since", case.created_at.isoformat())), lang)
    old = ctx.config.person(owner).display_first_name if owner and ctx.config.has_person(owner) \
        else str(owner)
    if chat is not None:
        header = ctx.t(lang, "followup.takeover_new", ref=case.reference, previous=old,
                       window=window)
        body = await render_case(ctx, case, lang, header)
        await ctx.send("telegram", chat, body, case_buttons(ctx, lang, case), case_id=case.id,
                       link="notification")
    old_chat = ctx.chat_of_person(owner) if owner else None
    if old_chat is not None:
        olang = _lang_of(ctx, owner)
        await ctx.send("telegram", old_chat, ctx.t(
            olang, "followup.takeover_old", ref=case.reference,
            to=ctx.config.person(nxt).display_first_name, window=window))
    # One take-over: after it, the escalation ladder (owner, lead, process owner) takes over;
    # passing the case on again would only bounce it between colleagues.
    return "taken_over"


def _next_person(ctx: Ctx, case: CaseRecord) -> str | None:
    owner = case.owner_person
    cfg = ctx.config
    candidates: list[str] = []
    if owner and cfg.has_person(owner) and cfg.person(owner).deputy:
        candidates.append(cfg.person(owner).deputy or "")
    if cfg.has_team(case.owner_team):
        members = [p.id for p in cfg.members(case.owner_team)]
        if owner in members:
            i = members.index(owner)
            members = members[i + 1:] + members[:i]
        candidates += members
        lead = cfg.team(case.owner_team).lead
        if lead:
            candidates.append(lead)
    for pid in candidates:
        if pid and pid != owner and cfg.has_person(pid) and not cfg.person(pid).away \
                and cfg.person(pid).telegram_id is not None:
            return pid
    return None


async def _fire_update(ctx: Ctx, case: CaseRecord, timer: tm.TimerRecord) -> str:
    since = datetime.fromisoformat(timer.data["since"])
    last = await tm.last_outgoing(ctx.unit, case.id)
    profile = case_profile(ctx.config, case)
    if last is not None and last > since:  # the customer heard from us meanwhile
        await schedule_update(ctx, case, last)
        return "update_given"
    if timer.step == 0:
        lang, chat = ctx.owner_chat(case)
        if chat is not None:
            await ctx.send("telegram", chat, ctx.t(
                lang, "followup.update_due", ref=case.reference,
                interval=ctx.fmt_duration(profile.update_interval, lang),
                grace=ctx.fmt_duration(ctx.config.followup.update_grace, lang)),
                [[fbtn(ctx, lang, "update", Action("update", case.reference))]],
                case_id=case.id, link="notification")
        await ctx.unit.add_event(case.id, "update_asked", "system", ctx.now)
        await tm.schedule(ctx.unit, case.id, "update", ctx.now + ctx.config.followup.update_grace,
                          ctx.now, step=1, data=timer.data)
        return "update_asked"
    from bot.cases import customer_address

    nxt = case_due(ctx.config, case, ctx.now, profile.update_interval, profile)
    address = await customer_address(ctx, case.customer_id)
    clang = case.language
    text = ctx.t(clang, "followup.auto_update", ref=case.reference,
                 owner=ctx.case_owner_name(case, clang), when=ctx.fmt_time(nxt, clang))
    await ctx.unit.add_message(case.id, "out", "system", address[0] if address else "-",
                               str(text), ctx.now)
    await ctx.unit.add_event(case.id, "auto_update", "system", ctx.now)
    if address is not None:
        await ctx.send(address[0], address[1], text, case_id=case.id, link="relay")
    await tm.schedule(ctx.unit, case.id, "update", nxt, ctx.now,
                      data={"since": ctx.now.isoformat()})
    return "auto_update"


# -- the weekly signals --------------------------------------------------------------------
def next_weekly(config: Config, now: datetime) -> datetime:
    """The first signals moment after `now` (UTC): the weekday and local time of the
    organisation, the local time read as `local_moment` does (first occurrence on the day
    summer time ends, the jump on the day it starts). Compared as UTC moments: two aware
    datetimes in one zone compare by wall clock, which misorders the repeated hour."""
    s = config.followup.signals
    tz = ZoneInfo(config.organisation.hours.timezone)
    hh, mm = (int(x) for x in s.time.split(":"))
    moment = now.astimezone(UTC)
    day = now.astimezone(tz).date()
    for offset in range(8):
        d = day + timedelta(days=offset)
        if WEEKDAYS[d.weekday()] == s.weekday:
            at = local_moment(d, time(hh, mm), tz)
            if at > moment:
                return at
    return moment + timedelta(days=7)


async def schedule_weekly_signals(ctx: Ctx) -> None:
    if not ctx.config.followup.signals.enabled:
        return
    at = next_weekly(ctx.config, ctx.now)
    await tm.schedule(ctx.unit, None, "signals", at, ctx.now, key=f"signals:{at.isoformat()}")


# -- the worker ------------------------------------------------------------------------------
class FollowupWorker(PollingWorker):
    name = "followup"

    def __init__(self, store: Store, deps_ref: Callable[[], Deps],
                 clock: Clock = system_clock,
                 poll: float = 0.5, batch: int = 50,
                 on_outbox: Callable[[], None] | None = None) -> None:
        super().__init__(poll)
        self.store = store
        self.deps_ref = deps_ref
        self.clock = clock
        self.batch = batch
        self.on_outbox = on_outbox
        self.fired = 0

    async def before_loop(self) -> None:
        try:
            async with self.store.unit() as unit:
                await schedule_weekly_signals(timer_ctx(self.deps_ref(), unit, self.clock()))
        except Exception:
            log.exception("followup: could not schedule the weekly signals")

    async def run_once(self) -> int:
        now = self.clock()
        async with self.store.unit() as unit:
            due = await tm.claim_due(unit, now, self.batch, LEASE)
        for timer in due:
            await self._fire_one(timer)
        return len(due)

    async def _fire_one(self, timer: tm.TimerRecord) -> None:
        deps = self.deps_ref()
        try:
            async with self.store.unit() as unit:
                now = self.clock()
                if not await tm.mark_fired(unit, timer.id, now):
                    return  # another worker fired it
                outcome = await fire(timer_ctx(deps, unit, now, f"timer{timer.id}"), timer)
            self.fired += 1
            log.info("timer fired", extra={"timer": timer.id, "kind": timer.kind,
                                           "step": timer.step, "outcome": outcome})
            if self.on_outbox is not None:
                self.on_outbox()
        except StorageUnavailable:
            raise
        except Exception as e:
            log.exception("followup: timer %s (%s) failed; it is retried when its lease ends",
                          timer.id, timer.kind)
            async with self.store.unit() as unit:
                if await tm.record_failure(unit, timer.id, f"{type(e).__name__}: {e}",
                                           MAX_FAILURES):
                    log.error("followup: timer %s (%s) set aside after %d failures",
                              timer.id, timer.kind, MAX_FAILURES)
