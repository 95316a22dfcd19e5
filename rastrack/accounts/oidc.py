"""Single sign-on over OpenID Connect (mozilla-django-oidc), beside the password form.

Why mozilla-django-oidc rather than django-allauth: it is one authentication backend and two
views on top of Django's own auth, so the sign-in page, the lockout (django-axes), the second
factor (django-otp, `rastrack.accounts.mfa`) and the people services stay as they are; allauth
brings its own account, e-mail and MFA models, which would be a second home for those rules.

Configured by environment (README "Single sign-on"): `OIDC_ISSUER`, `OIDC_CLIENT_ID`,
`OIDC_CLIENT_SECRET`; off when unset (the sign-in page then shows no button and the views
answer 404). The provider's endpoints come from its discovery document, read once per process.

**Who signs in.** An account is matched, in this order, by

1. a registration number claim (`OIDC_REGISTRATION_CLAIMS`, e.g. `gmc_number`): the account
   with that body and number;
2. the e-mail claim, only when the provider says it is verified (`email_verified`).

Two different accounts matched by the two claims is a refusal, never a guess. A person with no
account is refused unless `OIDC_CREATE_USERS` is set; then an account is made from the
verified e-mail and the name, **with no role** (someone still has to grant one). A deactivated
account is refused. Every refusal says why on the sign-in page.

**Second factor.** Programme admins and regional leads still need their TOTP code after the
provider (`RequireMFAMiddleware` sends them to it), unless `OIDC_TRUST_PROVIDER_MFA` is set
and the ID token's `amr` names a second factor (`OIDC_MFA_AMR`) or its `acr` is one of
`OIDC_MFA_ACR`: the session then records that the provider did the second factor.
"""

from __future__ import annotations

import logging

import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from django.db import transaction
from django.http import Http404
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from rastrack.accounts.backends import session_user
from rastrack.accounts.mfa import PROVIDER_MFA_SESSION_KEY, mfa_required_for
from rastrack.accounts.validators import RegistrationBody, normalise_registration_number
from rastrack.audit.services import audit_record

logger = logging.getLogger(__name__)

UNKNOWN = ("No RASTrack account matches your {provider} sign-in. Ask your regional training lead "
           "for an invitation, or sign in with your e-mail address and password.")
DEACTIVATED = "Your RASTrack account is deactivated. Ask your regional training lead if this is a mistake."
AMBIGUOUS = ("Your {provider} sign-in matches two different RASTrack accounts (by registration number and "
             "by e-mail). Ask your regional training lead to put them right.")
FAILED = "Signing in with {provider} did not work. Try again, or sign in with your e-mail address and password."

# The settings mozilla-django-oidc reads that come from the provider's discovery document.
_DISCOVERED = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
}


def oidc_enabled() -> bool:
    return bool(getattr(settings, "OIDC_RP_CLIENT_ID", "") and getattr(settings, "OIDC_OP_ISSUER", None))


def provider_name() -> str:
    return settings.OIDC_PROVIDER_NAME


def discovery() -> dict:
    """The provider's discovery document, cached (a day; a failed read is not cached)."""
    issuer = settings.OIDC_OP_ISSUER.rstrip("/")
    key = f"oidc-discovery:{issuer}"
    document = cache.get(key)
    if document is None:
        response = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        document = response.json()
        if document.get("issuer", "").rstrip("/") != issuer:
            raise ImproperlyConfigured(f"The discovery document of {issuer} names another issuer: "
                                       f"{document.get('issuer')!r}.")
        cache.set(key, document, timeout=86400)
    return document


def _setting(attr: str, *default):
    if attr in _DISCOVERED:
        return discovery()[_DISCOVERED[attr]]
    return import_from_settings(attr, *default)


def registration_claims() -> list[tuple[str, str]]:
    """(body, claim name) pairs from OIDC_REGISTRATION_CLAIMS ("gmc:gmc_number", ...)."""
    pairs = []
    for item in settings.OIDC_REGISTRATION_CLAIMS:
        body, _, claim = item.partition(":")
        if body in RegistrationBody.values and claim:
            pairs.append((body, claim))
    return pairs


def provider_did_mfa(id_token_claims: dict) -> bool:
    """The provider says a second factor was used: `amr` names one, or `acr` is one we trust."""
    amr = id_token_claims.get("amr") or []
    if isinstance(amr, str):
        amr = [amr]
    if set(amr) & set(settings.OIDC_MFA_AMR):
        return True
    acr = id_token_claims.get("acr")
    return bool(acr) and acr in settings.OIDC_MFA_ACR


class Refused(Exception):
    """The sign-in is refused; the message is shown on the sign-in page."""


