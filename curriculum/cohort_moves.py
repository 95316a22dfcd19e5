"""Whose progress would change, and how, if the live enrolments on one pathway version moved
to another: the dry run of a cohort move (curriculum/services/cohorts.py makes the move).

Enrolments stay on the version they started on until a programme admin moves them. The
plan measures each trainee's evidence against both versions, in memory, without writing:
requirements met before and after, and which are newly met or no longer met (matched by
what stays stable across versions: the component's key and the requirement's type)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import QuerySet

from curriculum.models import LIVE_ENROLMENT_STATUSES, Enrolment, Pathway
from curriculum.progress import EnrolmentProgress, progress_for


@dataclass
class MoveRow:
    enrolment: Enrolment
    before: EnrolmentProgress
    after: EnrolmentProgress | None  # None: skipped (already enrolled on the target version)
    now_met: list[str] = field(default_factory=list)
    no_longer_met: list[str] = field(default_factory=list)

    @property
    def skipped(self) -> bool:
        return self.after is None

    @property
    def changes(self) -> bool:
        return self.after is not None and (
            (self.before.met_count, self.before.total) != (self.after.met_count, self.after.total)
            or bool(self.now_met or self.no_longer_met))


@dataclass
class MovePlan:
    source: Pathway
    target: Pathway
    rows: list[MoveRow]

    @property
    def moving(self) -> list[MoveRow]:
        return [row for row in self.rows if not row.skipped]

    @property
    def changing(self) -> list[MoveRow]:
        return [row for row in self.rows if row.changes]


def movable_enrolments(source: Pathway, *, cohort: int | None = None, region=None) -> QuerySet[Enrolment]:
    """The live enrolments on `source`; a cohort is the year of enrolment."""
    qs = (Enrolment.objects.filter(pathway=source, status__in=LIVE_ENROLMENT_STATUSES)
          .select_related("trainee", "trainee__region", "pathway").order_by("trainee__full_name", "id"))
    if cohort:
        qs = qs.filter(enrolled_on__gte=datetime.date(cohort, 1, 1), enrolled_on__lt=datetime.date(cohort + 1, 1, 1))
    if region is not None:
        qs = qs.filter(trainee__region=region)
    return qs


def _met(progress: EnrolmentProgress) -> dict[tuple, str]:
    return {(str(item.requirement.component.key), item.requirement.type):
            f"{item.requirement.component.title}: {item.requirement}" for item in progress.requirements if item.met}


def move_plan(source: Pathway, target: Pathway, *, cohort: int | None = None, region=None) -> MovePlan:
    already = set(Enrolment.objects.filter(pathway=target, status__in=LIVE_ENROLMENT_STATUSES)
                  .values_list("trainee_id", flat=True))
    rows = []
    for enrolment in movable_enrolments(source, cohort=cohort, region=region):
        before = progress_for(enrolment)
        if enrolment.trainee_id in already:
            rows.append(MoveRow(enrolment=enrolment, before=before, after=None))
            continue
        moved = Enrolment(pk=enrolment.pk, trainee=enrolment.trainee, pathway=target, status=enrolment.status,
                          enrolled_on=enrolment.enrolled_on, target_date=enrolment.target_date)
        after = progress_for(moved)
        met_before, met_after = _met(before), _met(after)
        rows.append(MoveRow(enrolment=enrolment, before=before, after=after,
                            now_met=[label for key, label in met_after.items() if key not in met_before],
                            no_longer_met=[label for key, label in met_before.items() if key not in met_after]))
    return MovePlan(source=source, target=target, rows=rows)
