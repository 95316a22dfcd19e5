"""Lab attendance as evidence for the curriculum's progress engine.

`LabAttendanceProvider` measures `min_count` (sessions attended) and `min_hours` (hours
attended) requirements of components of kind simulation, dry_lab and wet_lab.

What counts for a requirement of component C (kind K): bookings marked **attended** (never
no-shows, waitlisted or cancelled ones) of sessions that are not cancelled and

- are linked to C (`LabSession.component`, matched by the component's `key`, which stays the
  same across pathway versions), whatever their kind; or
- are linked to no component and are of a session kind that matches K
  (simulation -> simulation, dry_lab -> dry_lab, wet_lab -> wet_lab or cadaveric).

Team sessions count like any other for each member whose booking is marked attended (the
team's attendance is recorded once, labs/services/teams.py); the evidence names the member's
team role and the team's measured outcomes.

A session linked to another component never counts for C. Hours are each session's length.

Not shadowing the logbook: the logbook's simulator provider ("accreditation.simulator")
measures simulation requirements from the trainee's own simulator log. progress_for asks
providers in registration order and the first whose handles() is true wins, so for
**simulation** components this provider answers only when the curriculum has lab sessions
linked to that exact component (by key): that link is how a lab says "attendance is the
evidence here". Otherwise it declines and the simulator log counts as before. `min_score`
is always the simulator's. Dry- and wet-lab count/hours requirements are always ours
(no other provider measures them). `register()` places this provider just before the
simulator provider so that the rule above can take effect; every other provider keeps its
order.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from curriculum.progress import EvidenceItem, Measurement
from labs.models import Booking, BookingStatus, LabSession, LabSessionStatus

# Component kind -> the session kinds that count for it when a session is not linked.
SESSION_KIND_FOR_COMPONENT = {"simulation": ("simulation",), "dry_lab": ("dry_lab",),
                              "wet_lab": ("wet_lab", "cadaveric")}
MEASURED_TYPES = ("min_count", "min_hours")
SIMULATOR_PROVIDER = "accreditation.simulator"
HOURS = Decimal("0.1")


class LabAttendanceProvider:
    name = "labs.attendance"

    def handles(self, requirement) -> bool:
        kind = requirement.component.kind
        if requirement.type not in MEASURED_TYPES or kind not in SESSION_KIND_FOR_COMPONENT:
            return False
        if kind == "simulation":
            return LabSession.objects.filter(component__key=requirement.component.key).exists()
        return True

    def attended(self, *, trainee, requirement):
        component = requirement.component
        linked = Q(session__component__key=component.key)
        unlinked_same_kind = Q(session__component__isnull=True,
                               session__kind__in=SESSION_KIND_FOR_COMPONENT[component.kind])
        return (Booking.objects.filter(trainee=trainee, status=BookingStatus.ATTENDED,
                                       session__status=LabSessionStatus.SCHEDULED)
                .filter(linked | unlinked_same_kind))

    def measure(self, *, trainee, requirement) -> Measurement:
        rows = list(self.attended(trainee=trainee, requirement=requirement)
                    .select_related("session", "session__lab")
                    .prefetch_related("session__outcomes")
                    .order_by("session__starts_at", "id"))
        evidence = tuple(
            EvidenceItem("lab_attendance", b.pk, _label(b), timezone.localtime(b.session.starts_at).date())
            for b in rows
        )
        if requirement.type == "min_hours":
            hours = sum((b.session.hours for b in rows), Decimal("0")).quantize(HOURS)
            return Measurement(value=hours, evidence=evidence)
        return Measurement(value=len(rows), evidence=evidence)


def _label(booking) -> str:
    session = booking.session
    label = f"{session.display_title}, {session.lab.name} ({session.hours} h)"
    if booking.role:
        label += f", as {booking.get_role_display().lower()}"
    outcomes = list(session.outcomes.all())
    if outcomes:
        label += "; team: " + ", ".join(str(o) for o in outcomes)
    return label


def register() -> None:
    """Register the provider just before the logbook's simulator provider (or last if that
    one is not registered), leaving every other provider where it was. Idempotent."""
    from curriculum.progress import register_provider, registered_providers, unregister_provider
    from curriculum.progress_summary import watch

    watch(Booking)
    provider = LabAttendanceProvider()
    others = [p for p in registered_providers() if p.name != provider.name]
    names = [p.name for p in others]
    unregister_provider(provider.name)
    if SIMULATOR_PROVIDER not in names:
        register_provider(provider)
        return
    after = others[names.index(SIMULATOR_PROVIDER):]
    for moved in after:
        unregister_provider(moved.name)
    register_provider(provider)
    for moved in after:
        register_provider(moved)
