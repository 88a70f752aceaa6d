"""Flood limit, blocked users, unknown groups and edited messages."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.conftest import CONFIG


async def test_flood_limit_answers_politely_once(start_skewer, emu, tmp_path: Path, caplog) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(CONFIG.read_text().replace("  mode: polling",
                                               "  mode: polling\n  flood_per_minute: 5", 1))
    await start_skewer("polling", config=path)
    eve = await emu.user(5401, "Eve", language_code="en")
    for n in range(9):
        await eve.send(f"message number {n} about my broken dishwasher")
    note = await eve.wait_for("faster than I can take them in", timeout=10)
    assert "send your last messages again" in note.text
    await eve.expect_no_message(within=1.0)  # no second warning, no further answers
    msgs = [m for m in await eve.bot_messages() if "faster than" in m.text]
    assert len(msgs) == 1
    assert "flood limit" in caplog.text


async def test_blocked_users_and_unknown_groups_are_dropped(start_skewer, emu, tmp_path: Path,
                                                            caplog) -> None:
    path = tmp_path / "config.yaml"
    shutil.copy(CONFIG, path)
    path.write_text(path.read_text().replace("  mode: polling",
                                             "  mode: polling\n  blocked_users: [5402]", 1))
    app = await start_skewer("polling", config=path)
    mallory = await emu.user(5402, "Mallory", language_code="en")
    await mallory.send("hello, my fridge is broken")
    stranger = await emu.user(5403, "Stranger", language_code="en")
    group = await emu.group(-999123, "Some random group", members=[stranger])
    await stranger.send("/take ABC-234", chat=group)
    await mallory.expect_no_message(within=1.0)
    await stranger.expect_no_message(within=0.3, chat=group)
    assert "dropped: update from blocked user" in caplog.text
    assert "dropped: update from a group that is no team's chat" in caplog.text
    async with app.store.unit() as unit:
        assert await unit.all_cases() == []


async def test_an_edited_message_gets_a_clear_answer_and_the_original_is_kept(skewer, emu) -> None:
    ann = await emu.user(5404, "Ann", language_code="en")
    first = await ann.send("the oven door is cracked")
    await ann.wait_for("That's everything")
    await ann.edit(first, "the oven door glass is cracked")
    note = await ann.wait_for("edited a message")
    assert "send the correction as a new message" in note.text
    await ann.press("That's everything")
    await ann.wait_for("served you better")
    await ann.press("Skip")
    summary = await ann.wait_for(lambda m: "Shall I send it?" in m.text or "reference" in m.text)
    assert "the oven door is cracked" in summary.text or "reference" in summary.text
