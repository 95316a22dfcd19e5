"""Who may do what with labs. Plain functions: the API, the web pages and the services all
call these, so the rule is the same everywhere.

- A lab's managers (`LabManager` rows, holding the lab_manager role, active account) manage
  its equipment, sessions and attendance, and edit its address and opening hours. A lab
  manager of another lab may see the lab but not act on it (403).
- Programme admins create labs, name their managers and edit any lab's details; they read
  everything but do not run sessions (that is the managers' job).
- A session's faculty mark attendance of its bookings, like the lab's managers, while they
  are accredited (a suspended or revoked trainer may not).
- Trainees book for themselves and cancel their own bookings.
- Capacity reports: lab managers (their labs), regional leads (their region), programme
  admins (everything).
"""

from __future__ import annotations

from django.utils import timezone

from accreditation.faculty.eligibility import is_accredited_on
from labs.models import Booking, Lab, LabManager, LabSession
from rastrack.accounts.roles import Role
from rastrack.core.permissions import signed_in


def manages_lab_id(user, lab_id: int | None) -> bool:
    """The membership row exists and the user holds the lab_manager role (one query)."""
    if not signed_in(user) or lab_id is None or not user.has_role(Role.LAB_MANAGER):
        return False
    return LabManager.objects.filter(user=user, lab_id=lab_id).exists()


def can_manage_lab(user, lab: Lab) -> bool:
    """Equipment, sessions, attendance and the lab's own details: its managers only."""
    return manages_lab_id(user, lab.pk)


def can_create_lab(user) -> bool:
    return signed_in(user) and user.has_role(Role.PROGRAMME_ADMIN)


def can_edit_lab(user, lab: Lab) -> bool:
    """Address, description and opening hours: its managers or a programme admin."""
    return can_create_lab(user) or can_manage_lab(user, lab)


def can_set_lab_managers(user, lab: Lab | None = None) -> bool:
    """Name, region, site and managers of a lab: programme admins only."""
    return can_create_lab(user)


def can_create_session(user, lab: Lab) -> bool:
    return can_manage_lab(user, lab)


def can_cancel_session(user, session: LabSession) -> bool:
    return manages_lab_id(user, session.lab_id)


def can_edit_session(user, session: LabSession) -> bool:
    """Time, seats, faculty, equipment and linked component: the lab's managers only."""
    return manages_lab_id(user, session.lab_id)


def is_faculty_of(user, session: LabSession) -> bool:
    if not signed_in(user):
        return False
    # Uses the prefetched faculty when the caller prefetched them.
    return any(member.pk == user.pk for member in session.faculty.all())


def refusal_to_mark_attendance(user, booking: Booking) -> str | None:
    """The lab's managers, or the session's faculty while accredited today: attendance is
    progress evidence, and a suspended or revoked trainer loses that right at once (their
    name stays on the session, as history). Nobody marks their own attendance, whatever
    other roles they hold: it would be their own evidence."""
    if signed_in(user) and user.pk == booking.trainee_id:
        return "Nobody records their own attendance: ask another of the lab's managers or faculty."
    session = booking.session
    if manages_lab_id(user, session.lab_id):
        return None
    if is_faculty_of(user, session) and is_accredited_on(user, timezone.localdate()):
        return None
    return "Only the lab's managers or the session's faculty record attendance."


def can_mark_attendance(user, booking: Booking) -> bool:
    return refusal_to_mark_attendance(user, booking) is None


def can_see_session_bookings(user, session: LabSession) -> bool:
    """Who sees the bookings list of a session (web page): its managers and faculty, the
    lab's regional lead and programme admins."""
    if not signed_in(user):
        return False
    if user.has_role(Role.PROGRAMME_ADMIN):
        return True
    if user.has_role(Role.REGIONAL_LEAD) and user.region_id and user.region_id == session.lab.region_id:
        return True
    return manages_lab_id(user, session.lab_id) or is_faculty_of(user, session)


def can_book(user) -> bool:
    return signed_in(user) and user.has_role(Role.TRAINEE)


def can_cancel_booking(user, booking: Booking) -> bool:
    """The trainee who made it, only."""
    return signed_in(user) and booking.trainee_id == user.pk


def can_view_capacity(user) -> bool:
    return signed_in(user) and user.has_role(Role.PROGRAMME_ADMIN, Role.REGIONAL_LEAD, Role.LAB_MANAGER)
