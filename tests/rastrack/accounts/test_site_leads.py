"""The site robotic lead role: granted per site by the site's regional lead or a programme
admin (others 403), listed in /api/v1/me/ with the sites, gone with the last site."""

from __future__ import annotations

import pytest

from rastrack.accounts.roles import Role
from rastrack.accounts.site_leads import site_lead_end, site_lead_grant
from rastrack.core.exceptions import Conflict, NotPermitted
from tests.builders.people import SiteFactory, UserFactory
from tests.support.api_clients import token_client

pytestmark = pytest.mark.django_db


def test_granted_by_the_sites_regional_lead_or_an_admin(lead, other_lead, admin, london, trainee):
    site, other_site = SiteFactory(region=london), SiteFactory(region=london)
    person = UserFactory(region=london, roles=[Role.TRAINER])
    with pytest.raises(NotPermitted):
        site_lead_grant(actor=other_lead, user=person, site=site)
    with pytest.raises(NotPermitted):
        site_lead_grant(actor=trainee, user=person, site=site)
    first = site_lead_grant(actor=lead, user=person, site=site)
    site_lead_grant(actor=admin, user=person, site=other_site)
    with pytest.raises(Conflict):
        site_lead_grant(actor=lead, user=person, site=site)
    person.__dict__.pop("role_names", None)
    assert person.has_role(Role.SITE_LEAD)
    me = token_client(person).get("/api/v1/me/").json()
    assert "site_lead" in me["roles"] and sorted(me["sites"]) == sorted([site.pk, other_site.pk])
    site_lead_end(actor=lead, leadership=first)
    person.__dict__.pop("role_names", None)
    assert person.has_role(Role.SITE_LEAD)
    site_lead_end(actor=admin, leadership=person.site_leaderships.get())
    person.__dict__.pop("role_names", None)
    assert not person.has_role(Role.SITE_LEAD)


def test_the_site_leads_api(lead, other_lead, london, north_west):
    site = SiteFactory(region=london)
    person = UserFactory(region=london)
    client = token_client(lead)
    response = client.post("/api/v1/site-leads/", {"user": person.pk, "site": site.pk}, format="json")
    assert response.status_code == 201
    assert token_client(other_lead).post(f"/api/v1/site-leads/{response.json()['id']}/end/").status_code == 404
    assert client.post(f"/api/v1/site-leads/{response.json()['id']}/end/").status_code == 204
    nw_site = SiteFactory(region=north_west)
    assert client.post("/api/v1/site-leads/", {"user": person.pk, "site": nw_site.pk},
                       format="json").status_code == 403
