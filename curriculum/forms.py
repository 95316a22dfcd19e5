"""Forms of the curriculum pages. They shape input; the services decide the rules."""

from __future__ import annotations

from django import forms
from django.forms import formset_factory

from curriculum.models import (
    Competency,
    Licence,
    Module,
    PauseKind,
    ResourceAudience,
    ResourceFormat,
    Topic,
)
from curriculum.services import MAX_RESOURCES_PER_SUBMISSION
from rastrack.core.forms import NHSUKFormMixin, file_field
from rastrack.core.free_text import MAX_TEXT
from rastrack.core.uploads import EVIDENCE_ACCEPT


class DateInput(forms.DateInput):
    input_type = "date"


class PauseForm(NHSUKFormMixin, forms.Form):
    kind = forms.ChoiceField(label="Kind of pause", choices=PauseKind.choices, widget=forms.RadioSelect)
    reason = forms.CharField(
        label="Reason", max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example: less-than-full-time training at 60% from this rotation. "
                  "No patient-identifiable data.")
    started_on = forms.DateField(label="Pause starts on", required=False, widget=DateInput,
                                 help_text="Today if left empty; not in the future.")


class WithdrawForm(NHSUKFormMixin, forms.Form):
    reason = forms.CharField(label="Reason (optional)", required=False, max_length=MAX_TEXT,
                             widget=forms.Textarea(attrs={"rows": 2}))


class EnrolTraineeForm(NHSUKFormMixin, forms.Form):
    """A regional lead or programme admin enrols a trainee in their scope."""

    trainee = forms.ModelChoiceField(label="Trainee", queryset=None)
    target_date = forms.DateField(label="Target date", required=False, widget=DateInput,
                                  help_text="Today plus the pathway's length if left empty.")

    def __init__(self, *args, trainees, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["trainee"].queryset = trainees


class ELearningForm(NHSUKFormMixin, forms.Form):
    component = forms.ModelChoiceField(label="E-learning", queryset=None,
                                       help_text="E-learning of the pathways you are enrolled on.")
    completed_on = forms.DateField(label="Completed on", widget=DateInput)
    provider = forms.CharField(label="Provider", max_length=200,
                               help_text="Who ran it, for example the platform's maker or e-Learning for Healthcare.")
    certificate = file_field(label="Certificate (optional)", required=False, accept=EVIDENCE_ACCEPT,
                             help_text="PDF, PNG or JPEG, at most 10 MB.")

    def __init__(self, *args, components, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["component"].queryset = components
        self.fields["component"].label_from_instance = (
            lambda c: f"{c.module.pathway.title}: {c.title}")


class ResourceItemForm(NHSUKFormMixin, forms.Form):
    title = forms.CharField(label="Title", max_length=200)
    url = forms.CharField(label="Web address", max_length=500,
                          help_text="Starting with https:// or http://",
                          widget=forms.URLInput(attrs={"inputmode": "url", "spellcheck": "false"}))
    provider = forms.CharField(label="Provider", max_length=200, help_text="Who publishes it.")
    format = forms.ChoiceField(label="Format", choices=ResourceFormat.choices)
    description = forms.CharField(label="Description", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
                                  help_text="What it covers and who it helps. No patient-identifiable data.")
    topics = forms.MultipleChoiceField(label="Topics", choices=Topic.choices, required=False,
                                       widget=forms.CheckboxSelectMultiple)
    audience = forms.ChoiceField(label="Audience", choices=ResourceAudience.choices)
    licence = forms.ChoiceField(label="Licence", choices=Licence.choices)
    open_access_confirmed = forms.BooleanField(
        label="I confirm this resource is free and open to access (no payment, membership or log-in wall)",
        error_messages={"required": "Confirm that the resource is free and open to access."})


class BaseResourceFormSet(forms.BaseFormSet):
    default_error_messages = {
        "too_few_forms": "Add at least one resource (up to three per submission).",
        "too_many_forms": f"Submit at most {MAX_RESOURCES_PER_SUBMISSION} resources at a time.",
    }

    def items(self) -> list[dict]:
        return [form.cleaned_data for form in self.forms if form.has_changed() and form.cleaned_data]


ResourceFormSet = formset_factory(
    ResourceItemForm, formset=BaseResourceFormSet, extra=MAX_RESOURCES_PER_SUBMISSION - 1, min_num=1,
    max_num=MAX_RESOURCES_PER_SUBMISSION, absolute_max=MAX_RESOURCES_PER_SUBMISSION,
    validate_min=True, validate_max=True,
)


class RejectForm(NHSUKFormMixin, forms.Form):
    reason = forms.CharField(label="Reason", max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 2}),
                             help_text="The submitter reads this.")


class ResourceSearchForm(NHSUKFormMixin, forms.Form):
    """The catalogue's search box and filters (the filtering itself is LearningResourceFilter)."""

    search = forms.CharField(label="Search", required=False)
    format = forms.ChoiceField(label="Format", required=False, choices=[("", "Any format"), *ResourceFormat.choices])
    audience = forms.ChoiceField(label="Audience", required=False,
                                 choices=[("", "Any audience"), *ResourceAudience.choices])
    topic = forms.ChoiceField(label="Topic", required=False, choices=[("", "Any topic"), *Topic.choices])
    module = forms.ModelChoiceField(label="Module", required=False, queryset=Module.objects.none(),
                                    empty_label="Any module")
    competency = forms.ModelChoiceField(label="Competency", required=False, queryset=Competency.objects.none(),
                                        empty_label="Any competency")

    def __init__(self, *args, modules, competencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["module"].queryset = modules
        self.fields["module"].label_from_instance = lambda m: f"{m.pathway.title}: {m.title}"
        self.fields["competency"].queryset = competencies
        self.fields["competency"].label_from_instance = lambda c: f"{c.code} {c.title}"
