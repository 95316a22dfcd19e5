"""Sign-off's summary tables (`rastrack/core/summary_tables.py`): what each source row
contributes, the rebuilds, and the readers the dashboards use.

- **Calibration pairs** (`CalibrationSummary`): a trainer's assessment of a case with a
  self-assessment of the same case and tool is a pair (`calibration_pairs`, the one home of
  that rule); counted by the trainee's current region, the month of the trainer's rating,
  the tool and the case procedure's specialty, with the gap self - trainer summed and its
  absolute value summed. Writers: `assessment_create` (assessments are never edited nor
  deleted) applies the change of its (case, tool) group, read once before the insert; the
  logbook's `case_update` (another procedure) and `case_delete` (the ratings lose their case)
  call `calibration_procedure_changing` through `logbook/case_watchers.py`.
- **Sign-off turnaround** (`SignoffPendingSummary`, `SignoffTurnaroundSummary`): pending
  requests by region and due date (pending, and overdue = due before today), decided ones by
  region and turnaround in whole hours (the turnaround is counted to the hour: request to
  decision, rounded to the nearest hour), from which the median and 90th percentile are
  interpolated (`weighted_percentile_cont`): within half an hour of the live figures before
  they are rounded to a tenth of a day. Writers: every
  sign-off service (create, approve, return, reverse, withdraw, reassign) applies the
  request's contribution after minus before (`signoff_request_changed`).

Region = the trainee's *current* region (0 when none; calibration leaves pairs of trainees
with no region out, as the dashboards always did). A trainee's move to another region moves
their rows in the move's transaction (`region_move_watcher`, registered with
`rastrack.accounts.region_moves`).
"""

from __future__ import annotations

import datetime
import math
from collections import defaultdict
from typing import NamedTuple

