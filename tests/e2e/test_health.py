"""/healthz tells whether the database is reachable; /metrics is Prometheus text."""

from __future__ import annotations

import aiohttp


async def test_health_and_metrics(start_skewer, emu) -> None:
    app = await start_skewer("polling")
    alice = await emu.user(5601, "Alice", language_code="en")
    await alice.send("/help")
    await alice.wait_for("/status")
    base = f"http://127.0.0.1:{app.bound_port}"
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{base}/healthz") as r:
            assert r.status == 200
            body = await r.json()
            assert body["ok"] is True and body["database"] == "up"
        async with http.get(f"{base}/metrics") as r:
            text = await r.text()
    assert 'skewer_updates_total{channel="telegram",outcome="help"} 1.0' in text
    assert "skewer_update_seconds_bucket" in text
    sent = [line for line in text.splitlines() if line.startswith("skewer_outbox_sent ")]
    assert sent and float(sent[0].split()[1]) >= 1


async def test_health_is_503_when_the_database_is_down(start_skewer, monkeypatch) -> None:
    from storage.store import StorageUnavailable

    app = await start_skewer("polling")

    def down():
        raise StorageUnavailable("connection refused")

    monkeypatch.setattr(app.store, "unit", down)
    base = f"http://127.0.0.1:{app.bound_port}"
    async with aiohttp.ClientSession() as http, http.get(f"{base}/healthz") as r:
        assert r.status == 503
        assert (await r.json())["ok"] is False
