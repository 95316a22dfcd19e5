"""One form per kind of requirement, derived from the kinds the progress engine knows.

`curriculum/rules.py` says which parameters each requirement type takes (ACCEPTED_PARAMS);
each parameter has one form field here (PARAM_FIELDS), and the form of a type is made of the
fields of its parameters, plus the narrowing (platform, procedure, step) where the type may be
narrowed and the provenances on a simulation component. A new type in rules.py gets its form
without a change here; a new parameter needs its field (the import fails until it has one).

The fields only shape input (a whole number, a decimal, a choice); the rules (ranges, which
parameters go together) stay in rules.py, and its per-field messages land on these fields
because they are named after the parameters.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms

from curriculum.instruments import assessment_tool_ranges, simulator_exercises, tool_label
from curriculum.models import (
    EVIDENCE_PROVENANCES,
    Competency,
    ComponentKind,
    Requirement,
    RequirementType,
)
from curriculum.rules import ACCEPTED_PARAMS, LEVELS, MODES, SIGNOFF_TYPES, params_of
from rastrack.core.forms import NHSUKFormMixin
from rastrack.reference.models import Platform, Procedure, ProcedureStep

MODE_LABELS = {"live": "Live", "video": "Video", "simulator": "Simulator", "dry_lab": "Dry lab"}
PROVENANCE_LABELS = {"self_reported": "Typed in by the trainee", "trainer_verified": "Checked by a trainer",
                     "device_import": "Imported from the simulator"}

# Parameter names rules.py accepts as another way of naming one already here.
ALIASES = {"competency_key": "competency"}


def _whole(label: str, help_text: str = "") -> Callable[[], forms.Field]:
    return lambda: forms.IntegerField(label=label, required=False, help_text=help_text,
                                      widget=forms.NumberInput(attrs={"inputmode": "numeric"}))


PARAM_FIELDS: dict[str, Callable[[], forms.Field]] = {
    "count": _whole("How many", "A whole number, at least 1."),
    "hours": lambda: forms.DecimalField(label="Hours", required=False, decimal_places=1, max_digits=5,
                                        help_text="More than 0, at most one decimal place, for example 5.5."),
    "score": _whole("Minimum score", "From 0 to 100."),
    "consecutive": _whole("On how many consecutive attempts",
                          "Leave empty for the usual number (1; 2 for simulator proficiency)."),
    "exercise": lambda: forms.CharField(label="Exercise (optional)", required=False, max_length=120,
                                        help_text="The simulator exercise the score is for."),
    "competency": lambda: forms.ModelChoiceField(label="Competency", queryset=Competency.objects.none(),
                                                 required=False, empty_label="Choose a competency",
                                                 help_text="Of this pathway's standards version."),
    "tool": lambda: forms.ChoiceField(label="Assessment tool", required=False),
    "min_total": _whole("Minimum total", "Within the tool's range of totals."),
    "min_domain": _whole("Every domain at least (optional)",
                         "Asks for every domain of the tool at this score, with or instead of the total."),
    "modes": lambda: forms.MultipleChoiceField(
        label="Assessment modes that count", required=False, widget=forms.CheckboxSelectMultiple,
        choices=[(m, MODE_LABELS.get(m, m)) for m in MODES], help_text="None chosen: every mode counts."),
    "level": lambda: forms.ChoiceField(label="Supervision level to reach", required=False,
                                       choices=[("", "Choose a level")] + [(v, f"Level {v}") for v in LEVELS]),
    "min_agreement": lambda: forms.DecimalField(
        label="Least agreement between raters", required=False, decimal_places=3, max_digits=4,
        help_text="From 0 to 1 (Krippendorff's alpha), for example 0.667."),
    "exercises": lambda: forms.MultipleChoiceField(label="Exercises", required=False,
                                                   widget=forms.CheckboxSelectMultiple),
    "all_frs_tasks": lambda: forms.BooleanField(label="Every FRS task instead of a list", required=False),
}


class RequirementForm(NHSUKFormMixin, forms.Form):
    """The base of every requirement type's form: see `form_for_type`."""

    type: str = ""
    param_names: tuple[str, ...] = ()

    def __init__(self, *args, component, **kwargs):
        super().__init__(*args, **kwargs)
        self.component = component
        if "competency" in self.fields:
            field = self.fields["competency"]
            field.queryset = Competency.objects.filter(
                framework_id=component.module.pathway.framework_id).order_by("standard__order", "order", "code")
            field.label_from_instance = lambda c: f"{c.code} {c.title}"
        if "tool" in self.fields:
            self.fields["tool"].choices = [("", "Choose a tool")] + [
                (code, tool_label(code)) for code in sorted(assessment_tool_ranges())]
        if "exercises" in self.fields:
            self.fields["exercises"].choices = [
                (code, name) for code, (name, _frs) in sorted(simulator_exercises().items(), key=lambda i: i[1][0])]
        if component.kind != ComponentKind.SIMULATION:
            del self.fields["provenances"]

    @classmethod
    def initial_of(cls, requirement: Requirement | None) -> dict[str, Any]:
        if requirement is None:
            return {"provenances": ["trainer_verified", "device_import"]}
        initial = {ALIASES.get(k, k): v for k, v in params_of(requirement).items() if k not in ALIASES}
        initial.update(platform=requirement.platform, procedure=requirement.procedure_id,
                       procedure_step=requirement.procedure_step_id, provenances=requirement.provenances)
        return initial

    def params(self) -> dict[str, Any]:
        """What the service takes as `params`: the parameters given, empty ones left out."""
        data = self.cleaned_data
        params = {}
        for name in self.param_names:
            value = data.get(name)
            if value in (None, "", [], False):
                continue
            params[name] = value.pk if isinstance(value, Competency) else value
        return params

    def narrowing(self) -> dict[str, Any]:
        data = self.cleaned_data
        narrowing = {name: data.get(name) or default for name, default in
                     (("platform", ""), ("procedure", None), ("procedure_step", None)) if name in self.fields}
        if "provenances" in self.fields:
            # None chosen is a refusal of the service's, not "the default".
            narrowing["provenances"] = list(data.get("provenances") or [])
        return narrowing


