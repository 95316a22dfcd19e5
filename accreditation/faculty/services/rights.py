"""The per-object right "accounts.supervise_portfolio": held exactly while the trainer is
accredited today and has an assignment active today; refreshed on every change and synced
daily as dates pass."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from guardian.shortcuts import assign_perm, remove_perm

from accreditation.faculty.eligibility import is_accredited_on
from accreditation.faculty.models import (
    Assignment,
)
from accreditation.faculty.selectors import active_on
from accreditation.faculty.services.common import (
    SUPERVISE_PORTFOLIO,
)
from rastrack.accounts.models import Portfolio, PortfolioUserObjectPermission, User


def _should_hold_right(trainer: User, trainee_id: int, today: datetime.date) -> bool:
    return (
        trainer.is_active
        and is_accredited_on(trainer, today)
        and Assignment.objects.filter(active_on(today), trainer=trainer, trainee_id=trainee_id).exists()
    )


def supervision_right_refresh(*, trainer: User, trainee: User,
                              today: datetime.date | None = None) -> bool:
    """Grant or remove the trainer's guardian right on the trainee's portfolio so that it
    matches the rule today. Idempotent; returns whether the right is now held."""
    today = today or timezone.localdate()
    portfolio, _ = Portfolio.objects.get_or_create(trainee=trainee)
    held = _should_hold_right(trainer, trainee.pk, today)
    if held:
        assign_perm(SUPERVISE_PORTFOLIO, trainer, portfolio)
    else:
        remove_perm(SUPERVISE_PORTFOLIO, trainer, portfolio)
    return held


def _rights_rows(**filters):
    return PortfolioUserObjectPermission.objects.filter(
        permission__codename="supervise_portfolio",
        permission__content_type__app_label="accounts",
        **filters,
    )


def trainer_rights_refresh(*, trainer: User, today: datetime.date | None = None) -> None:
    """Refresh the trainer's rights on every trainee they hold a right on or are assigned to."""
    today = today or timezone.localdate()
    trainee_ids = set(
        Assignment.objects.filter(active_on(today), trainer=trainer).values_list("trainee_id", flat=True)
    ) | set(_rights_rows(user=trainer).values_list("content_object__trainee_id", flat=True))
    for trainee in User.objects.filter(pk__in=trainee_ids):
        supervision_right_refresh(trainer=trainer, trainee=trainee, today=today)


def trainer_rights_remove_all(trainer: User) -> int:
    return _rights_rows(user=trainer).delete()[0]


def supervision_rights_sync(*, today: datetime.date) -> dict[str, int]:
    """Bring every right in line with the rule today: grant those of assignments that start
    today (or were dated in the past), remove those of assignments that ran out. Idempotent;
    meant for the daily schedule next to `accreditation_lapse_expired`."""
    pairs = set(
        Assignment.objects.filter(active_on(today)).values_list("trainer_id", "trainee_id")
    ) | set(_rights_rows().values_list("user_id", "content_object__trainee_id"))
    granted = removed = 0
    people = User.objects.in_bulk({pk for pair in pairs for pk in pair})
    for trainer_id, trainee_id in sorted(pairs):
        trainer, trainee = people[trainer_id], people[trainee_id]
        had = _rights_rows(user=trainer, content_object__trainee_id=trainee_id).exists()
        with transaction.atomic():
            holds = supervision_right_refresh(trainer=trainer, trainee=trainee, today=today)
        granted += holds and not had
        removed += had and not holds
    return {"granted": granted, "removed": removed}
