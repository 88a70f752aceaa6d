"""A case's messages in order, each with the channel it came in or went out on.

One shape for everything that shows them: `skewer cases export`, the API's case view, and the
staff's `/case REF` view in Telegram (which renders it as lines).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from bot.context import Ctx, quote
from bot.texts import Raw
from storage.records import CaseRecord, MessageRecord

# What /case shows: the latest messages, each cut short (the story is shown in full above).
VIEW_MESSAGES = 10
VIEW_CHARS = 160


def message_timeline(messages: Iterable[MessageRecord]) -> list[dict[str, Any]]:
    """The messages as plain data: when, in (from the customer), out (to the customer) or
    internal (a colleague's input), who, on which channel, and the text."""
    return [{"at": m.at.isoformat(), "direction": m.direction, "author": m.author,
             "channel": m.channel, "text": m.text} for m in messages]


async def timeline_lines(ctx: Ctx, case: CaseRecord, lang: str) -> list[str]:
    """For /case: the latest messages of the timeline, one line each, with their channel."""
    entries = message_timeline(await ctx.unit.messages(case.id))
    if not entries:
        return []
    lines = [ctx.texts.raw(lang, "staff.timeline")]
    if len(entries) > VIEW_MESSAGES:
        lines.append(str(ctx.t(lang, "staff.timeline_earlier", n=len(entries) - VIEW_MESSAGES)))
    for e in entries[-VIEW_MESSAGES:]:
        direction = e["direction"] if e["direction"] in ("in", "out") else "internal"
        when = ctx.fmt_time(datetime.fromisoformat(e["at"]), lang)
        lines.append(str(ctx.t(
            lang, f"staff.timeline_{direction}", time=when, who=_author(ctx, e["author"]),
            channel=e["channel"],
            text=Raw(quote(e["text"] or "—", VIEW_CHARS)))))
    return lines


def _author(ctx: Ctx, author: str) -> str:
    if ctx.config.has_person(author):
        return ctx.config.person(author).display_first_name
    return "Skewer" if author == "system" else author
