"""Blinded video reviews: opening one with its raters, rating, closing with each total, the mean
and the agreement between raters (`agreement.py`), adding a rater."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accreditation.logbook.models import Case
from accreditation.signoff import policies

# A rating is scored like an assessment.
from accreditation.signoff.assessment_checks import (
    AssessmentInvalid,
    assessment_scores_check,
    resolve_tool,
    whole_number,
)
from accreditation.signoff.models import (
    AssessmentTool,
    VideoReview,
    VideoReviewRating,
    VideoReviewStatus,
)
from accreditation.signoff.selectors import (
    EVIDENCE_CASE_STATUSES,
    signoff_rules,
)
from accreditation.signoff.services import _pk, _raise
from rastrack.accounts.models import User
from rastrack.audit.services import audit_record, portfolio_stream, snapshot
from rastrack.core.exceptions import ApplicationError, Conflict
from rastrack.core.free_text import free_text_into
from rastrack.core.permissions import refuse_unless
from rastrack.notifications.services import notify

MAX_EVIDENCE = 200

SIGNOFF_FIELDS = ["status", "decided_at", "decided_by", "feedback", "reversed_at", "reversed_by",
                  "reversal_reason", "withdrawn_at"]

Listener = Callable[..., None]
_final_approved_listeners: list[Listener] = []
_final_reversed_listeners: list[Listener] = []


# --- Blinded video reviews ---------------------------------------------------------------------------

MIN_RATERS = 2


def _rater_errors(raters, trainee: User, today: datetime.date) -> tuple[list[User], list[str]]:
    """Raters: at least two distinct accredited trainers, none assigned to the trainee."""
    from accreditation.faculty.eligibility import covering, is_accredited_on
    from accreditation.faculty.models import Assignment

    if not isinstance(raters, list | tuple):
        return [], ["Give a list of user ids."]
    ids = list(dict.fromkeys(whole_number(_pk(r)) for r in raters))
    if None in ids:
        return [], ["Give user ids (whole numbers)."]
    messages: list[str] = []
    found = {u.pk: u for u in User.objects.filter(pk__in=ids, is_active=True)}
    assigned = set(Assignment.objects.filter(covering(today), trainee=trainee).values_list("trainer_id", flat=True))
    for pk in ids:
        user = found.get(pk)
        if user is None or not is_accredited_on(user, today):
            messages.append(f"{pk}: choose an accredited trainer.")
        elif pk == trainee.pk or pk in assigned:
            messages.append(f"{pk}: a rater must not be one of the trainee's assigned trainers.")
    if len(ids) < MIN_RATERS:
        messages.append(f"Name at least {MIN_RATERS} raters.")
    return [found[pk] for pk in ids if pk in found], messages


@transaction.atomic
def video_review_open(*, actor: User, trainee: User, case, tool, video_reference: str, raters,
                      today: datetime.date | None = None) -> VideoReview:
    """A programme admin or the trainee's regional lead opens a blinded review of a case video.

    400 per field: the case not the trainee's (or a draft), an unknown tool, a reference with
    patient data or missing, raters (at least two accredited trainers, not assigned to the trainee).
    """
    today = today or timezone.localdate()
    refuse_unless(policies.refusal_to_open_review(actor, trainee))
    errors: dict[str, list[str]] = {}
    case_obj = Case.objects.select_related("procedure").filter(pk=_pk(case)).first() if case else None
    if case_obj is None or case_obj.trainee_id != trainee.pk:
        errors["case"] = ["Choose one of the trainee's cases."]
    elif case_obj.status not in EVIDENCE_CASE_STATUSES:
        errors["case"] = ["Only a submitted or validated case can be reviewed."]
    tool_obj = resolve_tool(tool)
    if tool_obj is None:
        errors["tool"] = ["Unknown assessment tool: choose one from /api/v1/assessment-tools/."]
    reference = free_text_into(errors, "video_reference", video_reference, max_length=200,
                               required_message="Give where the video is held (a reference, not the video).")
    rater_users, rater_messages = _rater_errors(raters, trainee, today)
    if rater_messages:
        errors["raters"] = rater_messages
    _raise(errors)
    review = VideoReview.objects.create(
        trainee=trainee, case=case_obj, tool=tool_obj, video_reference=reference, opened_by=actor,
        due_on=today + datetime.timedelta(days=signoff_rules().review_due_days))
    VideoReviewRating.objects.bulk_create(VideoReviewRating(review=review, rater=r) for r in rater_users)
    audit_record(actor=actor, action="video_review.open", obj=review, stream=portfolio_stream(trainee.pk),
                 after={**snapshot(review), "raters": [r.pk for r in rater_users]})
    for rater in rater_users:
        _notify_rater(review, rater)
    return review


def _notify_rater(review: VideoReview, rater: User) -> None:
    # Never the trainee's name: the rater is blind to whose video it is.
    notify(recipient=rater, kind="video_review.new", key=f"video_review.new:{review.pk}:{rater.pk}",
           subject=f"Blinded video review: {review.case.procedure.name}",
           body=(f"You are asked to rate a {review.case.procedure.name} video with {review.tool.name} by "
                 f"{review.due_on:%-d %B %Y}. Video: {review.video_reference}."),
           link=reverse("accreditation:video-review", args=[review.pk]))


def _review_locked(review: VideoReview) -> VideoReview:
    return (VideoReview.objects.select_for_update(of=("self",)).select_related("tool", "case__procedure", "trainee")
            .get(pk=review.pk))


@transaction.atomic
def video_review_rate(*, actor: User, review: VideoReview, scores) -> VideoReview:
    """A named rater rates once (409 twice, or once the review is closed); the last rating closes it."""
    review = _review_locked(review)
    ratings = list(review.ratings.select_for_update().all())
    refuse_unless(policies.refusal_to_rate_review(actor, [r.rater_id for r in ratings]))
    mine = next(r for r in ratings if r.rater_id == actor.pk)
    if review.status != VideoReviewStatus.OPEN:
        raise Conflict("This review is closed.")
    if mine.rated_at is not None:
        raise Conflict("You have rated this video already: a rating is given once.")
    tool = AssessmentTool.objects.prefetch_related("domains").get(pk=review.tool_id)
    clean, score_errors = assessment_scores_check(tool=tool, scores=scores)
    if score_errors:
        raise AssessmentInvalid({} if set(score_errors) != {"scores"} else {"scores": score_errors.pop("scores")},
                                score_errors)
    mine.scores, mine.total, mine.rated_at = clean, sum(clean.values()), timezone.now()
    mine.save(update_fields=["scores", "total", "rated_at"])
    audit_record(actor=actor, action="video_review.rate", obj=mine, stream=f"video_review:{review.pk}",
                 after=snapshot(mine))
    if all(r.rated_at is not None for r in ratings):
        _close(review, ratings, tool, actor)
    return review


def _close(review: VideoReview, ratings: list[VideoReviewRating], tool: AssessmentTool, actor: User) -> None:
    from decimal import ROUND_HALF_UP, Decimal

    from accreditation.signoff.agreement import METHOD, krippendorff_interval

    codes = [d.code for d in tool.domains.all()]
    totals = [r.total for r in ratings]
    before = snapshot(review)
    review.mean_total = (Decimal(sum(totals)) / len(totals)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    review.agreement_method = METHOD
    review.agreement_value = krippendorff_interval([[r.scores.get(c) for c in codes] for r in ratings])
    review.status = VideoReviewStatus.CLOSED
    review.closed_at = timezone.now()
    review.save(update_fields=["mean_total", "agreement_method", "agreement_value", "status", "closed_at"])
    audit_record(actor=actor, action="video_review.close", obj=review, stream=portfolio_stream(review.trainee_id),
                 before=before, after=snapshot(review))
    notify(recipient=review.trainee, kind="video_review.closed", key=f"video_review.closed:{review.pk}",
           subject=f"Your {review.tool.name} video review is complete",
           body=f"The blinded review of your {review.case.procedure.name} case is closed.",
           link=reverse("accreditation:video-review", args=[review.pk]))


@transaction.atomic
def video_review_add_rater(*, actor: User, review: VideoReview, rater, today: datetime.date | None = None
                           ) -> VideoReview:
    """A further rater (for example when agreement is below what a requirement asks): the
    review opens again until they have rated, and closes with every rating."""
    today = today or timezone.localdate()
    review = _review_locked(review)
    refuse_unless(policies.refusal_to_open_review(actor, review.trainee))
    existing = set(review.ratings.values_list("rater_id", flat=True))
    users, messages = _rater_errors([*existing, _pk(rater)], review.trainee, today)
    new = [u for u in users if u.pk not in existing]
    if whole_number(_pk(rater)) in existing:
        messages = [*messages, "This trainer is already a rater of the review."]
    if messages or not new:
        raise ApplicationError(errors={"rater": messages or ["Choose an accredited trainer."]})
    before = snapshot(review)
    VideoReviewRating.objects.create(review=review, rater=new[0])
    review.status, review.closed_at, review.mean_total = VideoReviewStatus.OPEN, None, None
    review.agreement_method, review.agreement_value = "", None
    review.due_on = today + datetime.timedelta(days=signoff_rules().review_due_days)
    review.save()
    audit_record(actor=actor, action="video_review.add_rater", obj=review, stream=portfolio_stream(review.trainee_id),
                 before=before, after={**snapshot(review), "rater": new[0].pk})
    _notify_rater(review, new[0])
    return review
