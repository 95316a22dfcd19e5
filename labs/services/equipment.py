"""Writes of equipment: adding, editing, taking out of service (sessions that need it are
flagged for their managers)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.db import transaction
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from labs import policies
from labs.models import (
    KIND_OF_TYPE,
    ROBOTIC_EQUIPMENT_TYPES,
    ROBOTIC_SEAT_KINDS,
    TYPE_OF_KIND,
    Equipment,
    EquipmentKind,
    EquipmentStatus,
    EquipmentType,
    Lab,
    LabSession,
    LabSessionStatus,
    SessionRole,
)
from labs.services.common import (
    audit,
    now_or_given,
    session_label,
)
from rastrack.accounts.models import User
from rastrack.audit.services import audit_record, snapshot
from rastrack.core.exceptions import ApplicationError, NotPermitted
from rastrack.core.free_text import free_text
from rastrack.notifications.services import notify
from rastrack.reference.models import Platform


def _check_equipment_fields(*, kind=None, model=None, count=None, status=None, type=None, platform=None) -> dict:
    errors: dict[str, list[str]] = {}
    if kind is not None and kind not in EquipmentKind.values:
        errors["kind"] = [f"Choose one of: {', '.join(EquipmentKind.values)}."]
    if type is not None and type not in EquipmentType.values:
        errors["type"] = [f"Choose one of: {', '.join(EquipmentType.values)}."]
    if platform not in (None, "") and platform not in Platform.values:
        errors["platform"] = [f"Choose one of: {', '.join(Platform.values)}, or none for platform-neutral kit."]
    if type == EquipmentType.LAPAROSCOPIC_BOX_TRAINER and platform:
        errors["platform"] = ["A laparoscopic box trainer belongs to no robotic platform."]
    if status is not None and status not in EquipmentStatus.values:
        errors["status"] = [f"Choose one of: {', '.join(EquipmentStatus.values)}."]
    if count is not None and not (isinstance(count, int) and 1 <= count <= 500):
        errors["count"] = ["Give the number of units, 1 to 500."]
    if errors:
        raise ApplicationError(errors=errors)
    cleaned = {}
    if model is not None:
        cleaned["model"] = free_text("model", model, required_message="Give the make and model.", max_length=200)
    return cleaned


def _type_and_kind(type: str | None, kind: str | None) -> tuple[str | None, str | None]:
    """`type` is the classification now; `kind` (old clients) follows from it, or gives it."""
    if type is not None and type in EquipmentType.values and kind is None:
        kind = KIND_OF_TYPE[type]
    if kind is not None and kind in EquipmentKind.values and type is None:
        type = TYPE_OF_KIND[kind]
    return type, kind


@transaction.atomic
def equipment_create(*, actor: User, lab: Lab, model: str, kind: str | None = None, type: str | None = None,
                     platform: str = "", count: int = 1, status: str = EquipmentStatus.AVAILABLE,
                     notes: str = "") -> Equipment:
    """Add equipment: its `type` (or, from old clients, `kind`) and, unless platform-neutral,
    the platform it trains."""
    if not policies.can_manage_lab(actor, lab):
        raise NotPermitted("Only this lab's managers can add equipment to it.")
    type, kind = _type_and_kind(type, kind)
    if type is None and kind is None:
        raise ApplicationError(errors={"type": [f"Choose one of: {', '.join(EquipmentType.values)}."]})
    cleaned = _check_equipment_fields(kind=kind, model=model, count=count, status=status, type=type,
                                      platform=platform or "")
    equipment = Equipment.objects.create(lab=lab, kind=kind, type=type, platform=platform or "",
                                         model=cleaned["model"], count=count, status=status,
                                         notes=free_text("notes", notes), status_changed_at=timezone.now())
    audit(actor=actor, action="labs.equipment.create", obj=equipment)
    return equipment


@transaction.atomic
def equipment_update(*, actor: User, equipment: Equipment, kind: str | None = None, model: str | None = None,
                     count: int | None = None, status: str | None = None, notes: str | None = None,
                     type: str | None = None, platform: str | None = None,
                     now: datetime.datetime | None = None) -> Equipment:
    """Change equipment. Putting it out of service (or reducing its units) flags the future
    sessions that need it and tells the lab's managers which ones."""
    now = now_or_given(now)
    equipment = Equipment.objects.select_for_update().select_related("lab").get(pk=equipment.pk)
    if not policies.can_manage_lab(actor, equipment.lab):
        raise NotPermitted("Only this lab's managers can change its equipment.")
    type, kind = _type_and_kind(type, kind)
    cleaned = _check_equipment_fields(kind=kind, model=model, count=count, status=status,
                                      type=type or equipment.type,
                                      platform=equipment.platform if platform is None else platform)
    before = snapshot(equipment)
    if kind is not None:
        equipment.kind = kind
    if type is not None:
        equipment.type = type
    if platform is not None:
        equipment.platform = platform
    if "model" in cleaned:
        equipment.model = cleaned["model"]
    if count is not None:
        equipment.count = count
    if notes is not None:
        equipment.notes = free_text("notes", notes)
    status_changed = status is not None and status != equipment.status
    if status_changed:
        equipment.status = status
        equipment.status_changed_at = now
    equipment.save()
    entry = audit_record(actor=actor, action="labs.equipment.update", obj=equipment, before=before,
                         after=snapshot(equipment))
    newly_flagged = sessions_reflag(equipment_ids=[equipment.pk], now=now)
    if newly_flagged:
        _tell_managers_of_flagged(equipment=equipment, sessions=newly_flagged, key=f"{entry.pk}")
    return equipment


