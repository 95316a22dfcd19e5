"""Forms of the logbook's web pages. They only collect and parse input: every field rule is
the services' (`logbook_services.case_check`), whose refusals come back per field through
`rastrack.core.forms.add_errors`.
"""

from __future__ import annotations

from django import forms
from django.db import models

from accreditation.faculty.models import Assignment, AssignmentKind
from accreditation.logbook import policies
from accreditation.logbook.csv_template import IMPORT_ACCEPT
from accreditation.logbook.elogbook import ACCEPT as ELOGBOOK_ACCEPT
from accreditation.logbook.filters import CaseFilter
from accreditation.logbook.models import (
    Case,
    CaseRole,
    ComplicationGrade,
    Conversion,
    FollowUp,
    StepRole,
    Supervision,
    TrainerPosition,
    Urgency,
)
from accreditation.logbook.services import CASE_FIELDS, MAX_NOTES, StepEntry
from rastrack.accounts.models import User
from rastrack.core.forms import NHSUKFormMixin, file_field
from rastrack.reference.models import Platform, Procedure, ProcedureStep, Site

MAX_IMPORT_BYTES = 5 * 1024 * 1024


class _DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def _minutes(label: str, help_text: str = "") -> forms.IntegerField:
    return forms.IntegerField(
        label=label, required=False, help_text=help_text,
        widget=forms.NumberInput(attrs={"class": "nhsuk-input--width-4", "inputmode": "numeric",
                                        "pattern": "[0-9]*"}))


def _supervisor_label(user: User) -> str:
    return user.full_name or user.email


