"""Who may do what with logbook cases and simulator sessions: the one place each rule lives.

`refusal_to_<verb>` returns why a person may not (shown as a 403) or None; `can_<verb>` is
the same rule as a yes/no for pages, with the record's state where it matters. The services
call the refusals, so the API, the pages and the CSV import meet the same rule.
"""

from __future__ import annotations

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