from django.db.models import (
    Count,
    DateField,
    F,
    FilteredRelation,
    IntegerField,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import Abs, TruncMonth

from accreditation.signoff.models import (
    Assessment,
    CalibrationSummary,
    SignoffPendingSummary,
    SignoffRequest,
    SignoffStatus,
    SignoffTurnaroundSummary,
)
from rastrack.core.months import first_of_month
from rastrack.core.stats import weighted_percentile_cont
from rastrack.core.summary_tables import apply_deltas, delta, merge, rebuild

# --- Calibration pairs ------------------------------------------------------------------------


def calibration_pairs(assessments: QuerySet[Assessment]) -> QuerySet[Assessment]:
    """The trainer assessments among `assessments` that pair with a self-assessment of the
    same case and tool (one row per pair), of trainees with a region, annotated with `gap`
    (self - trainer, whole points) and `own_total`."""
    # A join on the self-assessment (at most one per case and tool: a unique constraint), not a
    # correlated subquery: measured 239 ms against 3-4 s on the 1M-case bench world.
    own = FilteredRelation("case__assessments",
                           condition=Q(case__assessments__is_self=True, case__assessments__tool=F("tool")))
    return (assessments.filter(is_self=False, case__isnull=False, trainee__region__isnull=False)
            .annotate(own=own)
            .filter(own__isnull=False)
            .annotate(gap=F("own__total") - F("total")))


class Rated(NamedTuple):
    """One assessment of a (case, tool) group, as its calibration contribution needs it."""

    is_self: bool
    total: int
    date: datetime.date
    region_id: int | None
    tool_id: int
    assessor_id: int
    blind_until: datetime.date | None


_RATED = ("is_self", "total", "date", "trainee__region_id", "tool_id", "assessor_id", "blind_until")


def rated_group(case_id: int, tool_id: int) -> list[Rated]:
    """The assessments of one case with one tool (a handful). One query."""
    return [Rated(*row) for row in Assessment.objects.filter(case_id=case_id, tool_id=tool_id)
            .order_by().values_list(*_RATED)]


def group_contribution(group: list[Rated], *, specialty: str, subspecialty: str) -> dict:
    """What one (case, tool) group adds to the calibration summary: one pair per trainer
    rating and self-rating (the live join's rows)."""
    out: dict = defaultdict(lambda: {"pairs": 0, "gap_sum": 0, "abs_gap_sum": 0})
    selves = [r for r in group if r.is_self]
    for trainer in group:
        if trainer.is_self or not trainer.region_id:
            continue
        for own in selves:
            sums = out[(trainer.region_id, first_of_month(trainer.date), trainer.tool_id, specialty, subspecialty)]
            gap = own.total - trainer.total
            sums["pairs"] += 1
            sums["gap_sum"] += gap
            sums["abs_gap_sum"] += abs(gap)
    return dict(out)


def calibration_rated(group: list[Rated], assessment: Assessment, *, procedure) -> None:
    """After `assessment` (of a case with `procedure`) joined its group (`group`: read before
    it was added): apply the change. Nothing to write unless it makes pairs."""
    added = Rated(assessment.is_self, assessment.total, assessment.date, assessment.trainee.region_id,
                  assessment.tool_id, assessment.assessor_id, assessment.blind_until)
    where = {"specialty": procedure.specialty, "subspecialty": procedure.subspecialty}
    apply_deltas(CalibrationSummary, delta(group_contribution(group, **where),
                                           group_contribution([*group, added], **where)))


def calibration_procedure_changing(case, procedure) -> None:
    """Before `case` is saved with another `procedure` (None: before it is deleted, when its
    ratings lose their case): move its pairs to the new specialty, or remove them. One query,
    and the upsert when the case has pairs."""
    rows = list(Assessment.objects.filter(case_id=case.pk).order_by()
                .values_list(*_RATED, "case__procedure__specialty", "case__procedure__subspecialty"))
    groups: dict[int, list[Rated]] = defaultdict(list)
    for row in rows:
        groups[row[4]].append(Rated(*row[:len(_RATED)]))
    if not rows:
        return
    old = {"specialty": rows[0][-2], "subspecialty": rows[0][-1]}
    before = merge(*(group_contribution(g, **old) for g in groups.values()))
    after = {} if procedure is None else merge(*(
        group_contribution(g, specialty=procedure.specialty, subspecialty=procedure.subspecialty)
        for g in groups.values()))
    apply_deltas(CalibrationSummary, delta(before, after))


def calibration_compute(assessments: QuerySet[Assessment] | None = None) -> dict:
    """The calibration summary of `assessments` (all of them by default): one aggregate query."""
    rows = (calibration_pairs(Assessment.objects.all() if assessments is None else assessments)
            .annotate(month=TruncMonth("date", output_field=DateField()))
            .values("trainee__region_id", "month", "tool_id", "case__procedure__specialty",
                    "case__procedure__subspecialty")
            .annotate(pairs=Count("id"), gap_sum=Sum("gap", output_field=IntegerField()),
                      abs_gap_sum=Sum(Abs("gap"), output_field=IntegerField()))
            .order_by())
    return {(row["trainee__region_id"], row["month"], row["tool_id"], row["case__procedure__specialty"],
             row["case__procedure__subspecialty"]): {"pairs": row["pairs"], "gap_sum": row["gap_sum"],
                                                     "abs_gap_sum": row["abs_gap_sum"]}
            for row in rows}


def rebuild_calibration() -> int:
    return rebuild(CalibrationSummary, calibration_compute)


def calibration_by_region_month(summaries: QuerySet[CalibrationSummary]) -> list[dict]:
    """Pairs and gap sums of `summaries` by region, month and tool code (a tool's versions
    share its code), ordered by region name, month and tool: one query."""
    return list(summaries
                .values("region_id", "region__name", "month", "tool__code")
                .annotate(pairs=Sum("pairs"), gap_sum=Sum("gap_sum"), abs_gap_sum=Sum("abs_gap_sum"))
                .order_by("region__name", "month", "tool__code"))


# --- Sign-off turnaround ------------------------------------------------------------------------


def turnaround_hours(created_at: datetime.datetime, decided_at: datetime.datetime) -> int:
    """Request to decision in whole hours, rounded to the nearest (a half up)."""
    return math.floor((decided_at - created_at).total_seconds() / 3600 + 0.5)


def _contributions(region_id, status, due_on, created_at, decided_at) -> tuple[dict, dict]:
    region = region_id or 0
    pending = {(region, due_on): {"pending": 1}} if status == SignoffStatus.PENDING else {}
    decided = {} if decided_at is None else {(region, turnaround_hours(created_at, decided_at)): {"decided": 1}}
    return pending, decided


def signoff_contributions(request: SignoffRequest) -> tuple[dict, dict]:
    """What `request` adds to the pending and to the turnaround summaries (its trainee loaded)."""
    return _contributions(request.trainee.region_id, request.status, request.due_on, request.created_at,
                          request.decided_at)


def signoff_request_changed(before: tuple[dict, dict] | None, request: SignoffRequest) -> None:
    """After a service wrote `request` (`before`: its contributions read before the change, None
    for a new one): apply the difference, in the service's transaction."""
    before = before or ({}, {})
    after = signoff_contributions(request)
    apply_deltas(SignoffPendingSummary, delta(before[0], after[0]))
    apply_deltas(SignoffTurnaroundSummary, delta(before[1], after[1]))


def _signoff_compute(requests: QuerySet[SignoffRequest] | None = None) -> tuple[dict, dict]:
    pending: list[dict] = []
    decided: list[dict] = []
    rows = ((SignoffRequest.objects.all() if requests is None else requests).order_by()
            .values_list("trainee__region_id", "status", "due_on", "created_at", "decided_at"))
    for row in rows.iterator(chunk_size=5000):
        p, d = _contributions(*row)
        if p:
            pending.append(p)
        if d:
            decided.append(d)
    return merge(*pending), merge(*decided)


def region_move_watcher(user_ids: list[int]):
    """Registered with `rastrack.accounts.region_moves`: the moving trainees' pairs and
    requests counted under their region before the move, then under the new one, in the
    move's transaction. Two queries for someone with neither (a trainer, a new trainee)."""
    pairs = Assessment.objects.filter(trainee_id__in=user_ids)
    requests = SignoffRequest.objects.filter(trainee_id__in=user_ids)
    before = calibration_compute(pairs), _signoff_compute(requests)
    if not (before[0] or before[1][0] or before[1][1]):
        return lambda: None

    def after() -> None:
        moved = calibration_compute(pairs), _signoff_compute(requests)
        apply_deltas(CalibrationSummary, delta(before[0], moved[0]))
        apply_deltas(SignoffPendingSummary, delta(before[1][0], moved[1][0]))
        apply_deltas(SignoffTurnaroundSummary, delta(before[1][1], moved[1][1]))

    return after


def rebuild_signoff_pending() -> int:
    return rebuild(SignoffPendingSummary, lambda: _signoff_compute()[0])


def rebuild_signoff_turnaround() -> int:
    return rebuild(SignoffTurnaroundSummary, lambda: _signoff_compute()[1])


def signoff_figures_from_summaries(*, region_id: int | None, today: datetime.date) -> dict:
    """The figures of `signoff_figures` over every request of a region (None: national) from
    the summaries: pending, overdue and decided exactly; the turnaround median and 90th
    percentile interpolated over the turnaround counted to the hour. Two queries."""
    from accreditation.signoff.selectors import signoff_figures_of

    region = Q() if region_id is None else Q(region_id=region_id)
    counts = SignoffPendingSummary.objects.filter(region).aggregate(
        waiting=Sum("pending"), overdue=Sum("pending", filter=Q(due_on__lt=today)))
    histogram = [(hours / 24, n) for hours, n in SignoffTurnaroundSummary.objects.filter(region)
                 .values("hours").annotate(n=Sum("decided")).order_by().values_list("hours", "n")]
    return signoff_figures_of(pending=counts["waiting"] or 0, overdue=counts["overdue"] or 0,
                              decided=sum(n for _, n in histogram),
                              median=weighted_percentile_cont(histogram, 0.5),
                              p90=weighted_percentile_cont(histogram, 0.9))
