"""Forms of the curriculum authoring pages: the parts of a draft framework or pathway
version, and the cohort move. They shape input; the curriculum services decide the rules
(a published version refuses every change there, whoever asks)."""

from __future__ import annotations

from django import forms

from curriculum.models import (
    Audience,
    CompetencySetting,
    ComponentKind,
    Domain,
    Framework,
    Lifecycle,
    Pathway,
)
from rastrack.core.forms import NHSUKFormMixin

_CODE_HELP = ("Lowercase letters, numbers and hyphens, for example {example}. It names every version "
              "of this {what} and cannot be changed later.")


class FrameworkCreateForm(NHSUKFormMixin, forms.Form):
    """A brand-new standards framework: version 1, a draft to fill with standards."""

    code = forms.SlugField(label="Code", max_length=Framework._meta.get_field("code").max_length,
                           help_text=_CODE_HELP.format(example="ras-standards", what="framework"))
    title = forms.CharField(label="Title", max_length=Framework._meta.get_field("title").max_length)
    description = forms.CharField(label="Description (optional)", required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))


class PathwayCreateForm(NHSUKFormMixin, forms.Form):
    """A brand-new pathway: version 1, a draft resting on a current or draft framework
    version, holding only its final sign-off until modules are added."""

    code = forms.SlugField(label="Code", max_length=Pathway._meta.get_field("code").max_length,
                           help_text=_CODE_HELP.format(example="robotic-literacy", what="pathway"))
    title = forms.CharField(label="Title", max_length=Pathway._meta.get_field("title").max_length)
    audience = forms.ChoiceField(label="Who it is for", choices=Audience.choices)
    framework = forms.ModelChoiceField(label="Standards framework version", queryset=None, empty_label=None,
                                       help_text="The standards its competencies come from.")
    duration_weeks = forms.IntegerField(label="Nominal length in weeks", min_value=1, max_value=520, initial=52,
                                        help_text="A trainee's target date is their enrolment date plus this.",
                                        widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    self_enrol = forms.BooleanField(label="Trainees may enrol themselves", required=False)
    description = forms.CharField(label="Description (optional)", required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["framework"].queryset = (
            Framework.objects.exclude(status=Lifecycle.RETIRED).order_by("title", "-version"))
        self.fields["framework"].label_from_instance = (
            lambda f: f"{f.title}, version {f.version} ({f.get_status_display().lower()})")


class StandardForm(NHSUKFormMixin, forms.Form):
    code = forms.CharField(label="Code", max_length=20, help_text="Unique in this version, for example 1.")
    title = forms.CharField(label="Title", max_length=200)
    domain = forms.ChoiceField(label="Domain", choices=Domain.choices)
    description = forms.CharField(label="Description (optional)", required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))


class CompetencyForm(NHSUKFormMixin, forms.Form):
    standard = forms.ModelChoiceField(label="Standard", queryset=None, empty_label=None)
    code = forms.CharField(label="Code", max_length=20, help_text="Unique in this version, for example 1.4.")
    title = forms.CharField(label="Title", max_length=300)
    key = forms.SlugField(label="Key (optional)", max_length=80, required=False,
                          help_text="Stays the same in every version, so sign-offs keep counting. "
                                    "Made from the title if left empty.")
    setting = forms.ChoiceField(label="Setting", choices=CompetencySetting.choices,
                                help_text="Non-surgeon faculty sign off bedside and theatre team competencies only.")
    descriptors = forms.CharField(label="What a trainee with this competency does (optional)", required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, framework, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["standard"].queryset = framework.standards.order_by("order", "code")
        self.fields["standard"].label_from_instance = lambda s: f"{s.code} {s.title}"


class ModuleForm(NHSUKFormMixin, forms.Form):
    title = forms.CharField(label="Title", max_length=200)
    description = forms.CharField(label="Description (optional)", required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))


COMPONENT_KINDS = [(value, label) for value, label in ComponentKind.choices if value != ComponentKind.FINAL_SIGNOFF]


class ComponentForm(NHSUKFormMixin, forms.Form):
    title = forms.CharField(label="Title", max_length=200)
    kind = forms.ChoiceField(label="Kind", choices=COMPONENT_KINDS,
                             help_text="What the trainee does; it decides which evidence counts.")
    description = forms.CharField(label="Description (optional)", required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))


class DeleteForm(forms.Form):
    """A delete is a POST with nothing to fill in: the page before it is the confirmation."""


class PreviewForm(NHSUKFormMixin, forms.Form):
    trainee = forms.ModelChoiceField(label="Show with a trainee's evidence (optional)", queryset=None,
                                     required=False, empty_label="Nobody: an enrolment with no evidence yet")

    def __init__(self, *args, trainees, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["trainee"].queryset = trainees


class CohortMoveForm(NHSUKFormMixin, forms.Form):
    """Which enrolments move onto the published version: those on an older version, of one
    cohort (the year they enrolled) and one region if chosen."""

    source = forms.ModelChoiceField(label="Move the enrolments on", queryset=None, empty_label=None)
    cohort = forms.IntegerField(label="Cohort (optional)", required=False, min_value=2000, max_value=2100,
                                help_text="The year they enrolled, for example 2026. Empty: every cohort.",
                                widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    region = forms.ModelChoiceField(label="Region (optional)", queryset=None, required=False,
                                    empty_label="Every region")

    def __init__(self, *args, sources, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = sources
        self.fields["source"].label_from_instance = (
            lambda p: f"Version {p.version} ({p.get_status_display().lower()})")
        self.fields["region"].queryset = regions
