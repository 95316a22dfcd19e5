"""Second factor for the demo world: fixed TOTP secrets, so a demo admin can sign in.

Only for `seed_demo` (DEBUG): `manage.py demo_otp <email>` prints the current code.
"""

from __future__ import annotations

import hashlib

from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from rastrack.accounts.models import User


def demo_key_hex(email: str) -> str:
    # Derived from the e-mail so every run of seed_demo gives the same secret.
    return hashlib.sha256(f"rastrack-demo-totp:{email}".encode()).hexdigest()[:40]


def ensure_demo_device(user: User) -> TOTPDevice:
    device, _ = TOTPDevice.objects.update_or_create(
        user=user, name="Demo authenticator",
        defaults={"key": demo_key_hex(user.email), "confirmed": True},
    )
    return device


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):0{device.digits}d}"
