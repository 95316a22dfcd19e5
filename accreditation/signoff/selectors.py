"""Reads for assessments and sign-off, scoped to the caller (others: 404), with the blinding.

Scope (the logbook's rule): the trainee's own records; trainees a trainer may supervise today;
the trainees now in a regional lead's region; everything for a programme admin. A trainer
also keeps seeing what they wrote or were asked to decide (their own assessments, requests
addressed to them), so that a trainer who lost the right is told 403, not 404.

**Blinding** (self-assessment calibration). A trainee may rate one of their own cases with
the same tool a trainer uses. Neither side sees the other's scores for that case and tool
until both ratings exist, or until the trainer's rating is *final*:

- a trainer's assessment of a case is hidden from **its trainee** (scores, total and
  feedback) until the trainee has rated the same case with the same tool, or until its
  `blind_until` day (recorded day + `SignoffRules.blind_window_days`, 7 by default);
- a self-assessment is hidden from **everyone but the trainee** until a trainer has rated
  the same case with the same tool (so nobody can pass it on to the trainer).

Assessments not linked to a case have nothing to rate blind and are never hidden. Once the
trainer's rating is final without a self-rating, a self-assessment of that case is refused
(409): it could no longer be blind. `annotate_blinding()` masks in SQL: the masked rows
come out of the database with `visible_scores`, `visible_total` and `visible_feedback` NULL
/ empty, and the raw columns are deferred. Every list, detail, filter, calibration, page,
export and progress figure reads through it (or `released_to_trainee` for progress).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    JSONField,
    OuterRef,
    PositiveSmallIntegerField,
    Prefetch,
    Q,
    QuerySet,
    TextField,
    Value,
    When,
)
from django.utils import timezone

from accreditation.faculty.eligibility import supervised_trainee_ids, supervisors_of
from accreditation.logbook.models import Case as LogbookCase
from accreditation.logbook.models import CaseStatus, SimulatorSession
from accreditation.signoff.models import (
    Assessment,
    AssessmentDomain,
    AssessmentStep,
    AssessmentTool,
    SignoffRequest,
    SignoffRules,
    SignoffStatus,
    SignoffTarget,
    VideoReview,
    VideoReviewRating,
    VideoReviewStatus,
)
from curriculum.models import ELearningCompletion
from rastrack.accounts.models import User
from rastrack.accounts.trainee_scope import trainee_scope
from rastrack.core.permissions import signed_in
from rastrack.core.stats import percentiles

# Cases that can be rated or attached as evidence: a draft or a returned case may still change.
EVIDENCE_CASE_STATUSES = (CaseStatus.SUBMITTED, CaseStatus.VALIDATED)


def signoff_rules() -> SignoffRules:
    """The one row of configurable numbers, created with the defaults when missing."""
    rules, _ = SignoffRules.objects.get_or_create(pk=1)
    return rules



# --- Tools ----------------------------------------------------------------------------------------


def assessment_tools(*, active_only: bool = True) -> QuerySet[AssessmentTool]:
    """Tools with their domains (two queries, whatever the number of tools)."""
    qs = AssessmentTool.objects.prefetch_related(
        Prefetch("domains", queryset=AssessmentDomain.objects.order_by("order", "id"))
    ).order_by("name", "id")
    return qs.filter(is_active=True) if active_only else qs


def assessment_tool_ranges() -> dict[str, tuple[int, int]]:
    """The active tools by code with the range of their totals (registered with the
    curriculum, whose requirements name tools by code). One query."""
    rows = (AssessmentTool.objects.filter(is_active=True).annotate(n=Count("domains"))
            .values_list("code", "scale_min", "scale_max", "n"))
    return {code: (low * n, high * n) for code, low, high, n in rows}


def assessment_tool_scales() -> dict[str, tuple[int, int]]:
    """The active tools by code with the range of one domain's score. One query."""
    return {code: (low, high) for code, low, high in
            AssessmentTool.objects.filter(is_active=True).values_list("code", "scale_min", "scale_max")}


def assessment_tool(code: str, *, active_only: bool = True) -> AssessmentTool | None:
    return assessment_tools(active_only=active_only).filter(code=code).first()


