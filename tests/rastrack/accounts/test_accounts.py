"""Accounts: registration numbers, regions over time, invitations, resets, deactivation."""

import datetime
import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from rastrack.accounts import services
from rastrack.accounts.models import Invitation, RegionStay, User
from rastrack.accounts.roles import Role
from rastrack.accounts.validators import validate_registration
from rastrack.core.exceptions import ApplicationError, Conflict, NotPermitted
from tests.builders.people import PASSWORD
from tests.support.mfa import login_verified
from tests.support.outbox import deliver_outbox

pytestmark = pytest.mark.django_db


# --- Registration numbers -----------------------------------------------------------------

@pytest.mark.parametrize(("body", "number"), [
    ("gmc", "1234567"), ("nmc", "12A3456E"), ("nmc", "12a3456e"), ("hcpc", "ODP12345"),
    ("hcpc", "PA123456"), ("", ""),
])
def test_valid_registration_numbers_pass(body, number):
    validate_registration(body, number.upper())


@pytest.mark.parametrize(("body", "number", "field"), [
    ("gmc", "123456", "registration_number"),      # 6 digits
    ("gmc", "12345678", "registration_number"),    # 8 digits
    ("gmc", "GMC1234", "registration_number"),
    ("nmc", "1234567", "registration_number"),
    ("nmc", "12A345E", "registration_number"),
    ("hcpc", "12345", "registration_number"),
    ("gmc", "", "registration_number"),
    ("", "1234567", "registration_body"),
])
def test_invalid_registration_numbers_name_the_field(body, number, field):
    with pytest.raises(ValidationError) as exc:
        validate_registration(body, number)
    assert field in exc.value.message_dict


def test_user_create_refuses_a_bad_gmc_number_and_saves_nothing(london):
    with pytest.raises(ApplicationError) as exc:
        services.user_create(email="new@example.org", full_name="New Person", password=PASSWORD,
                             roles=[Role.TRAINEE], region=london, registration_body="gmc",
                             registration_number="12345")
    assert "registration_number" in exc.value.errors
    assert not User.objects.filter(email="new@example.org").exists()


def test_the_database_refuses_a_number_without_its_body(trainee):
    with pytest.raises(IntegrityError):
        User.objects.filter(pk=trainee.pk).update(registration_body="", registration_number="1234567")


def test_two_people_cannot_share_a_registration_number(london):
    services.user_create(email="a@example.org", full_name="A", password=PASSWORD, roles=[Role.TRAINEE],
                         region=london, registration_body="gmc", registration_number="7654321")
    with pytest.raises((ApplicationError, IntegrityError)):
        services.user_create(email="b@example.org", full_name="B", password=PASSWORD,
                             roles=[Role.TRAINEE], region=london, registration_body="gmc",
                             registration_number="7654321")


def test_emails_are_unique_whatever_their_case(london):
    services.user_create(email="Case@Example.org", full_name="A", password=PASSWORD,
                         roles=[Role.TRAINEE], region=london)
    with pytest.raises(Conflict):
        services.user_create(email="case@example.org", full_name="B", password=PASSWORD,
                             roles=[Role.TRAINEE], region=london)


def test_a_regional_role_needs_a_region():
    with pytest.raises(ApplicationError) as exc:
        services.user_create(email="x@example.org", full_name="X", password=PASSWORD, roles=[Role.TRAINEE])
    assert "region" in exc.value.errors


# --- Regions over time ----------------------------------------------------------------------

def test_a_move_keeps_the_history_and_changes_the_current_region(trainee, london, north_west):
    today = timezone.localdate()
    services.user_move_region(user=trainee, region=north_west, on=today)
    trainee.refresh_from_db()
    assert trainee.region == north_west
    stays = list(RegionStay.objects.filter(user=trainee).order_by("started_on"))
    assert [s.region for s in stays] == [london, north_west]
    assert stays[0].ended_on == today and stays[1].ended_on is None


def test_the_lead_of_the_new_region_sees_the_person(trainee, lead, other_lead, north_west):
    from rastrack.accounts.selectors import users_visible_to

    assert trainee in users_visible_to(lead) and trainee not in users_visible_to(other_lead)
    services.user_move_region(user=trainee, region=north_west)
    assert trainee not in users_visible_to(lead) and trainee in users_visible_to(other_lead)


