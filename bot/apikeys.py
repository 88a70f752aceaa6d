"""REST API keys: created by `skewer apikey create`, shown once, stored as a SHA-256 hash.

A key reads `skw_<id>_<secret>`: the id finds the row, the hash of the whole key must match.
Scopes: `intake` files complaints and reads cases; `staff` also takes, replies, resolves and
hands over, as the staff member the key was made for.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

from bot.omni_types import ApiPrincipal
from storage import omni
from storage.store import Store

SCOPES = ("intake", "staff")


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


async def create_key(store: Store, scope: str, name: str, person: str | None,
                     now: datetime) -> str:
    if scope not in SCOPES:
        raise ValueError(f"scope must be one of {', '.join(SCOPES)}")
    if scope == "staff" and not person:
        raise ValueError("a staff key acts as a staff member: give --person")
    key_id = secrets.token_hex(6)
    key = f"skw_{key_id}_{secrets.token_urlsafe(24)}"
    async with store.unit() as unit:
        await omni.create_api_key(unit, key_id, _hash(key), scope, name, person, now)
    return key


async def verify_key(store: Store, key: str) -> ApiPrincipal | None:
    parts = key.split("_", 2)
    if len(parts) != 3 or parts[0] != "skw" or not parts[1] or len(parts[1]) > 32:
        return None
    async with store.unit() as unit:
        rec = await omni.api_key(unit, parts[1])
    if rec is None or rec.revoked or not hmac.compare_digest(rec.key_hash, _hash(key)):
        return None
    return ApiPrincipal(rec.key_id, rec.scope, rec.name, rec.person)


async def revoke_key(store: Store, key_id: str, now: datetime) -> bool:
    async with store.unit() as unit:
        return await omni.revoke_api_key(unit, key_id, now)


async def list_keys(store: Store) -> list[dict[str, object]]:
    async with store.unit() as unit:
        return list(await omni.list_api_keys(unit))
