"""Shared fixtures: a real database (SQLite file, or PostgreSQL when the run asks for it)."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "config.yaml"
SHARED = ROOT.parent / "shared"


def using_postgres() -> bool:
    return os.environ.get("SKEWER_TEST_DATABASE") == "postgres"


async def _fresh_postgres(base_url: str) -> str:
    import asyncpg

    name = f"t_{uuid.uuid4().hex[:12]}"
    raw = base_url.replace("postgresql+asyncpg://", "postgresql://")
    conn = await asyncpg.connect(raw)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return base_url.rsplit("/", 1)[0] + "/" + name


@pytest.fixture
async def db_url(tmp_path: Path) -> AsyncIterator[str]:
    if using_postgres():
        base = os.environ["SKEWER_TEST_POSTGRES_URL"]
        yield await _fresh_postgres(base)
    else:
        yield f"sqlite+aiosqlite:///{tmp_path / 'skewer.db'}"
