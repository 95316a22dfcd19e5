"""Browser tests: Playwright for Python driving Debian's Chromium against the live server.

Each test gets pytest-django's `live_server` (a transactional database: tests/conftest.py
restores the reference rows), builds its world through the builders and services, then acts
through the pages as a person would (tests/support/browser.py). One Chromium per session
(per xdist worker), a new context per page set.

Locally a missing Chromium or Playwright skips the tests with the reason; with CI=true it
fails them (tests/support/services.py's `needs`). Playwright's own browser download cannot
work here: `make test` and `.ci/run` install Debian's `chromium` instead.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.builders.labs import lab_fixture, london_site_fixture  # noqa: F401 - fixtures for the journeys
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, DESKTOP, PHONE, Tab, why_no_browser
from tests.support.services import needs

# Playwright's sync API keeps an asyncio loop running in the test's thread, which makes
# Django refuse ORM calls there ("async context"). The tests make their worlds in that thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    reason = why_no_browser()
    if reason:
        needs("Chromium and Playwright", False, reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.browser_failed = report.failed


FAILURES = Path(os.environ.get("BROWSER_FAILURES_DIR", "/tmp/rastrack-browser-failures"))


@pytest.fixture
def tabs(browser, live_server, request):
    """`tabs(phone=False, storage_state=None)` opens a page in a new context, desktop
    (1280 x 800) or phone (390 x 844, touch).

    Every context keeps the site's CSP; at the end none may have seen a CSP refusal, a script
    error or a failed sub-resource: the strict policy breaks nothing.
    """
    opened: list[Tab] = []

    def open_tab(*, phone: bool = False, storage_state=None) -> Tab:
        context = browser.new_context(
            base_url=live_server.url, viewport=PHONE if phone else DESKTOP, device_scale_factor=1,
            is_mobile=phone, has_touch=phone, locale="en-GB", timezone_id="Europe/London",
            storage_state=storage_state, reduced_motion="reduce",
        )
        context.set_default_timeout(15_000)
        tab = Tab(context, phone=phone)
        opened.append(tab)
        return tab

    yield open_tab
    problems = [p for tab in opened for p in tab.problems]
    if getattr(request.node, "browser_failed", False):
        # What each page showed when the test failed, for whoever reads the CI log.
        FAILURES.mkdir(parents=True, exist_ok=True)
        for number, tab in enumerate(opened):
            if tab.page.url == "about:blank":
                continue
            path = FAILURES / f"{request.node.name}-{number}.png"
            tab.page.screenshot(path=str(path), full_page=True)
            print(f"failed at {tab.page.url}: screenshot {path}")
    for tab in opened:
        # Let the live server answer what the page still asked for before the test's
        # database goes away under it.
        tab.settle()
        tab.context.close()
    assert not problems, "the pages broke in the browser:\n" + "\n".join(problems)
