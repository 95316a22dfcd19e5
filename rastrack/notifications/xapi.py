"""xAPI statements to a learning record store (LRS), through an outbox: exactly once.

Off unless `XAPI_ENDPOINT` is set (then nothing is stored). Each context reports what happened
with `xapi_record(...)` inside the transaction of the change (a validated case, an assessment,
a sign-off, a certificate); the statement is stored as an `XAPIStatement` row and a Celery
task sends it after commit:

- **claim** by compare-and-set (pending and due -> sending), so two workers never send one row;
- **exactly once**: the statement id is a UUID derived from the idempotency key, and the row's
  key is unique, so recording twice stores one row, and a statement sent again after a worker
  died mid-send is the same id and content, which the LRS stores once;
- **retried** when the store is down or answers 5xx/429: backoff `XAPI_BACKOFF_SECONDS` x 4^n
  (at most 6 h), at most `XAPI_MAX_ATTEMPTS` tries, then failed; a 4xx (the store refuses the
  statement) fails at once; beat's `relay_xapi` sweep sends whatever is due and puts abandoned
  claims back (safe: same id, same content).

**Actor**: an account on RASTrack's home page (`{"homePage": SITE_URL, "name": "<user id>"}`),
never the e-mail address unless `XAPI_ACTOR_EMAIL` is set (then `mbox`). Verbs and activity ids
are listed in README "xAPI".
"""

from __future__ import annotations

import datetime
import logging
import uuid
from functools import partial

import requests
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from rastrack.notifications.models import XAPIStatement, XAPIStatus

logger = logging.getLogger(__name__)

XAPI_VERSION = "1.0.3"
VERBS = {
    "completed": ("http://adlnet.gov/expapi/verbs/completed", "completed"),
    "scored": ("http://adlnet.gov/expapi/verbs/scored", "scored"),
    "passed": ("http://adlnet.gov/expapi/verbs/passed", "passed"),
    "earned": ("http://id.tincanapi.com/verb/earned", "earned"),
}
ACTIVITY_TYPES = {
    "case": "http://adlnet.gov/expapi/activities/performance",
    "assessment": "http://adlnet.gov/expapi/activities/assessment",
    "competency": "http://adlnet.gov/expapi/activities/objective",
    "pathway": "http://adlnet.gov/expapi/activities/course",
    "certificate": "https://w3id.org/xapi/cmi5/activitytype/block",
}


def xapi_enabled() -> bool:
    return bool(settings.XAPI_ENDPOINT)


def iri(path: str) -> str:
    """An IRI of ours: activities, extensions."""
    return f"{settings.SITE_URL}/xapi/{path.strip('/')}"


def actor(user) -> dict:
    if settings.XAPI_ACTOR_EMAIL:
        return {"objectType": "Agent", "mbox": f"mailto:{user.email}"}
    return {"objectType": "Agent", "account": {"homePage": settings.SITE_URL + "/", "name": str(user.pk)}}


def activity(kind: str, key, name: str) -> dict:
    return {"objectType": "Activity", "id": iri(f"activities/{kind}/{key}"),
            "definition": {"type": ACTIVITY_TYPES[kind], "name": {"en-GB": name}}}


def statement_id(key: str) -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, iri(f"statements/{key}"))


def xapi_record(*, key: str, who, verb: str, what: dict, timestamp: datetime.datetime,
                result: dict | None = None, context: dict | None = None) -> XAPIStatement | None:
    """Store a statement in the caller's transaction; it is sent after commit. Idempotent by `key`."""
    if not xapi_enabled():
        return None
    verb_id, verb_name = VERBS[verb]
    sid = statement_id(key)
    statement = {
        "id": str(sid), "actor": actor(who), "verb": {"id": verb_id, "display": {"en-GB": verb_name}},
        "object": what, "timestamp": timestamp.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z"),
        "context": {"platform": "RASTrack", "language": "en-GB", **(context or {})},
    }
    if result:
        statement["result"] = result
    row, created = XAPIStatement.objects.get_or_create(
        idempotency_key=key, defaults={"statement_id": sid, "statement": statement, "verb": verb_id})
    if created:
        transaction.on_commit(partial(xapi_enqueue, row.pk))
    return row


