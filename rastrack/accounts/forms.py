import re

from django import forms
from django.contrib.auth.forms import (
    AuthenticationForm,
    PasswordChangeForm,
    PasswordResetForm,
    SetPasswordForm,
)

from rastrack.accounts import policies
from rastrack.accounts.models import User
from rastrack.accounts.roles import Role
from rastrack.core.forms import NHSUKFormMixin
from rastrack.reference.models import Region


class SignInForm(NHSUKFormMixin, AuthenticationForm):
    username = forms.EmailField(label="E-mail address", widget=forms.EmailInput(
        attrs={"autocomplete": "email", "autofocus": True}))
    password = forms.CharField(label="Password", strip=False, widget=forms.PasswordInput(
        attrs={"autocomplete": "current-password"}))


class InvitationForm(NHSUKFormMixin, forms.Form):
    """Offers only the roles and regions the inviter may grant (`policies`); the service
    refuses anything else per field, whatever a crafted POST sends."""

    email = forms.EmailField(label="E-mail address")
    full_name = forms.CharField(label="Full name", max_length=150)
    roles = forms.MultipleChoiceField(
        choices=Role.choices, widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one role.",
                        "invalid_choice": "Choose only roles you may grant: %(value)s is not one of them."})
    region = forms.ModelChoiceField(
        queryset=Region.objects.order_by("name"), required=False, empty_label="No region",
        error_messages={"required": "Choose the region the person will work in.",
                        "invalid_choice": "Choose a region you may invite people to."})

    def __init__(self, *args, inviter: User, **kwargs):
        super().__init__(*args, **kwargs)
        grantable = set(policies.grantable_roles(inviter))
        self.fields["roles"].choices = [(value, label) for value, label in Role.choices if value in grantable]
        regions = policies.grantable_region_ids(inviter)
        if regions is not None:
            field = self.fields["region"]
            field.queryset = Region.objects.filter(pk__in=[pk for pk in regions if pk]).order_by("name")
            if None not in regions:
                field.required = True
                field.empty_label = None


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


class OwnDetailsForm(NHSUKFormMixin, forms.Form):
    # No length limits here: the service's free-text rule is the one place they live.
    # The browser's `maxlength` is the model's, which is the limit the service checks.
    grade = forms.CharField(label="Grade", required=False, strip=False,
                            widget=forms.TextInput(attrs={"maxlength": User._meta.get_field("grade").max_length}),
                            help_text="Your training grade, e.g. ST5.")
    training_programme = forms.CharField(
        label="Training programme", required=False, strip=False,
        widget=forms.TextInput(attrs={"maxlength": User._meta.get_field("training_programme").max_length}),
        help_text="e.g. Urology higher surgical training, London.")


class ResetRequestForm(NHSUKFormMixin, PasswordResetForm):
    def save(self, **kwargs):
        # The link is built from the configured SITE_URL, never from the request's Host
        # header, which whoever asks for the reset controls.
        from urllib.parse import urlsplit

        from django.conf import settings

        site = urlsplit(settings.SITE_URL)
        kwargs.update(domain_override=site.netloc, use_https=site.scheme == "https")
        return super().save(**kwargs)

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email,
                  html_email_template_name=None):
        # Django chose the account (active, usable password, this address; none for an
        # unknown address) and made the token; the mail goes through the outbox like every other.
        from rastrack.accounts.services import password_reset_mail

        password_reset_mail(user=context["user"], uid=context["uid"], token=context["token"])


class NewPasswordForm(NHSUKFormMixin, SetPasswordForm):
    pass


class ChangePasswordForm(NHSUKFormMixin, PasswordChangeForm):
    pass


class TOTPCodeForm(NHSUKFormMixin, forms.Form):
    token = forms.CharField(
        label="Code from your authenticator app", max_length=20,
        help_text="The 6 digits the app shows now; it changes every 30 seconds.",
        error_messages={"required": "Enter the 6-digit code from your authenticator app."},
        widget=forms.TextInput(attrs={
            "autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True,
            "spellcheck": "false", "class": "nhsuk-input--width-10",
        }),
    )

    def clean_token(self):
        # Apps show the code as "123 456"; people type it that way.
        token = re.sub(r"[\s-]", "", self.cleaned_data["token"])
        if not re.fullmatch(r"\d{6}", token):
            raise forms.ValidationError("Enter the 6-digit code from your authenticator app.")
        return token