def equipment_set_status(*, actor: User, equipment: Equipment, status: str,
                         now: datetime.datetime | None = None) -> Equipment:
    return equipment_update(actor=actor, equipment=equipment, status=status, now=now)


def sessions_reflag(*, equipment_ids: Sequence[int], now: datetime.datetime | None = None) -> list[LabSession]:
    """Recompute `equipment_flagged` of the future scheduled sessions using this equipment:
    flagged when any of their equipment is out of service or their seats exceed the units
    still available. Returns the sessions that became flagged. Three queries, no per-row ones."""
    now = now_or_given(now)
    ids = list(LabSession.objects.filter(status=LabSessionStatus.SCHEDULED, ends_at__gt=now,
                                         equipment__id__in=equipment_ids)
               .values_list("pk", flat=True).distinct())
    if not ids:
        return []
    available = Q(equipment__status=EquipmentStatus.AVAILABLE)
    stats = (LabSession.objects.filter(pk__in=ids).select_related("lab")
             .annotate(units=Coalesce(Sum("equipment__count", filter=available), 0, output_field=IntegerField()),
                       robotic_units=Coalesce(Sum("equipment__count", filter=available & Q(
                           equipment__type__in=ROBOTIC_EQUIPMENT_TYPES)), 0, output_field=IntegerField()),
                       team=Exists(SessionRole.objects.filter(session_id=OuterRef("pk"))),
                       broken=Count("equipment", filter=Q(equipment__status=EquipmentStatus.OUT_OF_SERVICE))))
    # The same seat rule as scheduling (labs/services/platforms.py): robotic kinds count robotic
    # units only; a team session's seats are people.
    needing = [s for s in stats if s.broken or (not s.team and s.seats > (
        s.robotic_units if s.kind in ROBOTIC_SEAT_KINDS else s.units))]
    needing_ids = [s.pk for s in needing]
    LabSession.objects.filter(pk__in=needing_ids, equipment_flagged=False).unaudited_update(
        "equipment_flagged is derived from the equipment, not an audited field", equipment_flagged=True)
    LabSession.objects.filter(pk__in=ids, equipment_flagged=True).exclude(pk__in=needing_ids).unaudited_update(
        "equipment_flagged is derived from the equipment, not an audited field", equipment_flagged=False)
    return [s for s in needing if not s.equipment_flagged]


def _tell_managers_of_flagged(*, equipment: Equipment, sessions: list[LabSession], key: str) -> None:
    listing = "\n".join(f"- {session_label(s)}" for s in sessions)
    state = ("is out of service" if equipment.status == EquipmentStatus.OUT_OF_SERVICE
             else f"now has {equipment.count} unit(s)")
    for manager in User.objects.filter(lab_manager_links__lab_id=equipment.lab_id, is_active=True):
        notify(recipient=manager, kind="labs.equipment_flagged",
               subject=f"{equipment.model} {state}: {len(sessions)} session(s) need attention",
               body=(f"{equipment.model} at {equipment.lab.name} {state}. These upcoming sessions need it; "
                     f"find other equipment, reduce their seats or cancel them:\n{listing}"),
               key=f"labs.equipment_flagged:{equipment.pk}:{key}:{manager.pk}",
               link=reverse("labs:manage-sessions", args=[equipment.lab_id]))
