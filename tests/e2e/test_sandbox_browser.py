"""The sandbox page in a real browser, the first minute as a newcomer lives it: Skewer runs
against the emulator like `make run` starts them (the sandbox people, groups and demo customers
of the example config); on the page a new customer is created, files a complaint by typing and
pressing the bot's buttons, and the case shows up in the owner's staff chat."""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from bot.cli import sandbox_people
from bot.settings import load_config
from emulator.server import Emulator
from tests.conftest import CONFIG
from tests.e2e.flows import LABELS, REF
from tests.omni.test_browser import CHROMIUM, chromium_page

BILLING = "I was charged twice for the same order"  # billing -> finance -> Noor
# Set SANDBOX_SCREENSHOTS=dir to look at the page while working on it.
SHOTS = os.environ.get("SANDBOX_SCREENSHOTS")

pytestmark = [pytest.mark.browser, pytest.mark.skipif(
    not CHROMIUM.exists() and os.environ.get("CI") != "true",
    reason="needs Chromium from the Debian packages at /usr/bin/chromium "
           "(scripts/test.sh installs it in CI or as root)")]


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    """The emulator as `skewer run` starts it without a token (start_skewer talks to this one)."""
    people, groups, customers = sandbox_people(load_config(CONFIG))
    async with Emulator(sandbox_people=people, sandbox_groups=groups,
                        sandbox_customers=customers) as e:
        yield e


async def shot(page: Any, name: str) -> None:
    if SHOTS:  # Playwright creates the directory
        await page.screenshot(path=str(Path(SHOTS) / f"{name}.png"))


async def test_newcomer_creates_a_customer_and_files_a_complaint(
        start_skewer: Callable[..., Any], emu: Emulator) -> None:
    from playwright.async_api import expect

    app = await start_skewer()
    config = load_config(CONFIG)
    async with chromium_page() as page:
        await page.set_viewport_size({"width": 1400, "height": 800})
        await page.goto(f"{emu.base_url}/sandbox")
        customer = page.locator(".panel.customer")
        select = customer.locator(".panel-head select").first
        await expect(page.locator("#status")).to_have_text("live")
        await expect(page.locator("#hint")).to_contain_text("Start as the customer on the left")

        # Ready at once: a demo customer per language, the English one preselected.
        await expect(select.locator("option", has_text="Emma · en")).to_have_count(1)
        await expect(select.locator("option", has_text="Lotte · nl")).to_have_count(1)
        await expect(select).to_have_value("5001")
        await shot(page, "fresh")

        # "+ New customer" -> name, language, Create: works with or without a selection.
        await customer.get_by_role("button", name="+ New customer").click()
        await customer.get_by_placeholder("First name").fill("Ines")
        await customer.locator(".newcust select").select_option("en")
        await shot(page, "new-customer")
        await customer.get_by_role("button", name="Create").click()
        await expect(select.locator("option:checked")).to_contain_text("Ines · en")
        await expect(customer.locator(".error")).to_have_text("")

        t = LABELS["en"]
        box = customer.locator("textarea")

        async def say(text: str) -> None:
            await box.fill(text)
            await box.press("Enter")

        def bot_says(text: str) -> Any:
            return customer.locator(".msg:not(.mine)", has_text=text).last

        async def press(label: str) -> None:
            await customer.locator(".keyboard button", has_text=label).last.click()

        await say(BILLING)
        await expect(customer.locator(".msg.mine", has_text=BILLING)).to_be_visible()
        await expect(bot_says("Hello Ines")).to_be_visible(timeout=8000)
        await press(t["done"])
        await expect(bot_says(t["better"])).to_be_visible(timeout=8000)
        await say("Check the payment before charging again.")
        asked = customer.locator(".msg:not(.mine)",
                                 has_text=re.compile(f"{t['summary']}|{t['ask_ref']}")).last
        await expect(asked).to_be_visible(timeout=8000)
        if t["ask_ref"] in await asked.inner_text():
            await press(t["noref"])
        await expect(bot_says(t["summary"])).to_be_visible(timeout=8000)
        await press(t["send"])
        confirmation = bot_says(t["confirm"])
        await expect(confirmation).to_be_visible(timeout=8000)
        found = REF.search(await confirmation.inner_text())
        assert found, await confirmation.inner_text()
        ref = found.group(1)
        await shot(page, "confirmed")

        # The case reached its owner: the notification is in that staff member's panel.
        async with app.store.unit() as unit:
            case = await unit.case_by_ref(ref)
        assert case is not None and case.owner_person == "noor"
        owner = next(p for p in config.people if p.id == case.owner_person)
        panel = page.locator(f'.panel.staff[data-user="{owner.telegram_id}"]')
        await expect(panel.locator(".who")).to_contain_text(owner.display_first_name)
        note = panel.locator(".msg", has_text=ref).first
        await expect(note).to_be_visible(timeout=8000)
        await expect(note.locator(".keyboard button", has_text="Oppakken")).to_be_visible()
        await note.scroll_into_view_if_needed()
        await shot(page, "filed")


async def test_reset_keeps_the_demo_customers(emu: Emulator) -> None:
    """The page's Reset forgets chats, not the ready-made customers; a customer created on
    the page is gone and the English demo customer is picked again."""
    from playwright.async_api import expect

    async with chromium_page() as page:
        page.on("dialog", lambda dialog: dialog.accept())

        slow = [True]

        async def slowly(route: Any) -> None:  # a slow emulator: staff panels take seconds
            if slow[0] and route.request.method == "POST":
                await asyncio.sleep(0.4)
            await route.continue_()

        await page.route("**/_emu/users", slowly)
        await page.goto(f"{emu.base_url}/sandbox")
        customer = page.locator(".panel.customer")
        select = customer.locator(".panel-head select").first
        await expect(select).to_have_value("5001")
        # A customer can be created while none is selected.
        await select.select_option("")
        await customer.get_by_role("button", name="+ New customer").click()
        await customer.get_by_placeholder("First name").fill("Piet")
        await customer.locator(".newcust select").select_option("nl")
        await customer.get_by_role("button", name="Create").click()
        await expect(select.locator("option:checked")).to_contain_text("Piet · nl")
        # Reset works while the staff panels are still loading.
        await page.locator("#reset").click()
        slow[0] = False
        await expect(select.locator("option", has_text="Piet")).to_have_count(0)
        await expect(select.locator("option", has_text="Lotte · nl")).to_have_count(1)
        await expect(select).to_have_value("5001")
