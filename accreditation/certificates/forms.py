"""Forms of the certificate pages: revoke (a programme admin, with a reason), the filter of
the certificate list, the portfolio's trainee search and the public code lookup."""

from __future__ import annotations

from django import forms

from accreditation.certificates.credentials import CREDENTIAL_FILE_ACCEPT, MAX_CREDENTIAL_LENGTH
from accreditation.certificates.models import CertificateStatus
from rastrack.core.forms import NHSUKFormMixin, file_field
from rastrack.core.free_text import MAX_TEXT


class RevokeForm(NHSUKFormMixin, forms.Form):
    reason = forms.CharField(label="Reason", max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text="The holder is told, and it stays in the audit trail. "
                                       "No patient-identifiable data.",
                             error_messages={"required": "Say why the certificate is revoked."})


class CertificateFilterForm(NHSUKFormMixin, forms.Form):
    q = forms.CharField(label="Holder's name", required=False, max_length=150)
    status = forms.ChoiceField(label="Status", required=False,
                               choices=[("", "Any status"), *CertificateStatus.choices])


class TraineeSearchForm(NHSUKFormMixin, forms.Form):
    q = forms.CharField(label="Trainee's name", required=False, max_length=150)


class VerifyLookupForm(NHSUKFormMixin, forms.Form):
    code = forms.CharField(label="Verification code", max_length=40,
                           help_text="As printed on the certificate, for example ABCD-EFGH-JKLM-NPQR.")


class CredentialCheckForm(NHSUKFormMixin, forms.Form):
    credential = forms.CharField(
        label="Paste the credential", required=False, widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false", "maxlength": MAX_CREDENTIAL_LENGTH}),
        help_text="The long text of three parts separated by dots, as the holder's wallet or RASTrack gave it.")
    file = file_field(label="Or upload its file", required=False, accept=CREDENTIAL_FILE_ACCEPT,
                      help_text="A .jwt file, or the JSON RASTrack's API answered.")
