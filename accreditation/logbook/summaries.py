"""The case summary (`CaseMonthSummary`): submitted and validated cases by the trainee's
current region, the month of the case date, the procedure's specialty and subspecialty and the
platform, with the trainers' corrections of the validated ones. The dashboards' case and
over-logging sections read it (`case_summary_rows`), so their cost follows the number of
regions, months, specialties and platforms, not the number of cases.

- **What a case adds** (`case_contribution`): nothing while it is a draft or rejected (so a
  draft costs no query); 1 submitted; or 1 validated with, when the trainer corrected it, 1
  disagreement, 1 role or supervision correction each as corrected, and 1 over-logged when the
  claim counts higher than what was validated (`is_overlogged`: the counting table of the
  trainee's latest enrolment's pathway version, or the defaults for a trainee with none).
- **Writers**: every service of `accreditation/logbook/services.py` that changes a case's
  status or what it is counted under takes the case's contribution before and after the change
  and applies the difference in its own transaction (`case_summary_apply`): one upsert (and a
  delete when a count may have reached zero). Takeover steps change only with a draft or
  returned case, which counts nothing, so they need no delta of their own.
- **Writes of other contexts**: the figures follow the trainee's *current* region and the
  counting table of their *latest* enrolment, which no logbook service changes. Those
  services call the watchers registered here (`AccreditationConfig.ready`): a region move
  (`rastrack.accounts.region_moves`, `region_move_watcher`: the trainee's cases recounted
  under the new region) and a new enrolment or a cohort move (`curriculum.counting_watchers`,
  `latest_pathway_watcher`: the corrected cases reclassified). Each costs one query for a
  person with nothing counted.
- **Nightly rebuild** (`rebuild_case_summary`, from `dashboards.summary_rebuild`): recomputes
  everything set-based (`compute_case_summary`) and corrects the stored rows, which is needed
  only after a change behind the services' back (a raw SQL fix, a bulk load).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping

from django.db.models import (
    Count,
    DateField,
    Exists,
    F,
    FilteredRelation,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, TruncMonth

from accreditation.logbook import counting
from accreditation.logbook.models import Case, CaseMonthSummary, CaseStatus, CaseStep, CountingRule
from curriculum.models import Enrolment
from rastrack.core import summary_tables
from rastrack.core.months import first_of_month
from rastrack.reference.models import Region

COUNTED_STATUSES = (CaseStatus.VALIDATED, CaseStatus.SUBMITTED)


# --- The over-logging rule ----------------------------------------------------------------------


def latest_enrolment(trainee_id, field: str = "pathway_id") -> QuerySet:
    """`field` of the trainee's latest enrolment (by creation), whose pathway version's counting
    table decides what a claim counts as. `trainee_id` may be an OuterRef."""
    return Enrolment.objects.filter(trainee_id=trainee_id).order_by("-id").values(field)[:1]


def taken_over(case_ref) -> Exists:
    return Exists(CaseStep.objects.filter(case_id=case_ref, takeover=True))


def is_overlogged(*, role: str, supervision: str, validated_role: str, validated_supervision: str,
                  taken_over: bool, rules: Iterable[counting.Rule]) -> bool:
    """Whether a corrected case was over-logged: the trainee's claimed (role, code) counts as a
    higher kind of own work than the validated one, under `rules` (the latest enrolment's
    pathway version's, or the defaults)."""
    return counting.is_overlogged(claimed=(role, supervision), validated=(validated_role, validated_supervision),
                                  taken_over=taken_over, rules=tuple(rules) or counting.DEFAULT_RULES)


# --- One case -----------------------------------------------------------------------------------


def case_key(case: Case) -> tuple:
    procedure = case.procedure  # the services read it with the case: no query of its own
    return (case.trainee.region_id or 0, first_of_month(case.date), procedure.specialty, procedure.subspecialty,
            case.platform)


def case_contribution(case: Case | None) -> dict[tuple, dict[str, int]]:
    """What `case`, as it stands, adds to the summary ({key: {sum: n}}). No query for a draft
    or returned case; one (its takeover steps and the trainee's counting table) for a
    validated case the trainer corrected."""
    if case is None or case.status not in COUNTED_STATUSES:
        return {}
    if case.status == CaseStatus.SUBMITTED:
        return {case_key(case): {"submitted": 1}}
    sums = {"validated": 1}
    if case.disagreement:
        taken, rules = _takeover_and_rules(case)
        sums.update(disagreements=1, role_corrected=int(case.validated_role != case.role),
                    supervision_corrected=int(case.validated_supervision != case.supervision),
                    overlogged=int(is_overlogged(role=case.role, supervision=case.supervision,
                                                 validated_role=case.validated_role,
                                                 validated_supervision=case.validated_supervision,
                                                 taken_over=taken, rules=rules)))
    return {case_key(case): sums}


def _takeover_and_rules(case: Case) -> tuple[bool, tuple[counting.Rule, ...]]:
    """Whether a step of the case was taken over, and the counting rows of the trainee's latest
    enrolment's pathway version (none: the defaults), in one query: the case joined to that
    enrolment and its rows (a row of NULLs when there are none)."""
    rule = ("latest__pathway__counting_rules__counted_as", "latest__pathway__counting_rules__role",
            "latest__pathway__counting_rules__supervision", "latest__pathway__counting_rules__takeover")
    rows = list(Case.objects.filter(pk=case.pk)
                .annotate(latest=FilteredRelation("trainee__enrolments",
                                                  condition=Q(trainee__enrolments__id=Subquery(
                                                      latest_enrolment(OuterRef("trainee_id"), "id")))),
                          taken_over=taken_over(OuterRef("pk")))
                .values_list("taken_over", *rule))
    return rows[0][0], tuple(counting.Rule(*row[1:]) for row in rows if row[1] is not None)


def case_summary_apply(before: Mapping[tuple, Mapping[str, int]], case: Case | None) -> None:
    """Apply the change from `before` (the case's contribution before the write) to the case's
    contribution now (None: it was deleted). Call it inside the service's transaction."""
    summary_tables.apply_deltas(CaseMonthSummary, summary_tables.delta(before, case_contribution(case)))


# --- Every case: the rebuild --------------------------------------------------------------------


def compute_case_summary(cases: QuerySet[Case] | None = None) -> dict[tuple, dict[str, int]]:
    """The summary of `cases` (default: every case) from the cases, set-based: one aggregate
    query, and for the corrected ones (few) one grouped query and one of the counting tables."""
    cases = (Case.objects.all() if cases is None else cases).filter(status__in=COUNTED_STATUSES)
    key = ("region", "month", "procedure__specialty", "procedure__subspecialty", "platform")
    validated = Q(status=CaseStatus.VALIDATED)
    corrected = validated & Q(disagreement=True)
    rows = (cases.annotate(region=Coalesce("trainee__region_id", Value(0)),
                           month=TruncMonth("date", output_field=DateField()))
            .values(*key)
            .annotate(validated=Count("id", filter=validated), submitted=Count("id", filter=Q(status=CaseStatus.SUBMITTED)),
                      disagreements=Count("id", filter=corrected),
                      role_corrected=Count("id", filter=corrected & ~Q(validated_role=F("role"))),
                      supervision_corrected=Count("id", filter=corrected
                                                  & ~Q(validated_supervision=F("supervision"))))
            .order_by())
    out = {tuple(row[k] for k in key): {name: row.get(name, 0) for name in CaseMonthSummary.SUMMARY_SUMS}
           for row in rows}
    for k, n in (_overlogged_by_key(cases.filter(corrected)) or {}).items():
        out[k]["overlogged"] = n
    return out


def _overlogged_by_key(corrected: QuerySet[Case]) -> dict[tuple, int] | None:
    """Summary key -> corrected cases that were over-logged (None: no corrected case at all).
    Corrections are few: they are grouped by what was claimed and confirmed in SQL (one query)
    and classified by `is_overlogged` (one query of the counting tables, when there are any)."""
    groups = (corrected
              .annotate(region=Coalesce("trainee__region_id", Value(0)),
                        month=TruncMonth("date", output_field=DateField()),
                        pathway=Subquery(latest_enrolment(OuterRef("trainee_id"))),
                        taken_over=taken_over(OuterRef("pk")))
              .values("region", "month", "procedure__specialty", "procedure__subspecialty", "platform", "pathway",
                      "role", "supervision", "validated_role", "validated_supervision", "taken_over")
              .annotate(n=Count("id")).order_by())
    groups = list(groups)
    if not groups:
        return None
    own: dict[int, list[counting.Rule]] = {}
    # Every version those trainees are enrolled on (a superset of the latest ones), in one query.
    rules = (CountingRule.objects.filter(pathway__enrolments__trainee__in=corrected.values("trainee_id"))
             .distinct().values_list("pathway_id", "counted_as", "role", "supervision", "takeover"))
    for rule in rules:
        own.setdefault(rule[0], []).append(counting.Rule(*rule[1:]))
    out: dict[tuple, int] = {}
    for g in groups:
        if is_overlogged(role=g["role"], supervision=g["supervision"], validated_role=g["validated_role"],
                         validated_supervision=g["validated_supervision"], taken_over=g["taken_over"],
                         rules=own.get(g["pathway"], ())):
            k = (g["region"], g["month"], g["procedure__specialty"], g["procedure__subspecialty"], g["platform"])
            out[k] = out.get(k, 0) + g["n"]
    return out


def latest_pathway_watcher(trainee_ids: list[int]):
    """Registered with `curriculum.counting_watchers`: before a change of the trainees' latest
    enrolment, their corrected cases' over-logged counts; after it, the difference applied.
    One query when they have no corrected case (the usual new trainee), none after."""
    corrected = Case.objects.filter(trainee_id__in=trainee_ids, status=CaseStatus.VALIDATED, disagreement=True)
    before = _overlogged_by_key(corrected)
    if before is None:
        return lambda: None

    def after() -> None:
        now = _overlogged_by_key(corrected) or {}
        summary_tables.apply_deltas(CaseMonthSummary, summary_tables.delta(
            {k: {"overlogged": n} for k, n in before.items()}, {k: {"overlogged": n} for k, n in now.items()}))

    return after


def region_move_watcher(user_ids: list[int]):
    """Registered with `rastrack.accounts.region_moves`: the moving trainees' cases counted
    under their region before the move, then under the new one. One query for someone with no
    submitted or validated case (a trainer, a lead, a new trainee)."""
    cases = Case.objects.filter(trainee_id__in=user_ids)
    before = compute_case_summary(cases)
    if not before:
        return lambda: None

    def after() -> None:
        summary_tables.apply_deltas(CaseMonthSummary, summary_tables.delta(before, compute_case_summary(cases)))

    return after


def rebuild_case_summary() -> int:
    """Make the stored summary equal to the cases; returns how many rows it corrected."""
    return summary_tables.rebuild(CaseMonthSummary, compute_case_summary)


# --- The reader ---------------------------------------------------------------------------------


def case_summary_rows(*, region_id: int | None, specialty_q: Q, start: datetime.date, end_exclusive: datetime.date,
                      by: tuple[str, ...], validated_only: bool = False, with_region_name: bool = False) -> QuerySet:
    """The summary's sums grouped `by` (summary fields), for one region (None: every region,
    those without one included), a specialty filter on the `specialty` / `subspecialty`
    columns and the months from `start` (first of a month) to before `end_exclusive`. With
    `validated_only`, rows of validated cases of trainees who have a region; with
    `with_region_name`, the region's name beside its id as `region_name` (in the same query)."""
    rows = CaseMonthSummary.objects.filter(specialty_q, month__gte=start, month__lt=end_exclusive)
    if region_id is not None:
        rows = rows.filter(region_id=region_id)
    if validated_only:
        rows = rows.filter(validated__gt=0).exclude(region_id=0)
    if with_region_name:
        rows = rows.annotate(region_name=Subquery(Region.objects.filter(pk=OuterRef("region_id")).values("name")[:1]))
        by = (*by, "region_name")
    return rows.values(*by).annotate(**{name: Sum(name) for name in CaseMonthSummary.SUMMARY_SUMS})
