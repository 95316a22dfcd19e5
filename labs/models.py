"""Regional skills labs, equipment, sessions and bookings.

The shape::

    Lab (region, host site, address)
      LabManager (lab, user)            who manages it: the source of truth for lab rights
      LabOpeningHours (weekday 0-6)      sessions must lie within these hours
      Equipment (type, platform, kind, model, count, status)
      LabSession (kind, time slot, seats, platform, faculty, equipment, curriculum links)
        SessionRole (role, seats)        team sessions: seats by theatre-team role
        TeamOutcome (measure, value)     a team's measured outcome, recorded once for all
        Booking (trainee, role, status)  confirmed while seats (of the role) remain, then waitlisted

Invariants the database keeps (not only Python):

- `LabSession.seats_booked` counts the bookings that hold a seat (confirmed, attended,
  no-show); a CHECK keeps it between 0 and `seats`, and the booking services update it in
  the same transaction as the booking, with the session row locked. Two trainees racing for
  the last seat can never both get it: the second waits for the lock, then sees it taken.
- One booking per trainee and session that is not cancelled (a partial unique index).
- A team session's seats are the sum of its roles' seats; each `SessionRole.seats_booked`
  is guarded like the session's counter (CHECK between 0 and its seats, changed under the
  session's row lock), so the last seat of a role raced by two people goes to one.
- Times, seats, counts and statuses are checked by CHECK constraints.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower

from rastrack.audit.querysets import AuditedManager
from rastrack.core.pii import NoPIIValidator
from rastrack.reference.models import Platform, Region, Site

# --- Choices ---------------------------------------------------------------------------------


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class EquipmentKind(models.TextChoices):
    VR_CONSOLE_SIMULATOR = "vr_console_simulator", "VR console simulator"
    DRY_LAB_ROBOT = "dry_lab_robot", "Dry-lab robot or console"
    BOX_TRAINER = "box_trainer", "Box trainer"
    WET_LAB_STATION = "wet_lab_station", "Wet-lab station"
    OTHER = "other", "Other"


class EquipmentType(models.TextChoices):
    """What a unit is for (DOMAIN.md): the robotic types give robotic seats; a laparoscopic
    box trainer never does."""

    CONSOLE_SIMULATOR = "console_simulator", "Console simulator"
    DUAL_CONSOLE = "dual_console", "Dual console"
    DRY_LAB_ROBOT = "dry_lab_robot", "Dry-lab robot"
    WET_LAB_STATION = "wet_lab_station", "Wet-lab station"
    CADAVER_STATION = "cadaver_station", "Cadaver station"
    VR_TRAINER = "vr_trainer", "VR trainer"
    LAPAROSCOPIC_BOX_TRAINER = "laparoscopic_box_trainer", "Laparoscopic box trainer"
    OTHER = "other", "Other"


ROBOTIC_EQUIPMENT_TYPES = (EquipmentType.CONSOLE_SIMULATOR, EquipmentType.DUAL_CONSOLE,
                           EquipmentType.DRY_LAB_ROBOT, EquipmentType.VR_TRAINER)
# The old `kind` and the `type` that replaces it, both ways (old clients still send `kind`).
TYPE_OF_KIND = {
    "vr_console_simulator": EquipmentType.CONSOLE_SIMULATOR,
    "dry_lab_robot": EquipmentType.DRY_LAB_ROBOT,
    "box_trainer": EquipmentType.LAPAROSCOPIC_BOX_TRAINER,
    "wet_lab_station": EquipmentType.WET_LAB_STATION,
    "other": EquipmentType.OTHER,
}
KIND_OF_TYPE = {
    EquipmentType.CONSOLE_SIMULATOR: "vr_console_simulator",
    EquipmentType.VR_TRAINER: "vr_console_simulator",
    EquipmentType.DUAL_CONSOLE: "dry_lab_robot",
    EquipmentType.DRY_LAB_ROBOT: "dry_lab_robot",
    EquipmentType.LAPAROSCOPIC_BOX_TRAINER: "box_trainer",
    EquipmentType.WET_LAB_STATION: "wet_lab_station",
    EquipmentType.CADAVER_STATION: "wet_lab_station",
    EquipmentType.OTHER: "other",
}


class EquipmentStatus(models.TextChoices):
    AVAILABLE = "available", "Available"
    OUT_OF_SERVICE = "out_of_service", "Out of service"


class LabSessionKind(models.TextChoices):
    SIMULATION = "simulation", "Simulation"
    DRY_LAB = "dry_lab", "Dry lab"
    WET_LAB = "wet_lab", "Wet lab"
    COURSE = "course", "Course"
    CONSOLE_PRACTICE = "console_practice", "Console practice"
    TEAM_TRAINING = "team_training", "Team training and crisis simulation"
    CADAVERIC = "cadaveric", "Cadaveric"
    ASSESSMENT = "assessment", "Assessment"
    TRAIN_THE_TRAINER = "train_the_trainer", "Train the trainer"
    TELE_MENTORING = "tele_mentoring", "Tele-mentoring"


# Kinds whose seats are robotic seats: only robotic equipment (never a box trainer) gives them.
ROBOTIC_SEAT_KINDS = (LabSessionKind.SIMULATION, LabSessionKind.CONSOLE_PRACTICE)


class TeamRole(models.TextChoices):
    """The theatre team's roles a team session has seats for."""

    CONSOLE_SURGEON = "console_surgeon", "Console surgeon"
    BEDSIDE_ASSISTANT = "bedside_assistant", "Bedside assistant"
    SCRUB_NURSE = "scrub_nurse", "Scrub nurse"
    CIRCULATING_NURSE = "circulating_nurse", "Circulating nurse"
    ANAESTHETIST = "anaesthetist", "Anaesthetist"
    ODP = "odp", "Operating department practitioner"


