"""The web chat widget in a real browser: headless Chromium from the Debian packages, driven by
Playwright (never `playwright install`). A whole complaint, from the first message through a
photo, the owner's reply in Telegram arriving live, a page reload, to the satisfaction rating."""

from __future__ import annotations

import os
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.omni.conftest import base_url

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
REF = re.compile(r"\b([A-Z2-9]{3}-[A-Z2-9]{3})\b")
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
       b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
       b"\x00\x00\x00\x00IEND\xaeB`\x82")

@asynccontextmanager
async def chromium_page() -> AsyncIterator[Any]:
    """A page in a fresh headless Debian Chromium, closed afterwards."""
    from playwright.async_api import async_playwright

    # The browser is the customer's machine, with a clock of its own: under `make test-dates`
    # it is not given libfaketime (which Chromium does not survive).
    env = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD"}
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                           args=FLAGS, env=env)
        try:
            yield await browser.new_page()
        finally:
            await browser.close()


pytestmark = [pytest.mark.browser, pytest.mark.skipif(
    not CHROMIUM.exists() and os.environ.get("CI") != "true",
    reason="needs Chromium from the Debian packages at /usr/bin/chromium "
           "(scripts/test.sh installs it in CI or as root)")]


async def test_whole_complaint_in_the_browser(start_omni, emu, staff, tmp_path) -> None:
    from playwright.async_api import expect

    app = await start_omni()
    photo = tmp_path / "receipt.png"
    photo.write_bytes(PNG)
    async with chromium_page() as page:
        await page.goto(f"{base_url(app)}/chat/?lang=en&name=Ines")
        log = page.locator(".log")
        box = page.locator("textarea")
        await expect(box).to_have_attribute("placeholder", "Type your message…")

        async def say(text: str) -> None:
            await box.fill(text)
            await box.press("Enter")

        async def bot_says(text: str) -> str:
            msg = page.locator(".msg.bot", has_text=text).last
            await expect(msg).to_be_visible(timeout=8000)
            return await msg.inner_text()

        async def press(label: str) -> None:
            await page.locator(".buttons button", has_text=label).last.click()

        await say("The app crashes every time I try to pay, I cannot order anything")
        await bot_says("Hello Ines")
        await bot_says("That's everything")
        await page.locator("input[type=file]").set_input_files(str(photo))
        await expect(log.locator(".msg.me", has_text="receipt.png")).to_be_visible()
        await press("That's everything")
        await bot_says("how could we have served you better?")
        await say("Test the payment page before releasing.")
        summary = await bot_says("Shall I send it?")
        assert "Test the payment page" in summary
        await press("Send")
        ref = REF.search(await bot_says("Your case number is")).group(1)

        tom, group = staff["tom"], staff["digital_group"]
        note = await tom.wait_for(ref, chat=group)
        assert "web" in note.text
        # The picture itself reaches staff, uploaded from the web chat.
        photo = await tom.wait_for(lambda m: m.kind == "photo" and ref in m.text, chat=group)
        assert photo.text.startswith(ref)

        # The page is reloaded: the conversation comes back, and then the answer arrives live.
        await page.reload()
        await bot_says("Your case number is")
        await tom.reply(note, "Sorry! We rolled out a fix, please try again?")
        assert ref in await bot_says("rolled out a fix")

        await tom.send(f"/resolve {ref} software bug")
        await bot_says("How satisfied")
        await press("5")
        await bot_says("anything else")
        await say("quick fix!")
        await bot_says("Thank you for your feedback")
        assert ref in (await tom.wait_for("5/5")).text


async def test_widget_embedded_with_one_script_tag_on_another_site(start_omni, emu,
                                                                   tmp_path) -> None:
    """The organisation's own site (another origin) adds one script tag: the floating chat
    opens, talks to Skewer, and uploads a photo across origins."""
    from aiohttp import web
    from playwright.async_api import expect

    app = await start_omni()
    photo = tmp_path / "receipt.png"
    photo.write_bytes(PNG)
    shop = web.Application()

    async def home(_: web.Request) -> web.Response:
        return web.Response(content_type="text/html", text=(
            "<!doctype html><html><body><h1>De Winkel</h1>"
            f'<script src="{base_url(app)}/chat/widget.js" data-lang="nl" data-name="Jan" '
            "async></script></body></html>"))

    shop.router.add_get("/", home)
    runner = web.AppRunner(shop)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        async with chromium_page() as page:
            await page.goto(f"http://127.0.0.1:{port}/")
            await page.locator(".launcher").click()
            box = page.locator("textarea")
            await expect(box).to_have_attribute("placeholder", "Typ je bericht…")
            await box.fill("de app crasht elke keer bij het afrekenen")
            await box.press("Enter")
            await expect(page.locator(".msg.bot", has_text="Hallo Jan")).to_be_visible()
            await expect(page.locator(".msg.bot", has_text="Dat was het").last).to_be_visible()
            await page.locator("input[type=file]").set_input_files(str(photo))
            await expect(page.locator(".msg.me", has_text="receipt.png")).to_be_visible()
            # Acknowledged: the widget no longer holds it, and the intake has the photo.
            pending = f"skewer:{base_url(app)}:pending"
            await page.wait_for_function(f"localStorage.getItem({pending!r}) === '[]'")
            session = await page.evaluate(f"JSON.parse(localStorage.getItem("
                                          f"'skewer:{base_url(app)}:session'))")
            from handlers.web.chat import chat_id_of

            async with app.store.unit() as unit:
                state, _ = await unit.load_conversation(f"web:{chat_id_of(session)}")
            assert [a["file_name"] for a in state["attachments"]] == ["receipt.png"]
            assert await page.locator(".notice").count() == 0
    finally:
        await runner.cleanup()
