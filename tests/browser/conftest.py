"""Browser tests: Playwright for Python driving Debian's Chromium against the live server.

Each test gets pytest-django's `live_server` (a transactional database: tests/conftest.py
restores the reference rows), builds its world through factories and services, then acts
through the pages as a person would. One Chromium per session, a new context per page set.

Locally a missing Chromium or Playwright skips the tests with the reason; with CI=true it
fails them (tests/conftest.py's `_needs`). Playwright's own browser download cannot work
here: `make test` and `.ci/run` install Debian's `chromium` instead.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import _needs
from tests.factories import PASSWORD
from tests.labs.conftest import lab, london_site  # noqa: F401 - fixtures for the journeys

# Playwright's sync API keeps an asyncio loop running in the test's thread, which makes
# Django refuse ORM calls there ("async context"). The tests make their worlds in that thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--no-first-run", "--disable-quic", "--disable-sync", "--lang=en-GB",
]
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "docs" / "screenshots"
AXE_URL = "/static/vendor/axe/axe.min.js"  # static/vendor/axe/, from the axe-core npm package
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
# The WCAG levels the service promises (A and AA, 2.0 and 2.1).
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


def _why_no_browser() -> str | None:
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "Playwright is not installed (pip install -e '.[dev]')"
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)) and not shutil.which(CHROMIUM):
        return f"no Chromium at {CHROMIUM} (apt-get install -y chromium, or `make test` as root)"
    return None


@pytest.fixture(scope="session")
def browser():
    reason = _why_no_browser()
    if reason:
        _needs("Chromium and Playwright", False, reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Tab:
    """A page of its own browser context, recording what went wrong in it: uncaught script
    errors, Content-Security-Policy refusals and failed sub-resources (any 4xx/5xx that is
    not the page itself)."""

    def __init__(self, context, *, phone: bool):
        self.context = context
        self.phone = phone
        self.page = context.new_page()
        self.problems: list[str] = []
        self.page.on("pageerror", lambda error: self.problems.append(f"script error: {error}"))
        self.page.on("console", self._console)
        self.page.on("response", self._response)
        self.in_flight = 0
        self.page.on("request", self._started)
        self.page.on("requestfinished", self._ended)
        self.page.on("requestfailed", self._ended)

    def _started(self, request):
        self.in_flight += 1

    def _ended(self, request):
        self.in_flight -= 1

    def settle(self, timeout_ms: int = 5_000) -> None:
        """Wait until the page has no request left in flight (the live server is done with it)."""
        waited = 0
        while self.in_flight > 0 and waited < timeout_ms:
            self.page.wait_for_timeout(50)
            waited += 50

    def _console(self, message):
        text = message.text
        if message.type == "error" and ("Content Security Policy" in text or "Content-Security-Policy" in text):
            self.problems.append(f"CSP: {text}")

    def _response(self, response):
        if response.status >= 400 and response.request.resource_type != "document":
            self.problems.append(f"{response.status} for {response.request.resource_type} {response.url}")


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


# --- Actions a person takes -------------------------------------------------------------------


def navigating(page):
    """`with navigating(page): <click>`: wait for the page the action leads to (Playwright's
    actions do not wait for the navigation they start)."""
    return page.expect_navigation()


def sign_in(page, user, *, code_for=None, password: str = PASSWORD) -> None:
    """Sign in on the page; `code_for(device)` gives the TOTP code when a second factor is asked."""
    page.goto("/signin/")
    page.get_by_label("E-mail address").fill(user.email)
    page.get_by_label("Password", exact=True).fill(password)
    with navigating(page):
        page.get_by_role("button", name="Sign in").click()
    if "/accounts/mfa/verify/" in page.url:
        from tests.mfa_helpers import confirmed_device, current_code

        device = confirmed_device(user)
        page.get_by_label("Code from your authenticator app").fill((code_for or current_code)(device))
        with navigating(page):
            page.get_by_role("button", name="Continue").click()
    assert "/signin/" not in page.url and "/mfa/" not in page.url, page.url


def open_menu_if_needed(page) -> None:
    """On a phone the header's links that do not fit go under "More"."""
    toggle = page.locator("#toggle-menu")
    if toggle.is_visible() and toggle.get_attribute("aria-expanded") == "false":
        toggle.click()


def tab_to(page, locator, *, limit: int = 150) -> None:
    """Press Tab until `locator` has the focus, as a keyboard user moves through the page,
    then check that the focus shows."""
    handle = locator.element_handle()
    for _ in range(limit):
        if page.evaluate("(el) => document.activeElement === el", handle):
            break
        page.keyboard.press("Tab")
    else:
        raise AssertionError(f"Tab never reached {locator}")
    assert focus_is_visible(page), f"no visible focus on {locator}"


def focus_is_visible(page) -> bool:
    """The focused element shows the NHS.UK focus style: a yellow (#ffeb3b) outline, box-shadow
    or background; for a radio or a checkbox, on its label's drawn box (::before)."""
    return page.evaluate("""() => {
        const el = document.activeElement;
        if (!el || el === document.body) return false;
        let target = el, pseudo = null;
        if (el.matches('input[type="checkbox"], input[type="radio"]') && el.labels && el.labels.length) {
            target = el.labels[0];
            pseudo = '::before';
        }
        const s = getComputedStyle(target, pseudo);
        const yellow = (value) => (value || "").includes("255, 235, 59");
        return (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2 && yellow(s.outlineColor))
            || yellow(s.boxShadow) || yellow(s.backgroundColor);
    }""")


def choose_by_keyboard(page, radio_group_first, value_index: int) -> None:
    """In a radio group none of which is chosen yet: Tab into it, Space, then arrows."""
    tab_to(page, radio_group_first)
    page.keyboard.press("Space")
    for _ in range(value_index):
        page.keyboard.press("ArrowDown")


# --- Accessibility and screenshots --------------------------------------------------------------


def axe_violations(page) -> list[dict]:
    """axe-core (vendored) on the page as it is now: the violations of WCAG 2.1 A and AA."""
    # From the site's own static files: the CSP allows 'self', so axe runs on the page exactly
    # as served, under its real policy (no bypass needed).
    page.add_script_tag(url=AXE_URL)
    result = page.evaluate(
        "(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        AXE_TAGS,
    )
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [n["target"] for n in v["nodes"]][:5]} for v in result["violations"]]


def screenshot(page, name: str) -> Path:
    """A PNG of what the screen shows (not the whole page: the files stay small)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), animations="disabled", caret="hide")
    return path
