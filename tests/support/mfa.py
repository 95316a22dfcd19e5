"""Signing in programme admins and regional leads past the second factor, for tests.

`client.force_login(lead)` alone now leads to the MFA set-up page. `login_verified` does
what passing the second factor leaves behind: a confirmed TOTP device and its id in the
session, exactly where django_otp.login puts it.
"""

from __future__ import annotations

import django_otp
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


def confirmed_device(user) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="Test app", confirmed=True)


def login_verified(client, user) -> TOTPDevice:
    client.force_login(user)
    device = confirmed_device(user)
    session = client.session
    session[django_otp.DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


def current_code(device: TOTPDevice) -> str:
    """The code the user's authenticator app shows now (honours time_machine's clock)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"
