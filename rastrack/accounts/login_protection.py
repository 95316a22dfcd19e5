"""What django-axes counts failed sign-ins by: the client's address and the e-mail address.

Both are named in settings (AXES_CLIENT_IP_CALLABLE, AXES_USERNAME_CALLABLE) and read the
settings at each call, so a test can change TRUSTED_PROXY_COUNT with override_settings.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def client_ip(request) -> str | None:
    """The address of the client, as far as our own proxies vouch for it.

    Each proxy appends the address it received the request from to X-Forwarded-For, so with
    N trusted proxies the N-th entry from the right was written by the outermost one and is
    the client; anything to its left came from the client and may be invented. With no
    trusted proxy the header is ignored. A request that has fewer entries than expected did
    not come through every proxy, so it gets REMOTE_ADDR rather than a guess.
    """
    remote_addr = request.META.get("REMOTE_ADDR") or None
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote_addr
    forwarded = [
        entry.strip()
        for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if entry.strip()
    ]
    if len(forwarded) < proxies:
        return remote_addr
    candidate = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote_addr


def axes_username(request, credentials: dict | None) -> str | None:
    """The e-mail address as the user model matches it: case-insensitive.

    Without this, "Lead@x" and "lead@x" would be counted apart and each get the full quota.
    """
    if credentials:
        raw = credentials.get(settings.AXES_USERNAME_FORM_FIELD)
    else:
        raw = request.POST.get(settings.AXES_USERNAME_FORM_FIELD)
    if not raw:
        return None
    return str(raw).strip().lower()
