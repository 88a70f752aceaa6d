"""Shared fixtures: a real database (SQLite file, or PostgreSQL when the run asks for it)."""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "config.yaml"
SHARED = ROOT.parent / "shared"


def using_postgres() -> bool:
    return os.environ.get("SKEWER_TEST_DATABASE") == "postgres"


async def _fresh_postgres(base_url: str, template: str | None = None) -> str:
    import asyncpg

    name = f"t_{uuid.uuid4().hex[:12]}"
    raw = base_url.replace("postgresql+asyncpg://", "postgresql://")
    conn = await asyncpg.connect(raw)
    try:
        suffix = f' TEMPLATE "{template}"' if template else ""
        await conn.execute(f'CREATE DATABASE "{name}"{suffix}')
    finally:
        await conn.close()
    return base_url.rsplit("/", 1)[0] + "/" + name


async def _migrate(url: str) -> None:
    from storage.migrate import upgrade
    from storage.store import Store

    store = Store(url)
    try:
        await upgrade(store)
    finally:
        await store.dispose()


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> str:
    """One database migrated once per run; each test gets a copy (the migrations themselves
    are tested by every service start, which finds the copy up to date, and by `db upgrade`)."""
    if using_postgres():
        base = os.environ["SKEWER_TEST_POSTGRES_URL"]
        url = asyncio.run(_fresh_postgres(base))
        asyncio.run(_migrate(url))
        return url.rsplit("/", 1)[1]
    path = tmp_path_factory.mktemp("template") / "skewer.db"
    asyncio.run(_migrate(f"sqlite+aiosqlite:///{path}"))
    return str(path)


@pytest.fixture
async def db_url(tmp_path: Path, migrated_template: str) -> AsyncIterator[str]:
    if using_postgres():
        base = os.environ["SKEWER_TEST_POSTGRES_URL"]
        yield await _fresh_postgres(base, template=migrated_template)
    else:
        path = tmp_path / "skewer.db"
        shutil.copyfile(migrated_template, path)
        yield f"sqlite+aiosqlite:///{path}"


@pytest.fixture
async def empty_db_url(tmp_path: Path) -> AsyncIterator[str]:
    """A database with no tables at all, for tests of the migrations themselves."""
    if using_postgres():
        yield await _fresh_postgres(os.environ["SKEWER_TEST_POSTGRES_URL"])
    else:
        yield f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