class CaseForm(NHSUKFormMixin, forms.Form):
    """Log or edit a case. The steps offered are those of the chosen procedure: a checkbox
    per step (`steps`, the step ids) and the trainee's role in it (`step_role_<id>`)."""

    date = forms.DateField(label="Date of the operation",
                           widget=_DateInput(attrs={"class": "nhsuk-input--width-10"}))
    site = forms.ModelChoiceField(queryset=Site.objects.none(), empty_label="Choose a site")
    platform = forms.ChoiceField(choices=[("", "Choose a platform"), *Platform.choices])
    procedure = forms.ModelChoiceField(queryset=Procedure.objects.order_by("name"),
                                       empty_label="Choose a procedure")
    role = forms.ChoiceField(label="Your role", choices=CaseRole.choices, widget=forms.RadioSelect,
                             error_messages={"required": "Choose your role in the case."})
    console_minutes = _minutes("Console time (minutes)",
                               "Your own time at the console. Needed when you were the console surgeon.")
    supervision = forms.ChoiceField(label="Supervision code", choices=Supervision.choices,
                                    widget=forms.RadioSelect,
                                    error_messages={"required": "Choose the supervision code."})
    trainer_position = forms.ChoiceField(
        label="Where was the trainer for most of your console time? (optional)", required=False,
        choices=[("", "Not recorded"), *TrainerPosition.choices],
        help_text="It must agree with your role and the supervision code; leave it empty if unsure.")
    proctor = forms.ModelChoiceField(
        label="Proctor (established surgeons, optional)", queryset=User.objects.none(), required=False,
        empty_label="No proctor", help_text="Your assigned proctor, when the case was proctored.")
    steps = forms.MultipleChoiceField(label="Steps you took part in", required=False,
                                      widget=forms.CheckboxSelectMultiple)
    supervisor = forms.ModelChoiceField(
        label="Supervising trainer", queryset=User.objects.none(), required=False,
        empty_label="None of these: a consultant who is not registered",
        error_messages={"invalid_choice": policies.SUPERVISOR_NOT_NAMEABLE})
    supervisor_name = forms.CharField(
        label="Name of the consultant who is not registered", required=False, max_length=150,
        help_text="Only when your supervisor is not in the list above.")
    docking_minutes = _minutes("Docking time (minutes)")
    total_minutes = _minutes("Total operative time (minutes)")
    conversion = forms.ChoiceField(choices=Conversion.choices, initial=Conversion.NONE)
    urgency = forms.ChoiceField(required=False, choices=[("", "Not recorded"), *Urgency.choices])
    asa_grade = forms.TypedChoiceField(label="ASA grade", required=False, coerce=int, empty_value=None,
                                       choices=[("", "Not recorded"), *[(n, str(n)) for n in range(1, 6)]])
    complication_grade = forms.ChoiceField(label="Complications (Clavien-Dindo grade)",
                                           choices=ComplicationGrade.choices,
                                           initial=ComplicationGrade.NONE)
    case_reference = forms.CharField(
        label="Your case reference (optional)", required=False, max_length=60,
        help_text="Anonymised, for example “RARP 14”. Never a hospital or NHS number.")
    # The length is the service's rule (it reports every field at once); the browser is told it.
    notes = forms.CharField(label="Notes (optional)", required=False,
                            widget=forms.Textarea(attrs={"rows": 3, "maxlength": MAX_NOTES}),
                            help_text="No patient-identifiable data: no names, NHS numbers, "
                                      "hospital numbers or dates of birth.")

    # Fields shown folded under "More details": open when one of them needs attention.
    MORE = ("docking_minutes", "total_minutes", "conversion", "complication_grade", "urgency", "asa_grade",
            "proctor", "case_reference", "notes")

    def __init__(self, *args, trainee: User, supervisors, case: Case | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.trainee = trainee
        # The trainee's own region's sites first, then the others, by name.
        self.fields["site"].queryset = Site.objects.annotate(
            elsewhere=models.Case(models.When(region_id=trainee.region_id, then=models.Value(0)),
                                  default=models.Value(1), output_field=models.IntegerField())
        ).order_by("elsewhere", "name")
        # The trainers who may supervise the trainee today, and the case's own supervisor
        # (an edit must not lose one whose assignment has ended since).
        queryset = supervisors
        if case is not None and case.supervisor_id:
            queryset = queryset | User.objects.filter(pk=case.supervisor_id)
        self.fields["supervisor"].queryset = queryset.order_by("full_name", "id")
        self.fields["supervisor"].label_from_instance = _supervisor_label
        proctors = User.objects.filter(pk__in=Assignment.objects.filter(
            trainee=trainee, kind=AssignmentKind.PROCTOR).values("trainer_id"))
        if case is not None and case.proctor_id:
            proctors = proctors | User.objects.filter(pk=case.proctor_id)
        self.fields["proctor"].queryset = proctors.order_by("full_name", "id")
        self.fields["proctor"].label_from_instance = _supervisor_label
        self.procedure_steps = self._steps_of(self._procedure_id(), case)
        self.fields["steps"].choices = [(str(s.pk), s.name) for s in self.procedure_steps]
        for step in self.procedure_steps:
            self.fields[f"step_role_{step.pk}"] = forms.ChoiceField(
                label=f"Your role in “{step.name}”", choices=StepRole.choices, required=False,
                initial=self.initial.get(f"step_role_{step.pk}", StepRole.CONSOLE),
                widget=forms.Select(attrs={"class": "nhsuk-select rastrack-step-role"}))
            self.fields[f"step_takeover_{step.pk}"] = forms.BooleanField(
                label=f"The trainer took over “{step.name}”", required=False,
                initial=self.initial.get(f"step_takeover_{step.pk}", False))
            self.fields[f"step_minutes_{step.pk}"] = forms.IntegerField(
                label=f"Console minutes for “{step.name}” (optional)", required=False, min_value=0, max_value=600,
                initial=self.initial.get(f"step_minutes_{step.pk}"),
                widget=forms.NumberInput(attrs={"class": "nhsuk-input nhsuk-input--width-3", "inputmode": "numeric"}))

    def _procedure_id(self) -> int | None:
        raw = self.data.get("procedure") if self.is_bound else self.initial.get("procedure")
        raw = getattr(raw, "pk", raw)
        try:
            return int(raw)
        except (TypeError, ValueError):
            return None

    @staticmethod
    def _steps_of(procedure_id: int | None, case: Case | None = None) -> list[ProcedureStep]:
        """The procedure's current steps, and a retired one the case being edited was logged with."""
        if procedure_id is None:
            return []
        shown = models.Q(retired_in__isnull=True)
        if case is not None and case.pk:
            shown |= models.Q(pk__in=case.steps.values("step_id"))
        return list(ProcedureStep.objects.filter(shown, procedure_id=procedure_id).order_by("order", "pk"))

    def step_rows(self) -> list[dict]:
        """One row per step of the procedure: the checkbox's state and the role's field."""
        chosen = set(self["steps"].value() or [])
        return [{"step": step, "id": f"id_steps_{step.pk}", "checked": str(step.pk) in chosen,
                 "role": self[f"step_role_{step.pk}"], "takeover": self[f"step_takeover_{step.pk}"],
                 "minutes": self[f"step_minutes_{step.pk}"]} for step in self.procedure_steps]

    def more_fields(self):
        return [self[name] for name in self.MORE]

    def more_open(self) -> bool:
        if any(self.errors.get(name) for name in self.MORE):
            return True
        return any(self[name].value() not in (None, "", "none") for name in self.MORE)

    def service_arguments(self) -> tuple[dict, list[StepEntry]]:
        """The service's `data` and `steps` from the cleaned form."""
        data = {name: self.cleaned_data[name] for name in CASE_FIELDS}
        by_id = {str(step.pk): step for step in self.procedure_steps}
        steps = [StepEntry(step=by_id[pk], role=self.cleaned_data.get(f"step_role_{pk}") or StepRole.CONSOLE,
                           takeover=bool(self.cleaned_data.get(f"step_takeover_{pk}")),
                           console_minutes=self.cleaned_data.get(f"step_minutes_{pk}"))
                 for pk in self.cleaned_data["steps"] if pk in by_id]
        return data, steps

    @staticmethod
    def initial_from_case(case: Case) -> dict:
        initial = {name: getattr(case, name) for name in CASE_FIELDS}
        initial["steps"] = [str(cs.step_id) for cs in case.steps.all()]
        for cs in case.steps.all():
            initial[f"step_role_{cs.step_id}"] = cs.role
            initial[f"step_takeover_{cs.step_id}"] = cs.takeover
            initial[f"step_minutes_{cs.step_id}"] = cs.console_minutes
        return initial


class ValidateForm(NHSUKFormMixin, forms.Form):
    role = forms.ChoiceField(label="Role, as you saw it", choices=CaseRole.choices)
    supervision = forms.ChoiceField(label="Supervision code, as agreed", choices=Supervision.choices)
    trainer_position = forms.ChoiceField(label="Where you were for most of the trainee's console time",
                                         required=False, choices=[("", "Not recorded"), *TrainerPosition.choices])


class OutcomeForm(NHSUKFormMixin, forms.Form):
    followup_days = forms.TypedChoiceField(label="Follow-up", coerce=int, choices=FollowUp.choices)
    complication_grade = forms.ChoiceField(label="Complications (Clavien-Dindo grade)",
                                           choices=ComplicationGrade.choices, initial=ComplicationGrade.NONE)
    readmitted = forms.BooleanField(label="Readmitted", required=False)
    length_of_stay_days = forms.IntegerField(label="Length of stay (days, optional)", required=False,
                                             min_value=0, max_value=365)
    conversion_confirmed = forms.NullBooleanField(
        label="Conversion as logged confirmed", required=False,
        widget=forms.Select(choices=[("unknown", "Not checked"), ("true", "Yes"), ("false", "No")]))


class RejectForm(NHSUKFormMixin, forms.Form):
    reason = forms.CharField(label="Why are you returning it?", widget=forms.Textarea(attrs={"rows": 3}),
                             help_text="The trainee sees this. No patient-identifiable data.")


class ImportForm(NHSUKFormMixin, forms.Form):
    file = file_field(label="CSV file", accept=IMPORT_ACCEPT, help_text="In the template's columns, saved as CSV UTF-8.")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError("The file is larger than 5 MB: split it into several files.")
        return upload


class _FilterForm(NHSUKFormMixin, forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("date_from", "date_to"):
            self.fields[name].widget = _DateInput(attrs={"class": "nhsuk-input"})
        self.fields["date_from"].label = "From"
        self.fields["date_to"].label = "To"
        self.fields["procedure"].queryset = Procedure.objects.order_by("name")
        self.fields["procedure"].empty_label = "Any"
        for name in ("status", "platform", "role"):
            field = self.fields[name]
            choices = [c for c in field.choices if c[0] != ""]
            if getattr(field, "empty_label", None) is not None:  # django-filter adds its own empty choice
                field.empty_label = "Any"
                field.choices = choices
            else:
                field.choices = [("", "Any"), *choices]


class LogbookFilter(CaseFilter):
    """The API's case filter on the "my logbook" page, minus `trainee` (the page is one
    logbook: whose is in the URL)."""

    class Meta(CaseFilter.Meta):
        fields = ["status", "procedure", "platform", "role", "date_from", "date_to"]
        form = _FilterForm


class ELogbookImportForm(NHSUKFormMixin, forms.Form):
    file = file_field(label="eLogbook export", accept=ELOGBOOK_ACCEPT, help_text="The CSV or Excel (.xlsx) file the eLogbook exports, "
                                                             "or RASTrack's own CSV export.")
    platform = forms.ChoiceField(label="Robotic platform", choices=Platform.choices, initial=Platform.OTHER,
                                 help_text="For rows that do not say which platform.")
    include_non_robotic = forms.BooleanField(label="Also choose rows that are not robotic", required=False)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError("The file is larger than 5 MB: export fewer years at a time.")
        return upload
