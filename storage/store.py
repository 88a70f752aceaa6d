"""The database: an engine, and units of work that open, commit and close one session each."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from storage import models as m
from storage.records import (
    AttachmentRecord,
    CaseRecord,
    CustomerRecord,
    EventRecord,
    FeedbackRecord,
    IdentityRecord,
    MessageRecord,
)

IDENTITY_TOUCH = timedelta(minutes=5)

# Readable over the phone: no 0/O, 1/I/L, no U/V confusion.
REF_ALPHABET = "ABCDEFGHJKMNPQRSTWXYZ23456789"


class StorageUnavailable(Exception):
    """The database could not be reached or refused the transaction; nothing was stored."""


class ConcurrentUpdate(Exception):
    """Someone else changed this conversation since it was read; retry the whole unit."""


def new_reference() -> str:
    raw = "".join(secrets.choice(REF_ALPHABET) for _ in range(6))
    return f"{raw[:3]}-{raw[3:]}"


def normalise_reference(text: str) -> str:
    cleaned = "".join(ch for ch in text.upper() if ch.isalnum())
    return f"{cleaned[:3]}-{cleaned[3:]}" if len(cleaned) == 6 else text.strip().upper()


def _case(row: m.Case) -> CaseRecord:
    return CaseRecord(
        id=row.id, reference=row.reference, customer_id=row.customer_id, channel=row.channel,
        language=row.language, status=row.status, kind=row.kind, category=row.category,
        urgency=row.urgency, text=row.text, better_service=row.better_service,
        order_reference=row.order_reference, decision=dict(row.decision), rule=row.rule,
        owner_team=row.owner_team, owner_person=row.owner_person, tags=list(row.tags or []),
        root_cause=row.root_cause, created_at=row.created_at, updated_at=row.updated_at,
        first_response_due=row.first_response_due, resolution_due=row.resolution_due,
        first_response_at=row.first_response_at, taken_at=row.taken_at,
        resolved_at=row.resolved_at,
    )


class Store:
    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        kwargs: dict[str, Any] = {"echo": echo}
        if url.startswith("sqlite"):
            # SQLite has one writer at a time. With several connections, concurrent writers
            # meet SQLite's busy handler, which sleeps; one connection queues them instead.
            kwargs.update(connect_args={"timeout": 15}, pool_size=1, max_overflow=0,
                          pool_timeout=60)
        else:
            kwargs.update(pool_pre_ping=True, pool_size=10, max_overflow=10)
        self.engine: AsyncEngine = create_async_engine(url, **kwargs)
        if url.startswith("sqlite"):
            from sqlalchemy import event

            @event.listens_for(self.engine.sync_engine, "connect")
            def _pragmas(dbapi_conn: Any, _record: Any) -> None:
                cur = dbapi_conn.cursor()
                cur.execute("PRAGMA journal_mode=WAL")
                cur.execute("PRAGMA synchronous=NORMAL")
                cur.execute("PRAGMA foreign_keys=ON")
                cur.execute("PRAGMA busy_timeout=15000")
                cur.close()

        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    async def create_all(self) -> None:
        """Create tables directly (tests); production uses Alembic migrations."""
        async with self.engine.begin() as conn:
            await conn.run_sync(m.Base.metadata.create_all)

    async def dispose(self) -> None:
        await self.engine.dispose()

    @asynccontextmanager
    async def unit(self) -> AsyncIterator[Unit]:
        """One transaction. Database failures surface as StorageUnavailable."""
        try:
            async with self.sessions() as session, session.begin():
                unit = Unit(session)
                yield unit
                await unit.before_commit()
        except (ConcurrentUpdate, IntegrityError):
            raise
        except DBAPIError as e:
            # Only a database that cannot be reached is an outage worth retrying. A statement
            # the database refuses (bad data, a bug) would fail again forever: let it surface.
            if isinstance(e, OperationalError | InterfaceError) or e.connection_invalidated:
                raise StorageUnavailable(str(e).splitlines()[0][:200]) from e
            raise
        except (OSError, ConnectionError) as e:
            raise StorageUnavailable(str(e).splitlines()[0][:200]) from e


class Unit:
    """Repository methods inside one transaction."""

    def __init__(self, session: AsyncSession) -> None:
        self.s = session
        self._event: dict[str, Any] | None = None
        self._outbox: list[dict[str, Any]] = []
        self.enqueued_ids: list[int] = []

    async def before_commit(self) -> None:
        """Write what was collected during the unit, in as few statements as possible."""
        if self._outbox:
            rows = self._outbox
            self._outbox = []
            result = await self.s.execute(
                insert(m.OutboxMessage).returning(m.OutboxMessage.id, sort_by_parameter_order=True),
                rows,
            )
            self.enqueued_ids.extend(result.scalars().all())
        if self._event is not None:
            # Inserted last, with its outcome: if another worker handled the same event
            # meanwhile, this insert fails, the whole unit rolls back, and the retry sees the
            # event as already handled.
            await self.s.execute(insert(m.InboundEvent).values(**self._event))
            self._event = None

    # -- inbound idempotency -------------------------------------------------------------
    async def claim_event(self, channel: str, event_id: str, now: datetime,
                          check: bool = True) -> bool:
        """False when the event was already handled; otherwise it is recorded at commit.

        With check=False the lookup is skipped: a duplicate then fails the unique insert at
        commit, the whole unit rolls back, and the caller retries with the check on. That
        saves a query on every first delivery, which is nearly all of them.
        """
        if not check:
            self._event = {"channel": channel, "event_id": event_id, "outcome": "",
                           "at": now}
            return True
        seen = await self.s.scalar(
            select(m.InboundEvent.event_id).where(
                m.InboundEvent.channel == channel, m.InboundEvent.event_id == event_id
            )
        )
        if seen is not None:
            return False
        self._event = {"channel": channel, "event_id": event_id, "outcome": "", "at": now}
        return True

    async def set_event_outcome(self, channel: str, event_id: str, outcome: str) -> None:
        if self._event is not None and self._event["event_id"] == event_id:
            self._event["outcome"] = outcome[:40]

    # -- conversation state --------------------------------------------------------------
    async def load_conversation(self, key: str) -> tuple[dict[str, Any], int]:
        row = await self.s.get(m.Conversation, key)
        if row is None:
            return {}, 0
        return dict(row.state or {}), row.version

    async def save_conversation(
        self, key: str, state: dict[str, Any], version: int, now: datetime
    ) -> None:
        if version == 0:
            exists = await self.s.get(m.Conversation, key)
            if exists is not None:
                raise ConcurrentUpdate(key)
            self.s.add(m.Conversation(key=key, state=state, version=1, updated_at=now))
            try:
                await self.s.flush()
            except IntegrityError as e:
                raise ConcurrentUpdate(key) from e
            return
        result = await self.s.execute(
            update(m.Conversation)
            .where(m.Conversation.key == key, m.Conversation.version == version)
            .values(state=state, version=version + 1, updated_at=now)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise ConcurrentUpdate(key)

    # -- customers -----------------------------------------------------------------------
    async def customer_for(
        self, channel: str, external_id: str, chat_id: str, name: str, language: str,
        now: datetime,
    ) -> CustomerRecord:
        row = (
            await self.s.execute(
                select(m.Identity, m.Customer)
                .join(m.Customer, m.Customer.id == m.Identity.customer_id)
                .where(m.Identity.channel == channel, m.Identity.external_id == external_id)
            )
        ).one_or_none()
        ident = row[0] if row is not None else None
        if ident is None:
            cust = m.Customer(display_name=name[:200], language=language, created_at=now)
            self.s.add(cust)
            await self.s.flush()
            self.s.add(
                m.Identity(customer_id=cust.id, channel=channel, external_id=external_id,
                           chat_id=chat_id, reachable=True, last_seen_at=now)
            )
            await self.s.flush()
        else:
            assert row is not None
            cust = row[1]
            # "Last used channel" needs minutes, not every message: spare the write.
            if (ident.chat_id != chat_id or not ident.reachable
                    or now - ident.last_seen_at > IDENTITY_TOUCH):
                ident.last_seen_at = now
                ident.chat_id = chat_id
                ident.reachable = True
        return CustomerRecord(cust.id, cust.display_name, cust.language, cust.segment)

    async def get_customer(self, customer_id: int) -> CustomerRecord:
        c = await self.s.get_one(m.Customer, customer_id)
        return CustomerRecord(c.id, c.display_name, c.language, c.segment)

    async def set_customer_language(self, customer_id: int, language: str) -> None:
        await self.s.execute(
            update(m.Customer).where(m.Customer.id == customer_id).values(language=language)
        )

    async def identities(self, customer_id: int) -> list[IdentityRecord]:
        rows = (
            await self.s.execute(
                select(m.Identity)
                .where(m.Identity.customer_id == customer_id)
                .order_by(m.Identity.last_seen_at.desc())
            )
        ).scalars()
        return [
            IdentityRecord(r.customer_id, r.channel, r.external_id, r.chat_id, r.reachable,
                           r.last_seen_at)
            for r in rows
        ]

    async def set_reachable(self, channel: str, chat_id: str, reachable: bool) -> list[int]:
        """Mark identities on a chat (un)reachable; returns the customer ids affected."""
        rows = list(
            (
                await self.s.execute(
                    select(m.Identity).where(
                        m.Identity.channel == channel, m.Identity.chat_id == chat_id
                    )
                )
            ).scalars()
        )
        for r in rows:
            r.reachable = reachable
        return [r.customer_id for r in rows]

    # -- cases ---------------------------------------------------------------------------
    async def create_case(self, **fields: Any) -> CaseRecord:
        for _ in range(20):
            ref = new_reference()
            taken = await self.s.scalar(select(m.Case.id).where(m.Case.reference == ref))
            if taken is None:
                break
        row = m.Case(reference=ref, **fields)
        self.s.add(row)
        await self.s.flush()
        return _case(row)

    async def case_by_intake(self, intake_key: str) -> CaseRecord | None:
        row = (
            await self.s.execute(select(m.Case).where(m.Case.intake_key == intake_key))
        ).scalar_one_or_none()
        return _case(row) if row else None

    async def case_by_ref(self, reference: str) -> CaseRecord | None:
        ref = normalise_reference(reference)
        row = (
            await self.s.execute(select(m.Case).where(m.Case.reference == ref))
        ).scalar_one_or_none()
        return _case(row) if row else None

    async def case_by_id(self, case_id: int) -> CaseRecord:
        return _case(await self.s.get_one(m.Case, case_id))

    async def cases_of_customer(self, customer_id: int, limit: int = 20) -> list[CaseRecord]:
        rows = (
            await self.s.execute(
                select(m.Case)
                .where(m.Case.customer_id == customer_id)
                .order_by(m.Case.created_at.desc(), m.Case.id.desc())
                .limit(limit)
            )
        ).scalars()
        return [_case(r) for r in rows]

    async def update_case(self, case_id: int, now: datetime, **fields: Any) -> CaseRecord:
        row = await self.s.get_one(m.Case, case_id)
        for k, v in fields.items():
            setattr(row, k, v)
        row.updated_at = now
        await self.s.flush()
        return _case(row)

    async def prior_contacts(
        self, customer_id: int, since: datetime
    ) -> dict[str, int]:
        rows = await self.s.execute(
            select(m.Case.category, func.count())
            .where(m.Case.customer_id == customer_id, m.Case.created_at >= since,
                   m.Case.kind != "compliment")
            .group_by(m.Case.category)
        )
        return {cat: int(n) for cat, n in rows.all()}

    async def open_case_counts(self) -> dict[str, int]:
        rows = await self.s.execute(
            select(m.Case.owner_person, func.count())
            .where(m.Case.status.in_(("open", "taken")), m.Case.owner_person.is_not(None))
            .group_by(m.Case.owner_person)
        )
        return {p: int(n) for p, n in rows.all() if p}

    async def last_assigned(self) -> dict[str, str]:
        rows = (await self.s.execute(select(m.RoundRobin))).scalars()
        return {r.team: r.last_person for r in rows}

    async def set_last_assigned(self, team: str, person: str) -> None:
        row = await self.s.get(m.RoundRobin, team)
        if row is None:
            self.s.add(m.RoundRobin(team=team, last_person=person))
        else:
            row.last_person = person

    async def unreachable_staff_chats(self) -> set[str]:
        rows = await self.s.execute(
            select(m.Identity.chat_id).where(
                m.Identity.channel == "telegram-staff", m.Identity.reachable.is_(False)
            )
        )
        return {r for (r,) in rows.all()}

    async def all_open_cases_of(self, person_id: str) -> list[CaseRecord]:
        rows = (
            await self.s.execute(
                select(m.Case)
                .where(m.Case.owner_person == person_id, m.Case.status.in_(("open", "taken")))
                .order_by(m.Case.created_at)
            )
        ).scalars()
        return [_case(r) for r in rows]

    async def all_cases(self, since: datetime | None = None) -> list[CaseRecord]:
        q = select(m.Case).order_by(m.Case.id)
        if since is not None:
            q = q.where(m.Case.created_at >= since)
        return [_case(r) for r in (await self.s.execute(q)).scalars()]

    # -- timeline, messages, attachments, feedback ----------------------------------------
    async def add_event(
        self, case_id: int, type: str, actor: str, now: datetime, **data: Any
    ) -> None:
        self.s.add(m.CaseEvent(case_id=case_id, type=type, actor=actor, at=now, data=data))

    async def add_message(
        self, case_id: int, direction: str, author: str, channel: str, text: str, now: datetime
    ) -> None:
        self.s.add(m.CaseMessage(case_id=case_id, direction=direction, author=author,
                                 channel=channel, text=text, created_at=now))

    async def add_attachments(
        self, case_id: int, items: Sequence[dict[str, Any]], now: datetime
    ) -> None:
        for a in items:
            self.s.add(m.Attachment(case_id=case_id, kind=a["kind"][:20], file_id=a["file_id"][:300],
                                    file_name=(a.get("file_name") or None) and a["file_name"][:300],
                                    caption=a.get("caption"),
                                    channel=a.get("channel", "telegram"), created_at=now))

    async def attachments(self, case_id: int) -> list[AttachmentRecord]:
        rows = (
            await self.s.execute(
                select(m.Attachment).where(m.Attachment.case_id == case_id).order_by(m.Attachment.id)
            )
        ).scalars()
        return [AttachmentRecord(r.kind, r.file_id, r.file_name, r.caption, r.channel) for r in rows]

    async def events(self, case_id: int) -> list[EventRecord]:
        rows = (
            await self.s.execute(
                select(m.CaseEvent).where(m.CaseEvent.case_id == case_id).order_by(m.CaseEvent.id)
            )
        ).scalars()
        return [EventRecord(r.at, r.type, r.actor, dict(r.data or {})) for r in rows]

    async def messages(self, case_id: int) -> list[MessageRecord]:
        rows = (
            await self.s.execute(
                select(m.CaseMessage).where(m.CaseMessage.case_id == case_id)
                .order_by(m.CaseMessage.id)
            )
        ).scalars()
        return [MessageRecord(r.created_at, r.direction, r.author, r.channel, r.text) for r in rows]

    async def add_feedback(
        self, case_id: int, score: int, comment: str | None, now: datetime
    ) -> bool:
        existing = (
            await self.s.execute(select(m.Feedback).where(m.Feedback.case_id == case_id))
        ).scalar_one_or_none()
        if existing is not None:
            if comment is not None and existing.comment is None:
                existing.comment = comment
                return True
            return False
        self.s.add(m.Feedback(case_id=case_id, score=score, comment=comment, at=now))
        return True

    async def set_feedback_comment(self, case_id: int, comment: str) -> None:
        await self.s.execute(
            update(m.Feedback).where(m.Feedback.case_id == case_id).values(comment=comment)
        )

    async def feedback(self, case_id: int) -> FeedbackRecord | None:
        r = (
            await self.s.execute(select(m.Feedback).where(m.Feedback.case_id == case_id))
        ).scalar_one_or_none()
        return FeedbackRecord(r.score, r.comment, r.at) if r else None

    async def add_compliment(self, **fields: Any) -> bool:
        existing = await self.s.scalar(
            select(m.Compliment.id).where(m.Compliment.intake_key == fields["intake_key"])
        )
        if existing is not None:
            return False
        self.s.add(m.Compliment(**fields))
        return True

    async def compliments(self) -> list[dict[str, Any]]:
        rows = (await self.s.execute(select(m.Compliment).order_by(m.Compliment.id))).scalars()
        return [
            {"at": r.at, "team": r.team, "person": r.person, "text": r.text,
             "category": r.category, "channel": r.channel, "language": r.language}
            for r in rows
        ]

    # -- outbox --------------------------------------------------------------------------
    async def enqueue(
        self, channel: str, chat_id: str, payload: dict[str, Any], now: datetime,
        case_id: int | None = None, link_purpose: str | None = None,
    ) -> None:
        self._outbox.append({
            "channel": channel, "chat_id": str(chat_id), "payload": payload, "status": "pending",
            "attempts": 0, "next_attempt_at": now, "case_id": case_id,
            "link_purpose": link_purpose, "created_at": now,
        })

    async def link_for_message(
        self, channel: str, chat_id: str, message_id: str
    ) -> tuple[int, str] | None:
        """The case (and why) a sent message belongs to: a reply to it is about that case."""
        row = await self.s.get(m.MessageLink, (channel, str(chat_id), str(message_id)))
        return (row.case_id, row.purpose) if row else None

    async def last_config_hash(self) -> str | None:
        return await self.s.scalar(
            select(m.ConfigChange.sha256).order_by(m.ConfigChange.id.desc()).limit(1)
        )

    async def record_config(
        self, path: str, sha256: str, summary: dict[str, Any], now: datetime
    ) -> None:
        self.s.add(m.ConfigChange(path=path, sha256=sha256, summary=summary, at=now))

    async def config_changes(self, limit: int = 20) -> list[dict[str, Any]]:
        rows = (
            await self.s.execute(
                select(m.ConfigChange).order_by(m.ConfigChange.id.desc()).limit(limit)
            )
        ).scalars()
        return [{"at": r.at, "path": r.path, "sha256": r.sha256, "summary": r.summary} for r in rows]

    async def purge_events(self, older_than: datetime) -> None:
        await self.s.execute(delete(m.InboundEvent).where(m.InboundEvent.at < older_than))