# --- Blinding -------------------------------------------------------------------------------------


def _rated_by(*, is_self: bool) -> Exists:
    """A rating of the same case with the same tool by the other side exists."""
    return Exists(Assessment.objects.filter(case_id=OuterRef("case_id"), tool_id=OuterRef("tool_id"),
                                            is_self=is_self))


def released_to_trainee(today: datetime.date | None = None) -> Q:
    """Trainer assessments their trainee may read (and that count for progress): not of a
    case, final (`blind_until` has come), or the trainee has rated the case themself."""
    today = today or timezone.localdate()
    return Q(is_self=False) & (
        Q(case_id__isnull=True) | Q(blind_until__lte=today) | Q(_rated_by(is_self=True))
    )


def hidden_from(viewer: User, today: datetime.date | None = None) -> Q:
    """The assessments whose scores `viewer` may not read yet."""
    today = today or timezone.localdate()
    trainer_side = (Q(is_self=False, trainee_id=viewer.pk, case_id__isnull=False)
                    & (Q(blind_until__isnull=True) | Q(blind_until__gt=today))
                    & ~Q(_rated_by(is_self=True)))
    self_side = Q(is_self=True) & ~Q(trainee_id=viewer.pk) & ~Q(_rated_by(is_self=False))
    return trainer_side | self_side


def annotate_blinding(queryset: QuerySet[Assessment], viewer: User,
                      today: datetime.date | None = None) -> QuerySet[Assessment]:
    """Add `blinded` and the masked `visible_scores`, `visible_total`, `visible_feedback`.

    Fails closed: a row is shown only when the database says it is not hidden. The raw
    `scores`, `total` and `feedback` columns are deferred: read the `visible_*` ones.
    """
    hidden = hidden_from(viewer, today)
    return queryset.annotate(
        blinded=Case(When(~hidden, then=Value(False)), default=Value(True), output_field=BooleanField()),
    ).annotate(
        visible_scores=Case(When(blinded=False, then=F("scores")), output_field=JSONField()),
        visible_total=Case(When(blinded=False, then=F("total")), output_field=PositiveSmallIntegerField()),
        visible_feedback=Case(When(blinded=False, then=F("feedback")), default=Value(""),
                              output_field=TextField()),
        visible_entrustment=Case(When(blinded=False, then=F("entrustment")),
                                 output_field=PositiveSmallIntegerField()),
    ).defer("scores", "total", "feedback", "entrustment")


def assessments_visible_to(user: User, today: datetime.date | None = None) -> QuerySet[Assessment]:
    """Assessments in the caller's scope, blinded for them (see the module's docstring)."""
    qs = Assessment.objects.select_related(
        "trainee", "assessor", "case", "case__procedure", "competency"
    ).prefetch_related(
        Prefetch("tool", queryset=AssessmentTool.objects.prefetch_related(
            Prefetch("domains", queryset=AssessmentDomain.objects.order_by("order", "id")))),
        Prefetch("step_levels", queryset=AssessmentStep.objects.select_related("step").order_by("step__order")),
    ).order_by("-date", "-id")
    if not signed_in(user):
        return qs.none()
    scope = trainee_scope(user)
    if scope is not None:
        qs = qs.filter(scope | Q(assessor=user))
    return annotate_blinding(qs, user, today)


def assessments_of_case(user: User, case: LogbookCase) -> QuerySet[Assessment]:
    """The ratings of one case the user may see, blinded for them (for case pages)."""
    return assessments_visible_to(user).filter(case=case).order_by("is_self", "date", "id")


def trainees_assessable_by(trainer: User) -> QuerySet[User]:
    """The trainees a trainer may assess today."""
    return User.objects.filter(pk__in=supervised_trainee_ids(trainer), is_active=True).order_by("full_name", "id")


def cases_open_to_rating(trainee: User) -> QuerySet[LogbookCase]:
    """A trainee's cases that can be rated or attached as evidence (submitted or validated)."""
    return (LogbookCase.objects.select_related("procedure")
            .filter(trainee=trainee, status__in=EVIDENCE_CASE_STATUSES).order_by("-date", "-id"))