class TeamMeasure(models.TextChoices):
    """What a team drill measures (DOMAIN.md: emergency undocking 86 s to 25 s; OTAS)."""

    UNDOCKING_TIME_S = "undocking_time_s", "Emergency undocking time (seconds)"
    TIME_TO_STEP_S = "time_to_step_s", "Time to a called step (seconds)"
    OTAS_SCORE = "otas_score", "OTAS score"


class LabSessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    CANCELLED = "cancelled", "Cancelled"


class BookingStatus(models.TextChoices):
    CONFIRMED = "confirmed", "Confirmed"
    WAITLISTED = "waitlisted", "On the waitlist"
    CANCELLED = "cancelled", "Cancelled"
    ATTENDED = "attended", "Attended"
    NO_SHOW = "no_show", "Did not attend"


# Bookings that hold a seat (what `LabSession.seats_booked` counts).
SEAT_HOLDING = (BookingStatus.CONFIRMED, BookingStatus.ATTENDED, BookingStatus.NO_SHOW)
# Bookings that are still "on": a second one of the same session is a duplicate (409).
LIVE_BOOKING = (BookingStatus.CONFIRMED, BookingStatus.WAITLISTED)
NOT_CANCELLED = (*SEAT_HOLDING, BookingStatus.WAITLISTED)
ATTENDANCE = (BookingStatus.ATTENDED, BookingStatus.NO_SHOW)


# --- Labs ------------------------------------------------------------------------------------


class Lab(models.Model):
    name = models.CharField(max_length=200)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="labs")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="labs",
                             help_text="The hospital or trust site that hosts the lab (in the lab's region).")
    address = models.TextField(blank=True, validators=[NoPIIValidator()])
    description = models.TextField(blank=True, validators=[NoPIIValidator()])
    managers = models.ManyToManyField(settings.AUTH_USER_MODEL, through="LabManager", related_name="managed_labs")
    created_at = models.DateTimeField(auto_now_add=True)

    # Audited: bulk updates are refused (rastrack/audit/querysets.py); change rows through services.
    objects = AuditedManager()

    class Meta:
        ordering = ["region__name", "name", "id"]
        constraints = [models.UniqueConstraint(Lower("name"), name="lab_name_unique_ci")]

    def __str__(self) -> str:
        return self.name


