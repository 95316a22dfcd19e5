from django import forms
from django.contrib.auth.forms import (
    AuthenticationForm,
    PasswordChangeForm,
    PasswordResetForm,
    SetPasswordForm,
)

from rastrack.accounts.roles import Role
from rastrack.core.forms import NHSUKFormMixin
from rastrack.reference.models import Region


class SignInForm(NHSUKFormMixin, AuthenticationForm):
    username = forms.EmailField(label="E-mail address", widget=forms.EmailInput(
        attrs={"autocomplete": "email", "autofocus": True}))
    password = forms.CharField(label="Password", strip=False, widget=forms.PasswordInput(
        attrs={"autocomplete": "current-password"}))


class InvitationForm(NHSUKFormMixin, forms.Form):
    email = forms.EmailField(label="E-mail address")
    full_name = forms.CharField(label="Full name", max_length=150)
    roles = forms.MultipleChoiceField(choices=Role.choices, widget=forms.CheckboxSelectMultiple)
    region = forms.ModelChoiceField(queryset=Region.objects.order_by("name"), required=False)


class AcceptInvitationForm(NHSUKFormMixin, forms.Form):
    full_name = forms.CharField(label="Full name", max_length=150)
    password = forms.CharField(label="Choose a password", strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password_again = forms.CharField(label="Type the password again", strip=False,
                                     widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", "The two passwords do not match.")
        return data


class ResetRequestForm(NHSUKFormMixin, PasswordResetForm):
    pass


class NewPasswordForm(NHSUKFormMixin, SetPasswordForm):
    pass


class ChangePasswordForm(NHSUKFormMixin, PasswordChangeForm):
    pass