# --- Calibration ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CalibrationPair:
    """A self-assessment and a trainer's assessment of the same case with the same tool.

    `difference` is self minus trainer per domain (positive: the trainee rated themself
    higher than the trainer did), in the tool's domain order.
    """

    self_assessment: Assessment
    trainer_assessment: Assessment
    difference: dict[str, int]
    total_difference: int

    @property
    def date(self) -> datetime.date:
        return self.self_assessment.date

    @property
    def rows(self) -> list[tuple[str, int, int, int]]:
        """(domain name, self, trainer, difference) in the tool's order, for pages."""
        names = {d.code: d.name for d in self.self_assessment.tool.domains.all()}
        mine, theirs = self.self_assessment.visible_scores, self.trainer_assessment.visible_scores
        return [(names.get(code, code), mine[code], theirs[code], diff) for code, diff in self.difference.items()]


def _pair(self_assessment: Assessment, trainer_assessment: Assessment) -> CalibrationPair:
    mine, theirs = self_assessment.visible_scores or {}, trainer_assessment.visible_scores or {}
    order = [d.code for d in self_assessment.tool.domains.all()]
    codes = [c for c in order if c in mine and c in theirs]
    return CalibrationPair(
        self_assessment=self_assessment, trainer_assessment=trainer_assessment,
        difference={code: mine[code] - theirs[code] for code in codes},
        total_difference=(self_assessment.visible_total or 0) - (trainer_assessment.visible_total or 0),
    )


def calibration_of(user: User, assessment: Assessment) -> list[CalibrationPair]:
    """The calibration pairs `assessment` (as the caller sees it) belongs to; empty while
    blinded or while the other side has not rated the case."""
    if assessment.blinded or assessment.case_id is None:
        return []
    others = assessments_visible_to(user).filter(
        case_id=assessment.case_id, tool_id=assessment.tool_id, is_self=not assessment.is_self, blinded=False,
    ).order_by("date", "id")
    if assessment.is_self:
        return [_pair(assessment, other) for other in others]
    return [_pair(other, assessment) for other in others]


def calibration_history(user: User, trainee: User) -> list[CalibrationPair]:
    """Every revealed pair of the trainee's, oldest first: the calibration signal over time.
    Two queries whatever the number of pairs."""
    visible = assessments_visible_to(user).filter(trainee=trainee, blinded=False, case_id__isnull=False)
    selves = list(visible.filter(is_self=True).order_by("date", "id"))
    by_case: dict[tuple[int, int], list[Assessment]] = {}
    if selves:
        for other in visible.filter(is_self=False, case_id__in=[s.case_id for s in selves]).order_by("date", "id"):
            by_case.setdefault((other.case_id, other.tool_id), []).append(other)
    return [_pair(s, t) for s in selves for t in by_case.get((s.case_id, s.tool_id), [])]


# --- Sign-off requests ----------------------------------------------------------------------------


def signoff_requests_visible_to(user: User) -> QuerySet[SignoffRequest]:
    """Requests in the caller's scope (and those addressed to them), evidence prefetched."""
    qs = SignoffRequest.objects.select_related(
        "trainee", "trainer", "competency", "component", "component__module", "component__module__pathway",
        "enrolment", "enrolment__pathway", "decided_by", "reversed_by",
    ).prefetch_related(
        Prefetch("evidence_cases", queryset=LogbookCase.objects.select_related("procedure").order_by("date", "id")),
        Prefetch("evidence_simulator_sessions", queryset=SimulatorSession.objects.order_by("date", "id")),
        # Only what identifies them: scores are read through the blinding (annotate_blinding).
        Prefetch("evidence_assessments", queryset=Assessment.objects.only("id", "date", "tool_id", "is_self")
                 .order_by("date", "id")),
        Prefetch("evidence_elearning_completions",
                 queryset=ELearningCompletion.objects.select_related("component").order_by("completed_on", "id")),
    ).order_by("-created_at", "-id")
    if not signed_in(user):
        return qs.none()
    scope = trainee_scope(user)
    return qs if scope is None else qs.filter(scope | Q(trainer=user))


