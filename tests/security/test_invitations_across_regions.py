"""Invitations across regions: a lead cannot silently replace another region's open
invitation, every replacement is audited, and an address with an account gets the same
answer as a new one."""

from __future__ import annotations

import pytest

from rastrack.accounts.models import Invitation
from rastrack.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

URL = "/api/v1/invitations/"


def _invite(api, who, email, region):
    return api.as_user(who).post(URL, {"email": email, "full_name": "New Person", "roles": ["trainee"],
                                       "region": region.pk}, format="json")


def test_another_regions_open_invitation_is_kept(api, lead, other_lead, london, north_west):
    assert _invite(api, other_lead, "wanted@example.org", north_west).status_code == 201
    refused = _invite(api, lead, "wanted@example.org", london)
    assert refused.status_code == 409
    assert "North West" not in refused.content.decode() and other_lead.full_name not in refused.content.decode()
    kept = Invitation.objects.get(email="wanted@example.org", accepted_at__isnull=True)
    assert kept.region_id == north_west.pk and kept.invited_by_id == other_lead.pk


def test_a_replacement_in_the_same_region_is_audited(api, lead, london):
    _invite(api, lead, "again@example.org", london)
    first = Invitation.objects.get(email="again@example.org")
    assert _invite(api, lead, "again@example.org", london).status_code == 201
    entry = AuditEntry.objects.get(action="invitation.replace", object_id=str(first.pk))
    assert entry.before["invited_by"] == lead.pk


def test_an_existing_account_gets_the_same_answer_as_a_new_address(api, lead, london, other_trainee):
    new = _invite(api, lead, "nobody.yet@example.org", london)
    existing = _invite(api, lead, other_trainee.email, london)
    assert new.status_code == existing.status_code == 201
    assert set(new.json()) == set(existing.json())
