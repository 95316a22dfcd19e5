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

from django.utils import timezone

from curriculum.progress import EvidenceItem, Measurement, computation_trainees, shared
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
            # Read once per computation: a pathway has several simulation requirements.
            return requirement.component.key in shared("labs.linked_component_keys", lambda: set(
                LabSession.objects.filter(component__isnull=False).order_by().values_list("component__key", flat=True)
                .distinct()))
        return True

    def measure(self, *, trainee, requirement) -> Measurement:
        return self.measure_batch(work=[(trainee, requirement)])[0]

    def measure_batch(self, *, work) -> list[Measurement]:
        """Every pair from one read of the trainees' attended bookings, each requirement's
        taken in memory (`_counts_for`)."""
        trainees = computation_trainees(trainee.pk for trainee, _ in work)
        bookings = shared(("labs.attended", trainees), lambda: _attended(trainees))
        return [self._measured(requirement, [(booking, item) for booking, item in bookings.get(trainee.pk, ())
                                             if _counts_for(booking.session, requirement.component)])
                for trainee, requirement in work]

    def _measured(self, requirement, rows) -> Measurement:
        evidence = tuple(item for _, item in rows)
        if requirement.type == "min_hours":
            hours = sum((b.session.hours for b, _ in rows), Decimal("0")).quantize(HOURS)
            return Measurement(value=hours, evidence=evidence)
        return Measurement(value=len(rows), evidence=evidence)


def _attended(trainee_ids) -> dict[int, list]:
    """Bookings marked attended of sessions not cancelled, by trainee, earliest first."""
    by_trainee: dict[int, list] = {}
    for booking in (Booking.objects.filter(trainee_id__in=trainee_ids, status=BookingStatus.ATTENDED,
                                           session__status=LabSessionStatus.SCHEDULED)
                    .select_related("session", "session__lab", "session__component")
                    .prefetch_related("session__outcomes")
                    .order_by("session__starts_at", "id")):
        item = EvidenceItem("lab_attendance", booking.pk, _label(booking),
                            timezone.localtime(booking.session.starts_at).date())
        by_trainee.setdefault(booking.trainee_id, []).append((booking, item))
    return by_trainee


def _counts_for(session, component) -> bool:
    """`attended`'s rule for one session: linked to the component (by key), or linked to none
    and of a kind that matches the component's."""
    if session.component_id is not None:
        return session.component.key == component.key
    return session.kind in SESSION_KIND_FOR_COMPONENT[component.kind]


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
