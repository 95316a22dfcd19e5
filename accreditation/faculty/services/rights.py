"""The per-object right "accounts.supervise_portfolio": held exactly while the trainer is
accredited today and has an assignment active today; refreshed on every change and synced
daily as dates pass."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import Permission
from django.db import transaction
from django.utils import timezone
from guardian.shortcuts import assign_perm, remove_perm

from accreditation.faculty.eligibility import accredited_on_day, is_accredited_on
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


_CHUNK = 500  # ids per IN (...) list: within SQLite's variable limit, few round trips


def _chunks(items: list) -> list[list]:
    return [items[i:i + _CHUNK] for i in range(0, len(items), _CHUNK)]


def _rights_that_should_exist(today: datetime.date) -> set[tuple[int, int]]:
    """(trainer, trainee) pairs the rule grants today, in one query: an assignment active
    today whose trainer's account is active and whose accreditation covers today (the same
    conditions as `_should_hold_right`)."""
    return set(
        Assignment.objects.filter(active_on(today))
        .filter(accredited_on_day(today, "trainer__accreditation__"), trainer__is_active=True)
        .values_list("trainer_id", "trainee_id").distinct()
    )


@transaction.atomic
def supervision_rights_sync(*, today: datetime.date) -> dict[str, int]:
    """Bring every right in line with the rule today: grant those of assignments that start
    today (or were dated in the past), remove those of assignments that ran out, of lapsed or
    suspended accreditations and of deactivated accounts. Idempotent; meant for the schedule
    next to `accreditation_lapse_expired`.

    One diff, not a loop: the rights that should exist (one query) against those that do (one
    query), then bulk inserts and bulk deletes. Its query count is constant in the size of the
    world and grows only with the number of rights that changed (one statement per 500)."""
    should = _rights_that_should_exist(today)
    held = {(user_id, trainee_id): pk for pk, user_id, trainee_id in
            _rights_rows().values_list("pk", "user_id", "content_object__trainee_id")}
    to_grant = sorted(should - held.keys())
    to_remove = sorted(pk for pair, pk in held.items() if pair not in should)
    for ids in _chunks(to_remove):
        PortfolioUserObjectPermission.objects.filter(pk__in=ids).delete()
    if to_grant:
        permission = Permission.objects.get(codename="supervise_portfolio", content_type__app_label="accounts")
        trainee_ids = sorted({trainee_id for _, trainee_id in to_grant})
        portfolios = {}
        for ids in _chunks(trainee_ids):
            portfolios.update(Portfolio.objects.filter(trainee_id__in=ids).values_list("trainee_id", "pk"))
        missing = [pk for pk in trainee_ids if pk not in portfolios]
        if missing:
            Portfolio.objects.bulk_create([Portfolio(trainee_id=pk) for pk in missing], ignore_conflicts=True,
                                          batch_size=_CHUNK)
            for ids in _chunks(missing):
                portfolios.update(Portfolio.objects.filter(trainee_id__in=ids).values_list("trainee_id", "pk"))
        PortfolioUserObjectPermission.objects.bulk_create(
            [PortfolioUserObjectPermission(user_id=trainer_id, permission=permission,
                                           content_object_id=portfolios[trainee_id])
             for trainer_id, trainee_id in to_grant],
            ignore_conflicts=True, batch_size=_CHUNK)
    return {"granted": len(to_grant), "removed": len(to_remove)}
