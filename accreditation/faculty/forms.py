"""Forms of the faculty's web pages. They only collect input: the services decide."""

from __future__ import annotations

from django import forms

from accreditation.faculty.models import AccreditationStatus, AssignmentKind, Platform
from rastrack.core.forms import NHSUKFormMixin, file_field
from rastrack.core.free_text import MAX_TEXT
from rastrack.core.models import EvidenceDocument
from rastrack.core.uploads import EVIDENCE_ACCEPT
from rastrack.reference.models import Region, Specialty, Subspecialty
from rastrack.reference.specialties import specialty_choices_with_legacy


class _DateInput(forms.DateInput):
    input_type = "date"


def _blank(choices, label: str = "Any"):
    return [("", label), *choices]


class ApplicationForm(NHSUKFormMixin, forms.Form):
    specialty = forms.ChoiceField(choices=_blank(Specialty.choices, "Choose a specialty"))
    subspecialty = forms.ChoiceField(choices=_blank(Subspecialty.choices, "None (or not general surgery)"),
                                     required=False)
    platforms = forms.MultipleChoiceField(
        choices=Platform.choices, widget=forms.CheckboxSelectMultiple,
        label="Platforms you train on",
        error_messages={"required": "Name at least one platform you train on."},
    )
    independent_console_cases = forms.IntegerField(
        label="Independent console cases", min_value=0, max_value=100_000,
        help_text="Robotic cases you performed at the console as the responsible surgeon.",
        widget=forms.NumberInput(attrs={"class": "nhsuk-input--width-5", "inputmode": "numeric"}),
    )
    train_the_trainer_completed_on = forms.DateField(
        label="Train-the-trainer course completed on", required=False, widget=_DateInput,
        help_text="Needed for an initial application.",
    )
    statement = forms.CharField(
        label="Statement", max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Your experience as a trainer and why you apply. No patient-identifiable data.",
    )
    documents = forms.ModelMultipleChoiceField(
        queryset=EvidenceDocument.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple, label="Attach documents you uploaded before",
    )
    file = file_field(
        label="Upload a document (optional)", required=False, accept=EVIDENCE_ACCEPT,
        help_text="A course certificate or similar: PDF, PNG or JPEG, at most 10 MB.",
    )

    def __init__(self, *args, owner=None, **kwargs):
        super().__init__(*args, **kwargs)
        if owner is not None:
            self.fields["documents"].queryset = EvidenceDocument.objects.filter(owner=owner).order_by("-uploaded_at")
        if not self.fields["documents"].queryset.exists():
            del self.fields["documents"]


class ReasonForm(NHSUKFormMixin, forms.Form):
    reason = forms.CharField(label="Reason", max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text="Shown to the person it concerns. No patient-identifiable data.")


class OptionalReasonForm(NHSUKFormMixin, forms.Form):
    reason = forms.CharField(label="Note to the applicant (optional)", required=False, max_length=MAX_TEXT,
                             widget=forms.Textarea(attrs={"rows": 3}))


class AssignmentForm(NHSUKFormMixin, forms.Form):
    trainer = forms.ModelChoiceField(queryset=None, empty_label="Choose a trainer",
                                     help_text="Trainers accredited today.")
    trainee = forms.ModelChoiceField(queryset=None, empty_label="Choose a trainee")
    kind = forms.ChoiceField(choices=AssignmentKind.choices, label="As")
    starts_on = forms.DateField(label="Starts on", required=False, widget=_DateInput,
                                help_text="Leave empty for today.")
    ends_on = forms.DateField(label="Ends on", required=False, widget=_DateInput,
                              help_text="The last day it covers; leave empty for open-ended.")

    def __init__(self, *args, trainers, trainees, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["trainer"].queryset = trainers
        self.fields["trainee"].queryset = trainees
        self.fields["trainer"].label_from_instance = _person
        self.fields["trainee"].label_from_instance = _person


def _person(user) -> str:
    return f"{user.full_name} ({user.region.name})" if user.region_id else user.full_name


class EndAssignmentForm(NHSUKFormMixin, forms.Form):
    ends_on = forms.DateField(label="Last day", required=False, widget=_DateInput)


class RegisterFilterForm(NHSUKFormMixin, forms.Form):
    region = forms.ModelChoiceField(queryset=Region.objects.order_by("name"), required=False, empty_label="Any")
    specialty = forms.ChoiceField(choices=_blank(specialty_choices_with_legacy()), required=False)
    platform = forms.ChoiceField(choices=_blank(Platform.choices), required=False)
    status = forms.ChoiceField(choices=_blank(AccreditationStatus.choices), required=False)
