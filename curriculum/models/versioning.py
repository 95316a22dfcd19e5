"""Versioned material (frameworks and pathways): the lifecycle and the freeze.

A published or retired version is immutable: its parts (standards, competencies, modules,
components, requirements) are saved or deleted only while their owner is a draft, and the
version itself may change only its lifecycle fields. A change is a new version.
"""

from __future__ import annotations

from django.db import models

from rastrack.core.exceptions import Conflict

FROZEN_MESSAGE = (
    "This {what} is published and cannot be changed: create a new version and edit that."
)


class Lifecycle(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    RETIRED = "retired", "Retired"


def _frozen_queryset(status_lookup: str, what: str) -> type[models.QuerySet]:
    """A queryset whose bulk `update` / `delete` refuse rows that belong to published material."""

    class FrozenAwareQuerySet(models.QuerySet):
        def _refuse_frozen(self) -> None:
            if self.exclude(**{status_lookup: Lifecycle.DRAFT}).exists():
                raise Conflict(FROZEN_MESSAGE.format(what=what))

        def update(self, **kwargs):
            self._refuse_frozen()
            return super().update(**kwargs)

        def delete(self):
            self._refuse_frozen()
            return super().delete()

    FrozenAwareQuerySet.__name__ = f"FrozenAwareQuerySet_{what.replace(' ', '_')}"
    return FrozenAwareQuerySet


class DraftOnlyModel(models.Model):
    """A part of a framework or pathway: saved or deleted only while its owner is a draft.

    The owner's status is read from the database, not from a possibly stale instance.
    """

    frozen_what = "framework"

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self._refuse_if_frozen()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._refuse_if_frozen()
        return super().delete(*args, **kwargs)

    def owner_status(self) -> str | None:  # pragma: no cover - each subclass says
        raise NotImplementedError

    def _refuse_if_frozen(self) -> None:
        status = self.owner_status()
        if status is not None and status != Lifecycle.DRAFT:
            raise Conflict(FROZEN_MESSAGE.format(what=self.frozen_what))


class VersionedModel(models.Model):
    """A framework or pathway: once published, only its lifecycle fields may change."""

    # Fields a published or retired version may still change (with update_fields).
    mutable_when_published: frozenset[str] = frozenset({"status", "published_at", "retired_at"})
    frozen_what = "framework"

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            stored = type(self).objects.filter(pk=self.pk).values_list("status", flat=True).first()
            if stored is not None and stored != Lifecycle.DRAFT:
                fields = kwargs.get("update_fields")
                if fields is None or not set(fields) <= self.mutable_when_published:
                    raise Conflict(FROZEN_MESSAGE.format(what=self.frozen_what))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        stored = type(self).objects.filter(pk=self.pk).values_list("status", flat=True).first()
        if stored is not None and stored != Lifecycle.DRAFT:
            raise Conflict(FROZEN_MESSAGE.format(what=self.frozen_what))
        return super().delete(*args, **kwargs)

    @property
    def is_draft(self) -> bool:
        return self.status == Lifecycle.DRAFT