def _form_for(type_: str) -> type[RequirementForm]:
    names = tuple(dict.fromkeys(ALIASES.get(n, n) for n in sorted(ACCEPTED_PARAMS[type_])))
    missing = [n for n in names if n not in PARAM_FIELDS]
    if missing:
        raise LookupError(f"A requirement parameter has no form field: {', '.join(missing)}.")
    order = list(PARAM_FIELDS)
    names = tuple(sorted(names, key=order.index))
    class_name = "".join(part.capitalize() for part in type_.split("_")) + "RequirementForm"
    fields: dict[str, forms.Field] = {name: PARAM_FIELDS[name]() for name in names}
    if type_ not in SIGNOFF_TYPES:
        fields.update(_narrowing_fields())
    fields["provenances"] = forms.MultipleChoiceField(
        label="Simulator sessions that count", widget=forms.CheckboxSelectMultiple, required=False,
        choices=[(p, PROVENANCE_LABELS.get(p, p)) for p in EVIDENCE_PROVENANCES],
        help_text="Only on a simulation component.")
    return type(class_name, (RequirementForm,), {"type": type_, "param_names": names, **fields})


def _narrowing_fields() -> dict[str, forms.Field]:
    step = forms.ModelChoiceField(
        label="Only of this step (optional)", required=False, empty_label="Any step",
        queryset=ProcedureStep.objects.select_related("procedure").order_by("procedure__name", "order"))
    step.label_from_instance = lambda s: f"{s.procedure.name}: {s.name}"
    return {
        "platform": forms.ChoiceField(label="Only on this platform (optional)", required=False,
                                      choices=[("", "Any platform")] + list(Platform.choices)),
        "procedure": forms.ModelChoiceField(label="Only of this procedure (optional)", required=False,
                                            empty_label="Any procedure", queryset=Procedure.objects.order_by("name")),
        "procedure_step": step,
    }


# The final sign-off is made with the pathway, never added by hand: it has no form.
REQUIREMENT_FORMS: dict[str, type[RequirementForm]] = {
    type_: _form_for(type_) for type_ in ACCEPTED_PARAMS if type_ != RequirementType.FINAL_SIGNOFF
}


def addable_types(component) -> list[tuple[str, str]]:
    """The types a programme admin may add to this component, in words."""
    return [(t, RequirementType(t).label) for t in REQUIREMENT_FORMS
            if t != RequirementType.SIMULATOR_PROFICIENCY or component.kind == ComponentKind.SIMULATION]


class RequirementTypeForm(NHSUKFormMixin, forms.Form):
    type = forms.ChoiceField(label="What must the trainee reach?", widget=forms.RadioSelect)

    def __init__(self, *args, component, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = addable_types(component)
