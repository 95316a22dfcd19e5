"""Text fields tell the browser the server's limit (`maxlength`), and long text fields carry a
character count (static/js/character-count.js, loaded from base.html: no inline script)."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders

from accreditation.signoff.forms import ApproveForm
from curriculum.forms import WithdrawForm
from rastrack.accounts.forms import OwnDetailsForm
from rastrack.accounts.models import User
from rastrack.core.free_text import MAX_TEXT
from tests.support.mfa import login_verified


def test_long_text_fields_carry_the_servers_limit_and_a_counter():
    for form, name in ((ApproveForm(prefix="approve"), "feedback"), (WithdrawForm(), "reason")):
        html = str(form[name])
        assert f'maxlength="{MAX_TEXT}"' in html and f'data-character-count="{MAX_TEXT}"' in html, html


def test_a_field_without_a_form_limit_still_tells_the_browser_the_models():
    form = OwnDetailsForm()
    assert f'maxlength="{User._meta.get_field("grade").max_length}"' in str(form["grade"])
    limit = User._meta.get_field("training_programme").max_length
    assert f'maxlength="{limit}"' in str(form["training_programme"])
    # The limit stays the service's: the form itself refuses nothing for length.
    assert OwnDetailsForm({"grade": "x" * 100, "training_programme": ""}).is_valid()


def test_short_fields_get_no_counter():
    assert "data-character-count" not in str(OwnDetailsForm()["grade"])


@pytest.mark.django_db
def test_every_page_loads_the_counter_script_from_the_site(client, trainee):
    login_verified(client, trainee)
    html = client.get("/").content.decode()
    assert re.search(r'<script src="/static/js/character-count[^"]*\.js" defer>', html), html[:2000]
    source = open(finders.find("js/character-count.js"), encoding="utf-8").read()
    assert "data-character-count" in source and "aria-live" in source
