"""The lifecycle frameworks and pathways share: publish a draft, retire a published
version, and start a new draft from a published (or retired) one. Written once; each
concept adds only what is its own (its checks, and which children a new draft copies).
"""

from __future__ import annotations

from django.db.models import Max
from django.utils import timezone

from curriculum.models import Lifecycle
from curriculum.services.editing import save_unique
from rastrack.audit.services import audited
from rastrack.core.exceptions import Conflict


def version_require_draft_to_publish(version) -> None:
    if version.status != Lifecycle.DRAFT:
        raise Conflict(f"Only a draft can be published; this version is {version.status}.")


def version_publish(*, actor, version, action: str, supersede_action: str):
    """Draft -> published, audited; the caller has checked what its concept needs first.

    The version published before it (same code) is retired in the same transaction, first,
    with its own audit entry (`supersede_action`): there is never more than one current
    version, which a partial unique index repeats in the database."""
    version_require_draft_to_publish(version)
    previous = (type(version).objects.select_for_update()
                .filter(code=version.code, status=Lifecycle.PUBLISHED).exclude(pk=version.pk).order_by("version"))
    for old in previous:
        version_retire(actor=actor, version=old, action=supersede_action)
    with audited(actor=actor, action=action, instance=version, fields=["status", "published_at"]):
        version.status = Lifecycle.PUBLISHED
        version.published_at = timezone.now()
        version.save(update_fields=["status", "published_at"])
    return version


def version_retire(*, actor, version, action: str):
    """Published -> retired, audited: the same step for a framework and a pathway version."""
    if version.status != Lifecycle.PUBLISHED:
        raise Conflict(f"Only a published version can be retired; this one is {version.status}.")
    with audited(actor=actor, action=action, instance=version, fields=["status", "retired_at"]):
        version.status = Lifecycle.RETIRED
        version.retired_at = timezone.now()
        version.save(update_fields=["status", "retired_at"])
    return version


def current_version_of(model, code: str):
    """The published version of a code, or None (at most one: see version_publish)."""
    return model.objects.filter(code=code, status=Lifecycle.PUBLISHED).first()


def version_require_copyable(source, *, what: str) -> None:
    """A new draft starts from a published or retired version, and only when no draft of the
    same code exists (one draft at a time)."""
    if source.status == Lifecycle.DRAFT:
        raise Conflict("This version is still a draft: edit it instead of copying it.")
    draft = type(source).objects.filter(code=source.code, status=Lifecycle.DRAFT).first()
    if draft is not None:
        raise Conflict(f"Version {draft.version} of this {what} is already a draft: edit or publish it first.")


def version_new_draft(source, *, what: str, **fields):
    """Save the next version of `source` as a draft (version = highest + 1) with `fields`;
    a concurrent copy that took the number first is a 409."""
    model = type(source)
    version = (model.objects.filter(code=source.code).aggregate(m=Max("version"))["m"] or 0) + 1
    copy = model(code=source.code, version=version, created_from=source, **fields)
    save_unique(copy, conflict={"code": [f"Another new version of this {what} was just made."]})
    return copy
