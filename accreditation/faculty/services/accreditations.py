"""The accreditation state machine: suspend, reinstate, revoke, and the daily lapse of
expired accreditations."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accreditation.faculty.models import (
    Accreditation,
    AccreditationStatus,
)
from accreditation.faculty.policies import (
    can_manage_accreditation,
)
from accreditation.faculty.services.common import (
    audited_change,
)
from accreditation.faculty.services.rights import (
    trainer_rights_refresh,
    trainer_rights_remove_all,
)
from rastrack.accounts.models import User
from rastrack.core.exceptions import Conflict, NotPermitted
from rastrack.core.free_text import free_text
from rastrack.notifications.services import notify

_TRANSITIONS = {
    # verb: (allowed from, to, past tense)
    "suspend": ({AccreditationStatus.ACCREDITED}, AccreditationStatus.SUSPENDED, "suspended"),
    "reinstate": ({AccreditationStatus.SUSPENDED}, AccreditationStatus.ACCREDITED, "reinstated"),
    "revoke": ({AccreditationStatus.ACCREDITED, AccreditationStatus.SUSPENDED},
               AccreditationStatus.REVOKED, "revoked"),
}


def _transition(*, accreditation: Accreditation, actor: User, verb: str, reason: str,
                today: datetime.date | None) -> Accreditation:
    today = today or timezone.localdate()
    accreditation = (
        Accreditation.objects.select_related("trainer")
        .select_for_update(of=("self",)).get(pk=accreditation.pk)
    )
    if actor.pk == accreditation.trainer_id:
        raise NotPermitted("Nobody decides their own accreditation.")
    if not can_manage_accreditation(actor, accreditation):
        raise NotPermitted("Only a programme admin or the trainer's regional lead may do this.")
    reason = free_text("reason", reason, required_message="Give a reason.")
    allowed, target, done = _TRANSITIONS[verb]
    if accreditation.status not in allowed:
        hint = " Only an approved renewal brings a lapsed accreditation back." \
            if accreditation.status == AccreditationStatus.LAPSED else ""
        raise Conflict(f"An accreditation that is {accreditation.status} cannot be {done}.{hint}")
    if verb == "reinstate" and accreditation.expires_on < today:
        raise Conflict(f"It expired on {accreditation.expires_on:%d %B %Y} while suspended: only an "
                       "approved renewal can bring it back.")

    def mutate(acc):
        acc.status = target
        acc.status_reason = reason
        acc.status_changed_at = timezone.now()

    entry_id = audited_change(actor=actor, action=f"accreditation.{verb}", instance=accreditation,
                       fields=["status", "status_reason", "status_changed_at", "updated_at"],
                       mutate=mutate)
    if target == AccreditationStatus.ACCREDITED:
        trainer_rights_refresh(trainer=accreditation.trainer, today=today)
    else:
        trainer_rights_remove_all(accreditation.trainer)
    notify(
        recipient=accreditation.trainer, kind=f"accreditation.{done}",
        subject=f"Your trainer accreditation is {done}",
        body=f"Your RAS trainer accreditation is {done}.\n\nReason: {reason}",
        key=f"accreditation.{done}:{accreditation.pk}:{entry_id}",
        link=reverse("accreditation:mine"),
    )
    return accreditation


@transaction.atomic
def accreditation_suspend(*, accreditation: Accreditation, actor: User, reason: str,
                          today: datetime.date | None = None) -> Accreditation:
    """accredited -> suspended; the trainer's rights go at once."""
    return _transition(accreditation=accreditation, actor=actor, verb="suspend", reason=reason, today=today)


@transaction.atomic
def accreditation_reinstate(*, accreditation: Accreditation, actor: User, reason: str,
                            today: datetime.date | None = None) -> Accreditation:
    """suspended -> accredited (if not expired meanwhile); rights of open assignments return."""
    return _transition(accreditation=accreditation, actor=actor, verb="reinstate", reason=reason, today=today)


@transaction.atomic
def accreditation_revoke(*, accreditation: Accreditation, actor: User, reason: str,
                         today: datetime.date | None = None) -> Accreditation:
    """accredited | suspended -> revoked, for good; the trainer's rights go at once."""
    return _transition(accreditation=accreditation, actor=actor, verb="revoke", reason=reason, today=today)


def accreditation_lapse_expired(*, today: datetime.date) -> int:
    """Lapse every accredited accreditation whose last valid day (`expires_on`) is before
    `today`; returns how many lapsed. Idempotent: a second run finds none and writes nothing.

    The system is the actor (audit actor None). Each accreditation lapses in its own
    transaction, so a long run holds no lock for long and a renewal approved meanwhile wins.
    """
    due = list(
        Accreditation.objects.filter(status=AccreditationStatus.ACCREDITED, expires_on__lt=today)
        .order_by("id").values_list("pk", flat=True)
    )
    lapsed = 0
    for pk in due:
        with transaction.atomic():
            accreditation = (
                Accreditation.objects.select_related("trainer").select_for_update(of=("self",))
                .filter(pk=pk, status=AccreditationStatus.ACCREDITED, expires_on__lt=today).first()
            )
            if accreditation is None:  # renewed or changed since the list was read
                continue
            last_day = accreditation.expires_on

            def mutate(acc, last_day=last_day):
                acc.status = AccreditationStatus.LAPSED
                acc.status_reason = f"Expired: the last valid day was {last_day.isoformat()}."
                acc.status_changed_at = timezone.now()

            audited_change(actor=None, action="accreditation.lapse", instance=accreditation,
                    fields=["status", "status_reason", "status_changed_at", "updated_at"], mutate=mutate)
            trainer_rights_remove_all(accreditation.trainer)
            notify(
                recipient=accreditation.trainer, kind="accreditation.lapsed",
                subject="Your trainer accreditation has lapsed",
                body=f"Your RAS trainer accreditation expired on {last_day:%d %B %Y} and has "
                     "lapsed. Apply for a renewal to be accredited again.",
                key=f"accreditation.lapsed:{accreditation.pk}:{last_day.isoformat()}",
                link=reverse("accreditation:mine"),
            )
            lapsed += 1
    return lapsed
