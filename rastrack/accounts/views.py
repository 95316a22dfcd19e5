"""Web pages for accounts: people, invitations and accepting one, one's own details, the second factor."""

from urllib.parse import urlencode

import django_otp
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from rastrack.accounts import mfa, oidc, selectors, services
from rastrack.accounts.forms import (
    AcceptInvitationForm,
    InvitationForm,
    OwnDetailsForm,
    TOTPCodeForm,
)
from rastrack.accounts.policies import can_invite, can_manage_people
from rastrack.core.confirm import Answer, confirmation_page
from rastrack.core.exceptions import ApplicationError, Conflict, NotPermitted
from rastrack.core.forms import form_status, submit_form
from rastrack.core.permissions import get_visible_or_404


class SignInView(auth_views.LoginView):
    """The password form, and beside it single sign-on when it is configured."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["sso"] = {"provider": oidc.provider_name()} if oidc.oidc_enabled() else None
        return context


PEOPLE_PER_PAGE = 50
# The newest pending invitations on the people page; the caption gives the total.
PENDING_INVITATIONS_SHOWN = 50


@login_required
def people(request):
    if not can_manage_people(request.user):
        raise PermissionDenied
    form = InvitationForm(request.POST or None, initial={"region": request.user.region_id}, inviter=request.user)
    # The form offers only what the inviter may grant; the service refuses the rest per field.
    response = submit_form(
        request, form, lambda data: services.invitation_create(invited_by=request.user, **data)[0],
        success=lambda invitation: f"Invitation sent to {invitation.email}.", then="accounts:people",
        form_statuses=(400, 403, 409))
    if response:
        return response
    users = selectors.users_visible_to(request.user).order_by("full_name", "id")
    search = request.GET.get("q", "").strip()[:100]
    if search:
        users = users.filter(Q(full_name__icontains=search) | Q(email__icontains=search))
    page = Paginator(users, PEOPLE_PER_PAGE).get_page(request.GET.get("page"))
    pending = selectors.invitations_pending_for(request.user)
    pending_count = pending.count()
    invitations = [
        (invitation, can_invite(request.user, roles=invitation.roles, region_id=invitation.region_id))
        for invitation in pending[:PENDING_INVITATIONS_SHOWN]
    ] if pending_count else []
    return render(request, "accounts/people.html", {
        "form": form, "people": page.object_list, "page": page, "search": search,
        "query": urlencode({"q": search}) if search else "",
        "invitations": invitations, "pending_count": pending_count,
        "pending_shown": PENDING_INVITATIONS_SHOWN,
    }, status=form_status(request))


def _visible_invitation(request, pk: int):
    if not can_manage_people(request.user):
        raise PermissionDenied
    return get_visible_or_404(selectors.invitations_visible_to(request.user), pk)


@login_required
@require_POST
def invitation_resend(request, pk: int):
    invitation = _visible_invitation(request, pk)
    try:
        services.invitation_resend(actor=request.user, invitation=invitation)
    except Conflict as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Invitation sent again to {invitation.email}, with a new link; "
                                  "the old link no longer works.")
    return redirect(reverse("accounts:people") + "#invitations")


@login_required
@require_POST
def invitation_revoke(request, pk: int):
    invitation = _visible_invitation(request, pk)
    # Ask first only when the answer could be yes; the rule itself is the service's (policies.can_invite).
    if invitation.is_pending and can_invite(request.user, roles=invitation.roles, region_id=invitation.region_id):
        page = confirmation_page(
            request, heading="Check before you revoke this invitation", caption=invitation.email,
            answers=[Answer("Name", invitation.full_name), Answer("E-mail address", invitation.email),
                     Answer("Roles", ", ".join(invitation.role_labels)),
                     Answer("Region", invitation.region.name if invitation.region else "No region")],
            button="Confirm and revoke", back_url=reverse("accounts:people") + "#invitations",
            warning="The link in the invitation stops working at once. To let this person join later, "
                    "invite them again.")
        if page is not None:
            return page
    try:
        services.invitation_revoke(actor=request.user, invitation=invitation)
    except Conflict as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"The invitation to {invitation.email} is revoked: its link no longer works.")
    return redirect(reverse("accounts:people") + "#invitations")


@login_required
def own_details(request):
    """The signed-in person's own grade and training programme (on their portfolio export)."""
    user = request.user
    form = OwnDetailsForm(request.POST or None,
                          initial={"grade": user.grade, "training_programme": user.training_programme})
    response = submit_form(
        request, form, lambda data: services.user_update_own_details(user=user, **data),
        success="Your details are saved.", then="accounts:details")
    if response:
        return response
    return render(request, "accounts/details.html", {"form": form}, status=form_status(request))


