"""The catalogue page's form: a procedure's name, codes, specialty and steps (one a line)."""

from __future__ import annotations

from django import forms

from rastrack.core.forms import NHSUKFormMixin
from rastrack.reference.models import Procedure
from rastrack.reference.specialties import Specialty, Subspecialty


class ProcedureForm(NHSUKFormMixin, forms.Form):
    name = forms.CharField(label="Name", max_length=200)
    opcs4 = forms.CharField(label="OPCS-4 code", max_length=6, help_text="For example M61.1.")
    snomed = forms.CharField(label="SNOMED CT concept id (optional)", max_length=18, required=False)
    specialty = forms.ChoiceField(label="Specialty", choices=Specialty.choices)
    subspecialty = forms.ChoiceField(label="Subspecialty (general surgery only)",
                                     choices=[("", "None"), *Subspecialty.choices], required=False)
    steps = forms.CharField(
        label="Steps, in order", widget=forms.Textarea(attrs={"rows": 12}),
        help_text="One step a line. Move a line to reorder, change it to rename, delete it to retire the step. "
                  "Cases already logged keep the steps they were logged with.")

    @staticmethod
    def initial_for(procedure: Procedure) -> dict:
        return {"name": procedure.name, "opcs4": procedure.opcs4, "snomed": procedure.snomed,
                "specialty": procedure.specialty, "subspecialty": procedure.subspecialty,
                "steps": "\n".join(step.name for step in procedure.current_steps)}

    def service_arguments(self, procedure: Procedure) -> dict:
        """The service's arguments: a line that is a current step's name keeps that step."""
        current = {step.name: step.pk for step in procedure.current_steps}
        lines = [line.strip() for line in self.cleaned_data["steps"].splitlines() if line.strip()]
        steps = [{"id": current[line], "name": line} if line in current else {"name": line} for line in lines]
        data = {name: self.cleaned_data[name] for name in ("name", "opcs4", "snomed", "specialty", "subspecialty")}
        return {**data, "steps": steps}