def signoff_queue(trainer: User) -> QuerySet[SignoffRequest]:
    """Pending requests addressed to the trainer, oldest first."""
    return signoff_requests_visible_to(trainer).filter(
        trainer=trainer, status=SignoffStatus.PENDING).order_by("created_at", "id")


def overdue_signoff_requests(today: datetime.date | None = None) -> QuerySet[SignoffRequest]:
    """Pending requests past their due day, oldest first (for reminders and escalation)."""
    today = today or timezone.localdate()
    return (SignoffRequest.objects.select_related("trainee", "trainer")
            .filter(status=SignoffStatus.PENDING, due_on__lt=today).order_by("due_on", "id"))


def signed_off_competency_keys(trainee: User) -> set[str]:
    """Keys of the competencies the trainee holds an approved, not reversed, sign-off of."""
    keys = SignoffRequest.objects.filter(
        trainee=trainee, target=SignoffTarget.COMPETENCY, status=SignoffStatus.APPROVED,
    ).values_list("target_key", flat=True)
    return {key.split(":", 1)[1] for key in keys}


def competency_signoff_of(trainee: User, competency_key: str) -> SignoffRequest | None:
    """The approved sign-off of a competency by key (any framework version), or None."""
    return (SignoffRequest.objects.select_related("decided_by", "competency")
            .filter(trainee=trainee, target_key=f"competency:{competency_key}", status=SignoffStatus.APPROVED)
            .order_by("decided_at", "id").first())


def final_signoff_of(enrolment) -> SignoffRequest | None:
    """The approved final sign-off of an enrolment (what a certificate is issued on), or None."""
    return (SignoffRequest.objects.select_related("decided_by", "trainee", "enrolment", "enrolment__pathway")
            .filter(enrolment=enrolment, target=SignoffTarget.FINAL, status=SignoffStatus.APPROVED).first())


def blocking_request_for(trainee: User, target_key: str) -> SignoffRequest | None:
    """A pending or approved request of the trainee for that target (a new one would be a 409)."""
    return (SignoffRequest.objects.filter(trainee=trainee, target_key=target_key,
                                          status__in=[SignoffStatus.PENDING, SignoffStatus.APPROVED])
            .order_by("-created_at").first())


def signoff_figures(requests: QuerySet[SignoffRequest], today: datetime.date | None = None) -> dict:
    """Pending, overdue and turnaround (days from request to decision: median and 90th
    percentile, linear interpolation) of a set of requests, for dashboards. Three queries."""
    today = today or timezone.localdate()
    base = requests.order_by()
    pending = base.filter(status=SignoffStatus.PENDING)
    counts = {"pending": pending.count(), "overdue": pending.filter(due_on__lt=today).count()}
    # Linear interpolation: percentile_cont in PostgreSQL, the same figures on SQLite.
    decided, (median, p90) = percentiles(base.filter(decided_at__isnull=False), start="created_at",
                                         end="decided_at", fractions=(0.5, 0.9))
    return signoff_figures_of(**counts, decided=decided, median=median, p90=p90)


def signoff_figures_of(*, pending: int, overdue: int, decided: int, median: float | None,
                       p90: float | None) -> dict:
    """The dashboards' sign-off figures, turnaround in days to one decimal (live, or from the
    summaries: `accreditation/signoff/summaries.py`)."""
    return {"pending": pending, "overdue": overdue, "decided": decided,
            "turnaround_median_days": None if median is None else round(median, 1),
            "turnaround_p90_days": None if p90 is None else round(p90, 1)}


def trainers_for_request(trainee: User) -> QuerySet[User]:
    """Who the trainee may ask: the trainers who may supervise them today."""
    return supervisors_of(trainee)


# --- Blinded video reviews --------------------------------------------------------------------------
#
# The one rule for what a person sees of a review (every door reads `video_review_seen_by`):
# - a rater sees the video reference, the procedure, the tool and their own rating, never the
#   trainee nor another rater's rating, and after closing the result (mean and agreement);
# - the trainee sees nothing of any rating, nor who the raters are, until the review closes;
#   then each rating's scores and total, the raters unnamed ("Rater 1", ...);
# - the others in scope (the trainee's trainers, their regional lead, programme admins) see
#   who the raters are and whether each has rated, and the scores only once it is closed.


