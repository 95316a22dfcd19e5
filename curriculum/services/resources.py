"""Writes of learning resources: submission (up to three items), moderation and mapping."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone

from curriculum import policies
from curriculum.models import (
    Competency,
    LearningResource,
    Licence,
    Module,
    ResourceAudience,
    ResourceFormat,
    ResourceStatus,
    ResourceSubmission,
    ResourceTopic,
    Topic,
)
from curriculum.normalise import normalise_url
from rastrack.audit.services import audit_record, audited
from rastrack.core.exceptions import ApplicationError, Conflict, NotPermitted
from rastrack.core.free_text import free_text, free_text_into
from rastrack.notifications.services import notify

MAX_RESOURCES_PER_SUBMISSION = 3


_url_validator = URLValidator(schemes=["http", "https"])


def _resource_item_errors(item: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}

    def text(name: str, label: str, limit: int) -> None:
        clean[name] = free_text_into(errors, name, item.get(name), required_message=f"Enter the {label}.",
                                     max_length=limit)

    text("title", "title", 200)
    text("provider", "provider (who publishes it)", 200)
    text("description", "description", 2000)
    url = item.get("url")
    url = url.strip() if isinstance(url, str) else ""
    clean["url"] = url
    if not url:
        errors["url"] = ["Enter the resource's web address (http or https)."]
    else:
        try:
            if len(url) > 500:
                raise ValidationError("too long")
            _url_validator(url)
            clean["normalised_url"] = normalise_url(url)
        except (ValidationError, ValueError):
            errors["url"] = ["Enter a full web address starting with http:// or https:// (at most 500 characters)."]
    for name, choices, label in (("format", ResourceFormat, "format"), ("audience", ResourceAudience, "audience"),
                                 ("licence", Licence, "licence")):
        value = item.get(name)
        if value not in choices.values:
            errors[name] = [f"Choose the {label}: one of {', '.join(choices.values)}."]
        clean[name] = value
    topics = item.get("topics") or []
    if isinstance(topics, str):
        topics = [topics]
    unknown = [t for t in topics if t not in Topic.values]
    if unknown:
        errors["topics"] = [f"Unknown topic: {', '.join(map(str, unknown))}."]
    clean["topics"] = sorted(set(topics) - set(unknown))
    if item.get("open_access_confirmed") is not True:
        errors["open_access_confirmed"] = [
            "Confirm that the resource is free and open to access: the catalogue lists only such material."]
    return clean, errors


def _items_error(exc_class, message: str, per_item: list[dict[str, list[str]]]):
    # Errors per item, in the order sent: {"items": [{}, {"url": ["..."]}, ...]}.
    return exc_class(message, errors={"items": per_item})


@transaction.atomic
def resource_submit(*, submitted_by, items: Sequence[Mapping[str, Any]]) -> ResourceSubmission:
    """Submit one to three learning resources for moderation.

    0 or more than 3 items: 400 on `items`. Invalid items: 400 with per-item errors. A URL
    already in the catalogue (pending or approved, after normalisation) or twice in the
    submission: 409 with a `url` message naming the existing resource.
    """
    if not policies.can_submit_resources(submitted_by):
        raise NotPermitted("Sign in to submit resources.")
    items = list(items or [])
    if not items:
        raise ApplicationError(errors={"items": ["Add at least one resource (up to three per submission)."]})
    if len(items) > MAX_RESOURCES_PER_SUBMISSION:
        raise ApplicationError(errors={"items": [
            f"Submit at most {MAX_RESOURCES_PER_SUBMISSION} resources at a time; this submission has {len(items)}."]})
    cleaned, per_item = zip(*(_resource_item_errors(item) for item in items), strict=True)
    if any(per_item):
        raise _items_error(ApplicationError, "Some resources need correcting.", list(per_item))

    from curriculum.selectors import resources_in_catalogue_with_url, resources_visible_to

    existing = resources_in_catalogue_with_url(c["normalised_url"] for c in cleaned)
    # Name only what the submitter may see: someone else's pending title is not theirs to read.
    visible = set(resources_visible_to(submitted_by).filter(
        pk__in=[r.pk for r in existing.values()]).values_list("pk", flat=True))
    duplicates: list[dict[str, list[str]]] = [{} for _ in cleaned]
    seen: dict[str, int] = {}
    for index, item in enumerate(cleaned):
        url = item["normalised_url"]
        if url in existing:
            found = existing[url]
            duplicates[index] = {"url": [
                f"Already in the catalogue: “{found.title}” (resource {found.pk}, "
                f"{found.get_status_display().lower()})." if found.pk in visible else
                "Someone has already submitted this resource: it is waiting for a programme admin to review it."]}
        elif url in seen:
            duplicates[index] = {"url": [f"The same resource as item {seen[url] + 1} of this submission."]}
        seen.setdefault(url, index)
    if any(duplicates):
        raise _items_error(Conflict, "Some resources are already in the catalogue.", duplicates)

    submission = ResourceSubmission.objects.create(submitted_by=submitted_by)
    created = []
    try:
        with transaction.atomic():
            for item in cleaned:
                topics = item.pop("topics")
                resource = LearningResource.objects.create(submission=submission, open_access_confirmed=True, **item)
                ResourceTopic.objects.bulk_create([ResourceTopic(resource=resource, topic=t) for t in topics])
                created.append(resource)
    except IntegrityError:
        # Someone submitted the same URL a moment ago: the database's unique index caught it.
        raise Conflict(errors={"url": ["This resource was submitted by someone else a moment ago."]}) from None
    audit_record(actor=submitted_by, action="resource.submit", obj=submission,
                 after={"items": [{"id": r.pk, "title": r.title, "url": r.url} for r in created]})
    return submission


def _locked_resource(resource: LearningResource) -> LearningResource:
    return (LearningResource.objects.select_for_update().select_related("submission__submitted_by")
            .get(pk=resource.pk))


def _require_moderator(actor) -> None:
    if not policies.can_moderate_resources(actor):
        raise NotPermitted("Only programme admins moderate learning resources.")


_MODERATION_FIELDS = ["status", "moderated_by", "moderated_at", "rejection_reason"]


@transaction.atomic
def resource_approve(*, actor, resource: LearningResource) -> LearningResource:
    _require_moderator(actor)
    resource = _locked_resource(resource)
    if resource.status != ResourceStatus.PENDING:
        raise Conflict(f"This resource has already been {resource.status}.")
    with audited(actor=actor, action="resource.approve", instance=resource, fields=_MODERATION_FIELDS):
        resource.status = ResourceStatus.APPROVED
        resource.moderated_by, resource.moderated_at = actor, timezone.now()
        resource.save(update_fields=["status", "moderated_by", "moderated_at"])
    notify(recipient=resource.submission.submitted_by, kind="resource.approved",
           subject=f"Your resource “{resource.title}” is in the catalogue",
           body=f"Thank you: “{resource.title}” was approved and is now in the learning resource catalogue.",
           key=f"resource.decided:{resource.pk}", link="/curriculum/resources/")
    return resource


@transaction.atomic
def resource_reject(*, actor, resource: LearningResource, reason: str) -> LearningResource:
    _require_moderator(actor)
    reason = free_text("reason", reason, required_message="Say why the resource is rejected: the submitter will read it.")
    resource = _locked_resource(resource)
    if resource.status != ResourceStatus.PENDING:
        raise Conflict(f"This resource has already been {resource.status}.")
    with audited(actor=actor, action="resource.reject", instance=resource, fields=_MODERATION_FIELDS):
        resource.status = ResourceStatus.REJECTED
        resource.rejection_reason = reason
        resource.moderated_by, resource.moderated_at = actor, timezone.now()
        resource.save(update_fields=["status", "rejection_reason", "moderated_by", "moderated_at"])
    notify(recipient=resource.submission.submitted_by, kind="resource.rejected",
           subject=f"Your resource “{resource.title}” was not added",
           body=f"“{resource.title}” was not added to the catalogue: {reason}",
           key=f"resource.decided:{resource.pk}", link="/curriculum/resources/")
    return resource


@transaction.atomic
def resource_map(*, actor, resource: LearningResource, modules: Iterable[Module] | None = None,
                 competencies: Iterable[Competency] | None = None) -> LearningResource:
    """Map a resource to modules and competencies (replacing the mapping given; None keeps it)."""
    _require_moderator(actor)
    resource = _locked_resource(resource)
    before = {"modules": sorted(resource.modules.values_list("pk", flat=True)),
              "competencies": sorted(resource.competencies.values_list("pk", flat=True))}
    if modules is not None:
        resource.modules.set(list(modules))
    if competencies is not None:
        resource.competencies.set(list(competencies))
    after = {"modules": sorted(resource.modules.values_list("pk", flat=True)),
             "competencies": sorted(resource.competencies.values_list("pk", flat=True))}
    audit_record(actor=actor, action="resource.map", obj=resource, before=before, after=after)
    return resource
