"""Capacity versus need, per region, for the next three months: what
regional leads need to argue for resources.

Lab seats, by session kind (`capacity_versus_need`), each row also broken down by platform
(`by_platform`: need from requirements narrowed to a platform, supply from sessions on it;
platform "" is platform-neutral need and supply, e.g. a box-trainer dry lab, which never
counts as robotic seats of a platform):

- **need**: for trainees whose current region is the region, the lab sessions their *active*
  enrolments still require: the unmet `min_count` / `min_hours` requirements that lab
  attendance measures (provider `labs.attendance`, read from the progress summaries kept by
  `curriculum.progress_summary`), minus the seats they have already booked (confirmed) in
  sessions still to come. Hours are turned into sessions with the mean length of the
  region's upcoming sessions of that kind (else `DEFAULT_SESSION_HOURS`), rounded up.
- **supply**: seats not yet booked in sessions of the region's labs starting within the
  next three months (cancelled sessions left out).
- **shortfall**: need minus supply, never below zero.

Trainers (`trainer_capacity`): places = the sum over accredited trainers in the region of
(the faculty's trainee cap - their current trainees), never below zero per trainer; the
trainees who need a trainer are those with an active enrolment and no active assignment;
the shortfall is the difference, never below zero.

Need is everything still required, not paced to target dates: it says how far the next
three months' seats go towards it.

Queries: need 1, booked ahead 1, supply 1, region names 1; trainers 2 (and the faculty
rules, usually cached). Each is grouped in the database; Python only merges the grouped
rows (regions x kinds).
"""

from __future__ import annotations

import datetime
import math
from decimal import Decimal

