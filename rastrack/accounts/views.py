"""Web pages for accounts: people, invitations and accepting one."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from rastrack.accounts import selectors, services
from rastrack.accounts.forms import AcceptInvitationForm, InvitationForm
from rastrack.accounts.policies import can_manage_people
from rastrack.core.exceptions import ApplicationError, NotPermitted
from rastrack.core.forms import add_errors
from rastrack.core.permissions import get_visible_or_404


@login_required
def people(request):
    if not can_manage_people(request.user):
        raise PermissionDenied
    form = InvitationForm(request.POST or None, initial={"region": request.user.region_id})
    if request.method == "POST" and form.is_valid():
        try:
            invitation, _ = services.invitation_create(invited_by=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"Invitation sent to {invitation.email}.")
            return redirect("accounts:people")
    users = selectors.users_visible_to(request.user).order_by("full_name", "id")
    return render(request, "accounts/people.html", {"form": form, "people": users})


@login_required
@require_POST
def deactivate(request, pk: int):
    if not can_manage_people(request.user):
        raise PermissionDenied
    user = get_visible_or_404(selectors.users_visible_to(request.user), pk)
    try:
        services.user_deactivate(user=user, actor=request.user)
    except NotPermitted:
        raise PermissionDenied from None
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{user.full_name}'s account is deactivated; every session ended.")
    return redirect("accounts:people")


def accept_invitation(request, token: str):
    invitation = services.invitation_for_token(token)
    if invitation is None:
        raise Http404("This invitation link is not valid.")
    form = AcceptInvitationForm(request.POST or None, initial={"full_name": invitation.full_name})
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept(
                token=token, password=form.cleaned_data["password"],
                full_name=form.cleaned_data["full_name"],
            )
        except ApplicationError as exc:
            add_errors(form, exc)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, "Welcome to RASTrack.")
            return redirect("home")
    return render(request, "accounts/accept_invitation.html", {"form": form, "invitation": invitation})
