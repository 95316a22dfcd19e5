"""Helpers every curriculum service shares: the editor check, row locks, validation, saving."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max

from curriculum import policies
from curriculum.models import (
    FROZEN_MESSAGE,
    Lifecycle,
)
from rastrack.core.exceptions import ApplicationError, Conflict, NotPermitted


def require_editor(actor) -> None:
    if not policies.can_edit_curriculum(actor):
        raise NotPermitted("Only programme admins edit standards and curriculum.")


def require_draft(obj, what: str) -> None:
    if obj.status != Lifecycle.DRAFT:
        raise Conflict(FROZEN_MESSAGE.format(what=what))


def locked(model, pk):
    """The row, locked for the rest of the transaction, with its current state."""
    return model.objects.select_for_update().get(pk=pk)


def full_clean_or_400(instance, *, exclude: Iterable[str] = ()) -> None:
    """Field validation (lengths, choices, the PII guard) as per-field 400s."""
    try:
        instance.full_clean(exclude=list(exclude), validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise ApplicationError(errors={
            ("non_field_errors" if field == "__all__" else field): messages
            for field, messages in exc.message_dict.items()
        }) from None


def apply_changes(instance, changes: Mapping[str, Any], allowed: Iterable[str]) -> list[str]:
    allowed = set(allowed)
    unknown = sorted(set(changes) - allowed)
    if unknown:
        raise ApplicationError(errors={name: ["This cannot be changed here."] for name in unknown})
    changed = []
    for name, value in changes.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed.append(name)
    return changed


def save_unique(instance, *, update_fields=None, conflict: dict[str, list[str]]) -> None:
    """Save; a unique constraint lost to a concurrent writer is the same 409 as the pre-check."""
    try:
        with transaction.atomic():
            instance.save(update_fields=update_fields)
    except IntegrityError:
        raise Conflict(errors=conflict) from None


def next_order(queryset) -> int:
    return (queryset.aggregate(m=Max("order"))["m"] or 0) + 1
