"""Writes of labs: creating and editing a lab, its managers and its opening hours."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import IntegrityError, transaction

from labs import policies
from labs.models import (
    Lab,
    LabManager,
    LabOpeningHours,
    Weekday,
)
from rastrack.accounts.models import User
from rastrack.accounts.roles import Role
from rastrack.audit.services import audit_record, snapshot
from rastrack.core.exceptions import ApplicationError, Conflict, NotPermitted
from rastrack.core.free_text import free_text
from rastrack.reference.models import Region, Site

DEFAULT_OPENING_HOURS = [
    {"weekday": day, "opens": datetime.time(8, 0), "closes": datetime.time(18, 0)} for day in range(5)
]


def _clean_opening_hours(opening_hours: Iterable[dict]) -> list[dict]:
    rows, seen, errors = [], set(), []
    for row in opening_hours:
        weekday, opens, closes = row.get("weekday"), row.get("opens"), row.get("closes")
        if weekday not in Weekday.values:
            errors.append("A weekday is 0 (Monday) to 6 (Sunday).")
            continue
        name = Weekday(weekday).label
        if weekday in seen:
            errors.append(f"{name} is given twice.")
        elif not isinstance(opens, datetime.time) or not isinstance(closes, datetime.time):
            errors.append(f"{name}: give the opening and closing times.")
        elif closes <= opens:
            errors.append(f"{name}: the lab must close after it opens.")
        else:
            rows.append({"weekday": weekday, "opens": opens, "closes": closes})
        seen.add(weekday)
    if errors:
        raise ApplicationError(errors={"opening_hours": errors})
    return sorted(rows, key=lambda r: r["weekday"])


def _check_managers(managers: Iterable[User]) -> list[User]:
    managers = list(dict.fromkeys(managers))
    wrong = [m.full_name or m.email for m in managers if not (m.is_active and m.has_role(Role.LAB_MANAGER))]
    if wrong:
        raise ApplicationError(errors={"managers": [
            f"{name} is not an active lab manager: give them the lab manager role first." for name in wrong]})
    return managers


def _set_opening_hours(lab: Lab, rows: list[dict]) -> None:
    LabOpeningHours.objects.filter(lab=lab).delete()
    LabOpeningHours.objects.bulk_create([LabOpeningHours(lab=lab, **row) for row in rows])


def _hours_snapshot(lab: Lab) -> list:
    return [[h.weekday, h.opens.isoformat(), h.closes.isoformat()]
            for h in LabOpeningHours.objects.filter(lab=lab).order_by("weekday")]


@transaction.atomic
def lab_create(*, actor: User, name: str, region: Region, site: Site, address: str = "",
               description: str = "", opening_hours: Iterable[dict] | None = None,
               managers: Iterable[User] = ()) -> Lab:
    """A programme admin opens a lab at a site of its region. Opening hours default to
    Monday-Friday 08:00-18:00."""
    if not policies.can_create_lab(actor):
        raise NotPermitted("Only a programme admin can add a lab.")
    name = free_text("name", name, required_message="Give the lab's name.", max_length=200)
    if site.region_id != region.pk:
        raise ApplicationError(errors={"site": [f"{site.name} is not in {region.name}: choose a site of the region."]})
    address = free_text("address", address)
    description = free_text("description", description)
    hours = _clean_opening_hours(DEFAULT_OPENING_HOURS if opening_hours is None else opening_hours)
    managers = _check_managers(managers)
    if Lab.objects.filter(name__iexact=name).exists():
        raise Conflict(f"A lab called “{name}” already exists.")
    try:
        with transaction.atomic():
            lab = Lab.objects.create(name=name, region=region, site=site, address=address, description=description)
    except IntegrityError:
        raise Conflict(f"A lab called “{name}” already exists.") from None
    _set_opening_hours(lab, hours)
    LabManager.objects.bulk_create([LabManager(lab=lab, user=m) for m in managers])
    audit_record(actor=actor, action="labs.lab.create", obj=lab, after={
        **snapshot(lab), "opening_hours": _hours_snapshot(lab), "managers": sorted(m.pk for m in managers)})
    return lab


@transaction.atomic
def lab_update(*, actor: User, lab: Lab, name: str | None = None, region: Region | None = None,
               site: Site | None = None, address: str | None = None, description: str | None = None,
               opening_hours: Iterable[dict] | None = None, managers: Iterable[User] | None = None) -> Lab:
    """Change a lab. Its managers (and programme admins) edit the address, description and
    opening hours; only programme admins rename it, move it or name its managers. `None`
    leaves a field as it is."""
    lab = Lab.objects.select_for_update().get(pk=lab.pk)
    if not policies.can_edit_lab(actor, lab):
        raise NotPermitted("Only this lab's managers or a programme admin can change it.")
    # Restating a value unchanged (a PUT sends name, region and site) is not renaming or moving.
    current_managers = set(lab.manager_links.values_list("user_id", flat=True))
    managers = None if managers is None else list(managers)
    changes_admin_only = (
        (name is not None and name.strip() != lab.name)
        or (region is not None and region.pk != lab.region_id)
        or (site is not None and site.pk != lab.site_id)
        or (managers is not None and {m.pk for m in managers} != current_managers)
    )
    if changes_admin_only and not policies.can_set_lab_managers(actor, lab):
        raise NotPermitted("Only a programme admin can rename or move a lab or change its managers.")
    before = {**snapshot(lab), "opening_hours": _hours_snapshot(lab),
              "managers": sorted(lab.manager_links.values_list("user_id", flat=True))}
    if name is not None:
        name = free_text("name", name, required_message="Give the lab's name.", max_length=200)
        if Lab.objects.filter(name__iexact=name).exclude(pk=lab.pk).exists():
            raise Conflict(f"A lab called “{name}” already exists.")
        lab.name = name
    if region is not None:
        lab.region = region
    if site is not None:
        lab.site = site
    if lab.site.region_id != lab.region_id:
        raise ApplicationError(errors={"site": [f"{lab.site.name} is not in {lab.region.name}: "
                                                "choose a site of the region."]})
    if address is not None:
        lab.address = free_text("address", address)
    if description is not None:
        lab.description = free_text("description", description)
    lab.save()
    if opening_hours is not None:
        _set_opening_hours(lab, _clean_opening_hours(opening_hours))
    if managers is not None:
        wanted = _check_managers(managers)
        LabManager.objects.filter(lab=lab).exclude(user__in=wanted).delete()
        have = set(LabManager.objects.filter(lab=lab).values_list("user_id", flat=True))
        LabManager.objects.bulk_create([LabManager(lab=lab, user=m) for m in wanted if m.pk not in have])
    audit_record(actor=actor, action="labs.lab.update", obj=lab, before=before, after={
        **snapshot(lab), "opening_hours": _hours_snapshot(lab),
        "managers": sorted(lab.manager_links.values_list("user_id", flat=True))})
    return lab
