"""Who may do what with a privilege. The services call the refusals; pages ask `can_*`."""

from __future__ import annotations

from accreditation.privileges.selectors import may_decide


def refusal_to_decide(user, privilege) -> str | None:
    if user.pk == privilege.surgeon_id:
        return "Nobody decides their own privileges."
    if not may_decide(user, privilege.site_id):
        return "Only the site's robotic lead or a programme admin may do this."
    return None


def can_decide(user, privilege) -> bool:
    return refusal_to_decide(user, privilege) is None


def refusal_to_report(user, privilege) -> str | None:
    if privilege.proctor_id != user.pk:
        return "Only the privilege's assigned proctor files its proctor reports."
    return None
