"""Assessment tool versions: a programme admin publishes, retires or copies one; a published
version is frozen (409)."""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from accreditation.signoff import policies
from accreditation.signoff.models import (
    AssessmentTool,
)
from rastrack.accounts.models import User
from rastrack.audit.services import audit_record, snapshot
from rastrack.core.exceptions import ApplicationError, Conflict
from rastrack.core.permissions import refuse_unless

MAX_EVIDENCE = 200

SIGNOFF_FIELDS = ["status", "decided_at", "decided_by", "feedback", "reversed_at", "reversed_by",
                  "reversal_reason", "withdrawn_at"]

Listener = Callable[..., None]
_final_approved_listeners: list[Listener] = []
_final_reversed_listeners: list[Listener] = []


# --- Assessment tool versions ----------------------------------------------------------------------
#
# Like a framework: a draft version may be edited (Django admin, audited), a published one never
# changes (409 here, and the model refuses it too), and publishing a new version of a code retires
# the one in use, so exactly one version of each code takes new assessments. Recorded
# assessments keep pointing at the version they were scored with.


def _tool_locked(tool: AssessmentTool) -> AssessmentTool:
    return AssessmentTool.objects.select_for_update().get(pk=tool.pk)


@transaction.atomic
def assessment_tool_publish(*, actor: User, tool: AssessmentTool) -> AssessmentTool:
    refuse_unless(policies.refusal_to_manage_tools(actor))
    tool = _tool_locked(tool)
    if tool.published_at is not None:
        raise Conflict(f"{tool.name} v{tool.version} is published already.")
    if not tool.domains.exists():
        raise ApplicationError(errors={"domains": ["Give the tool at least one domain before publishing it."]})
    for previous in AssessmentTool.objects.select_for_update().filter(code=tool.code, is_active=True).exclude(
            pk=tool.pk):
        before = snapshot(previous)
        previous.is_active = False
        previous.save(update_fields=["is_active"])
        audit_record(actor=actor, action="assessment_tool.retire", obj=previous, before=before,
                     after=snapshot(previous))
    before = snapshot(tool)
    tool.published_at = timezone.now()
    tool.is_active = True
    # Saved as a draft (not yet frozen), so the model lets the publication through.
    AssessmentTool.objects.filter(pk=tool.pk).update(published_at=tool.published_at, is_active=True)
    audit_record(actor=actor, action="assessment_tool.publish", obj=tool, before=before, after=snapshot(tool))
    return tool


@transaction.atomic
def assessment_tool_retire(*, actor: User, tool: AssessmentTool) -> AssessmentTool:
    refuse_unless(policies.refusal_to_manage_tools(actor))
    tool = _tool_locked(tool)
    if not tool.is_active:
        raise Conflict(f"{tool.name} v{tool.version} is retired already.")
    before = snapshot(tool)
    tool.is_active = False
    tool.save(update_fields=["is_active"])
    audit_record(actor=actor, action="assessment_tool.retire", obj=tool, before=before, after=snapshot(tool))
    return tool


@transaction.atomic
def assessment_tool_new_version(*, actor: User, tool: AssessmentTool) -> AssessmentTool:
    """A draft copy of a published version (same code, next version, not yet offered)."""
    refuse_unless(policies.refusal_to_manage_tools(actor))
    tool = _tool_locked(tool)
    if tool.published_at is None:
        raise Conflict("Edit the draft itself: only a published version is copied into a new one.")
    latest = AssessmentTool.objects.filter(code=tool.code).order_by("-version").values_list("version", flat=True)[0]
    draft = AssessmentTool.objects.create(
        code=tool.code, version=latest + 1, name=tool.name, description=tool.description,
        scale_min=tool.scale_min, scale_max=tool.scale_max, total_meaningful=tool.total_meaningful,
        is_active=False)
    for domain in tool.domains.order_by("order", "id"):
        draft.domains.create(code=domain.code, name=domain.name, description=domain.description,
                             order=domain.order, anchors=domain.anchors)
    audit_record(actor=actor, action="assessment_tool.new_version", obj=draft, after=snapshot(draft))
    return draft