from django.db.models import (
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Greatest

from labs.models import Booking, BookingStatus, LabSession, LabSessionStatus
from rastrack.reference.specialties import specialty_q

HORIZON_MONTHS = 3
DEFAULT_SESSION_HOURS = Decimal("4")
NEED_PROVIDER = "labs.attendance"

CAPACITY_COLUMNS = ("region", "region_name", "kind", "still_required", "booked_ahead", "need",
                    "sessions", "seats_free", "shortfall")
TRAINER_COLUMNS = ("region", "region_name", "accredited_trainers", "trainee_cap", "places_free",
                   "trainees_without_trainer", "shortfall")


def horizon(now: datetime.datetime) -> tuple[datetime.datetime, datetime.datetime]:
    """From now to the same moment three months ahead."""
    from rastrack.core.months import add_months

    ahead = add_months(now.date(), HORIZON_MONTHS)
    end = now.replace(year=ahead.year, month=ahead.month, day=min(now.day, 28))
    return now, end


def _region_scope(region_id: int | None, field: str) -> Q:
    return Q() if region_id is None else Q(**{field: region_id})


def _region_names(region_ids) -> dict[int, str]:
    from rastrack.reference.models import Region

    return dict(Region.objects.filter(pk__in=set(region_ids)).values_list("pk", "name"))


def _hours(duration: datetime.timedelta | None) -> Decimal:
    return Decimal(duration.total_seconds()) / Decimal(3600) if duration else Decimal(0)


def capacity_versus_need(region_id: int | None, *, now: datetime.datetime) -> list[dict]:
    """Rows per (region, session kind): still required, booked ahead, need, sessions and free
    seats in the next three months, shortfall. Regions with neither need nor supply are left
    out."""
    from curriculum.models import EnrolmentStatus, RequirementSnapshot

    start, end = horizon(now)
    still = (RequirementSnapshot.objects
             .filter(_region_scope(region_id, "snapshot__enrolment__trainee__region_id"),
                     provider=NEED_PROVIDER, met=False,
                     snapshot__enrolment__status=EnrolmentStatus.ACTIVE,
                     snapshot__enrolment__trainee__region__isnull=False)
             .values("snapshot__enrolment__trainee__region_id", "component_kind", "type", "requirement__platform")
             .annotate(remaining=Sum(F("target") - F("value")))
             .order_by())
    active = Exists(_active_enrolments().filter(trainee_id=OuterRef("trainee_id")))
    ahead = (Booking.objects
             .filter(_region_scope(region_id, "trainee__region_id"), active,
                     trainee__region__isnull=False, status=BookingStatus.CONFIRMED,
                     session__status=LabSessionStatus.SCHEDULED, session__starts_at__gte=start)
             .values("trainee__region_id", "session__kind", "session__platform")
             .annotate(n=Count("id"))
             .order_by())
    length = ExpressionWrapper(F("ends_at") - F("starts_at"), output_field=DurationField())
    supply = (LabSession.objects
              .filter(_region_scope(region_id, "lab__region_id"), status=LabSessionStatus.SCHEDULED,
                      starts_at__gte=start, starts_at__lt=end)
              .values("lab__region_id", "kind", "platform")
              .annotate(sessions=Count("id"), free=Sum(F("seats") - F("seats_booked")), length=Sum(length))
              .order_by())

    rows: dict[tuple[int, str], dict] = {}

    def row(region: int, kind: str) -> dict:
        return rows.setdefault((region, kind), {"region": region, "kind": kind, "count": Decimal(0),
                                                "hours": Decimal(0), "booked_ahead": 0, "sessions": 0,
                                                "seats_free": 0, "length": Decimal(0), "platforms": {}})

    def part(target: dict, platform: str) -> dict:
        return target["platforms"].setdefault(platform or "", {"count": Decimal(0), "hours": Decimal(0),
                                                               "booked_ahead": 0, "sessions": 0, "seats_free": 0})

    for item in still:
        target = row(item["snapshot__enrolment__trainee__region_id"], item["component_kind"])
        field = "hours" if item["type"] == "min_hours" else "count"
        target[field] += item["remaining"] or 0
        part(target, item["requirement__platform"])[field] += item["remaining"] or 0
    for item in ahead:
        target = row(item["trainee__region_id"], item["session__kind"])
        target["booked_ahead"] += item["n"]
        part(target, item["session__platform"])["booked_ahead"] += item["n"]
    for item in supply:
        target = row(item["lab__region_id"], item["kind"])
        target["sessions"] += item["sessions"]
        target["seats_free"] += item["free"] or 0
        target["length"] += _hours(item["length"])
        share = part(target, item["platform"])
        share.update(sessions=item["sessions"], seats_free=item["free"] or 0)

    names = _region_names(region for region, _ in rows)
    result = []
    for (region, kind), found in sorted(rows.items(), key=lambda pair: (names.get(pair[0][0], ""), pair[0][1])):
        per_session = (found["length"] / found["sessions"] if found["sessions"] else None) or DEFAULT_SESSION_HOURS
        figures = _figures(found, per_session)
        by_platform = [{"platform": platform, **_figures(share, per_session)}
                       for platform, share in sorted(found["platforms"].items())]
        result.append({"region": region, "region_name": names.get(region, ""), "kind": kind, **figures,
                       "by_platform": by_platform})
    return result


def _figures(found: dict, per_session: Decimal) -> dict:
    still_required = int(found["count"]) + math.ceil(found["hours"] / per_session)
    need = max(0, still_required - found["booked_ahead"])
    return {"still_required": still_required, "booked_ahead": found["booked_ahead"], "need": need,
            "sessions": found["sessions"], "seats_free": found["seats_free"],
            "shortfall": max(0, need - found["seats_free"])}


def _active_enrolments():
    from curriculum.models import Enrolment, EnrolmentStatus

    return Enrolment.objects.filter(status=EnrolmentStatus.ACTIVE)


def trainer_capacity(region_id: int | None, *, today: datetime.date, specialty: str = "") -> list[dict]:
    """Rows per region: accredited trainers, the cap, free places, trainees who need a trainer
    and the shortfall."""
    from accreditation.faculty.models import Accreditation, AccreditationStatus, Assignment
    from accreditation.faculty.selectors import active_on, faculty_rules
    from rastrack.accounts.models import User

    cap = faculty_rules().max_trainees_per_trainer
    current = (Assignment.objects.filter(active_on(today), trainer_id=OuterRef("trainer_id"))
               .order_by().values("trainer_id").annotate(n=Count("id")).values("n"))
    load = Coalesce(Subquery(current, output_field=IntegerField()), Value(0))
    trainers = (Accreditation.objects
                .filter(_region_scope(region_id, "trainer__region_id"),
                        specialty_q(specialty, specialty_field="specialty", subspecialty_field="subspecialty"),
                        trainer__region__isnull=False, status=AccreditationStatus.ACCREDITED, expires_on__gte=today)
                .values("trainer__region_id")
                .annotate(trainers=Count("id"), places=Sum(Greatest(Value(cap) - load, Value(0))))
                .order_by())
    has_trainer = Exists(Assignment.objects.filter(active_on(today), trainee_id=OuterRef("pk")))
    waiting = (User.objects
               .filter(_region_scope(region_id, "region_id"), region__isnull=False, is_active=True)
               .filter(Exists(_active_enrolments().filter(trainee_id=OuterRef("pk"))))
               .filter(~has_trainer)
               .values("region_id").annotate(n=Count("id")).order_by())

    rows: dict[int, dict] = {}
    for item in trainers:
        rows.setdefault(item["trainer__region_id"], {}).update(trainers=item["trainers"], places=item["places"] or 0)
    for item in waiting:
        rows.setdefault(item["region_id"], {})["waiting"] = item["n"]
    names = _region_names(rows)
    result = []
    for region, found in sorted(rows.items(), key=lambda pair: names.get(pair[0], "")):
        places, waiting_n = found.get("places", 0), found.get("waiting", 0)
        result.append({"region": region, "region_name": names.get(region, ""),
                       "accredited_trainers": found.get("trainers", 0), "trainee_cap": cap,
                       "places_free": places, "trainees_without_trainer": waiting_n,
                       "shortfall": max(0, waiting_n - places)})
    return result
