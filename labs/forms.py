"""Forms of the labs' web pages. They collect input; the services decide (and their refusals
come back onto the form with `rastrack.core.forms.add_errors`)."""

from __future__ import annotations

import datetime

from django import forms
from django.db.models import Q
from django.utils import timezone

from curriculum.models import Component, Lifecycle, Module
from labs.capacity import GROUPS
from labs.models import Equipment, EquipmentKind, EquipmentStatus, Lab, LabSession, LabSessionKind
from labs.services import MAX_SEATS
from rastrack.accounts.models import User
from rastrack.accounts.roles import Role
from rastrack.core.forms import NHSUKFormMixin
from rastrack.core.free_text import MAX_TEXT
from rastrack.core.pii import NoPIIValidator
from rastrack.reference.models import Region


class _DateInput(forms.DateInput):
    input_type = "date"


class _TimeInput(forms.TimeInput):
    input_type = "time"


class _MonthInput(forms.TextInput):
    input_type = "month"


class SessionForm(NHSUKFormMixin, forms.Form):
    title = forms.CharField(required=False, max_length=200, validators=[NoPIIValidator()],
                            help_text="Optional, e.g. “Docking and emergency undocking drill”.")
    kind = forms.ChoiceField(choices=LabSessionKind.choices)
    date = forms.DateField(widget=_DateInput)
    starts = forms.TimeField(label="Starts at", widget=_TimeInput)
    ends = forms.TimeField(label="Ends at", widget=_TimeInput)
    seats = forms.IntegerField(min_value=1, max_value=MAX_SEATS)
    equipment = forms.ModelMultipleChoiceField(
        queryset=Equipment.objects.none(), required=False, widget=forms.CheckboxSelectMultiple,
        help_text="Seats cannot exceed the available units of the equipment chosen.")
    faculty = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(), required=False, widget=forms.CheckboxSelectMultiple,
        help_text="Trainers accredited on the day of the session.")
    component = forms.ModelChoiceField(
        queryset=Component.objects.none(), required=False, label="Curriculum component",
        empty_label="None: attendance counts for no component",
        help_text="Attendance counts as evidence for this component.")
    prerequisite = forms.ModelChoiceField(
        queryset=Module.objects.none(), required=False, label="Prerequisite module",
        empty_label="None: anyone on the pathway may book",
        help_text="Trainees must have met this module to book.")
    notes = forms.CharField(required=False, max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 3}),
                            validators=[NoPIIValidator()])

    def __init__(self, *args, lab: Lab, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["equipment"].queryset = (Equipment.objects.filter(lab=lab, status=EquipmentStatus.AVAILABLE)
                                             .order_by("kind", "model"))
        self.fields["equipment"].label_from_instance = lambda e: f"{e.model} ({e.get_kind_display()}, {e.count})"
        self.fields["faculty"].queryset = (User.objects.filter(groups__name=Role.TRAINER, is_active=True)
                                           .order_by("full_name", "id").distinct())
        self.fields["faculty"].label_from_instance = lambda u: u.full_name
        self.fields["component"].queryset = (
            Component.objects.filter(module__pathway__status=Lifecycle.PUBLISHED,
                                     kind__in=["simulation", "dry_lab", "wet_lab"])
            .select_related("module", "module__pathway").order_by("module__pathway__title", "module__order", "order"))
        self.fields["component"].label_from_instance = lambda c: f"{c.module.pathway.title}: {c.title}"
        self.fields["prerequisite"].queryset = (
            Module.objects.filter(pathway__status=Lifecycle.PUBLISHED, is_final=False)
            .select_related("pathway").order_by("pathway__title", "order"))
        self.fields["prerequisite"].label_from_instance = lambda m: f"{m.pathway.title}: {m.title}"

    def times(self) -> tuple[datetime.datetime, datetime.datetime]:
        tz = timezone.get_current_timezone()
        data = self.cleaned_data
        return (datetime.datetime.combine(data["date"], data["starts"], tzinfo=tz),
                datetime.datetime.combine(data["date"], data["ends"], tzinfo=tz))


class SessionEditForm(SessionForm):
    """What a lab's manager may change on a scheduled session: its time, seats, faculty,
    equipment and linked component (the kind, title and prerequisite stay as booked)."""

    KEPT = ("date", "starts", "ends", "seats", "faculty", "equipment", "component")

    def __init__(self, *args, session: LabSession, **kwargs):
        start, end = timezone.localtime(session.starts_at), timezone.localtime(session.ends_at)
        kwargs.setdefault("initial", {
            "date": start.date(), "starts": start.time(), "ends": end.time(), "seats": session.seats,
            "faculty": list(session.faculty.all()), "equipment": list(session.equipment.all()),
            "component": session.component})
        super().__init__(*args, lab=session.lab, **kwargs)
        for name in [n for n in self.fields if n not in self.KEPT]:
            del self.fields[name]
        # The equipment it names stays on the list even when out of service: the service then
        # says so, instead of the kit silently dropping off.
        self.fields["equipment"].queryset = (
            Equipment.objects.filter(lab=session.lab).filter(
                Q(status=EquipmentStatus.AVAILABLE) | Q(pk__in=session.equipment.values("pk")))
            .order_by("kind", "model"))
        self.fields["seats"].help_text = (
            f"{session.seats_booked} confirmed place{'s' if session.seats_booked != 1 else ''}: "
            "no fewer seats than that. More seats go to the waitlist first, in its order.")


class EquipmentForm(NHSUKFormMixin, forms.Form):
    kind = forms.ChoiceField(choices=EquipmentKind.choices)
    model = forms.CharField(max_length=200, label="Make and model",
                            help_text="For example “Mimic dV-Trainer” or “da Vinci SimNow”.")
    count = forms.IntegerField(min_value=1, max_value=500, initial=1, label="Units")
    notes = forms.CharField(required=False, max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 2}),
                            validators=[NoPIIValidator()])


class EquipmentStatusForm(NHSUKFormMixin, forms.Form):
    status = forms.ChoiceField(choices=EquipmentStatus.choices)
    count = forms.IntegerField(min_value=1, max_value=500, required=False, label="Units")


class CancelForm(NHSUKFormMixin, forms.Form):
    reason = forms.CharField(required=False, max_length=MAX_TEXT, label="Reason (told to the trainees)",
                             widget=forms.Textarea(attrs={"rows": 2}), validators=[NoPIIValidator()])


class CapacityFilterForm(NHSUKFormMixin, forms.Form):
    region = forms.ModelChoiceField(queryset=Region.objects.none(), required=False, empty_label="All regions")
    lab = forms.ModelChoiceField(queryset=Lab.objects.none(), required=False, empty_label="All labs")
    start = forms.CharField(required=False, label="From month", widget=_MonthInput, help_text="YYYY-MM")
    end = forms.CharField(required=False, label="To month", widget=_MonthInput, help_text="YYYY-MM")
    group_by = forms.ChoiceField(choices=[(g, g.capitalize()) for g in GROUPS], required=False, label="Group by")

    def __init__(self, *args, labs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lab"].queryset = labs.select_related("region").order_by("name")
        self.fields["region"].queryset = Region.objects.filter(labs__in=labs).distinct().order_by("name")
