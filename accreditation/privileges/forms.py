"""Forms of the privilege pages: a decision's reason, and the clearance search."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from rastrack.core.free_text import MAX_TEXT
from rastrack.reference.models import Platform, Procedure, Site


class DecisionForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=MAX_TEXT,
                             help_text="Required to suspend or revoke: shown to the surgeon and kept in the audit trail.")


class ClearanceForm(forms.Form):
    surgeon = forms.CharField(max_length=254, label="Surgeon",
                              help_text="E-mail address or registration number (GMC).")
    site = forms.ModelChoiceField(queryset=Site.objects.all(), label="Site")
    platform = forms.ChoiceField(choices=Platform.choices, label="Platform")
    procedure = forms.ModelChoiceField(queryset=Procedure.objects.all(), label="Procedure")
    on = forms.DateField(required=False, label="Date", help_text="Empty: today.",
                         widget=forms.DateInput(attrs={"type": "date"}))

    def clean_on(self):
        return self.cleaned_data.get("on") or timezone.localdate()