class LabManager(models.Model):
    """A lab manager of one lab: the only source of per-lab management rights."""

    lab = models.ForeignKey(Lab, on_delete=models.CASCADE, related_name="manager_links")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="lab_manager_links")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["lab_id", "user_id"]
        constraints = [models.UniqueConstraint(fields=["lab", "user"], name="lab_manager_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} manages {self.lab_id}"


class LabOpeningHours(models.Model):
    """Opening hours of one weekday (local time). A weekday without a row is closed."""

    lab = models.ForeignKey(Lab, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    opens = models.TimeField()
    closes = models.TimeField()

    class Meta:
        ordering = ["lab_id", "weekday"]
        constraints = [
            models.UniqueConstraint(fields=["lab", "weekday"], name="lab_opening_hours_one_per_day"),
            models.CheckConstraint(condition=Q(weekday__gte=0, weekday__lte=6), name="lab_opening_hours_weekday_valid"),
            models.CheckConstraint(condition=Q(closes__gt=F("opens")), name="lab_opening_hours_close_after_open"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}-{self.closes:%H:%M}"


# --- Equipment -------------------------------------------------------------------------------


class Equipment(models.Model):
    lab = models.ForeignKey(Lab, on_delete=models.PROTECT, related_name="equipment")
    kind = models.CharField(max_length=30, choices=EquipmentKind.choices,
                            help_text="The first classification, kept readable for old clients; see `type`.")
    type = models.CharField(max_length=30, choices=EquipmentType.choices, default=EquipmentType.OTHER)
    platform = models.CharField(max_length=20, choices=Platform.choices, blank=True,
                                help_text="The robotic platform it trains; empty for platform-neutral kit.")
    model = models.CharField(max_length=200, help_text="Make and model, e.g. “Mimic dV-Trainer”.")
    count = models.PositiveSmallIntegerField(default=1, help_text="Identical units of this model.")
    status = models.CharField(max_length=20, choices=EquipmentStatus.choices, default=EquipmentStatus.AVAILABLE)
    notes = models.TextField(blank=True, validators=[NoPIIValidator()])
    status_changed_at = models.DateTimeField(null=True, blank=True)

    # Audited: bulk updates are refused (rastrack/audit/querysets.py); change rows through services.
    objects = AuditedManager()

    class Meta:
        ordering = ["lab_id", "kind", "model", "id"]
        verbose_name_plural = "equipment"
        constraints = [
            models.CheckConstraint(condition=Q(count__gte=1), name="equipment_count_positive"),
            models.CheckConstraint(condition=Q(kind__in=EquipmentKind.values), name="equipment_kind_valid"),
            models.CheckConstraint(condition=Q(type__in=EquipmentType.values), name="equipment_type_valid"),
            models.CheckConstraint(condition=Q(status__in=EquipmentStatus.values), name="equipment_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.model} ({self.count})"

    @property
    def is_available(self) -> bool:
        return self.status == EquipmentStatus.AVAILABLE

    @property
    def is_robotic(self) -> bool:
        return self.type in ROBOTIC_EQUIPMENT_TYPES


# --- Sessions --------------------------------------------------------------------------------


class LabSession(models.Model):
    lab = models.ForeignKey(Lab, on_delete=models.PROTECT, related_name="sessions")
    title = models.CharField(max_length=200, blank=True, validators=[NoPIIValidator()])
    kind = models.CharField(max_length=20, choices=LabSessionKind.choices)
    starts_at = models.DateTimeField(db_index=True)
    ends_at = models.DateTimeField()
    seats = models.PositiveSmallIntegerField()
    # The guarded counter: bookings holding a seat, changed only by the booking services
    # with this row locked; the CHECK below makes overbooking impossible even if a caller
    # forgot the lock.
    seats_booked = models.PositiveSmallIntegerField(default=0, editable=False)
    platform = models.CharField(max_length=20, choices=Platform.choices, blank=True,
                                help_text="The platform the session trains on (from its robotic equipment "
                                          "unless given); empty: platform-neutral.")
    faculty = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="lab_sessions_taught")
    equipment = models.ManyToManyField(Equipment, blank=True, related_name="sessions")
    component = models.ForeignKey("curriculum.Component", on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="lab_sessions",
                                  help_text="The curriculum component this session trains for.")
    prerequisite = models.ForeignKey("curriculum.Module", on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+",
                                     help_text="A curriculum module the trainee must have met to book.")
    notes = models.TextField(blank=True, validators=[NoPIIValidator()])
    status = models.CharField(max_length=10, choices=LabSessionStatus.choices, default=LabSessionStatus.SCHEDULED)
    equipment_flagged = models.BooleanField(
        default=False, help_text="Equipment this session needs is out of service: the managers must act.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    cancel_reason = models.TextField(blank=True, validators=[NoPIIValidator()])

    # Audited: bulk updates are refused (rastrack/audit/querysets.py); change rows through services.
    objects = AuditedManager()

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="lab_session_ends_after_start"),
            models.CheckConstraint(condition=Q(seats__gte=1), name="lab_session_seats_positive"),
            models.CheckConstraint(condition=Q(seats_booked__gte=0) & Q(seats_booked__lte=F("seats")),
                                   name="lab_session_no_overbooking"),
            models.CheckConstraint(condition=Q(kind__in=LabSessionKind.values), name="lab_session_kind_valid"),
            models.CheckConstraint(condition=Q(status__in=LabSessionStatus.values), name="lab_session_status_valid"),
            models.CheckConstraint(condition=~Q(status="cancelled") | Q(cancelled_at__isnull=False),
                                   name="lab_session_cancelled_has_date"),
        ]
        indexes = [models.Index(fields=["lab", "starts_at"], name="lab_session_lab_start_idx")]

    def __str__(self) -> str:
        return self.title or f"{self.get_kind_display()} at {self.lab}"

    @property
    def display_title(self) -> str:
        return self.title or self.get_kind_display()

    @property
    def seats_left(self) -> int:
        return max(0, self.seats - self.seats_booked)

    @property
    def is_cancelled(self) -> bool:
        return self.status == LabSessionStatus.CANCELLED

    @property
    def hours(self):
        from decimal import Decimal

        return (Decimal((self.ends_at - self.starts_at).total_seconds()) / Decimal(3600)).quantize(Decimal("0.1"))


class SessionRole(models.Model):
    """Seats of one theatre-team role in a team session (people, not equipment)."""

    session = models.ForeignKey(LabSession, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(max_length=20, choices=TeamRole.choices)
    seats = models.PositiveSmallIntegerField()
    # Guarded like LabSession.seats_booked: changed by the booking services only, under the
    # session's row lock, and the CHECK below refuses an overbooked role whatever the caller.
    seats_booked = models.PositiveSmallIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["session_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "role"], name="session_role_unique"),
            models.CheckConstraint(condition=Q(role__in=TeamRole.values), name="session_role_valid"),
            models.CheckConstraint(condition=Q(seats__gte=1), name="session_role_seats_positive"),
            models.CheckConstraint(condition=Q(seats_booked__gte=0) & Q(seats_booked__lte=F("seats")),
                                   name="session_role_no_overbooking"),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} x{self.seats} in session {self.session_id}"

    @property
    def seats_left(self) -> int:
        return max(0, self.seats - self.seats_booked)


class TeamOutcome(models.Model):
    """A measured outcome of a team session, recorded once for the whole team and shown on
    every attending member's record (e.g. emergency undocking 25 s)."""

    session = models.ForeignKey(LabSession, on_delete=models.CASCADE, related_name="outcomes")
    measure = models.CharField(max_length=20, choices=TeamMeasure.choices)
    label = models.CharField(max_length=120, blank=True, validators=[NoPIIValidator()],
                             help_text="What was measured, e.g. the called step.")
    value = models.DecimalField(max_digits=8, decimal_places=1)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["session_id", "measure", "label", "id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "measure", "label"], name="team_outcome_unique"),
            models.CheckConstraint(condition=Q(measure__in=TeamMeasure.values), name="team_outcome_measure_valid"),
            models.CheckConstraint(condition=Q(value__gte=0), name="team_outcome_value_not_negative"),
        ]

    def __str__(self) -> str:
        what = f" ({self.label})" if self.label else ""
        return f"{self.get_measure_display()}{what}: {self.value}"


# --- Bookings --------------------------------------------------------------------------------


class Booking(models.Model):
    session = models.ForeignKey(LabSession, on_delete=models.PROTECT, related_name="bookings")
    trainee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="lab_bookings")
    role = models.CharField(max_length=20, choices=TeamRole.choices, blank=True,
                            help_text="The team role booked (team sessions); empty otherwise.")
    booked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", help_text="The team lead who booked for the trainee, if not them.")
    status = models.CharField(max_length=12, choices=BookingStatus.choices)
    # Waitlist order is (created_at, id): first come, first promoted (within the role).
    created_at = models.DateTimeField(db_index=True)
    waitlisted_at = models.DateTimeField(null=True, blank=True,
                                         help_text="When it joined the waitlist (waitlist demand); empty if "
                                                   "it was confirmed at once.")
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    attendance_marked_at = models.DateTimeField(null=True, blank=True)
    attendance_marked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                             blank=True, related_name="+")

    # Audited: bulk updates are refused (rastrack/audit/querysets.py); change rows through services.
    objects = AuditedManager()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "trainee"], condition=~Q(status="cancelled"),
                                    name="booking_one_per_trainee_and_session"),
            models.CheckConstraint(condition=Q(status__in=BookingStatus.values), name="booking_status_valid"),
            models.CheckConstraint(condition=Q(role="") | Q(role__in=TeamRole.values), name="booking_role_valid"),
            models.CheckConstraint(condition=~Q(status="cancelled") | Q(cancelled_at__isnull=False),
                                   name="booking_cancelled_has_date"),
            models.CheckConstraint(condition=~Q(status="waitlisted") | Q(waitlisted_at__isnull=False),
                                   name="booking_waitlisted_has_date"),
            models.CheckConstraint(condition=~Q(status__in=["attended", "no_show"])
                                   | Q(attendance_marked_at__isnull=False),
                                   name="booking_attendance_has_date"),
        ]
        indexes = [
            models.Index(fields=["session", "status", "created_at", "id"], name="booking_waitlist_idx"),
            models.Index(fields=["trainee", "status"], name="booking_trainee_status_idx"),
        ]

    def __str__(self) -> str:
        return f"Booking {self.pk} of {self.trainee_id} on session {self.session_id} ({self.status})"

    @property
    def holds_seat(self) -> bool:
        return self.status in SEAT_HOLDING



