"""What a person does in the browser, for the browser tests (tests/browser/): Debian's
Chromium and how to launch it, a page that records what went wrong in it (`Tab`), signing
in, moving by keyboard, axe-core and screenshots."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from tests.builders.people import PASSWORD

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


def why_no_browser() -> str | None:
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "Playwright is not installed (pip install -e '.[dev]')"
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)) and not shutil.which(CHROMIUM):
        return f"no Chromium at {CHROMIUM} (apt-get install -y chromium, or `make test` as root)"
    return None


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
        from tests.support.mfa import confirmed_device, current_code

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


def listen_for_errors(tab, where: list[str]) -> list[str]:
    """Every `console.error` and uncaught script error of the tab from now on, each with the
    page it was on (`where[0]`, kept up to date by the caller)."""
    heard: list[str] = []
    tab.page.on("console", lambda message: heard.append(f"{where[0]}: console.{message.type}: {message.text}")
                if message.type == "error" else None)
    tab.page.on("pageerror", lambda error: heard.append(f"{where[0]}: script error: {error}"))
    return heard


def screenshot(page, name: str) -> Path:
    """A PNG of what the screen shows (not the whole page: the files stay small)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), animations="disabled", caret="hide")
    return path
