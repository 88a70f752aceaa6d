"""Who gets the case: the team's pick, and a fallback chain that never leaves it unassigned.

Chain when the chosen person cannot take it (away, off duty per rota, unreachable):
their deputy, then the team lead, then the frontline person on duty, then the frontline lead,
and only when every one of them is unavailable the frontline team itself (its queue and group
chat), with every step recorded. There is no "complaints desk" step.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from routing.config import Config, OwnerRef, Person, Team
from routing.rules import WEEKDAY_KEYS
from routing.types import CaseInput, Classification, Owner, OwnershipState, PersonState

_NOBODY = PersonState()


class OwnershipResolver:
    def __init__(self, config: Config) -> None:
        self.config = config
        self.org_tz = ZoneInfo(config.organisation.hours.timezone)
        self.team_tz = {
            t.id: ZoneInfo(t.hours.timezone) if t.hours is not None else self.org_tz
            for t in config.teams
        }
        self.on_some_rota: dict[str, set[str]] = {}
        for t in config.teams:
            for slot in t.rota:
                self.on_some_rota.setdefault(slot.person, set()).add(t.id)
        self.pickable: dict[str, list[str]] = {}
        for t in config.teams:
            ids = [m for m in t.members if config.has_person(m)]
            if not ids:
                ids = [p.id for p in config.members(t.id) if p.id != t.lead] or (
                    [t.lead] if t.lead else []
                )
            self.pickable[t.id] = ids

    # -- availability ------------------------------------------------------------------------
    def on_duty(self, team: Team, pid: str, now: datetime | None) -> bool:
        slots = [s for s in team.rota if s.person == pid]
        if not slots or now is None:
            return True
        local = self._local(team.id, now)
        day, t = WEEKDAY_KEYS[local.weekday()], local.time()
        for s in slots:
            if day in s.days and (
                not s.hours
                or any(
                    p.start <= t < p.end or (p.end.second == 59 and p.start <= t) for p in s.hours
                )
            ):
                return True
        return False

    def _local(self, tid: str, now: datetime) -> datetime:
        tz = self.team_tz.get(tid, self.org_tz)
        return now.astimezone(tz) if now.tzinfo is not None else now.replace(tzinfo=tz)

    def unavailable(self, pid: str, state: OwnershipState, now: datetime | None) -> str | None:
        """None if the person can take a case now, else why not."""
        if not self.config.has_person(pid):
            return f"{pid} is not in the config"
        person = self.config.person(pid)
        ps = state.people.get(pid, _NOBODY)
        if person.away or ps.away:
            return f"{pid} is away"
        if ps.unreachable:
            return f"{pid} is unreachable"
        for tid in self.on_some_rota.get(pid, ()):
            if tid == person.team and not self.on_duty(self.config.team(tid), pid, now):
                return f"{pid} is off duty per the {tid} rota"
        return None

    # -- resolution --------------------------------------------------------------------------
    def resolve(
        self, ref: OwnerRef, c: Classification, inp: CaseInput, state: OwnershipState
    ) -> tuple[Owner, list[str]]:
        steps: list[str] = []
        now = inp.now
        if ref.prefer == "named_employee_lead" and c.named_people:
            named = self.config.person(c.named_people[0])
            team = self.config.team(named.team)
            if team.lead and team.lead != named.id:
                steps.append(f"named employee {named.id}: their team lead {team.lead}")
                return self._person(team.lead, state, now, steps)
            steps.append(f"named employee {named.id} leads {team.id}: their deputy or team")
            return self._team(team, None, state, now, steps)
        if ref.person is not None:
            return self._person(ref.person, state, now, steps)
        assert ref.team is not None
        return self._team(self.config.team(ref.team), ref.pick, state, now, steps)

    def _team(
        self,
        team: Team,
        pick: str | None,
        state: OwnershipState,
        now: datetime | None,
        steps: list[str],
    ) -> tuple[Owner, list[str]]:
        pick = pick or team.pick
        if pick == "group" and team.chat_id is not None:
            return Owner(team.id, None), steps
        if pick == "group":
            steps.append(f"{team.id} has no group chat: round robin instead")
            pick = "round_robin"
        candidates: Sequence[str] = self.pickable.get(team.id, [])
        if pick == "rota":
            if now is None:
                candidates = [s.person for s in team.rota]
                steps.append(f"time unknown: {team.id} rota taken in order")
            else:
                candidates = [s.person for s in team.rota if self.on_duty(team, s.person, now)]
                if not candidates:
                    steps.append(f"nobody on the {team.id} rota is on duty now")
        chosen = self._choose(team, pick, list(dict.fromkeys(candidates)), state, now, steps)
        if chosen is not None:
            return Owner(team.id, chosen), steps
        if not candidates:
            steps.append(f"{team.id} has nobody to pick")
        return self._after_person(team, None, state, now, steps)

    def _choose(
        self,
        team: Team,
        pick: str,
        candidates: list[str],
        state: OwnershipState,
        now: datetime | None,
        steps: list[str],
    ) -> str | None:
        available: list[str] = []
        for pid in candidates:
            why = self.unavailable(pid, state, now)
            if why is None:
                available.append(pid)
            else:
                steps.append(why)
        if not available:
            return None
        if pick == "fewest_open":
            return min(
                available,
                key=lambda p: (state.people.get(p, _NOBODY).open_cases, candidates.index(p)),
            )
        if pick == "round_robin":
            last = state.last_assigned.get(team.id)
            if last in candidates:
                start = candidates.index(last) + 1
                order = candidates[start:] + candidates[:start]
                return next(p for p in order if p in available)
            return available[0]
        return available[0]

    def _person(
        self, pid: str, state: OwnershipState, now: datetime | None, steps: list[str]
    ) -> tuple[Owner, list[str]]:
        why = self.unavailable(pid, state, now)
        person = self.config.person(pid)
        if why is None:
            return Owner(person.team, pid), steps
        steps.append(why)
        return self._after_person(self.config.team(person.team), person, state, now, steps)

    def _after_person(
        self,
        team: Team,
        person: Person | None,
        state: OwnershipState,
        now: datetime | None,
        steps: list[str],
    ) -> tuple[Owner, list[str]]:
        tried = {person.id} if person is not None else set()
        if person is not None and person.deputy and person.deputy not in tried:
            tried.add(person.deputy)
            why = self.unavailable(person.deputy, state, now)
            if why is None:
                steps.append(f"deputy {person.deputy}")
                dep = self.config.person(person.deputy)
                return Owner(dep.team, dep.id), steps
            steps.append(f"deputy {why}")
        if team.lead and team.lead not in tried:
            tried.add(team.lead)
            why = self.unavailable(team.lead, state, now)
            if why is None:
                steps.append(f"team lead {team.lead}")
                return Owner(team.id, team.lead), steps
            steps.append(f"team lead {why}")
        return self._frontline(state, now, steps, tried)

    def _frontline(
        self, state: OwnershipState, now: datetime | None, steps: list[str], tried: set[str]
    ) -> tuple[Owner, list[str]]:
        fid = self.config.organisation.frontline_team
        if not self.config.has_team(fid):
            steps.append(f"frontline team {fid} missing: left with the rule's team")
            return Owner(self.config.teams[0].id, None), steps
        front = self.config.team(fid)
        duty = [s.person for s in front.rota if now is None or self.on_duty(front, s.person, now)]
        duty = duty or self.pickable.get(fid, [])
        for pid in dict.fromkeys(duty):
            if pid in tried:
                continue
            tried.add(pid)
            why = self.unavailable(pid, state, now)
            if why is None:
                steps.append(f"frontline on duty {pid}")
                return Owner(fid, pid), steps
            steps.append(why)
        if front.lead and front.lead not in tried:
            why = self.unavailable(front.lead, state, now)
            if why is None:
                steps.append(f"frontline lead {front.lead}")
                return Owner(fid, front.lead), steps
            steps.append(f"frontline lead {why}")
        steps.append(f"nobody reachable: the {fid} team's queue")
        return Owner(fid, None), steps
