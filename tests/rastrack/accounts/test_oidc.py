"""Single sign-on against a real OpenID Connect provider (django-oauth-toolkit, RS256 key made
here, on the live server: tests/support/oidc_provider.py).

The browser is two `requests` sessions, one per party (the relying party is the product, the
provider lives under /idp/ on the same server), following each redirect by hand so that every
hop of the authorization code flow really crosses HTTP.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from rastrack.accounts.models import User
from rastrack.accounts.roles import Role
from rastrack.accounts.session_store import SessionStore
from rastrack.audit.models import AuditEntry
from tests.builders.people import UserFactory
from tests.support import oidc_provider

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.urls("tests.support.oidc_provider")]

SECRET = "rastrack-test-client-secret-0123456789"


def _rsa_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


@pytest.fixture
def provider(live_server, settings):
    """The provider's settings and client registration, and the product configured for it."""
    from oauth2_provider.models import get_application_model

    settings.OAUTH2_PROVIDER = {
        "OIDC_ENABLED": True,
        "OIDC_RSA_PRIVATE_KEY": _rsa_pem(),
        "OAUTH2_VALIDATOR_CLASS": "tests.support.oidc_provider.DirectoryValidator",
        "SCOPES": {"openid": "OpenID Connect", "email": "E-mail", "profile": "Profile"},
        "PKCE_REQUIRED": True,
        "ALLOWED_REDIRECT_URI_SCHEMES": ["http", "https"],
    }
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.OIDC_OP_ISSUER = f"{live_server.url}/idp"
    settings.OIDC_RP_CLIENT_ID = "rastrack"
    settings.OIDC_RP_CLIENT_SECRET = SECRET
    settings.OIDC_PROVIDER_NAME = "NHS Test Trust"
    idp_person = UserFactory(email="directory@idp.test", full_name="Directory entry")
    get_application_model().objects.create(
        name="RASTrack", client_id="rastrack", client_secret=SECRET, client_type="confidential",
        authorization_grant_type="authorization-code", skip_authorization=True, algorithm="RS256",
        redirect_uris=f"{live_server.url}/oidc/callback/", user=idp_person)
    # The person is signed in at the provider already (their trust's own sign-in).
    idp_session = SessionStore()
    idp_session["_auth_user_id"] = str(idp_person.pk)
    idp_session["_auth_user_backend"] = "rastrack.accounts.backends.PasswordBackend"
    idp_session["_auth_user_hash"] = idp_person.get_session_auth_hash()
    idp_session.create()
    oidc_provider.CLAIMS.clear()
    yield {"url": live_server.url, "idp_cookie": idp_session.session_key}
    oidc_provider.CLAIMS.clear()


def sign_in(provider, claims: dict, *, next_url: str = "") -> requests.Session:
    """The whole flow as a browser does it; returns the product's session (the browser's
    cookies for RASTrack) after the callback."""
    oidc_provider.CLAIMS.update(claims)
    base = provider["url"]
    rp, idp = requests.Session(), requests.Session()
    idp.cookies.set("sessionid", provider["idp_cookie"])
    start = rp.get(f"{base}/oidc/authenticate/" + (f"?next={next_url}" if next_url else ""),
                   allow_redirects=False, timeout=30)
    assert start.status_code == 302, start.text[:500]
    authorize = start.headers["Location"]
    assert authorize.startswith(f"{base}/idp/authorize/")
    assert "code_challenge=" in authorize and "nonce=" in authorize
    back = idp.get(authorize, allow_redirects=False, timeout=30)
    assert back.status_code == 302, back.text[:500]
    callback = back.headers["Location"]
    assert urlsplit(callback).path == "/oidc/callback/" and "code=" in callback
    rp.last = rp.get(callback, allow_redirects=False, timeout=30)
    return rp


def signed_in_as(rp: requests.Session, provider) -> int | None:
    """Who the product's session belongs to (None: nobody)."""
    session_key = rp.cookies.get("sessionid")
    if not session_key:
        return None
    user_id = SessionStore(session_key=session_key).get("_auth_user_id")
    return int(user_id) if user_id else None


def page(rp, provider, path: str) -> requests.Response:
    return rp.get(provider["url"] + path, allow_redirects=False, timeout=30)


def test_the_sign_in_page_offers_single_sign_on_only_when_configured(client, settings):
    settings.OIDC_RP_CLIENT_ID, settings.OIDC_OP_ISSUER = "", None
    off = client.get("/signin/")
    assert off.status_code == 200 and b"sso-sign-in" not in off.content
    assert client.get("/oidc/authenticate/").status_code == 404
    assert client.get("/oidc/callback/?code=x&state=y").status_code == 404
    settings.OIDC_RP_CLIENT_ID, settings.OIDC_OP_ISSUER = "rastrack", "https://idp.example.org"
    settings.OIDC_PROVIDER_NAME = "NHS Test Trust"
    on = client.get("/signin/")
    assert b"sso-sign-in" in on.content and b"Sign in with NHS Test Trust" in on.content
    assert b'name="password"' in on.content  # the password form stays beside it


def test_a_trainee_signs_in_by_verified_email(provider, london):
    trainee = UserFactory(email="tara.trainee@nhs.test", roles=[Role.TRAINEE], region=london)
    rp = sign_in(provider, {"sub": "idp-1", "email": "Tara.Trainee@nhs.test", "email_verified": True},
                 next_url="/logbook/")
    assert rp.last.status_code == 302 and rp.last.headers["Location"] == "/logbook/"
    assert signed_in_as(rp, provider) == trainee.pk
    assert page(rp, provider, "/logbook/").status_code == 200


