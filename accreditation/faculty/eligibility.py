"""THE eligibility rule: who may supervise whom, on which day. Every later rule calls this.

A trainer may supervise a trainee on a day when, that day,

1. the trainer's accreditation is `accredited` (not suspended, lapsed or revoked) and the
   day lies within it: `accredited_on <= day <= expires_on` (`expires_on` is the last
   valid day);
2. an assignment of the trainer to the trainee, of any kind, covers the day:
   `starts_on <= day` and (`ends_on` is empty or `day <= ends_on`), except that an
   assignment someone ended with the `end` action (`ended_at`) stops covering the moment it
   was ended: its last day counts only if that day was over before the end was recorded.
   Ended means ended now, for every list, page, export, decision and document;
3. the trainer's account is active;
4. for an act tied to a platform (validating a case, verifying a simulator session on a
   platform's simulator, assessing a case), the trainer's accreditation covers that platform:
   its `platforms` name it. An act tied to no case or platform (a sign-off, an assessment of
   no case) is not platform-scoped. An accreditation that names no platform (recorded before
   platforms were asked, and not migrated from an application) covers none.

Case validation, assessment, sign-off and lab faculty call these functions; nothing else
decides. The per-object rights (django-guardian "accounts.supervise_portfolio" on the
trainee's portfolio) that `faculty_services` grants and removes are an index for quick
scoping, never the rule: `rastrack.accounts.supervision.may_supervise` checks both, so the very
next request after a suspension, lapse, revocation or ended assignment is refused even
though guardian rows do not expire by themselves.

Each function reads the database (no caching of answers; the SQL of the busiest one is compiled
once): call them per request, not per process.
"""

from __future__ import annotations

import datetime

from django.db.models import Case, F, Q, QuerySet, When
from django.utils import timezone

from accreditation.faculty.models import (
    Accreditation,
    AccreditationStatus,
    Assignment,
    AssignmentKind,
)
from rastrack.accounts.models import User
from rastrack.core.compiled import CompiledQuery


def _day(on: datetime.date | None) -> datetime.date:
    return on if on is not None else timezone.localdate()


def _pk(user) -> int | None:
    return getattr(user, "pk", None) if user is not None else None


def covering(on: datetime.date, prefix: str = "") -> Q:
    """Assignments (fields under `prefix`) that cover the day `on`.

    An assignment ended today with the `end` action (`ends_on` today, `ended_at` set) no
    longer covers today: the trainer's rights end when the end is recorded, not at midnight.
    One ended later than its last day (`ends_on` in the past) still covered that day."""
    p = prefix
    return Q(**{f"{p}starts_on__lte": on}) & (
        Q(**{f"{p}ends_on__isnull": True})
        | Q(**{f"{p}ends_on__gt": on})
        | Q(**{f"{p}ends_on": on, f"{p}ended_at__isnull": True})
        | Q(**{f"{p}ends_on": on, f"{p}ended_at__date__gt": on})
    )


def accredited_on_day(on: datetime.date, prefix: str = "") -> Q:
    """Accreditations (fields under `prefix`) that are current on the day `on`."""
    return Q(**{
        f"{prefix}status": AccreditationStatus.ACCREDITED,
        f"{prefix}accredited_on__lte": on,
        f"{prefix}expires_on__gte": on,
    })


def covers_platform(platform: str | None, prefix: str = "") -> Q:
    """Accreditations (fields under `prefix`) that cover `platform`; everything when the act
    is tied to no platform. `platforms` is a JSON list: matching the quoted value works on
    SQLite and PostgreSQL alike ("davinci_x" never matches "davinci_xi")."""
    if not platform:
        return Q()
    return Q(**{f"{prefix}platforms__icontains": f'"{platform}"'})


def _eligible_assignments(on: datetime.date, platform: str | None = None) -> QuerySet[Assignment]:
    """Assignments covering `on` whose trainer is active and accredited on `on` (for
    `platform`, when the act is tied to one)."""
    return Assignment.objects.filter(covering(on)).filter(
        accredited_on_day(on, "trainer__accreditation__"), covers_platform(platform, "trainer__accreditation__"),
        trainer__is_active=True,
    )


def is_accredited_on(trainer, on: datetime.date) -> bool:
    """Status accredited, and `accredited_on <= on <= expires_on`."""
    pk = _pk(trainer)
    if pk is None:
        return False
    return Accreditation.objects.filter(accredited_on_day(on), trainer_id=pk).exists()