# --- Summaries -------------------------------------------------------------------------------


class LabSessionSummary(models.Model):
    """Sessions of one lab, month (of the start, local time) and kind, with the capacity
    figures the dashboards read (labs/summaries.py keeps them: the services apply each
    change in their transaction, a nightly rebuild corrects any drift). Only scheduled
    sessions count, as in `labs.capacity`; a row with every figure at zero is deleted."""

    SUMMARY_KEY = ("lab_id", "month", "kind")
    SUMMARY_SUMS = ("sessions", "seats_offered", "booked", "attended", "no_shows", "waitlist_demand", "waitlisted")

    # Derived rows: they go with the lab (which sessions protect anyway).
    lab = models.ForeignKey(Lab, on_delete=models.CASCADE, related_name="+")
    month = models.DateField(help_text="The first day of the month the sessions start in (local time).")
    kind = models.CharField(max_length=20, choices=LabSessionKind.choices)
    sessions = models.IntegerField(default=0)
    seats_offered = models.IntegerField(default=0)
    booked = models.IntegerField(default=0)
    attended = models.IntegerField(default=0)
    no_shows = models.IntegerField(default=0)
    waitlist_demand = models.IntegerField(default=0)
    waitlisted = models.IntegerField(default=0)

    class Meta:
        ordering = ["month", "lab_id", "kind"]
        constraints = [models.UniqueConstraint(fields=["lab", "month", "kind"], name="lab_session_summary_key")]
        indexes = [models.Index(fields=["month"], name="lab_session_summary_month_idx")]

    def __str__(self) -> str:
        return f"{self.kind} sessions of lab {self.lab_id} in {self.month:%Y-%m}"


# Accredited centres and courses live in their own module; imported here so Django registers them.
from labs.centres.models import (  # noqa: E402, F401
    AccreditationScheme,
    AnnualReturn,
    Centre,
    CentreAccreditation,
    Course,
    Feedback,
    SchemeCriterion,
)
