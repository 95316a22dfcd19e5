import pytest
from django.core.management import CommandError, call_command

from rastrack.accounts.demo import DEMO_PASSWORD
from rastrack.accounts.models import RegionStay, User
from rastrack.accounts.roles import MFA_ROLES, Role
from rastrack.demo import DEMO_LOGINS
from rastrack.reference.models import Procedure, Site

pytestmark = pytest.mark.django_db


def _world() -> dict:
    return {
        "users": sorted((u.email, tuple(u.roles), u.region_id) for u in User.objects.prefetch_related("groups")),
        "sites": sorted(Site.objects.values_list("name", "region_id")),
        "procedures": Procedure.objects.count(),
        "stays": RegionStay.objects.count(),
    }


def test_seed_demo_twice_gives_the_same_world(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    first = _world()
    call_command("seed_demo")
    assert _world() == first
    assert len(first["users"]) == len(DEMO_LOGINS)


def test_the_demo_logins_work_with_their_roles(settings, api):
    settings.DEBUG = True
    call_command("seed_demo")
    for email, _ in DEMO_LOGINS:
        response = api.post("/api/v1/auth/token/", {"username": email, "password": DEMO_PASSWORD})
        if User.objects.get(email=email).has_role(*MFA_ROLES):
            # The password is right (no non_field_errors); their token also needs the code.
            assert response.status_code == 400 and set(response.json()) == {"otp_token"}, email
        else:
            assert response.status_code == 200, email
    trainee3 = User.objects.get(email="trainee3@demo.rastrack.org")
    assert trainee3.roles == [Role.TRAINEE] and trainee3.region.code == "north-west"
    assert User.objects.get(email="lead.london@demo.rastrack.org").region.code == "london"
    assert Site.objects.filter(region__code="london").count() >= 3


def test_seed_demo_refuses_without_debug_unless_forced(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo")
    assert not User.objects.exists()
    call_command("seed_demo", "--force")
    assert User.objects.count() == len(DEMO_LOGINS)


def test_demo_admins_and_leads_get_a_token_with_their_demo_code(settings, api):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from rastrack.accounts.demo_mfa import current_code

    settings.DEBUG = True
    call_command("seed_demo")
    for email in ("admin@demo.rastrack.org", "lead.london@demo.rastrack.org"):
        device = TOTPDevice.objects.get(user__email=email, confirmed=True)
        response = api.post("/api/v1/auth/token/", {
            "username": email, "password": DEMO_PASSWORD, "otp_token": current_code(device)})
        assert response.status_code == 200, (email, response.json())
    assert not TOTPDevice.objects.filter(user__email="trainee1@demo.rastrack.org").exists()