def can_supervise(trainer, trainee, *, on: datetime.date | None = None, platform: str | None = None) -> bool:
    """Accredited on `on` (default today), assigned (any kind) on `on`, and an active account;
    with `platform`, the accreditation covers it."""
    trainer_pk, trainee_pk = _pk(trainer), _pk(trainee)
    if trainer_pk is None or trainee_pk is None or trainer_pk == trainee_pk:
        return False
    if getattr(trainer, "is_active", True) is False:
        return False
    return _eligible_assignments(_day(on), platform).filter(trainer_id=trainer_pk, trainee_id=trainee_pk).exists()


def platform_trainer_of(trainee, *, platform: str, on: datetime.date | None = None) -> User | None:
    """The trainer who validates a case on `platform` when the named supervisor may not: the
    educational supervisor if accredited for it, else another assigned trainer who is (the
    newest assignment first)."""
    pk = _pk(trainee)
    if pk is None:
        return None
    assignment = _PLATFORM_TRAINER.first(trainee=pk, on=_day(on), platform=platform)
    return assignment.trainer if assignment else None


def _platform_trainer_assignments(*, trainee: int, on: datetime.date, platform: str) -> QuerySet[Assignment]:
    return (
        _eligible_assignments(on, platform).filter(trainee_id=trainee).exclude(trainer_id=trainee)
        .select_related("trainer")
        .order_by(Case(When(kind=AssignmentKind.EDUCATIONAL_SUPERVISOR, then=0), default=1), "-starts_on", "-id")
        [:1]
    )


# Every case logged asks this: its SQL is compiled once per platform, not per case.
_PLATFORM_TRAINER = CompiledQuery(_platform_trainer_assignments,
                                  stand_ins={"trainee": -7_000_000_001, "on": datetime.date(1111, 11, 11)},
                                  shape=("platform",))


def is_assigned_proctor(proctor, trainee, *, on: datetime.date | None = None) -> bool:
    """A proctor assignment of `proctor` to `trainee` covers `on`, and the proctor may
    supervise that day (accredited, active)."""
    proctor_pk, trainee_pk = _pk(proctor), _pk(trainee)
    if proctor_pk is None or trainee_pk is None or proctor_pk == trainee_pk:
        return False
    return _eligible_assignments(_day(on)).filter(
        trainer_id=proctor_pk, trainee_id=trainee_pk, kind=AssignmentKind.PROCTOR).exists()


def educational_supervisor_of(trainee, *, on: datetime.date | None = None) -> User | None:
    """The trainer with an educational-supervisor assignment covering `on` who may supervise
    the trainee that day; the newest start first when there are several."""
    pk = _pk(trainee)
    if pk is None:
        return None
    return educational_supervisors_of([pk], on=on).get(pk)


def educational_supervisors_of(trainee_ids, *, on: datetime.date | None = None) -> dict[int, User]:
    """`educational_supervisor_of` for many trainees in one query per 500: trainee id ->
    supervisor, for those who have one (a sweep's batch)."""
    ids = sorted(set(trainee_ids))
    found: dict[int, User] = {}
    for i in range(0, len(ids), 500):
        assignments = (
            _eligible_assignments(_day(on))
            .filter(trainee_id__in=ids[i:i + 500], kind=AssignmentKind.EDUCATIONAL_SUPERVISOR)
            .exclude(trainer_id=F("trainee_id"))
            .select_related("trainer")
            .order_by("trainee_id", "-starts_on", "-id")
        )
        for assignment in assignments:
            found.setdefault(assignment.trainee_id, assignment.trainer)
    return found


def supervisors_of(trainee, *, on: datetime.date | None = None) -> QuerySet[User]:
    """The trainers who may supervise the trainee on `on` (default today)."""
    pk = _pk(trainee)
    if pk is None:
        return User.objects.none()
    trainer_ids = _eligible_assignments(_day(on)).filter(trainee_id=pk).values("trainer_id")
    return User.objects.filter(pk__in=trainer_ids).exclude(pk=pk).order_by("full_name", "id")


def supervised_trainee_ids(trainer, *, on: datetime.date | None = None) -> QuerySet[int]:
    """Ids of the trainees the trainer may supervise on `on` (default today), as a lazy
    `values_list` for `filter(trainee_id__in=...)`; empty when the trainer is not accredited
    that day. One subquery, no query of its own."""
    pk = _pk(trainer)
    if pk is None:
        return Assignment.objects.none().values_list("trainee_id", flat=True)
    return (
        _eligible_assignments(_day(on))
        .filter(trainer_id=pk)
        .exclude(trainee_id=pk)
        .order_by()
        .values_list("trainee_id", flat=True)
        .distinct()
    )