@login_required
@require_POST
def deactivate(request, pk: int):
    if not can_manage_people(request.user):
        raise PermissionDenied
    user = get_visible_or_404(selectors.users_visible_to(request.user), pk)
    try:
        services.user_deactivate(user=user, actor=request.user)
    except NotPermitted:
        raise  # DomainErrorMiddleware answers 403
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{user.full_name}'s account is deactivated; every session ended.")
    return redirect("accounts:people")


def accept_invitation(request, token: str):
    invitation = services.invitation_for_token(token)
    reason = services.invitation_unusable_reason(invitation)
    if reason:
        # Unknown, revoked, used or expired: 404 all the same, with words that say which.
        return render(request, "accounts/invitation_unusable.html", {"reason": reason}, status=404)
    form = AcceptInvitationForm(request.POST or None, initial={"full_name": invitation.full_name})
    response = submit_form(
        request, form,
        lambda data: services.invitation_accept(token=token, password=data["password"],
                                                full_name=data["full_name"]),
        success="Welcome to RASTrack.", then=lambda user: _signed_in(request, user),
        form_statuses=(400, 409))
    if response:
        return response
    return render(request, "accounts/accept_invitation.html", {"form": form, "invitation": invitation},
                  status=form_status(request))


def _signed_in(request, user):
    login(request, user, backend="rastrack.accounts.backends.PasswordBackend")
    return redirect("home")


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                       require_https=request.is_secure()):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _verified(request, device):
    django_otp.login(request, device)
    # A new session id once the second factor is in: one seen before it is worth nothing.
    request.session.cycle_key()
    return redirect(_next_url(request))


@never_cache
@login_required
def mfa_setup(request):
    """Add an authenticator app: scan the QR code (or type the secret), enter its first code."""
    if not mfa.mfa_required_for(request.user) or request.user.is_verified():
        return redirect(_next_url(request))
    if mfa.has_confirmed_device(request.user):
        return redirect(f"{reverse('accounts:mfa-verify')}?{request.GET.urlencode()}")
    device = mfa.totp_device_start(user=request.user)
    form = TOTPCodeForm(request.POST or None)
    response = submit_form(
        request, form,
        lambda data: mfa.totp_device_confirm(user=request.user, device=device, token=data["token"]),
        success="Two-factor authentication is set up.", then=lambda confirmed: _verified(request, confirmed),
        form_statuses=(400, 409))
    if response:
        return response
    return render(request, "accounts/mfa_setup.html", {
        "form": form, "next": _next_url(request),
        # segno's SVG is built from our own otpauth:// link: markup we made, not user input.
        "qr_svg": mark_safe(mfa.totp_qr_svg(device)),  # noqa: S308
        "secret": mfa.totp_secret(device),
    }, status=form_status(request))


@never_cache
@login_required
def mfa_verify(request):
    """Enter the current code from the authenticator app set up before."""
    if not mfa.mfa_required_for(request.user) or request.user.is_verified():
        return redirect(_next_url(request))
    if not mfa.has_confirmed_device(request.user):
        return redirect(f"{reverse('accounts:mfa-setup')}?{request.GET.urlencode()}")
    form = TOTPCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = mfa.totp_verify(user=request.user, token=form.cleaned_data["token"])
        if device is not None:
            return _verified(request, device)
        form.add_error("token", mfa.WRONG_CODE)
    return render(request, "accounts/mfa_verify.html", {"form": form, "next": _next_url(request)},
                  status=form_status(request))
