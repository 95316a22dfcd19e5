"""Trainees' structured feedback on sessions and courses, and the only way to read it: in
aggregate, and only once enough people have answered (`FEEDBACK_MIN_RESPONSES`), so that no
answer can be traced to one person. The comments are never shown, only counted."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, Q, QuerySet

from labs.centres import policies
from labs.centres.models import Centre, Course, Feedback
from labs.models import Booking, BookingStatus, LabSession
from rastrack.accounts.models import User
from rastrack.core.exceptions import ApplicationError, Conflict, NotPermitted
from rastrack.core.free_text import free_text

RATINGS = ("overall", "content", "faculty", "facilities")


def _attended(trainee: User, sessions) -> bool:
    return Booking.objects.filter(trainee=trainee, session__in=sessions, status=BookingStatus.ATTENDED).exists()


@transaction.atomic
def feedback_give(*, trainee: User, session: LabSession | None = None, course: Course | None = None,
                  overall: int, content: int, faculty: int, facilities: int, would_recommend: bool,
                  comment: str = "") -> Feedback:
    refusal = policies.refusal_to_give_feedback(trainee)
    if refusal:
        raise NotPermitted(refusal)
    errors = {}
    if (session is None) == (course is None):
        errors["session"] = ["Give feedback on a session or on a course, one of them."]
    for name, value in zip(RATINGS, (overall, content, faculty, facilities), strict=True):
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
            errors[name] = ["Rate it from 1 to 5."]
    if errors:
        raise ApplicationError(errors=errors)
    comment = free_text("comment", comment)
    if session is not None and not _attended(trainee, [session]):
        raise ApplicationError(errors={"session": ["Give feedback on a session you attended."]})
    if course is not None and not _attended(trainee, course.sessions.all()):
        raise ApplicationError(errors={"course": ["Give feedback on a course you attended a session of."]})
    try:
        with transaction.atomic():
            return Feedback.objects.create(trainee=trainee, session=session, course=course, overall=overall,
                                           content=content, faculty=faculty, facilities=facilities,
                                           would_recommend=would_recommend, comment=comment)
    except IntegrityError:
        raise Conflict("You have already given feedback on this.") from None


def feedback_of_centre(centre: Centre) -> QuerySet[Feedback]:
    """Feedback on the centre's courses and, for a lab, on the lab's sessions."""
    on_courses = Q(course__centre=centre)
    return Feedback.objects.filter(on_courses | Q(session__lab_id=centre.lab_id) if centre.lab_id else on_courses)


def _half_up(value) -> str | None:
    return None if value is None else str(Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def aggregate(feedback: QuerySet[Feedback]) -> dict:
    """Count, and the means of each rating and the share who would recommend it when at
    least FEEDBACK_MIN_RESPONSES answered; below that, the count only."""
    minimum = settings.FEEDBACK_MIN_RESPONSES
    figures = feedback.aggregate(responses=Count("id"), recommend=Count("id", filter=Q(would_recommend=True)),
                                 **{name: Avg(name) for name in RATINGS})
    responses = figures["responses"]
    shown = responses >= minimum
    return {"responses": responses, "shown": shown, "minimum_responses": minimum,
            **{name: _half_up(figures[name]) if shown else None for name in RATINGS},
            "would_recommend_percent": round(100 * figures["recommend"] / responses) if shown else None}


def centre_feedback_summary(*, viewer: User, centre: Centre) -> dict:
    """The centre's feedback in aggregate, in all and per course: for its leads, its
    regional lead and programme admins (others: 403)."""
    if not policies.can_read_centre_reports(viewer, centre):
        raise NotPermitted("Only the centre's leads, its regional lead and programme admins read its feedback.")
    courses = [{"course": course.pk, "title": course.title, **aggregate(Feedback.objects.filter(course=course))}
               for course in centre.courses.order_by("title", "id")]
    sessions = (aggregate(Feedback.objects.filter(session__lab_id=centre.lab_id)) if centre.lab_id
                else None)
    return {"centre": centre.pk, "all": aggregate(feedback_of_centre(centre)), "sessions": sessions,
            "courses": courses}
