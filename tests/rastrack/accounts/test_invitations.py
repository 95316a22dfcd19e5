"""Pending invitations: resent and revoked by whoever could have granted them (the invite
rule), audited; a revoked link says so and creates nothing; the invite form and the API
offer and accept only the roles and regions the inviter may grant; the mails go through
the outbox."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core import mail
from django.utils import timezone

from rastrack.accounts import services
from rastrack.accounts.models import Invitation, User
from rastrack.accounts.roles import Role
from rastrack.audit.models import AuditEntry
from rastrack.core.exceptions import ApplicationError, Conflict, NotPermitted
from rastrack.notifications.models import EmailStatus, Notification
from tests.support.mfa import login_verified
from tests.support.outbox import deliver_outbox

pytestmark = pytest.mark.django_db

API = "/api/v1/invitations/"


def _invite(inviter, region, email="new.person@example.org", roles=(Role.TRAINEE,)):
    invitation, token = services.invitation_create(invited_by=inviter, email=email, full_name="Nell Newperson",
                                                   roles=list(roles), region=region)
    return invitation, token


def _mailed_token(email: str) -> str:
    deliver_outbox()
    sent = [m for m in mail.outbox if m.to == [email]]
    assert sent, [m.to for m in mail.outbox]
    return re.search(r"/accounts/invitations/([\w-]+)/", sent[-1].body).group(1)


# --- The mail goes through the outbox ------------------------------------------------------------

def test_the_invitation_is_stored_in_the_outbox_and_sent_by_the_worker(settings, lead, london):
    settings.SITE_URL = "https://rastrack.example.org"
    invitation, token = _invite(lead, london)
    queued = Notification.objects.get(kind="invitation")
    assert queued.recipient is None and queued.recipient_email == "new.person@example.org"
    assert queued.email_status == EmailStatus.PENDING
    assert mail.outbox == []  # nothing leaves before the worker sends it
    assert deliver_outbox() == {queued.pk: "sent"}
    sent = mail.outbox[-1]
    assert sent.to == ["new.person@example.org"]
    assert sent.body.startswith("Hello Nell Newperson,")
    assert f"https://rastrack.example.org/accounts/invitations/{token}/" in sent.body
    assert "as trainee in London" in sent.body and "trainee" in sent.body
    assert "You are getting this e-mail because Lena Lead invited this address" in sent.body.replace(
        lead.full_name, "Lena Lead")
    # The one-time link does not stay in the database once sent.
    queued.refresh_from_db()
    assert queued.email_status == EmailStatus.SENT and token not in queued.body
    # An address-only mail is in nobody's inbox.
    assert not Notification.objects.filter(recipient__isnull=False, kind="invitation").exists()


def test_the_database_keeps_a_notification_to_exactly_one_of_a_user_or_an_address(trainee):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(recipient=trainee, recipient_email="x@example.org", kind="k", subject="s",
                                    body="b", idempotency_key="both")
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(recipient=None, kind="k", subject="s", body="b", idempotency_key="neither")


# --- Resend --------------------------------------------------------------------------------------

def test_resend_gives_a_fresh_link_and_expiry_and_ends_the_old_one(client, lead, london):
    invitation, old_token = _invite(lead, london)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - datetime.timedelta(days=1))
    invitation.refresh_from_db()
    resent, new_token = services.invitation_resend(actor=lead, invitation=invitation)
    assert new_token != old_token
    assert resent.expires_at > timezone.now() + datetime.timedelta(days=13)
    assert _mailed_token("new.person@example.org") == new_token
    assert len([m for m in mail.outbox if m.to == ["new.person@example.org"]]) == 2
    assert client.get(f"/accounts/invitations/{old_token}/").status_code == 404
    assert client.get(f"/accounts/invitations/{new_token}/").status_code == 200
    entry = AuditEntry.objects.get(action="invitation.resend", object_id=str(invitation.pk))
    assert entry.actor_id == lead.pk


def test_resend_and_revoke_through_the_api_both_ways(api, lead, other_lead, admin, trainee, london):
    by_lead, _ = _invite(lead, london)
    # Visible to the London lead (their region), but only an admin could grant a lead role.
    by_admin, _ = _invite(admin, london, email="future.lead@example.org", roles=(Role.REGIONAL_LEAD,))
    for action in ("resend", "revoke"):
        assert api.as_user(trainee).post(f"{API}{by_lead.pk}/{action}/").status_code == 403
        assert api.as_user(other_lead).post(f"{API}{by_lead.pk}/{action}/").status_code == 404
        refused = api.as_user(lead).post(f"{API}{by_admin.pk}/{action}/")
        assert refused.status_code == 403, refused.content
    assert not AuditEntry.objects.filter(action__in=["invitation.resend", "invitation.revoke"]).exists()
    resent = api.as_user(lead).post(f"{API}{by_lead.pk}/resend/")
    assert resent.status_code == 200 and resent.json()["status"] == "open"
    revoked = api.as_user(admin).post(f"{API}{by_admin.pk}/revoke/")
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    # Once revoked, neither can happen again.
    assert api.as_user(admin).post(f"{API}{by_admin.pk}/revoke/").status_code == 409
    assert api.as_user(admin).post(f"{API}{by_admin.pk}/resend/").status_code == 409


def test_an_accepted_invitation_cannot_be_resent_or_revoked(lead, london):
    invitation, token = _invite(lead, london)
    services.invitation_accept(token=token, password="a-long-passphrase")
    invitation.refresh_from_db()
    with pytest.raises(Conflict):
        services.invitation_resend(actor=lead, invitation=invitation)
    with pytest.raises(Conflict):
        services.invitation_revoke(actor=lead, invitation=invitation)


# --- Revoke --------------------------------------------------------------------------------------

def test_a_revoked_link_says_so_and_creates_nothing(client, lead, london):
    invitation, token = _invite(lead, london)
    services.invitation_revoke(actor=lead, invitation=invitation)
    page = client.get(f"/accounts/invitations/{token}/")
    assert page.status_code == 404
    assert "has been withdrawn" in page.content.decode()
    posted = client.post(f"/accounts/invitations/{token}/", {
        "full_name": "Nell", "password": "a-long-passphrase", "password_again": "a-long-passphrase"})
    assert posted.status_code == 404
    with pytest.raises(ApplicationError, match="withdrawn"):
        services.invitation_accept(token=token, password="a-long-passphrase")
    assert not User.objects.filter(email="new.person@example.org").exists()
    entry = AuditEntry.objects.get(action="invitation.revoke", object_id=str(invitation.pk))
    assert entry.before["revoked_at"] is None and entry.after["revoked_at"]
    # The address may be invited again, with a link that works.
    _, again = _invite(lead, london)
    assert client.get(f"/accounts/invitations/{again}/").status_code == 200


def test_the_people_page_asks_before_revoking(client, lead, london):
    invitation, token = _invite(lead, london)
    login_verified(client, lead)
    url = f"/accounts/people/invitations/{invitation.pk}/revoke/"
    check = client.post(url)
    assert check.status_code == 200
    html = check.content.decode()
    assert "Check before you revoke this invitation" in html and 'name="confirmed" value="yes"' in html
    invitation.refresh_from_db()
    assert invitation.revoked_at is None
    done = client.post(url, {"confirmed": "yes"})
    assert done.status_code == 302
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None


def test_the_people_page_resends_and_refuses_both_ways(client, lead, other_lead, admin, london):
    mine, _ = _invite(lead, london)
    by_admin, _ = _invite(admin, london, email="future.lead@example.org", roles=(Role.REGIONAL_LEAD,))
    login_verified(client, other_lead)
    assert client.post(f"/accounts/people/invitations/{mine.pk}/resend/").status_code == 404
    assert client.post(f"/accounts/people/invitations/{mine.pk}/revoke/", {"confirmed": "yes"}).status_code == 404
    login_verified(client, lead)
    assert client.post(f"/accounts/people/invitations/{by_admin.pk}/resend/").status_code == 403
    assert client.post(f"/accounts/people/invitations/{by_admin.pk}/revoke/", {"confirmed": "yes"}).status_code == 403
    assert client.post(f"/accounts/people/invitations/{mine.pk}/resend/").status_code == 302
    assert AuditEntry.objects.filter(action="invitation.resend", object_id=str(mine.pk)).count() == 1


def test_other_roles_may_not_use_the_invitation_pages(client, trainee, admin, london):
    invitation, _ = _invite(admin, london)
    client.force_login(trainee)
    assert client.post(f"/accounts/people/invitations/{invitation.pk}/resend/").status_code == 403
    assert client.post(f"/accounts/people/invitations/{invitation.pk}/revoke/").status_code == 403


def test_the_services_refuse_whoever_could_not_have_granted_it(lead, other_lead, admin, london):
    invitation, _ = _invite(admin, london, roles=(Role.REGIONAL_LEAD,))
    for actor in (lead, other_lead):
        with pytest.raises(NotPermitted):
            services.invitation_revoke(actor=actor, invitation=invitation)
        with pytest.raises(NotPermitted):
            services.invitation_resend(actor=actor, invitation=invitation)
    services.invitation_revoke(actor=admin, invitation=invitation)


# --- The people page lists pending invitations -----------------------------------------------------

def test_the_people_page_lists_pending_invitations_with_their_actions(
        client, lead, admin, london, north_west, django_assert_max_num_queries):
    mine, _ = _invite(lead, london)
    by_admin, _ = _invite(admin, london, email="future.lead@example.org", roles=(Role.REGIONAL_LEAD,))
    elsewhere, _ = _invite(admin, north_west, email="nw.person@example.org")
    accepted, token = _invite(lead, london, email="joined@example.org")
    services.invitation_accept(token=token, password="a-long-passphrase")
    revoked, _ = _invite(lead, london, email="withdrawn@example.org")
    services.invitation_revoke(actor=lead, invitation=revoked)
    for n in range(5):
        _invite(lead, london, email=f"more{n}@example.org")
    login_verified(client, lead)
    with django_assert_max_num_queries(11):
        page = client.get("/accounts/people/").content.decode()
    html = page.split('id="invitations"')[1].split("<h2")[0]
    assert "7 pending invitations" in html
    assert mine.email in html and by_admin.email in html
    assert elsewhere.email not in html and accepted.email not in html and revoked.email not in html
    assert f"/accounts/people/invitations/{mine.pk}/revoke/" in html
    assert f"/accounts/people/invitations/{by_admin.pk}/revoke/" not in html
    assert "Regional lead" in html and "regional_lead</td>" not in html


# --- The invite form offers only what the inviter may grant ---------------------------------------

def _role_boxes(html: str) -> set[str]:
    return set(re.findall(r'name="roles" type="checkbox" value="(\w+)"', html))


def _region_options(html: str) -> list[str]:
    select = re.search(r'<select[^>]*name="region".*?</select>', html, re.S).group(0)
    return re.findall(r'<option value="(\d*)"', select)


def test_the_invite_form_offers_a_lead_only_what_they_may_grant(client, lead, admin, london):
    login_verified(client, lead)
    html = client.get("/accounts/people/").content.decode()
    assert _role_boxes(html) == {"trainee", "lab_manager"}
    assert _region_options(html) == [str(london.pk)]
    login_verified(client, admin)
    html = client.get("/accounts/people/").content.decode()
    assert _role_boxes(html) == set(Role.values)
    assert "" in _region_options(html) and len(_region_options(html)) > 2


def test_the_invite_form_refuses_a_role_or_region_the_lead_may_not_grant(client, lead, london, north_west):
    login_verified(client, lead)
    for data in ({"roles": ["regional_lead"], "region": london.pk}, {"roles": ["trainee"], "region": north_west.pk}):
        response = client.post("/accounts/people/", {"email": "x@example.org", "full_name": "X", **data})
        assert response.status_code == 400
        assert "nhsuk-error-summary" in response.content.decode()
    assert not Invitation.objects.exists()
    ok = client.post("/accounts/people/", {"email": "x@example.org", "full_name": "X", "roles": ["lab_manager"],
                                           "region": london.pk})
    assert ok.status_code == 302
    assert Invitation.objects.get().roles == ["lab_manager"]


def test_the_api_refuses_a_role_the_lead_may_not_grant_with_400(api, lead, london):
    response = api.as_user(lead).post(API, {"email": "x@example.org", "full_name": "X",
                                            "roles": ["trainee", "trainer"], "region": london.pk}, format="json")
    assert response.status_code == 400
    assert response.json() == {"roles": ["You may not invite people as trainer."]}
    assert not Invitation.objects.exists()


# --- Password reset through the outbox ---------------------------------------------------------

def test_the_reset_mail_lands_in_the_outbox_and_the_worker_delivers_a_working_link(client, settings, trainee):
    settings.SITE_URL = "https://rastrack.example.org"
    response = client.post("/accounts/password/reset/", {"email": trainee.email.upper()})
    assert response.status_code == 302
    queued = Notification.objects.get(kind="password.reset")
    assert queued.recipient is None and queued.recipient_email == trainee.email
    assert mail.outbox == []
    assert deliver_outbox() == {queued.pk: "sent"}
    body = mail.outbox[-1].body
    assert mail.outbox[-1].to == [trainee.email]
    assert body.startswith(f"Hello {trainee.full_name},")
    assert "You are getting this e-mail because a password reset was asked for this address" in body
    link = re.search(r"https://rastrack\.example\.org(/accounts/password/reset/\S+/)", body).group(1)
    form_page = client.get(link, follow=True)
    set_url = form_page.redirect_chain[-1][0]
    assert client.post(set_url, {"new_password1": "brand-new-passphrase",
                                 "new_password2": "brand-new-passphrase"}).status_code == 302
    trainee.refresh_from_db()
    assert trainee.check_password("brand-new-passphrase")
    queued.refresh_from_db()
    assert "/accounts/password/reset/" not in queued.body


def test_a_reset_for_an_unknown_or_inactive_address_stores_and_sends_nothing(client, trainee):
    unknown = client.post("/accounts/password/reset/", {"email": "nobody@example.org"})
    trainee.is_active = False
    trainee.save(update_fields=["is_active"])
    inactive = client.post("/accounts/password/reset/", {"email": trainee.email})
    assert unknown.status_code == inactive.status_code == 302
    assert unknown["Location"] == inactive["Location"]
    assert not Notification.objects.exists()
    assert deliver_outbox() == {}
    assert mail.outbox == []
