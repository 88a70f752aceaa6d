"""What a use-case needs while handling one event: config, router, texts, the open unit of work."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

from bot.ports import Action, Button, Inbound, media_payload, text_payload
from bot.texts import Raw, Texts, esc
from routing.config import Config, Person, Team
from routing.engine import Router
from routing.types import Owner
from storage.records import CaseRecord
from storage.store import Unit


@dataclass
class Deps:
    """Built once by the composition root; swapped whole when the config is reloaded."""

    config: Config
    router: Router
    texts: Texts

    @property
    def categories(self) -> set[str]:
        return {c.id for c in self.config.categories}

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.config.organisation.hours.timezone)

    @cached_property
    def config_digest(self) -> str:
        """Identifies this config: a result computed under another (before a reload) is stale."""
        return hashlib.sha256(self.config.model_dump_json().encode()).hexdigest()


@dataclass
class Ctx:
    deps: Deps
    unit: Unit
    ev: Inbound
    now: datetime

    @property
    def config(self) -> Config:
        return self.deps.config

    @property
    def texts(self) -> Texts:
        return self.deps.texts

    def t(self, lang: str, key: str, **values: Any) -> Raw:
        return self.texts.get(lang, key, **values)

    def btn(self, lang: str, key: str, action: Action) -> Button:
        return Button(self.texts.raw(lang, f"buttons.{key}"), action)

    # -- sending (always through the outbox, inside this transaction) -------------------
    async def send(self, channel: str, chat_id: str, text: str,
                   buttons: list[list[Button]] | None = None, *, case_id: int | None = None,
                   link: str | None = None, reply_to: str | None = None) -> None:
        await self.unit.enqueue(channel, chat_id, text_payload(text, buttons, reply_to), self.now,
                                case_id=case_id, link_purpose=link)

    async def send_media(self, channel: str, chat_id: str, kind: str, file_id: str,
                         caption: str | None, *, case_id: int | None = None,
                         file_name: str | None = None) -> None:
        await self.unit.enqueue(channel, chat_id, media_payload(kind, file_id, caption, file_name),
                                self.now, case_id=case_id, link_purpose="notification")

    async def reply(self, text: str, buttons: list[list[Button]] | None = None) -> None:
        """Answer in the chat the event came from."""
        await self.send(self.ev.channel, self.ev.chat_id, text, buttons)

    # -- people and places ---------------------------------------------------------------
    def staff_language(self, person: Person | None) -> str:
        if person is not None and person.languages:
            return self.texts.lang(person.languages[0])
        return self.texts.lang(self.config.organisation.default_language)

    def team_name(self, team_id: str, lang: str) -> str:
        if not self.config.has_team(team_id):
            return team_id
        names = self.config.team(team_id).name
        return names.get(lang) or names.get(self.config.organisation.default_language) or team_id

    def owner_name(self, owner_team: str, owner_person: str | None, lang: str) -> str:
        team = self.team_name(owner_team, lang)
        if owner_person and self.config.has_person(owner_person):
            return f"{self.config.person(owner_person).display_first_name} ({team})"
        return team

    def case_owner_name(self, case: CaseRecord, lang: str) -> str:
        return self.owner_name(case.owner_team, case.owner_person, lang)

    def chat_of_person(self, pid: str) -> str | None:
        if not self.config.has_person(pid):
            return None
        tg = self.config.person(pid).telegram_id
        return str(tg) if tg is not None else None

    def chat_of_team(self, team: Team) -> str | None:
        if team.chat_id is not None:
            return str(team.chat_id)
        if team.lead:
            return self.chat_of_person(team.lead)
        for member in self.config.members(team.id):
            chat = self.chat_of_person(member.id)
            if chat:
                return chat
        return None

    def owner_chat(self, owner: Owner | CaseRecord) -> tuple[str, str | None]:
        """Where the owner gets case messages: the person's chat, else the team's chat."""
        team_id = owner.team if isinstance(owner, Owner) else owner.owner_team
        person = owner.person if isinstance(owner, Owner) else owner.owner_person
        lang_person = self.config.person(person) if person and self.config.has_person(person) else None
        chat = self.chat_of_person(person) if person else None
        if chat is None and self.config.has_team(team_id):
            chat = self.chat_of_team(self.config.team(team_id))
        return (self.staff_language(lang_person), chat)

    # -- formatting ----------------------------------------------------------------------
    def fmt_time(self, when: datetime, lang: str) -> str:
        local = when.astimezone(self.deps.tz)
        today = self.now.astimezone(self.deps.tz).date()
        if local.date() == today:
            return self.texts.raw(lang, "time.today").format(time=local.strftime("%H:%M"))
        if local.date() == today + timedelta(days=1):
            return self.texts.raw(lang, "time.tomorrow").format(time=local.strftime("%H:%M"))
        day = self.texts.raw(lang, f"time.days.{local.weekday()}")
        return f"{day} {local.day}-{local.month} {local.strftime('%H:%M')}"

    def fmt_duration(self, delta: timedelta, lang: str) -> str:
        minutes = int(delta.total_seconds() // 60)
        if minutes < 120:
            return self.texts.raw(lang, "time.minutes").format(n=minutes)
        hours = minutes // 60
        if hours < 48:
            return self.texts.raw(lang, "time.hours").format(n=hours)
        return self.texts.raw(lang, "time.days_n").format(n=hours // 24)


def quote(text: str, limit: int = 3500) -> str:
    """Customer text for a staff message: escaped, and cut to fit a Telegram message."""
    if len(text) > limit:
        text = text[:limit] + " […]"
    return esc(text)