def test_only_one_open_stay_per_person(trainee, north_west):
    with pytest.raises(IntegrityError):
        RegionStay.objects.create(user=trainee, region=north_west, started_on=timezone.localdate())


# --- Invitations ----------------------------------------------------------------------------

def _token_from_mail() -> str:
    deliver_outbox()
    match = re.search(r"/accounts/invitations/([\w-]+)/", mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return match.group(1)


def test_an_admin_invites_by_email_and_the_person_joins_with_the_roles(client, admin, north_west,
                                                                    django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_create(invited_by=admin, email="New.Lead@example.org", full_name="New Lead",
                                   roles=[Role.REGIONAL_LEAD], region=north_west)
    token = _token_from_mail()
    assert mail.outbox[-1].to == ["new.lead@example.org"]
    page = client.get(f"/accounts/invitations/{token}/")
    assert page.status_code == 200
    response = client.post(f"/accounts/invitations/{token}/", {
        "full_name": "Nia Newlead", "password": "a-long-passphrase", "password_again": "a-long-passphrase"})
    assert response.status_code == 302
    user = User.objects.get(email="new.lead@example.org")
    assert user.roles == ["regional_lead"] and user.region == north_west
    assert user.full_name == "Nia Newlead"
    # Signed in at once (a lead, so straight on to set up the second factor), and the link
    # works only once.
    assert client.get("/")["Location"].startswith("/accounts/mfa/setup/")
    client.logout()
    used = client.get(f"/accounts/invitations/{token}/")
    assert used.status_code == 404 and "already been used" in used.content.decode()


def test_an_expired_invitation_does_nothing(client, admin, london, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_create(invited_by=admin, email="late@example.org", full_name="Late",
                                   roles=[Role.TRAINEE], region=london)
    Invitation.objects.update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    token = _token_from_mail()
    expired = client.get(f"/accounts/invitations/{token}/")
    assert expired.status_code == 404 and "has expired" in expired.content.decode()
    with pytest.raises(ApplicationError):
        services.invitation_accept(token=token, password="a-long-passphrase")
    assert not User.objects.filter(email="late@example.org").exists()


def test_a_weak_password_is_refused_with_a_form_error(client, admin, london, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_create(invited_by=admin, email="weak@example.org", full_name="Weak",
                                   roles=[Role.TRAINEE], region=london)
    token = _token_from_mail()
    response = client.post(f"/accounts/invitations/{token}/", {
        "full_name": "Weak", "password": "12345", "password_again": "12345"})
    assert response.status_code == 400
    assert "nhsuk-error-summary" in response.content.decode()
    assert not User.objects.filter(email="weak@example.org").exists()


def test_a_lead_invites_trainees_to_their_own_region_only(lead, london, north_west):
    invitation, _ = services.invitation_create(invited_by=lead, email="t@example.org", full_name="T",
                                               roles=[Role.TRAINEE], region=london)
    assert invitation.region == london
    # Roles or a region the lead may not grant: refused per field, nothing stored.
    with pytest.raises(ApplicationError) as other_region:
        services.invitation_create(invited_by=lead, email="u@example.org", full_name="U",
                                   roles=[Role.TRAINEE], region=north_west)
    assert other_region.value.status_code == 400
    assert other_region.value.errors == {"region": ["You may invite people to London only."]}
    with pytest.raises(ApplicationError) as admin_role:
        services.invitation_create(invited_by=lead, email="v@example.org", full_name="V",
                                   roles=[Role.PROGRAMME_ADMIN, Role.TRAINEE], region=london)
    assert admin_role.value.errors == {"roles": ["You may not invite people as programme admin."]}
    assert not Invitation.objects.filter(email__in=["u@example.org", "v@example.org"]).exists()


@pytest.mark.parametrize("persona", ["trainee", "assigned_trainer", "lab_manager"])
def test_other_roles_cannot_invite(api, request, persona, london):
    user = request.getfixturevalue(persona)
    response = api.as_user(user).post("/api/v1/invitations/", {
        "email": "x@example.org", "full_name": "X", "roles": ["trainee"], "region": london.pk})
    assert response.status_code == 403
    assert not Invitation.objects.exists()


def test_invitation_api_validates_per_field(api, admin):
    response = api.as_user(admin).post("/api/v1/invitations/", {"email": "not-an-email", "roles": ["wizard"]})
    assert response.status_code == 400
    body = response.json()
    assert {"email", "full_name", "roles"} <= set(body)


def test_inviting_an_existing_account_answers_as_for_a_new_one(api, admin, trainee, london,
                                                               django_capture_on_commit_callbacks):
    # The answer must not tell the inviter who has an account; the e-mail tells its owner.
    with django_capture_on_commit_callbacks(execute=True):
        response = api.as_user(admin).post("/api/v1/invitations/", {
            "email": trainee.email, "full_name": "Again", "roles": ["trainee"], "region": london.pk})
    assert response.status_code == 201
    deliver_outbox()
    assert "already have a RASTrack account" in mail.outbox[-1].body


def test_a_lead_inviting_into_another_region_gets_400_naming_the_field(api, lead, north_west):
    response = api.as_user(lead).post("/api/v1/invitations/", {
        "email": "x@example.org", "full_name": "X", "roles": ["trainee"], "region": north_west.pk})
    assert response.status_code == 400
    assert response.json() == {"region": ["You may invite people to London only."]}
    assert not Invitation.objects.exists()


# --- Password reset ----------------------------------------------------------------------------

def test_a_person_resets_their_own_password(client, trainee):
    response = client.post("/accounts/password/reset/", {"email": trainee.email})
    assert response.status_code == 302
    deliver_outbox()
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/\S+/)", mail.outbox[-1].body).group(1)
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    set_url = form_page.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": "brand-new-passphrase", "new_password2": "brand-new-passphrase"})
    assert done.status_code == 302
    trainee.refresh_from_db()
    assert trainee.check_password("brand-new-passphrase")


def test_a_reset_for_an_unknown_address_reveals_nothing(client):
    response = client.post("/accounts/password/reset/", {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert mail.outbox == []


# --- Deactivation -------------------------------------------------------------------------------

def test_deactivation_ends_every_session_and_token_at_once(client, api, admin, trainee):
    from django.test import Client

    other_browser = Client()
    client.force_login(trainee)
    other_browser.force_login(trainee)
    api.as_user(trainee)
    assert client.get("/").status_code == 200
    assert api.get("/api/v1/me/").status_code == 200
    from rastrack.accounts.models import UserSession

    assert UserSession.objects.filter(user=trainee).count() == 2

    services.user_deactivate(user=trainee, actor=admin)

    assert client.get("/").status_code == 302  # to the sign-in page
    assert other_browser.get("/api/v1/me/").status_code in (401, 403)
    assert api.get("/api/v1/me/").status_code == 401
    assert not trainee.api_tokens.exists()
    assert not any(s.get_decoded().get("_auth_user_id") == str(trainee.pk) for s in UserSession.objects.all())
    # A deactivated person cannot sign in again.
    assert api.post("/api/v1/auth/token/", {"username": trainee.email, "password": PASSWORD}).status_code == 400


def test_who_may_deactivate_whom(admin, lead, other_lead, trainee, assigned_trainer):
    with pytest.raises(NotPermitted):
        services.user_deactivate(user=trainee, actor=other_lead)   # another region
    with pytest.raises(NotPermitted):
        services.user_deactivate(user=trainee, actor=assigned_trainer)
    with pytest.raises(NotPermitted):
        services.user_deactivate(user=admin, actor=lead)            # a lead cannot remove an admin
    with pytest.raises(NotPermitted):
        services.user_deactivate(user=lead, actor=lead)             # nor themself
    services.user_deactivate(user=trainee, actor=lead)
    with pytest.raises(Conflict):
        services.user_deactivate(user=trainee, actor=admin)


def test_deactivate_api_is_404_outside_scope_and_403_for_other_roles(api, trainee, other_lead, assigned_trainer, lead):
    url = f"/api/v1/users/{trainee.pk}/deactivate/"
    assert api.as_user(other_lead).post(url).status_code == 404
    assert api.as_user(assigned_trainer).post(url).status_code == 403
    response = api.as_user(lead).post(url)
    assert response.status_code == 200
    assert response.json()["is_active"] is False
    assert api.as_user(lead).post(url).status_code == 409


def test_the_people_page_deactivates_through_the_same_rule(client, lead, trainee, other_lead):
    login_verified(client, other_lead)
    assert client.post(f"/accounts/people/{trainee.pk}/deactivate/").status_code == 404
    login_verified(client, lead)
    assert client.post(f"/accounts/people/{trainee.pk}/deactivate/").status_code == 302
    trainee.refresh_from_db()
    assert not trainee.is_active