def video_reviews_visible_to(user: User) -> QuerySet[VideoReview]:
    """Reviews of trainees in the caller's scope, and the reviews they are a rater of."""
    qs = VideoReview.objects.select_related("trainee", "tool", "case__procedure", "opened_by").prefetch_related(
        Prefetch("ratings", queryset=VideoReviewRating.objects.select_related("rater").order_by("added_at", "id")),
        Prefetch("tool__domains", queryset=AssessmentDomain.objects.order_by("order", "id")),
    ).order_by("-created_at", "-id")
    if not signed_in(user):
        return qs.none()
    scope = trainee_scope(user)
    as_rater = Exists(VideoReviewRating.objects.filter(review_id=OuterRef("pk"), rater_id=user.pk))
    return qs if scope is None else qs.filter(scope | Q(as_rater))


@dataclass(frozen=True)
class RatingSeen:
    rater: int | None
    rater_name: str
    rated: bool | None
    scores: dict | None
    total: int | None


@dataclass(frozen=True)
class ReviewSeen:
    review: VideoReview
    is_rater: bool
    trainee: User | None
    ratings: list[RatingSeen]
    result: dict | None


def video_review_seen_by(user: User, review: VideoReview) -> ReviewSeen:
    """What `user` may see of `review` (see above). Fails closed: unknown viewers see no rating."""
    ratings = list(review.ratings.all())
    closed = review.status == VideoReviewStatus.CLOSED
    mine = next((r for r in ratings if r.rater_id == user.pk), None)
    result = ({"mean_total": review.mean_total, "totals": [r.total for r in ratings],
               "agreement": {"method": review.agreement_method, "value": review.agreement_value}}
              if closed else None)
    if mine is not None:
        seen = [RatingSeen(user.pk, user.full_name, mine.rated_at is not None, mine.scores, mine.total)]
        return ReviewSeen(review, True, None, seen, result)
    if user.pk == review.trainee_id:
        seen = ([RatingSeen(None, f"Rater {n}", True, r.scores, r.total) for n, r in enumerate(ratings, start=1)]
                if closed else [])
        return ReviewSeen(review, False, review.trainee, seen, result)
    seen = [RatingSeen(r.rater_id, r.rater.full_name, r.rated_at is not None,
                       r.scores if closed else None, r.total if closed else None) for r in ratings]
    return ReviewSeen(review, False, review.trainee, seen, result)


def video_reviews_to_rate(user: User) -> QuerySet[VideoReview]:
    """Open reviews the user has still to rate, oldest due first."""
    return (video_reviews_visible_to(user).filter(status=VideoReviewStatus.OPEN,
                                                  ratings__rater=user, ratings__rated_at__isnull=True)
            .order_by("due_on", "id"))


def passed_video_reviews(trainee_id: int, *, tool_code: str, min_mean, min_agreement) -> int:
    """Closed reviews of the trainee with the tool whose mean total and agreement reach the marks."""
    return VideoReview.objects.filter(
        trainee_id=trainee_id, tool__code=tool_code, status=VideoReviewStatus.CLOSED,
        mean_total__gte=min_mean, agreement_value__gte=min_agreement).count()


# --- The per-step supervision grid -----------------------------------------------------------------


@dataclass(frozen=True)
class StepGridRow:
    procedure: str
    step: str
    best_level: int
    latest_level: int
    ratings: int


def step_grid(viewer: User, trainee: User) -> list[StepGridRow]:
    """Per procedure step, the supervision levels the trainee was given, as `viewer` may see
    them (read through the assessments' blinding: a hidden assessment adds nothing). One query."""
    visible = assessments_visible_to(viewer).filter(trainee=trainee, blinded=False).values("pk")
    rows = (AssessmentStep.objects.filter(assessment_id__in=visible)
            .select_related("step__procedure", "assessment")
            .order_by("step__procedure__name", "step__order", "assessment__date", "assessment_id"))
    grid: dict[int, list] = {}
    for row in rows:
        grid.setdefault(row.step_id, [row.step.procedure.name, row.step.name, []])[2].append(row.level)
    return [StepGridRow(procedure, step, max(levels), levels[-1], len(levels))
            for procedure, step, levels in grid.values()]
