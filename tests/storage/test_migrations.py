"""Migrations build the schema the models describe, from an empty database, twice over."""

from __future__ import annotations

from sqlalchemy import inspect

from storage.migrate import load_models, upgrade
from storage.models import Base
from storage.store import Store


async def test_upgrade_from_empty_matches_the_models_and_is_idempotent(empty_db_url: str) -> None:
    store = Store(empty_db_url)
    try:
        await upgrade(store)
        await upgrade(store)  # a second start finds everything up to date
        async with store.engine.connect() as conn:
            tables = set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
            columns = {t: {c["name"] for c in await conn.run_sync(
                lambda c, t=t: inspect(c).get_columns(t))} for t in tables}
    finally:
        await store.dispose()
    load_models()
    for table in Base.metadata.sorted_tables:
        assert table.name in tables, f"no migration creates {table.name}"
        assert {c.name for c in table.columns} <= columns[table.name], table.name
