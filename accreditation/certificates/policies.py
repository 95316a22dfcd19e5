"""Who may do what with certificates: the one place each rule lives.

`refusal_to_<verb>` returns why a person may not (shown as a 403) or None; `can_<verb>` is
the same rule as a yes/no for pages, with the certificate's state. Services call the
refusals, so every door meets the same rule.
"""

from __future__ import annotations

from accreditation.certificates.models import Certificate
from rastrack.accounts.models import User
from rastrack.accounts.roles import Role
from rastrack.core.permissions import signed_in

READERS = (Role.TRAINEE, Role.TRAINER, Role.REGIONAL_LEAD, Role.PROGRAMME_ADMIN)


def can_read(user: User) -> bool:
    """Certificates are for these roles (lab managers: 403); which ones, the scope says."""
    return signed_in(user) and user.has_role(*READERS)


def refusal_to_revoke(user: User, certificate: Certificate | None = None) -> str | None:
    """A programme admin, never on their own certificate."""
    if not (signed_in(user) and user.has_role(Role.PROGRAMME_ADMIN)):
        return "Only a programme admin can revoke a certificate."
    if certificate is not None and certificate.trainee_id == user.pk:
        return "Nobody revokes their own certificate."
    return None


def can_revoke(user: User, certificate: Certificate | None = None) -> bool:
    """With a certificate: may revoke this one now (it is still valid)."""
    if certificate is not None and not certificate.is_valid:
        return False
    return refusal_to_revoke(user, certificate) is None
