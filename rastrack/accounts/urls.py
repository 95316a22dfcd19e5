from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from rastrack.accounts import views
from rastrack.accounts.forms import (
    ChangePasswordForm,
    NewPasswordForm,
    ResetRequestForm,
    SignInForm,
)

app_name = "accounts"
urlpatterns = [
    path("details/", views.own_details, name="details"),
    path("people/", views.people, name="people"),
    path("people/<int:pk>/deactivate/", views.deactivate, name="deactivate"),
    path("people/invitations/<int:pk>/resend/", views.invitation_resend, name="invitation-resend"),
    path("people/invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation-revoke"),
    path("invitations/<str:token>/", views.accept_invitation, name="accept-invitation"),
    path("mfa/setup/", views.mfa_setup, name="mfa-setup"),
    path("mfa/verify/", views.mfa_verify, name="mfa-verify"),
    path("password/change/", auth_views.PasswordChangeView.as_view(
        template_name="accounts/password_change.html", form_class=ChangePasswordForm,
        success_url=reverse_lazy("accounts:password_change_done")), name="password_change"),
    path("password/change/done/", auth_views.PasswordChangeDoneView.as_view(
        template_name="accounts/password_change_done.html"), name="password_change_done"),
    path("password/reset/", auth_views.PasswordResetView.as_view(
        template_name="accounts/password_reset.html", form_class=ResetRequestForm,
        email_template_name="accounts/email/password_reset.txt",
        subject_template_name="accounts/email/password_reset_subject.txt",
        success_url=reverse_lazy("accounts:password_reset_done")), name="password_reset"),
    path("password/reset/sent/", auth_views.PasswordResetDoneView.as_view(
        template_name="accounts/password_reset_done.html"), name="password_reset_done"),
    path("password/reset/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(
        template_name="accounts/password_reset_confirm.html", form_class=NewPasswordForm,
        success_url=reverse_lazy("accounts:password_reset_complete")),
        name="password_reset_confirm"),
    path("password/reset/complete/", auth_views.PasswordResetCompleteView.as_view(
        template_name="accounts/password_reset_complete.html"), name="password_reset_complete"),
]

# Sign in and out live at the top level (/signin/, /signout/) so LOGIN_URL is short.
auth_urlpatterns = [
    path("signin/", views.SignInView.as_view(
        template_name="accounts/signin.html", authentication_form=SignInForm,
        redirect_authenticated_user=True), name="login"),
    path("signout/", auth_views.LogoutView.as_view(), name="logout"),
]
