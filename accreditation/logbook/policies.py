"""Who may do what with logbook cases and simulator sessions: the one place each rule lives.

`refusal_to_<verb>` returns why a person may not (shown as a 403) or None; `can_<verb>` is
the same rule as a yes/no for pages, with the record's state where it matters. The services
call the refusals, so the API, the pages and the CSV import meet the same rule.
"""

from __future__ import annotations

import datetime

from django.db.models import QuerySet
from django.utils import timezone

from accreditation.faculty.eligibility import supervisors_of
from accreditation.logbook.models import EDITABLE_STATUSES, Case, CaseStatus

# Verifying self-reported evidence (sessions, e-learning): one rule for every kind, in verification.py.
from accreditation.logbook.verification import can_verify, refusal_to_verify  # noqa: F401
from rastrack.accounts.models import User
from rastrack.accounts.roles import Role
from rastrack.core.permissions import signed_in


def refusal_to_log(user: User, trainee: User, *, what: str = "cases") -> str | None:
    """Trainees keep a logbook, each their own."""
    if user.pk != trainee.pk:
        return ("You can log cases only in your own logbook." if what == "cases"
                else f"You can record {what} only for yourself.")
    if not trainee.has_role(Role.TRAINEE):
        return "Only trainees keep a logbook."
    return None


def can_log(user: User) -> bool:
    return signed_in(user) and refusal_to_log(user, user) is None


# One answer for every supervisor a trainee may not name (no such id, not a trainer, a
# trainer not assigned to them): a different answer per case would let any trainee probe
# user ids for names and roles.
SUPERVISOR_NOT_NAMEABLE = ("Choose one of the trainers assigned to you, or give the name of a consultant "
                           "who is not registered instead.")


def nameable_supervisors(trainee: User, *, on: datetime.date | None = None,
                         kept: int | None = None) -> QuerySet[User]:
    """The trainers a trainee may name as a case's supervisor: those who may supervise them
    on the case date `on` or today, and the case's own supervisor when it is kept unchanged
    (an edit must not lose one whose assignment has ended since)."""
    today = timezone.localdate()
    queryset = supervisors_of(trainee, on=today)
    if on is not None and on != today:
        queryset = queryset | supervisors_of(trainee, on=on)
    if kept is not None:
        queryset = queryset | User.objects.filter(pk=kept)
    return queryset.distinct().order_by("full_name", "id")


def refusal_to_name_supervisor(trainee: User, supervisor_id: int | None, *, on: datetime.date | None = None,
                               kept: int | None = None) -> str | None:
    """Why the trainee may not name this user as supervisor (`SUPERVISOR_NOT_NAMEABLE` for
    everyone they may not name), or None."""
    if supervisor_id is None:
        return None
    if supervisor_id == trainee.pk:
        return "You cannot supervise your own case."
    if supervisor_id == kept:
        return None
    if not nameable_supervisors(trainee, on=on).filter(pk=supervisor_id).exists():
        return SUPERVISOR_NOT_NAMEABLE
    return None


def refusal_to_change(user: User, case: Case, *, verb: str) -> str | None:
    """Only the case's trainee edits, deletes or submits it."""
    if user.pk != case.trainee_id:
        return "Only the trainee submits their case." if verb == "submit" else f"Nobody {verb}s another person's case."
    return None


def can_change(user: User, case: Case) -> bool:
    """Edit or delete now: the trainee's own draft or returned case."""
    return signed_in(user) and case.status in EDITABLE_STATUSES and refusal_to_change(user, case, verb="edit") is None


def refusal_to_validate(user: User, case: Case, validator: User | None) -> str | None:
    """The case's validator, as the rule names them now (`case_validator`); never the
    case's own trainee, whatever roles they hold."""
    if user.pk == case.trainee_id:
        return "Nobody validates their own case."
    if validator is None or validator.pk != user.pk:
        return "Only the case's validator may validate or reject it."
    return None


def can_validate(user: User, case: Case) -> bool:
    return signed_in(user) and case.status == CaseStatus.SUBMITTED and case.validator_id == user.pk


def refusal_to_add_outcome(user: User, case: Case) -> str | None:
    """A follow-up outcome is added by the case's trainee or by the trainer who validated it
    (or, after a reassignment, its validator now)."""
    if user.pk in (case.trainee_id, case.decided_by_id, case.validator_id):
        return None
    return "Only the case's trainee or its validator may add a follow-up outcome."


def can_add_outcome(user: User, case: Case) -> bool:
    return signed_in(user) and case.status == CaseStatus.VALIDATED and refusal_to_add_outcome(user, case) is None


def refusal_to_edit_catalogue(user: User) -> str | None:
    """Simulator exercises, their benchmarks and export formats are a programme's data."""
    if not user.has_role(Role.PROGRAMME_ADMIN):
        return "Only a programme admin may change the simulator catalogue."
    return None
