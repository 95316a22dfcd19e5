"""What a robotic case says the trainee did: the role x supervision code x trainer position table.

The one home of the consistency rule (DOMAIN.md "Robotic case semantics"). `case_check` and
`case_validate` call `contradictions`, so the API, the pages, the CSV import and the eLogbook
import refuse the same combinations; `cases_breaking_the_matrix` lists rows logged before the
rule existed (they stay as logged).

An empty position is always accepted (not recorded); a given one must be allowed for the pair.
"""

from __future__ import annotations

from accreditation.logbook.models import (
    CONSOLE_ROLES,
    CaseRole,
    CaseStatus,
    StepRole,
    Supervision,
    TrainerPosition,
)

_ANY_BUT_ABSENT = frozenset(TrainerPosition.values) - {TrainerPosition.ABSENT}
_SUPERVISED_SCRUBBED = frozenset({TrainerPosition.DUAL_CONSOLE, TrainerPosition.SAME_CONSOLE_SWAPPED,
                                  TrainerPosition.BESIDE_CONSOLE, TrainerPosition.BEDSIDE_SCRUBBED})
_SUPERVISED_UNSCRUBBED = frozenset({TrainerPosition.DUAL_CONSOLE, TrainerPosition.SAME_CONSOLE_SWAPPED,
                                    TrainerPosition.BESIDE_CONSOLE, TrainerPosition.IN_ROOM_UNSCRUBBED})
_PERFORMED = frozenset({TrainerPosition.REMOTE, TrainerPosition.ABSENT})

# role -> code -> the positions allowed when one is given.
MATRIX: dict[str, dict[str, frozenset[str]]] = {
    CaseRole.OBSERVER: {
        Supervision.O: frozenset({TrainerPosition.OPERATING_CONSOLE, TrainerPosition.BEDSIDE_SCRUBBED,
                                  TrainerPosition.IN_ROOM_UNSCRUBBED}),
    },
    CaseRole.BEDSIDE_ASSISTANT: {
        Supervision.A: frozenset({TrainerPosition.OPERATING_CONSOLE}),
        Supervision.T: _ANY_BUT_ABSENT,
    },
    CaseRole.CONSOLE_PART: {
        Supervision.A: frozenset({TrainerPosition.OPERATING_CONSOLE, TrainerPosition.DUAL_CONSOLE,
                                  TrainerPosition.SAME_CONSOLE_SWAPPED}),
        Supervision.S_TS: _SUPERVISED_SCRUBBED,
        Supervision.S_TU: _SUPERVISED_UNSCRUBBED,
        Supervision.T: _ANY_BUT_ABSENT,
    },
    CaseRole.CONSOLE_WHOLE: {
        Supervision.S_TS: _SUPERVISED_SCRUBBED,
        Supervision.S_TU: _SUPERVISED_UNSCRUBBED,
        Supervision.P: _PERFORMED,
        Supervision.T: _ANY_BUT_ABSENT,
    },
}


def allowed_positions(role: str, code: str, *, proctored: bool = False) -> frozenset[str]:
    """Positions allowed for the pair (empty when the pair itself is a contradiction). With a
    proctor named on a performed whole case, the position is the proctor's: any but absent."""
    positions = MATRIX.get(role, {}).get(code, frozenset())
    if proctored and role == CaseRole.CONSOLE_WHOLE and code == Supervision.P:
        return _ANY_BUT_ABSENT
    return positions


def _labels(values, choices) -> str:
    names = dict(choices)
    ordered = [v for v in names if v in values]
    return ", ".join(f"“{v}”" for v in ordered) or "none"


def contradictions(*, role: str, code: str, position: str, proctored: bool = False,
                   fields: tuple[str, str, str] = ("role", "supervision", "trainer_position")
                   ) -> dict[str, list[str]]:
    """Messages per field for a role/code/position that break the table; {} when consistent.

    Each message names both values and says what would be consistent. Unknown values are left
    to the field validators (they have their own message)."""
    role_field, code_field, position_field = fields
    if role not in MATRIX or code not in Supervision.values:
        return {}
    codes = MATRIX[role]
    if code not in codes:
        roles = [r for r, by_code in MATRIX.items() if code in by_code]
        return {code_field: [
            f"Supervision “{code}” contradicts role “{role}”: with that role use "
            f"{_labels(codes, Supervision.choices)}; code “{code}” fits role "
            f"{_labels(roles, CaseRole.choices)}."]}
    if position and position in TrainerPosition.values:
        allowed = allowed_positions(role, code, proctored=proctored)
        if position not in allowed:
            fitting = [c for c, positions in codes.items() if position in positions]
            hint = (f"; with “{position}” and role “{role}” the code would be {_labels(fitting, Supervision.choices)}"
                    if fitting else "")
            return {position_field: [
                f"Trainer position “{position}” contradicts role “{role}” with supervision “{code}”: "
                f"give {_labels(allowed, TrainerPosition.choices)}, or leave the position empty{hint}."]}
    return {}


def is_consistent(*, role: str, code: str, position: str = "", proctored: bool = False) -> bool:
    return not contradictions(role=role, code=code, position=position, proctored=proctored)


def cases_breaking_the_matrix(queryset):
    """The cases of `queryset` whose logged (or validated) role, code and position break the
    table: rows logged before it existed, kept as logged for review. Yields (case, messages)."""
    for case in queryset.order_by("trainee_id", "date", "id").iterator(chunk_size=500):
        proctored = case.proctor_id is not None
        messages = [m for ms in contradictions(role=case.role, code=case.supervision,
                                               position=case.trainer_position,
                                               proctored=proctored).values() for m in ms]
        if case.status == "validated" and case.validated_role:
            messages += [f"As validated: {m}" for ms in contradictions(
                role=case.validated_role, code=case.validated_supervision,
                position=case.validated_trainer_position, proctored=proctored).values() for m in ms]
        if messages:
            yield case, messages


def derived_code(*, role: str, code: str, position: str, console_steps: int = 0, taken_over: int = 0) -> str:
    """The eLogbook code by its 70% rules, for copying a robotic case into the eLogbook.

    The agreed code stands, except where what the case records says otherwise: at the console
    with every console step taken over, or with the trainer operating the console, the trainer
    performed the key components (A); with the trainer remote or absent for a supervised whole
    case, the trainer was present for less than 70% (P)."""
    if code in (Supervision.T, Supervision.O):
        return code
    if role in CONSOLE_ROLES and (position == TrainerPosition.OPERATING_CONSOLE
                                  or (console_steps and taken_over == console_steps)):
        return Supervision.A
    if role == CaseRole.CONSOLE_WHOLE and position in _PERFORMED and code in (Supervision.S_TS, Supervision.S_TU):
        return Supervision.P
    return code


def elogbook_code(case) -> str:
    """`derived_code` of a case as validated (or as logged, before validation); steps prefetched."""
    validated = case.status == CaseStatus.VALIDATED and case.validated_role
    role = case.validated_role if validated else case.role
    code = case.validated_supervision if validated else case.supervision
    position = case.validated_trainer_position if validated else case.trainer_position
    console = [s for s in case.steps.all() if s.role == StepRole.CONSOLE]
    return derived_code(role=role, code=code, position=position, console_steps=len(console),
                        taken_over=sum(1 for s in console if s.takeover))
