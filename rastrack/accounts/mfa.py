"""Second factor (TOTP, django-otp) for the roles that can change who has access.

Programme admins and regional leads (roles.MFA_ROLES) invite people, grant roles and
deactivate accounts, so a stolen password alone must not be enough. A signed-in holder of
such a role reaches no page until the session is verified with a code from a confirmed
TOTP device (`RequireMFAMiddleware`); the API issues them a token only with a code
(serializers.TokenRequestSerializer). Other roles are never asked.
"""

from __future__ import annotations

import re
from base64 import b32encode
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from rastrack.accounts.roles import MFA_ROLES
from rastrack.core.exceptions import ApplicationError, Conflict

WRONG_CODE = "Enter the 6-digit code from your authenticator app."
API_MFA_REQUIRED = (
    "Two-factor authentication is required. Sign in on the web and enter the code from your "
    "authenticator app, or ask for a token with otp_token."
)
_CODE = re.compile(r"^\d{6}$")
# Set in the session by single sign-on (rastrack/accounts/oidc.py) when the identity provider
# says it did a second factor and OIDC_TRUST_PROVIDER_MFA is on: that session needs no TOTP code.
PROVIDER_MFA_SESSION_KEY = "rastrack_mfa_by_provider"


def mfa_required_for(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.has_role(*MFA_ROLES))


def has_confirmed_device(user) -> bool:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).exists()


def is_code(token) -> bool:
    return isinstance(token, str) and bool(_CODE.match(token))


@transaction.atomic
def totp_device_start(*, user) -> TOTPDevice:
    """The unconfirmed device whose secret the set-up page shows (the same one on a reload).

    Refused once a confirmed device exists: otherwise a password alone would be enough to
    add a second authenticator and walk past the first.
    """
    if has_confirmed_device(user):
        raise Conflict("Two-factor authentication is already set up for this account.")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


def totp_device_confirm(*, user, device: TOTPDevice, token: str) -> TOTPDevice:
    """Confirm the device with its first code; its other unconfirmed devices are dropped."""
    # The refusal is raised after the transaction: raising inside it would roll back
    # django-otp's failure count, and with it the throttling of guesses.
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(pk=device.pk, user=user, confirmed=False)
            .first()
        )
        if device is None or has_confirmed_device(user):
            raise Conflict("Two-factor authentication is already set up for this account.")
        verified = is_code(token) and device.verify_token(token)
        if verified:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    if not verified:
        raise ApplicationError(errors={"token": [WRONG_CODE]})
    return device


def totp_verify(*, user, token) -> TOTPDevice | None:
    """The confirmed device that accepts the code, or None.

    django-otp refuses a code already used (no replay) and, after each wrong one, makes the
    next try wait twice as long. Something that is not six digits never reaches a device,
    so a client that left the code out does not start that wait.
    """
    if not is_code(token):
        return None
    with transaction.atomic():
        devices = TOTPDevice.objects.devices_for_user(user, confirmed=True).select_for_update()
        for device in devices:
            if device.verify_token(token):
                return device
    return None


def totp_qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// link as an inline SVG QR code, made here: no image service sees the secret.

    segno writes presentation attributes only (no style=), so the page passes the CSP.
    """
    return segno.make(device.config_url, error="m").svg_inline(
        scale=4, light="#fff", title="QR code for your authenticator app", svgclass="rastrack-qr",
    )


def totp_secret(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for typing into an app by hand."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


# --- Enforcement ---------------------------------------------------------------------------

# Pages an unverified holder of an MFA role may still open: to sign in or out, to set up or
# enter the second factor, and to reset a forgotten password.
_EXEMPT_VIEWS = frozenset({
    "login", "logout", "healthz", "auth-token",
    "oidc_authentication_init", "oidc_authentication_callback",
    "accounts:mfa-setup", "accounts:mfa-verify",
    "accounts:password_reset", "accounts:password_reset_done",
    "accounts:password_reset_confirm", "accounts:password_reset_complete",
})
# The public certificate and credential checks, and what a verifier fetches (the issuer's keys,
# the revocation lists), need no account at all.
_EXEMPT_PREFIXES = ("/verify/", "/.well-known/", "/credentials/")


def _uses_token_auth(request) -> bool:
    # DRF tries TokenAuthentication first and, for an `Authorization: Token ...` header,
    # never falls back to the session: the token (issued only with a code) decides.
    scheme = request.META.get("HTTP_AUTHORIZATION", "").split(" ", 1)[0]
    return scheme.lower() == "token"


class RequireMFAMiddleware:
    """Send an unverified programme admin or regional lead to set-up or verify.

    Installed after django_otp's OTPMiddleware, which gives request.user `is_verified()`.
    Web pages redirect with ?next=; API calls on the session get 403 instead.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path.startswith(settings.STATIC_URL) or request.path.startswith(_EXEMPT_PREFIXES):
            return None
        match = request.resolver_match
        if match is not None and match.view_name in _EXEMPT_VIEWS:
            return None
        is_api = request.path.startswith("/api/") and (match is None or match.url_name != "api-docs")
        if is_api and _uses_token_auth(request):
            return None
        user = request.user
        if not mfa_required_for(user):
            return None
        is_verified = getattr(user, "is_verified", None)
        if is_verified is not None and is_verified():
            return None
        if settings.OIDC_TRUST_PROVIDER_MFA and request.session.get(PROVIDER_MFA_SESSION_KEY):
            return None
        if is_api:
            return JsonResponse({"detail": API_MFA_REQUIRED}, status=403)
        target = "accounts:mfa-verify" if has_confirmed_device(user) else "accounts:mfa-setup"
        return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
