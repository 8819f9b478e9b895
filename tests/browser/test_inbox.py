"""The web inbox in headless Chromium while an app works against the served emulator (issue 20).

Skipped when Playwright's Python package or a Chromium binary is missing; ``nox -s browser``
and ``.ci/run`` install both.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest

from smsc_async import SmscClient, SubclientSpec
from smsc_async.testing import DEFAULT_LOGIN, DEFAULT_PASSWORD, Emulator, serving
from tests.browser._chromium import browser_missing, find_chromium

MISSING = browser_missing()
if MISSING is not None:
    # nox -s browser sets SMSC_REQUIRE_BROWSER: there a missing browser fails, not skips.
    if os.environ.get("SMSC_REQUIRE_BROWSER"):
        pytest.fail(f"{MISSING} (SMSC_REQUIRE_BROWSER is set)", pytrace=False)
    pytest.skip(MISSING, allow_module_level=True)
CHROMIUM = find_chromium()

from playwright.async_api import Page, async_playwright, expect  # noqa: E402

pytestmark = pytest.mark.browser

# Playwright's expect() polls until this deadline: the page redraws about once a second.
DEADLINE_MS = 15_000


def inbox_url(base_url: str) -> str:
    """The inbox of a served emulator, from its SMSC base URL (``http://host:port/sys/``)."""
    return base_url.removesuffix("sys/") + "_emulator/"


@asynccontextmanager
async def open_inbox(base_url: str) -> AsyncIterator[Page]:
    """A headless Chromium page on the inbox, closed when the caller is done."""
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, headless=True)
        try:
            page = await browser.new_page(viewport={"width": 1200, "height": 760})
            await page.goto(inbox_url(base_url))
            yield page
        finally:
            await browser.close()


async def test_the_inbox_shows_what_an_app_did_and_the_rule_it_broke(tmp_path: Path) -> None:
    emulator = Emulator(minute=1.0)
    async with serving(emulator) as base_url, open_inbox(base_url) as page:
        # The page is open before the app starts: what follows arrives by live updates.
        await expect(page.get_by_test_id("stat-requests")).to_have_text("0")

        specs = [SubclientSpec(f"shop{i}", "Str0ng-pass", payment=100) for i in range(10)]
        async with SmscClient(
            login=DEFAULT_LOGIN, password=DEFAULT_PASSWORD, base_url=base_url
        ) as smsc:
            job = smsc.subclients.provision(specs)
            sent = await asyncio.gather(
                *(smsc.messages.send(f"7916{i:07d}", f"Order {i} has shipped") for i in range(50))
            )
            report = await job
        assert 10 == len(report.done)

        # A violation on purpose: the same send twice within the (compressed) minute.
        form = {
            "login": DEFAULT_LOGIN,
            "psw": DEFAULT_PASSWORD,
            "phones": "79169999999",
            "mes": "Ping twice",
            "fmt": "3",
        }
        async with httpx.AsyncClient(base_url=base_url) as http:
            first = (await http.post("send.php", data=form)).json()
            second = (await http.post("send.php", data=form)).json()
        assert "id" in first
        assert 9 == second["error_code"]
        [violation] = emulator.violations  # the app itself broke no rule

        await expect(page.get_by_test_id("stat-violations")).to_have_text("1", timeout=DEADLINE_MS)
        violation_row = page.get_by_test_id("violation-row")
        await expect(violation_row).to_have_count(1)
        await expect(violation_row).to_have_attribute("data-rule", violation.rule)
        await expect(violation_row).to_contain_text(violation.rule)
        await expect(violation_row).to_contain_text("send.send")

        # Every message kept, the accepted half of the pair included, the refused one not.
        rows = page.get_by_test_id("message-row")
        await expect(rows).to_have_count(len(emulator.outbox.entries), timeout=DEADLINE_MS)
        assert 51 == len(emulator.outbox.entries)

        # The app's 50, found through the filter, all delivered in emulated time.
        await page.get_by_test_id("message-filter").fill("has shipped")
        await expect(rows).to_have_count(50)
        delivered = page.locator('[data-testid="message-row"][data-status="delivered"]')
        await expect(delivered).to_have_count(50, timeout=DEADLINE_MS)
        shown = await rows.evaluate_all("rows => rows.map(r => [r.dataset.id, r.dataset.phone])")
        assert sorted((s.id, f"7916{i:07d}") for i, s in enumerate(sent)) == sorted(
            (i, p) for i, p in shown
        )
        await expect(page.get_by_test_id("messages-count")).to_have_text("(50 of 51)")

        subclients = page.get_by_test_id("subclient-row")
        await expect(subclients).to_have_count(10, timeout=DEADLINE_MS)
        logins = await subclients.evaluate_all("rows => rows.map(r => r.dataset.login)")
        assert sorted(spec.user for spec in specs) == sorted(logins)
        for spec in specs:
            row = page.locator(f'[data-testid="subclient-row"][data-login="{spec.user}"]')
            await expect(row).to_contain_text("100")

        # The header agrees with the API's own count, once the traffic has settled.
        async with httpx.AsyncClient() as http:
            stats = (await http.get(inbox_url(base_url) + "stats")).json()
        await expect(page.get_by_test_id("stat-requests")).to_have_text(
            str(stats["requests"]), timeout=DEADLINE_MS
        )
        await expect(page.locator('[data-testid="login-card"][data-login="demo"]')).to_be_visible()

        await page.get_by_test_id("message-filter").fill("")
        await page.get_by_test_id("message-filter").blur()  # no focus ring in the picture
        await page.screenshot(path=tmp_path / "inbox.png")
        await page.screenshot(path=tmp_path / "inbox-full.png", full_page=True)
    assert (tmp_path / "inbox.png").stat().st_size > 0


async def test_texts_stay_text_and_a_reply_can_be_received_from_the_page() -> None:
    emulator = Emulator(minute=1.0)
    hostile = '<img src=x onerror="window.__injected = 1"><b>bold</b>'
    async with serving(emulator) as base_url:
        async with SmscClient(
            login=DEFAULT_LOGIN, password=DEFAULT_PASSWORD, base_url=base_url
        ) as smsc:
            await smsc.messages.send("79161234567", hostile)
        async with open_inbox(base_url) as page:
            row = page.locator('[data-testid="message-row"][data-phone="79161234567"]')
            await expect(row).to_contain_text(hostile, timeout=DEADLINE_MS)
            # Shown as characters, never parsed: no element came from the text.
            assert (
                0
                == await page.locator(
                    '[data-testid="messages"] b, [data-testid="messages"] img'
                ).count()
            )
            assert await page.evaluate("window.__injected") is None

            form = page.get_by_test_id("reply-form")
            await form.get_by_label("from", exact=True).fill("79161234567")
            await form.get_by_label("text", exact=True).fill("STOP")
            await form.get_by_role("button", name="Receive").click()
            await expect(page.get_by_test_id("reply-result")).to_have_text("received")
            reply = page.locator('[data-testid="reply-row"][data-phone="79161234567"]')
            await expect(reply).to_contain_text("STOP", timeout=DEADLINE_MS)
            assert [("79161234567", "STOP")] == [(a.phone, a.text) for a in emulator.outbox.answers]