def test_an_unverified_email_matches_nobody(provider, london):
    UserFactory(email="tara.trainee@nhs.test", roles=[Role.TRAINEE], region=london)
    rp = sign_in(provider, {"sub": "idp-1", "email": "tara.trainee@nhs.test", "email_verified": False})
    assert rp.last.headers["Location"] == "/signin/"
    assert signed_in_as(rp, provider) is None
    assert "No RASTrack account matches your NHS Test Trust sign-in" in page(rp, provider, "/signin/").text


def test_a_registration_number_claim_matches_the_account(provider, london):
    trainer = UserFactory(email="old.address@nhs.test", roles=[Role.TRAINER], region=london,
                          registration_body="gmc", registration_number="1234567")
    rp = sign_in(provider, {"sub": "idp-2", "email": "new.address@other-trust.test", "email_verified": True,
                            "gmc_number": " 1234567 "})
    assert signed_in_as(rp, provider) == trainer.pk


def test_two_accounts_matched_by_number_and_by_email_are_refused(provider, london):
    UserFactory(email="a@nhs.test", registration_body="gmc", registration_number="1234567")
    UserFactory(email="b@nhs.test")
    rp = sign_in(provider, {"sub": "idp-3", "email": "b@nhs.test", "email_verified": True, "gmc_number": "1234567"})
    assert signed_in_as(rp, provider) is None
    assert "matches two different RASTrack accounts" in page(rp, provider, "/signin/").text


def test_an_unknown_person_is_refused_and_no_account_is_made(provider):
    before = User.objects.count()
    rp = sign_in(provider, {"sub": "idp-4", "email": "stranger@nhs.test", "email_verified": True,
                            "name": "Sam Stranger"})
    assert signed_in_as(rp, provider) is None
    assert User.objects.count() == before
    assert "No RASTrack account matches" in page(rp, provider, "/signin/").text


def test_with_oidc_create_users_an_account_is_made_with_no_role(provider, settings):
    settings.OIDC_CREATE_USERS = True
    rp = sign_in(provider, {"sub": "idp-5", "email": "Sam.Stranger@nhs.test", "email_verified": True,
                            "name": "Sam Stranger"})
    user = User.objects.get(email="sam.stranger@nhs.test")
    assert signed_in_as(rp, provider) == user.pk
    assert user.full_name == "Sam Stranger" and user.roles == [] and not user.has_usable_password()
    assert AuditEntry.objects.filter(action="user.create_by_sso", object_id=str(user.pk)).exists()


def test_with_oidc_create_users_an_unverified_email_still_makes_nothing(provider, settings):
    settings.OIDC_CREATE_USERS = True
    rp = sign_in(provider, {"sub": "idp-6", "email": "sam@nhs.test", "email_verified": False})
    assert signed_in_as(rp, provider) is None
    assert not User.objects.filter(email="sam@nhs.test").exists()


def test_a_deactivated_account_is_refused(provider, london):
    UserFactory(email="gone@nhs.test", roles=[Role.TRAINEE], region=london, is_active=False)
    rp = sign_in(provider, {"sub": "idp-7", "email": "gone@nhs.test", "email_verified": True})
    assert signed_in_as(rp, provider) is None
    assert "deactivated" in page(rp, provider, "/signin/").text


def test_a_regional_lead_still_needs_the_second_factor(provider, london):
    lead = UserFactory(email="lena.lead@nhs.test", roles=[Role.REGIONAL_LEAD], region=london)
    rp = sign_in(provider, {"sub": "idp-8", "email": "lena.lead@nhs.test", "email_verified": True,
                            "amr": ["pwd", "otp"]})
    assert signed_in_as(rp, provider) == lead.pk
    home = page(rp, provider, "/")
    assert home.status_code == 302 and home.headers["Location"].startswith("/accounts/mfa/setup/")


def test_the_providers_second_factor_counts_only_when_trusted(provider, london, settings):
    settings.OIDC_TRUST_PROVIDER_MFA = True
    admin = UserFactory(email="pam@nhs.test", roles=[Role.PROGRAMME_ADMIN])
    rp = sign_in(provider, {"sub": "idp-9", "email": "pam@nhs.test", "email_verified": True, "amr": ["pwd"]})
    assert signed_in_as(rp, provider) == admin.pk
    assert page(rp, provider, "/").status_code == 302  # a password alone at the provider: TOTP here

    rp = sign_in(provider, {"sub": "idp-9", "email": "pam@nhs.test", "email_verified": True, "amr": ["pwd", "mfa"]})
    assert signed_in_as(rp, provider) == admin.pk
    assert page(rp, provider, "/").status_code == 200


def test_an_id_token_signed_with_another_key_is_refused(provider, london, settings):
    """The relying party checks the ID token's RS256 signature against the keys it was told
    about: a token signed by any other key (a forgery) signs nobody in."""
    UserFactory(email="tara.trainee@nhs.test", roles=[Role.TRAINEE], region=london)
    from django.core.cache import cache

    from rastrack.accounts.oidc import discovery

    oidc_provider.STALE_JWKS.update(requests.get(discovery()["jwks_uri"], timeout=30).json())
    document = {**discovery(), "jwks_uri": provider["url"] + "/stale-jwks/"}
    cache.set(f"oidc-discovery:{settings.OIDC_OP_ISSUER.rstrip('/')}", document, timeout=600)
    settings.OAUTH2_PROVIDER = {**settings.OAUTH2_PROVIDER, "OIDC_RSA_PRIVATE_KEY": _rsa_pem()}
    rp = sign_in(provider, {"sub": "idp-1", "email": "tara.trainee@nhs.test", "email_verified": True})
    assert signed_in_as(rp, provider) is None
    assert "did not work" in page(rp, provider, "/signin/").text
