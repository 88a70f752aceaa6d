"""Apply Alembic migrations on the service's own async engine (at start and `skewer db upgrade`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import inspect

from storage.store import Store

MIGRATIONS = Path(__file__).parent / "migrations"


def load_models() -> None:
    """Import every storage.models* module so all tables are on Base.metadata."""
    import importlib
    import pkgutil

    import storage

    for mod in pkgutil.iter_modules(storage.__path__):
        if mod.name.startswith("models"):
            importlib.import_module(f"storage.{mod.name}")


def alembic_config(url: str) -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


async def upgrade(store: Store, revision: str = "heads") -> None:
    """Apply every branch's migrations ("heads": features may add independent branches)."""
    cfg = alembic_config(store.url)

    def run(connection: Any) -> None:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, revision)

    async with store.engine.begin() as conn:
        await conn.run_sync(run)


async def revision_autogenerate(store: Store, message: str) -> None:
    """Developer helper: write a new revision from the models' difference to the database."""
    cfg = alembic_config(store.url)

    def run(connection: Any) -> None:
        cfg.attributes["connection"] = connection
        command.revision(cfg, message=message, autogenerate=True)

    async with store.engine.begin() as conn:
        await conn.run_sync(run)


async def tables(store: Store) -> list[str]:
    async with store.engine.connect() as conn:
        return list(await conn.run_sync(lambda c: inspect(c).get_table_names()))
