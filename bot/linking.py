"""One customer across channels, on purpose only: `/link` gives a short one-time code in one
channel; typing `/link CODE` in another joins that channel to the same customer.

Never merged on a name or a guess: only a code the customer was shown and typed themselves.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from bot.context import Ctx
from bot.ports import Handled
from storage import omni
from storage.records import CustomerRecord

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
CODE_LENGTH = 6
CODE_TTL = timedelta(minutes=10)


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(text: str) -> str:
    return "".join(ch for ch in text.upper() if ch.isalnum())


def code_hash(code: str) -> str:
    return hashlib.sha256(normalise_code(code).encode()).hexdigest()


async def handle_link(ctx: Ctx, customer: CustomerRecord, lang: str, args: str) -> Handled:
    """`/link` alone: a code for the other channel. `/link CODE`: join this channel."""
    code = normalise_code(args)
    if not code:
        fresh = new_code()
        await omni.create_link_code(ctx.unit, code_hash(fresh), customer.id, ctx.ev.channel,
                                    ctx.now, ctx.now + CODE_TTL)
        await ctx.reply(ctx.t(lang, "link.code", code=fresh,
                              minutes=int(CODE_TTL.total_seconds() // 60)))
        return Handled("link_code", extra={"code": fresh})
    status, target = await omni.redeem_link_code(ctx.unit, code_hash(code), ctx.now)
    if status != "ok" or target is None:
        await ctx.reply(ctx.t(lang, f"link.{status}"))
        return Handled(f"link_{status}")
    if target == customer.id:
        await ctx.reply(ctx.t(lang, "link.same"))
        return Handled("link_same")
    moved = await omni.merge_customer(ctx.unit, customer.id, target, ctx.now)
    await omni.touch_identity(ctx.unit, ctx.ev.channel, ctx.ev.sender.external_id, ctx.now)
    await ctx.reply(ctx.t(lang, "link.done", cases=moved))
    return Handled("linked", extra={"customer": target})