class OIDCBackend(OIDCAuthenticationBackend):
    """The authentication backend the callback view calls. For every other sign-in (the
    password form, the API token) it answers nothing, without reading any setting."""

    def __init__(self, *args, **kwargs):
        # mozilla-django-oidc reads the endpoints here; Django makes a backend for every
        # authenticate() and for every request's session user, so they are read lazily.
        self.UserModel = get_user_model()

    @staticmethod
    def get_settings(attr, *args):
        return _setting(attr, *args)

    # The parent's attributes, read when a sign-in through the provider actually happens.
    OIDC_OP_TOKEN_ENDPOINT = property(lambda self: _setting("OIDC_OP_TOKEN_ENDPOINT"))
    OIDC_OP_USER_ENDPOINT = property(lambda self: _setting("OIDC_OP_USER_ENDPOINT"))
    OIDC_OP_JWKS_ENDPOINT = property(lambda self: _setting("OIDC_OP_JWKS_ENDPOINT"))
    OIDC_RP_CLIENT_ID = property(lambda self: settings.OIDC_RP_CLIENT_ID)
    OIDC_RP_CLIENT_SECRET = property(lambda self: settings.OIDC_RP_CLIENT_SECRET)
    OIDC_RP_SIGN_ALGO = property(lambda self: settings.OIDC_RP_SIGN_ALGO)
    OIDC_RP_IDP_SIGN_KEY = None

    def authenticate(self, request, **kwargs):
        if request is None or not oidc_enabled() or "code" not in request.GET:
            return None
        try:
            return super().authenticate(request, **kwargs)
        except Refused as refusal:
            messages.error(request, str(refusal))
        except (SuspiciousOperation, requests.RequestException, ValueError, KeyError) as exc:
            # A forged or tampered token, a replayed state, the provider unreachable.
            logger.warning("OpenID Connect sign-in failed: %s", exc)
            messages.error(request, FAILED.format(provider=provider_name()))
        return None

    def get_user(self, user_id):
        # As the password backend's: an inactive account's session is not a signed-in user,
        # and the user's roles come in the same query.
        return session_user(user_id)

    def verify_claims(self, claims) -> bool:
        return bool(claims.get("sub"))

    def get_or_create_user(self, access_token, id_token, payload):
        """Match (or, if allowed, create) the account; `payload` is the verified ID token."""
        userinfo = self.get_userinfo(access_token, id_token, payload)
        if userinfo.get("sub") != payload.get("sub"):
            raise Refused(FAILED.format(provider=provider_name()))
        claims = {**payload, **userinfo}
        user = self._match(claims)
        if user is None:
            user = self._create(claims)
        if not user.is_active:
            raise Refused(DEACTIVATED)
        user.oidc_provider_mfa = provider_did_mfa(payload)
        return user

    def _match(self, claims: dict):
        by_number = None
        for body, claim in registration_claims():
            number = normalise_registration_number(str(claims.get(claim) or ""))
            if number:
                by_number = self.UserModel.objects.filter(registration_body=body, registration_number=number).first()
                if by_number is not None:
                    break
        by_email = None
        email = (claims.get("email") or "").strip()
        if email and claims.get("email_verified") is True:
            by_email = self.UserModel.objects.filter(email__iexact=email).first()
        if by_number and by_email and by_number.pk != by_email.pk:
            raise Refused(AMBIGUOUS.format(provider=provider_name()))
        return by_number or by_email

    def _create(self, claims: dict):
        email = (claims.get("email") or "").strip().lower()
        if not (settings.OIDC_CREATE_USERS and email and claims.get("email_verified") is True):
            raise Refused(UNKNOWN.format(provider=provider_name()))
        name = (claims.get("name") or " ".join(filter(None, [claims.get("given_name"), claims.get("family_name")]))
                or email.split("@")[0]).strip()[:150]
        with transaction.atomic():
            user = self.UserModel.objects.create_user(email=email, password=None, full_name=name)
            audit_record(actor=user, action="user.create_by_sso", obj=user,
                         after={"email": email, "full_name": name, "roles": [], "issuer": settings.OIDC_OP_ISSUER})
        return user


class AuthenticateView(OIDCAuthenticationRequestView):
    """`/oidc/authenticate/`: off (404) unless single sign-on is configured."""

    def __init__(self, *args, **kwargs):
        super(OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)

    @staticmethod
    def get_settings(attr, *args):
        return _setting(attr, *args)

    def get(self, request):
        if not oidc_enabled():
            raise Http404("Single sign-on is not configured.")
        self.OIDC_OP_AUTH_ENDPOINT = _setting("OIDC_OP_AUTHORIZATION_ENDPOINT")
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        return super().get(request)


class CallbackView(OIDCAuthenticationCallbackView):
    """`/oidc/callback/`: the provider sends the browser back here with a code."""

    @staticmethod
    def get_settings(attr, *args):
        return _setting(attr, *args)

    def get(self, request):
        if not oidc_enabled():
            raise Http404("Single sign-on is not configured.")
        return super().get(request)

    def login_success(self):
        response = super().login_success()
        # django's login() cycled the session: what we record now belongs to this sign-in only.
        trusted = bool(settings.OIDC_TRUST_PROVIDER_MFA and getattr(self.user, "oidc_provider_mfa", False)
                       and mfa_required_for(self.user))
        if trusted:
            self.request.session[PROVIDER_MFA_SESSION_KEY] = True
        return response
