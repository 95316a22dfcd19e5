"""Whose training records a person may read: THE rule, for every list, page, export and
document download.

A signed-in person reads

- their own records;
- as a trainer, the records of the trainees they may supervise now (the per-object right on
  the trainee's portfolio AND the faculty's eligibility rule, re-checked on every call:
  `rastrack.accounts.supervision`);
- as a regional lead, the records of the trainees now in their region (a trainee's record
  moves with them when they rotate);
- as a programme admin, everyone's.

Anyone else, and a record outside this scope, is a 404: the record's existence is part of
someone else's portfolio. Records a person wrote or was asked to decide (an assessment they
gave, a request addressed to them) are a separate question, answered by each context.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from rastrack.accounts.models import User
from rastrack.accounts.roles import Role
from rastrack.accounts.supervision import may_supervise, supervised_trainee_ids
from rastrack.core.permissions import signed_in

NOBODY = Q(pk__in=[])


def trainee_scope(user, field: str = "trainee", *, read_now: bool = False) -> Q | None:
    """The rows whose trainee (the foreign key `field`; "" for users themselves) `user` may
    read, as a filter; None means every row (programme admin).

    `read_now`: a trainer's supervised trainees are read at once (one small query) and the
    filter names their ids, instead of carrying the rights subquery: for a list whose query
    is built and run twice (its count and its page), the subquery costs more to compile and
    plan than the read. The same rule either way."""
    if not signed_in(user):
        return NOBODY
    if user.has_role(Role.PROGRAMME_ADMIN):
        return None
    prefix = f"{field}__" if field else ""
    own = Q(**{f"{field}_id" if field else "pk": user.pk})
    scope = own
    if user.has_role(Role.TRAINER):
        supervised = supervised_trainee_ids(user)
        if read_now:
            supervised = list(supervised)
        scope |= Q(**{f"{field}_id__in" if field else "pk__in": supervised})
    if user.has_role(Role.REGIONAL_LEAD) and user.region_id:
        scope |= Q(**{f"{prefix}region_id": user.region_id})
    return scope


def scoped(queryset: QuerySet, user, field: str = "trainee", *, read_now: bool = False) -> QuerySet:
    """`queryset` narrowed to the rows `user` may read (`read_now`: see `trainee_scope`)."""
    scope = trainee_scope(user, field, read_now=read_now)
    return queryset if scope is None else queryset.filter(scope)


def trainees_visible_to(user) -> QuerySet[User]:
    """The people whose records `user` may read."""
    return scoped(User.objects.all(), user, field="")


def may_read_records_of(user, trainee) -> bool:
    """The same rule for one person, without a query where the answer is plain."""
    if not signed_in(user) or trainee is None:
        return False
    if user.pk == trainee.pk or user.has_role(Role.PROGRAMME_ADMIN):
        return True
    if user.has_role(Role.REGIONAL_LEAD) and user.region_id and user.region_id == trainee.region_id:
        return True
    return user.has_role(Role.TRAINER) and may_supervise(user, trainee)
