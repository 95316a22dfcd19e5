"""The console listener the tour relies on (tests/browser/test_tour.py: no page of the demo
world writes an error to the browser's console) does hear an error."""

from __future__ import annotations

import pytest

from tests.support.browser import listen_for_errors

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_listener_hears_a_console_error(tabs, trainee):
    tab = tabs()
    where = ["/signin/"]
    heard = listen_for_errors(tab, where)
    tab.page.goto("/signin/")
    tab.page.evaluate("() => console.error('on purpose')")
    tab.page.wait_for_timeout(100)
    assert heard == ["/signin/: console.error: on purpose"]
