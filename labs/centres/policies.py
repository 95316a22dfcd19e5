"""Who may do what with centres, courses, their accreditation and feedback.

- Everyone signed in reads centres, courses and accreditations (a register, like the
  faculty's).
- Programme admins add centres, grant and withdraw accreditation and review annual returns.
- A centre's leads (its named leads and, for a lab, the lab's managers) add its courses and
  submit its annual returns; they, the centre's regional lead and programme admins read the
  returns and the feedback summary. Nobody reads one trainee's feedback but the trainee.
- Trainees give feedback on a session they attended, or a course one of whose sessions they
  attended.
"""

from __future__ import annotations

from labs.centres.models import Centre
from labs.models import LabManager
from rastrack.accounts.roles import Role
from rastrack.core.permissions import signed_in


def is_programme_admin(user) -> bool:
    return signed_in(user) and user.has_role(Role.PROGRAMME_ADMIN)


def leads_centre(user, centre: Centre) -> bool:
    if not signed_in(user):
        return False
    if centre.leads.filter(pk=user.pk).exists():
        return True
    return (centre.lab_id is not None and user.has_role(Role.LAB_MANAGER)
            and LabManager.objects.filter(user=user, lab_id=centre.lab_id).exists())


def leads_region_of(user, centre: Centre) -> bool:
    return (signed_in(user) and user.has_role(Role.REGIONAL_LEAD) and user.region_id is not None
            and user.region_id == centre.region_id)


def refusal_to_add_course(user, centre: Centre) -> str | None:
    if is_programme_admin(user) or leads_centre(user, centre):
        return None
    return "Only the centre's leads or a programme admin add its courses."


def refusal_to_submit_return(user, centre: Centre) -> str | None:
    if leads_centre(user, centre):
        return None
    return "Only the centre's leads submit its annual returns."


def can_read_centre_reports(user, centre: Centre) -> bool:
    """Annual returns and the feedback summary."""
    return is_programme_admin(user) or leads_region_of(user, centre) or leads_centre(user, centre)


def refusal_to_give_feedback(user) -> str | None:
    if signed_in(user) and user.has_role(Role.TRAINEE):
        return None
    return "Only trainees give feedback on sessions and courses."