def xapi_enqueue(statement_pk: int) -> bool:
    """Hand the statement to a worker; when the broker is down it waits for the sweep."""
    from rastrack.notifications.tasks import send_xapi_statement

    try:
        send_xapi_statement.apply_async(args=[statement_pk])
    except Exception as exc:  # kombu/redis raise many types for "broker unreachable"
        logger.warning("Broker unreachable, xAPI statement %s stays in the outbox: %s", statement_pk, exc)
        return False
    return True


def _backoff(attempts: int) -> datetime.timedelta:
    return datetime.timedelta(seconds=min(settings.XAPI_BACKOFF_SECONDS * 4 ** max(attempts - 1, 0), 6 * 3600))


def xapi_claim(statement_pk: int, *, now: datetime.datetime | None = None) -> XAPIStatement | None:
    """Compare-and-set pending (and due) -> sending: one caller wins each attempt."""
    now = now or timezone.now()
    won = (XAPIStatement.objects.filter(pk=statement_pk, status=XAPIStatus.PENDING)
           .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
           .update(status=XAPIStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1))
    return XAPIStatement.objects.get(pk=statement_pk) if won == 1 else None


def _finish(row: XAPIStatement, **fields) -> None:
    XAPIStatement.objects.filter(pk=row.pk, status=XAPIStatus.SENDING).update(**fields)


def _retry_or_fail(row: XAPIStatement, error: str, now: datetime.datetime) -> str:
    if row.attempts >= settings.XAPI_MAX_ATTEMPTS:
        _finish(row, status=XAPIStatus.FAILED, last_error=error[:2000])
        return "failed"
    _finish(row, status=XAPIStatus.PENDING, last_error=error[:2000], next_attempt_at=now + _backoff(row.attempts))
    return "retry"


def xapi_deliver(statement_pk: int, *, now: datetime.datetime | None = None) -> str:
    """Send one statement if it is due and unclaimed: "sent", "retry", "failed" or "skipped"."""
    if not xapi_enabled():
        return "skipped"
    row = xapi_claim(statement_pk, now=now)
    if row is None:
        return "skipped"
    now = now or timezone.now()
    try:
        response = requests.post(
            settings.XAPI_ENDPOINT.rstrip("/") + "/statements", json=row.statement,
            auth=(settings.XAPI_USERNAME, settings.XAPI_PASSWORD) if settings.XAPI_USERNAME else None,
            headers={"X-Experience-API-Version": XAPI_VERSION}, timeout=settings.XAPI_TIMEOUT)
    except requests.RequestException as exc:
        return _retry_or_fail(row, f"The learning record store cannot be reached: {exc!r}", now)
    if response.status_code in (200, 204):
        _finish(row, status=XAPIStatus.SENT, sent_at=timezone.now(), last_error="")
        return "sent"
    detail = f"{response.status_code}: {response.text[:500]}"
    if response.status_code >= 500 or response.status_code in (408, 429):
        return _retry_or_fail(row, detail, now)
    # Refused (400 invalid, 401/403 credentials, 409 the id holds another statement): a person looks.
    _finish(row, status=XAPIStatus.FAILED, last_error=detail)
    return "failed"


def xapi_sweep(*, now: datetime.datetime | None = None, limit: int = 500) -> dict[str, int]:
    """Beat's sweep: put abandoned claims back (a resend is the same statement: stored once) and
    enqueue everything due."""
    if not xapi_enabled():
        return {"due": 0, "enqueued": 0, "reclaimed": 0}
    now = now or timezone.now()
    stale = now - datetime.timedelta(seconds=settings.XAPI_CLAIM_TIMEOUT)
    reclaimed = XAPIStatement.objects.filter(status=XAPIStatus.SENDING, claimed_at__lt=stale).update(
        status=XAPIStatus.PENDING, last_error="The worker stopped while sending; sent again (same id).")
    due = list(XAPIStatement.objects.filter(status=XAPIStatus.PENDING)
               .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
               .order_by("id").values_list("id", flat=True)[:limit])
    enqueued = sum(xapi_enqueue(pk) for pk in due)
    return {"due": len(due), "enqueued": enqueued, "reclaimed": reclaimed}
