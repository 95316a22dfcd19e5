"""Sign-off reminders, escalation, reassignment and one-tap decision links.

Reminders and escalations are "due and not yet sent" sweeps with idempotency keys that name
the request and its due date, so a sweep run twice sends nothing twice, a missed day is
caught up, and a reassigned request (new due date) starts a fresh cycle.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.urls import reverse
from django.utils import timezone

from accreditation.faculty.eligibility import can_supervise
from accreditation.signoff import policies, summaries
from accreditation.signoff.models import DecisionLink, SignoffRequest, SignoffStatus
from rastrack.accounts.models import User
from rastrack.accounts.selectors import regional_leads_by_region
from rastrack.audit.services import audited, portfolio_stream
from rastrack.core.exceptions import ApplicationError, Conflict
from rastrack.core.permissions import refuse_unless
from rastrack.notifications.selectors import notification_keys_stored
from rastrack.notifications.services import notify, notify_many

_SALT = "accreditation.decision-link"
# Reminders stored (with their links) in one transaction of a sweep.
NOTICE_BATCH = 500


# --- One-tap links --------------------------------------------------------------------------

def decision_link_create(*, request: SignoffRequest, now: datetime.datetime | None = None) -> str:
    """A new link for the addressed trainer; returns the URL path (signed token inside)."""
    return decision_links_create(requests=[request], now=now)[0]


def decision_links_create(*, requests: list[SignoffRequest], now: datetime.datetime | None = None) -> list[str]:
    """`decision_link_create` for many requests in one insert; the paths in their order."""
    now = now or timezone.now()
    expires_at = now + datetime.timedelta(days=settings.DECISION_LINK_VALID_DAYS)
    links = DecisionLink.objects.bulk_create(
        [DecisionLink(signoff_request=r, user_id=r.trainer_id, created_at=now, expires_at=expires_at)
         for r in requests])
    return [reverse("accreditation:signoff-decide", args=[signing.dumps(str(link.pk), salt=_SALT)])
            for link in links]


class LinkRefused(Exception):
    """Why a link does nothing: the page says it, and changes nothing."""


def decision_link_open(*, token: str, user: User, now: datetime.datetime | None = None) -> DecisionLink:
    now = now or timezone.now()
    try:
        link_id = signing.loads(token, salt=_SALT)
    except signing.BadSignature:
        raise LinkRefused("This link is not valid. Open the request from your sign-off queue instead.") from None
    link = DecisionLink.objects.select_related("signoff_request__trainee").filter(pk=link_id).first()
    if link is None:
        raise LinkRefused("This link is not valid. Open the request from your sign-off queue instead.")
    if link.user_id != user.pk:
        raise LinkRefused("This link was sent to another trainer: it does nothing for your account.")
    if link.used_at is not None:
        raise LinkRefused("This link has been used already: each link works once.")
    if link.expires_at <= now:
        raise LinkRefused("This link has expired. Open the request from your sign-off queue instead.")
    return link


@transaction.atomic
def decision_link_use(*, token: str, user: User, decision: str, feedback: str = "") -> SignoffRequest:
    """Decide through a link: the link is spent (compare-and-set) in the same transaction as
    the decision, so a refused decision leaves the link usable and a decision happens once."""
    from accreditation.signoff import services as signoff_services

    now = timezone.now()
    link = decision_link_open(token=token, user=user, now=now)
    spent = DecisionLink.objects.filter(pk=link.pk, used_at__isnull=True).update(used_at=now)
    if spent != 1:
        raise LinkRefused("This link has been used already: each link works once.")
    request = link.signoff_request
    if decision == "approve":
        return signoff_services.signoff_request_approve(request=request, actor=user, feedback=feedback)
    if decision == "return":
        return signoff_services.signoff_request_return(request=request, actor=user, feedback=feedback)
    raise ApplicationError(errors={"decision": ["Choose approve or return."]})


# --- Reminders and escalation ---------------------------------------------------------------

def signoff_reminders(*, today: datetime.date) -> dict[str, int]:
    """Remind the trainer before and on the due date; escalate to the trainee's regional
    lead when the request is overdue by SIGNOFF_ESCALATE_AFTER_DAYS.

    Set-based: one read of the requests due, one of the leads of their regions, one of which
    keys are sent already; then, per batch of what is not yet sent, one insert of the
    reminders' decision links and two statements of notifications (`notify_many`). Queries
    grow with the notices to send, a batch at a time, never with the backlog."""
    before = settings.SIGNOFF_REMIND_BEFORE_DAYS
    escalate_after = settings.SIGNOFF_ESCALATE_AFTER_DAYS
    due = list(SignoffRequest.objects.filter(status=SignoffStatus.PENDING,
                                             due_on__lte=today + datetime.timedelta(days=before))
               .select_related("trainee", "trainer").order_by("due_on", "id"))
    overdue = [r for r in due if today >= r.due_on + datetime.timedelta(days=escalate_after)]
    leads = regional_leads_by_region({r.trainee.region_id for r in overdue})

    def reminder_key(request):
        return f"signoff.reminder.{'before' if today < request.due_on else 'due'}:{request.pk}:{request.due_on}"

    def escalation_key(request, lead):
        return f"signoff.escalated:{request.pk}:{request.due_on}:{lead.pk}"

    sent = notification_keys_stored(
        [reminder_key(r) for r in due]
        + [escalation_key(r, lead) for r in overdue for lead in leads.get(r.trainee.region_id, [])])
    reminders = [r for r in due if reminder_key(r) not in sent]
    escalations = [(r, lead) for r in overdue for lead in leads.get(r.trainee.region_id, [])
                   if escalation_key(r, lead) not in sent]
    # The targets' names, for what is to be sent only: a query per kind of target, not per request.
    prefetch_related_objects(list({r.pk: r for r in reminders + [r for r, _ in escalations]}.values()),
                             "competency", "component__module", "enrolment__pathway")
    now = timezone.now()
    for i in range(0, len(reminders), NOTICE_BATCH):
        batch = reminders[i:i + NOTICE_BATCH]
        with transaction.atomic():
            paths = decision_links_create(requests=batch, now=now)
            notices = []
            for request, path in zip(batch, paths, strict=True):
                when = "is due on" if today < request.due_on else "was due on"
                notices.append({
                    "recipient_id": request.trainer_id, "kind": "signoff.reminder", "key": reminder_key(request),
                    "subject": f"Sign-off for {request.trainee.full_name} {when} {request.due_on:%-d %B}",
                    "body": (f"{request.trainee.full_name} asked you to sign off: {request.target_label}. "
                             f"It {when} {request.due_on:%-d %B %Y}. Decide with one tap (you will be "
                             "asked to sign in; the link works once):"),
                    "link": path})
            notify_many(notices)
    for i in range(0, len(escalations), NOTICE_BATCH):
        with transaction.atomic():
            notify_many({
                "recipient_id": lead.pk, "kind": "signoff.escalated", "key": escalation_key(request, lead),
                "subject": f"Overdue sign-off: {request.trainee.full_name}",
                "body": (f"{request.trainee.full_name}'s request to {request.trainer.full_name} "
                         f"({request.target_label}) was due on {request.due_on:%-d %B %Y} and is still "
                         "undecided. You can reassign it to another trainer who may supervise them."),
                "link": reverse("accreditation:signoff", args=[request.pk])}
                for request, lead in escalations[i:i + NOTICE_BATCH])
    return {"reminded": len(reminders), "escalated": len(escalations)}


@transaction.atomic
def signoff_request_reassign(*, request: SignoffRequest, actor: User, trainer: User,
                             today: datetime.date | None = None) -> SignoffRequest:
    """The trainee's regional lead (or a programme admin) hands an overdue request to
    another trainer who may supervise the trainee; the due date starts again."""
    from accreditation.signoff.selectors import signoff_rules

    today = today or timezone.localdate()
    request = (SignoffRequest.objects.select_for_update(of=("self",)).select_related("trainee", "trainer")
               .get(pk=request.pk))
    refuse_unless(policies.refusal_to_reassign(actor, request))
    if request.status != SignoffStatus.PENDING:
        raise Conflict("Only a pending request can be reassigned.")
    if request.due_on >= today:
        raise Conflict("Only an overdue request can be reassigned.")
    if trainer.pk in (request.trainer_id, request.trainee_id) or not can_supervise(trainer, request.trainee, on=today):
        raise ApplicationError(errors={"trainer": [
            "Choose another trainer who may supervise this trainee today."]})
    due_days = signoff_rules().due_days
    counted = summaries.signoff_contributions(request)
    with audited(actor=actor, action="signoff.reassign", instance=request, fields=["trainer", "due_on"],
                 stream=portfolio_stream(request.trainee_id)):
        request.trainer = trainer
        request.due_on = today + datetime.timedelta(days=due_days)
        request.save(update_fields=["trainer", "due_on"])
        summaries.signoff_request_changed(counted, request)
    notify(recipient=trainer, kind="signoff.new", key=f"signoff.reassigned:{request.pk}:{trainer.pk}:{request.due_on}",
           subject=f"Sign-off request from {request.trainee.full_name}",
           body=f"{actor.full_name} passed you {request.trainee.full_name}'s request: {request.target_label}.",
           link=reverse("accreditation:signoff", args=[request.pk]))
    return request


# --- Blinded video reviews: reminders and escalation ------------------------------------------

def video_review_reminders(*, today: datetime.date) -> dict[str, int]:
    """Remind each rater who has not rated, before and on the due date (never naming the
    trainee); escalate an open review to the trainee's regional lead, and to the programme admin
    who opened it, once overdue by SIGNOFF_ESCALATE_AFTER_DAYS, as for sign-offs. Idempotent:
    the keys name the review, its due date and the person. Set-based as `signoff_reminders`:
    which keys are sent is read once for the whole sweep."""
    from accreditation.signoff.models import VideoReview, VideoReviewStatus

    before = settings.SIGNOFF_REMIND_BEFORE_DAYS
    escalate_after = settings.SIGNOFF_ESCALATE_AFTER_DAYS
    counts = {"reminded": 0, "escalated": 0}
    due = list(VideoReview.objects.filter(status=VideoReviewStatus.OPEN,
                                          due_on__lte=today + datetime.timedelta(days=before))
               .select_related("trainee", "case__procedure", "tool", "opened_by")
               .prefetch_related("ratings__rater").order_by("due_on", "id"))
    overdue = [r for r in due if today >= r.due_on + datetime.timedelta(days=escalate_after)]
    leads = regional_leads_by_region({r.trainee.region_id for r in overdue})

    def stage_of(review):
        return "before" if today < review.due_on else "due"

    def waiting_of(review):
        return [r.rater for r in review.ratings.all() if r.rated_at is None]

    def escalated_to(review):
        recipients = list(leads.get(review.trainee.region_id, []))
        if review.opened_by not in recipients:
            recipients.append(review.opened_by)
        return recipients

    sent = notification_keys_stored(
        [f"video_review.reminder.{stage_of(r)}:{r.pk}:{r.due_on}:{rater.pk}" for r in due for rater in waiting_of(r)]
        + [f"video_review.escalated:{r.pk}:{r.due_on}:{person.pk}" for r in overdue for person in escalated_to(r)])
    for review in due:
        stage = stage_of(review)
        waiting = waiting_of(review)
        link = reverse("accreditation:video-review", args=[review.pk])
        for rater in waiting:
            key = f"video_review.reminder.{stage}:{review.pk}:{review.due_on}:{rater.pk}"
            if key in sent:
                continue
            when = "is due on" if stage == "before" else "was due on"
            notify(recipient=rater, kind="video_review.reminder", key=key,
                   subject=f"Video review rating {when} {review.due_on:%-d %B}",
                   body=(f"Your {review.tool.name} rating of a {review.case.procedure.name} video {when} "
                         f"{review.due_on:%-d %B %Y}."),
                   link=link)
            counts["reminded"] += 1
        if today >= review.due_on + datetime.timedelta(days=escalate_after):
            for person in escalated_to(review):
                key = f"video_review.escalated:{review.pk}:{review.due_on}:{person.pk}"
                if key in sent:
                    continue
                notify(recipient=person, kind="video_review.escalated", key=key,
                       subject=f"Overdue video review: {review.trainee.full_name}",
                       body=(f"The blinded {review.tool.name} review of {review.trainee.full_name}'s "
                             f"{review.case.procedure.name} case was due on {review.due_on:%-d %B %Y}; "
                             f"{len(waiting)} rating(s) are still missing. You can add a further rater."),
                       link=link)
                counts["escalated"] += 1
    return counts
