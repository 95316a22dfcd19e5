"""May this person supervise that trainee's record now? The core's side of the eligibility rule.

The rule itself (accredited and assigned on the day) belongs to the faculty, in
`accreditation.faculty.eligibility`; the core must not import an app, so the faculty registers it
here when Django starts (`AccreditationConfig.ready`). Two things must both hold:

1. the per-object right: django-guardian's "accounts.supervise_portfolio" on the trainee's
   `Portfolio`, granted when an assignment starts and removed when it ends or the
   accreditation is suspended, lapses or is revoked;
2. the registered rule, re-checked on every call, because guardian rows do not expire by
   themselves: the very next request after any of those events is refused.

With no rule registered (the core alone, as in its own tests) the guardian right decides.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.db.models import QuerySet
from guardian.shortcuts import get_objects_for_user

from rastrack.accounts.models import Portfolio, User

SUPERVISE_PORTFOLIO = "accounts.supervise_portfolio"

SupervisionCheck = Callable[..., bool]  # (trainer, trainee, *, on=None) -> bool
SupervisedIds = Callable[..., QuerySet]  # (trainer, *, on=None) -> values_list of trainee ids

_supervision_check: SupervisionCheck | None = None
_supervised_ids: SupervisedIds | None = None


def register_supervision_check(func: SupervisionCheck) -> None:
    """Register the rule `func(trainer, trainee, *, on=None) -> bool` (the faculty's
    `can_supervise`). Registering again replaces it."""
    global _supervision_check
    _supervision_check = func


def register_supervised_trainee_ids(func: SupervisedIds) -> None:
    """Register `func(trainer, *, on=None)` returning the supervised trainees' ids as a lazy
    queryset (the faculty's `supervised_trainee_ids`), for scoping querysets."""
    global _supervised_ids
    _supervised_ids = func


def holds_supervision_right(user: User, trainee: User) -> bool:
    """The guardian right on the trainee's portfolio (object rights only)."""
    try:
        portfolio = trainee.portfolio
    except Portfolio.DoesNotExist:  # only trainees have a portfolio
        return False
    return user.has_perm(SUPERVISE_PORTFOLIO, portfolio)


def may_supervise(user: User, trainee: User, on: datetime.date | None = None) -> bool:
    """The guardian right AND the registered rule on `on` (default today)."""
    if not (user.is_authenticated and user.is_active) or user.pk == trainee.pk:
        return False
    if not holds_supervision_right(user, trainee):
        return False
    if _supervision_check is None:
        return True
    return bool(_supervision_check(user, trainee, on=on))


def supervised_trainee_ids(user: User, on: datetime.date | None = None) -> QuerySet:
    """Ids of the trainees `user` may supervise (same rule as `may_supervise`), lazily, for
    `filter(owner_id__in=...)`."""
    # Object rights only, as `user.has_perm(perm, portfolio)` checks them: a global
    # "supervise_portfolio" grant must not open every portfolio here and none there.
    portfolios = get_objects_for_user(
        user, SUPERVISE_PORTFOLIO, klass=Portfolio, accept_global_perms=False
    )
    if _supervised_ids is not None:
        portfolios = portfolios.filter(trainee_id__in=_supervised_ids(user, on=on))
    return portfolios.order_by().values_list("trainee_id", flat=True)
