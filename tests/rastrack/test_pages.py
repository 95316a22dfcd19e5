"""The web pages: NHS.UK layout, sign in / out, a home page per role, no CDN, no inline JS."""

import re

import pytest
from django.contrib.staticfiles import finders

from tests.builders.people import PASSWORD
from tests.support.mfa import login_verified
from tests.support.personas import PERSONAS

pytestmark = pytest.mark.django_db


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/signin/")


def test_signing_in_with_email_and_password(client, trainee):
    page = client.get("/signin/")
    assert page.status_code == 200
    assert 'class="nhsuk-header' in page.content.decode()
    response = client.post("/signin/", {"username": trainee.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_a_wrong_password_shows_an_error_summary(client, trainee):
    response = client.post("/signin/", {"username": trainee.email, "password": "wrong-password"})
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()


def test_signing_out_is_a_post(client, trainee):
    client.force_login(trainee)
    assert client.post("/signout/").status_code == 302
    assert client.get("/").status_code == 302


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_role_has_a_home_page_with_its_links(client, request, persona):
    user = request.getfixturevalue(persona)
    login_verified(client, user)
    html = client.get("/").content.decode()
    assert user.get_short_name() in html
    assert "/reference/procedures/" in html
    manages_people = user.has_role("programme_admin", "regional_lead")
    assert ("/accounts/people/" in html) is manages_people


@pytest.mark.parametrize("persona", ["trainee", "assigned_trainer", "lab_manager"])
def test_the_people_page_is_403_for_other_roles(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get("/accounts/people/").status_code == 403


def test_the_people_page_lists_only_the_leads_region(client, lead, trainee, other_lead):
    login_verified(client, lead)
    html = client.get("/accounts/people/").content.decode()
    assert trainee.email in html and other_lead.email not in html


def test_the_people_page_searches_pages_and_names_roles_in_words(client, monkeypatch, lead, trainee, other_trainee,
                                                                 lab_manager):
    from rastrack.accounts import views

    login_verified(client, lead)
    html = client.get("/accounts/people/").content.decode()
    # (after the column's heading, shown when the table stacks on a phone)
    assert re.search(r'<td[^>]*>(<span class="nhsuk-table-responsive__heading"[^>]*>[^<]*</span>)?Lab manager</td>', html)
    assert ">lab_manager<" not in html
    found = client.get("/accounts/people/", {"q": trainee.email.upper()}).content.decode()
    assert trainee.email in found and lab_manager.email not in found
    assert "matching" in found
    monkeypatch.setattr(views, "PEOPLE_PER_PAGE", 1)
    first = client.get("/accounts/people/").content.decode()
    assert "nhsuk-pagination" in first and "page=2" in first


def test_the_procedure_catalogue_page(client, trainee):
    client.force_login(trainee)
    html = client.get("/reference/procedures/").content.decode()
    assert "Robot-assisted radical prostatectomy" in html
    assert "Bladder neck dissection" in html


def _pages(client, admin):
    login_verified(client, admin)
    responses = [client.get(url) for url in ("/", "/accounts/people/", "/reference/procedures/")]
    assert [r.status_code for r in responses] == [200, 200, 200]
    return responses


def test_pages_load_nothing_from_another_host_and_have_no_inline_script(client, admin):
    for response in _pages(client, admin):
        html = response.content.decode()
        for src in re.findall(r'(?:src|href)="([^"]+)"', html):
            assert not re.match(r"^(https?:)?//", src), f"external asset {src}"
        for attrs, body in re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S):
            assert "src=" in attrs and not body.strip(), "inline script"
        assert "style=" not in html


def test_every_referenced_static_file_is_vendored(client, admin):
    for response in _pages(client, admin):
        for path in re.findall(r'(?:src|href)="/static/([^"]+)"', response.content.decode()):
            assert finders.find(path), path
    assert finders.find("vendor/nhsuk/LICENSE")
    css = open(finders.find("vendor/nhsuk/nhsuk-frontend.min.css")).read()
    assert "assets.nhs.uk" not in css and "https://" not in css


def test_security_headers_and_csp(client, trainee):
    client.force_login(trainee)
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Request-ID"]


def test_unknown_pages_use_the_nhs_layout(client, trainee):
    client.force_login(trainee)
    response = client.get("/no-such-page/")
    assert response.status_code == 404


def test_django_admin_for_reference_data(client, admin):
    admin.is_staff = admin.is_superuser = True
    admin.save()
    login_verified(client, admin)
    assert client.get("/admin/reference/procedure/").status_code == 200
    assert client.get("/admin/reference/region/").status_code == 200
