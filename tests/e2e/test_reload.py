"""A running service picks up a changed config after validating it; a bad one is refused."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

from tests.conftest import CONFIG


async def _changes(app) -> list[dict]:
    async with app.store.unit() as unit:
        return await unit.config_changes()


async def _until(predicate, within: float = 5.0) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + within
    while loop.time() < end:
        if await predicate():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not reached")


async def test_file_change_applied_and_recorded(start_skewer, tmp_path: Path, caplog) -> None:
    path = tmp_path / "config.yaml"
    shutil.copy(CONFIG, path)
    app = await start_skewer("polling", config=path, config_poll=0.05)
    first = await _changes(app)
    assert len(first) == 1 and first[0]["summary"]["initial"] is True
    old_hash = app.config_hash

    # A broken config is refused with the reason; the old one keeps running.
    good = path.read_text()
    path.write_text(good.replace("owner: {team: logistics}}", "owner: {team: logistic}}", 1))
    await asyncio.sleep(0.3)
    assert app.config_hash == old_hash
    assert "unknown team 'logistic'" in caplog.text
    assert len(await _changes(app)) == 1

    # A valid change: delivery now goes to the frontline; recorded with the changed rule.
    path.write_text(good.replace("owner: {team: logistics}}", "owner: {team: frontline}}", 1))

    async def applied() -> bool:
        return len(await _changes(app)) == 2

    await _until(applied)
    latest = (await _changes(app))[0]
    assert latest["summary"]["changed"] == ["delivery"]
    assert latest["sha256"] == app.config_hash != old_hash
    rule = next(r for r in app.service.deps.config.rules if r.name == "delivery")
    assert rule.then.owner.team == "frontline"


async def test_reload_refuses_unreadable_yaml(start_skewer, tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    shutil.copy(CONFIG, path)
    app = await start_skewer("polling", config=path, config_poll=60)
    deps = app.service.deps
    path.write_text("rules: [\n  - name: x\n    when: {oops")
    assert await app.reload() is False
    assert app.service.deps is deps
