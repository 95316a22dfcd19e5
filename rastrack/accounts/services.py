"""Writes about people: creating accounts, roles, regions, invitations and deactivation."""

from __future__ import annotations

import datetime
import hashlib
import secrets
import unicodedata
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from rastrack.accounts.models import Invitation, Portfolio, Profession, RegionStay, User
from rastrack.accounts.policies import can_deactivate, can_invite
from rastrack.accounts.roles import REGIONAL_ROLES, Role
from rastrack.accounts.tokens import tokens_revoke
from rastrack.accounts.validators import normalise_registration_number
from rastrack.audit.services import audit_record, audited
from rastrack.core.exceptions import ApplicationError, Conflict, NotPermitted
from rastrack.core.free_text import free_text_into
from rastrack.notifications.services import notify
from rastrack.reference.models import Region


def _check_roles(roles: Iterable[str]) -> list[str]:
    roles = list(dict.fromkeys(roles))
    unknown = [r for r in roles if r not in Role.values]
    if unknown:
        raise ApplicationError(errors={"roles": [f"Unknown role: {', '.join(unknown)}."]})
    if not roles:
        raise ApplicationError(errors={"roles": ["Choose at least one role."]})
    return roles


def user_grant_roles(*, user: User, roles: Iterable[str]) -> User:
    roles = _check_roles(roles)
    user.groups.add(*Group.objects.filter(name__in=roles))
    if Role.TRAINEE in roles:
        Portfolio.objects.get_or_create(trainee=user)
    user.__dict__.pop("role_names", None)
    return user


def user_revoke_role(*, user: User, role: str) -> User:
    user.groups.remove(*Group.objects.filter(name=role))
    user.__dict__.pop("role_names", None)
    return user


@transaction.atomic
def user_move_region(*, user: User, region: Region, on: datetime.date | None = None) -> User:
    """Move a person to another region from `on`, keeping the history of where they were.

    A trainee's portfolio follows them: visibility is by current region, so the new
    region's lead sees all of it from the move on.
    """
    on = on or timezone.localdate()
    current = RegionStay.objects.select_for_update().filter(user=user, ended_on__isnull=True).first()
    if current and current.region_id == region.pk:
        return user
    if current:
        if on < current.started_on:
            raise ApplicationError(errors={"on": ["The move cannot be before the current stay began."]})
        current.ended_on = on
        current.save(update_fields=["ended_on"])
    RegionStay.objects.create(user=user, region=region, started_on=on)
    user.region = region
    user.save(update_fields=["region"])
    return user


@transaction.atomic
def user_create(
    *,
    email: str,
    full_name: str,
    password: str | None,
    roles: Iterable[str],
    region: Region | None = None,
    profession: str = Profession.SURGEON,
    registration_body: str = "",
    registration_number: str = "",
    region_since: datetime.date | None = None,
) -> User:
    roles = _check_roles(roles)
    if region is None and REGIONAL_ROLES.intersection(roles):
        raise ApplicationError(errors={"region": ["This role needs a region."]})
    user = User(
        email=email.strip().lower(),
        full_name=full_name.strip(),
        profession=profession,
        registration_body=registration_body,
        registration_number=normalise_registration_number(registration_number),
    )
    user.set_password(password)
    if User.objects.filter(email__iexact=user.email).exists():
        raise Conflict(errors={"email": ["An account with this e-mail address already exists."]})
    try:
        user.full_clean(exclude=["password", "region"], validate_unique=False)
    except ValidationError as exc:
        raise ApplicationError(errors=exc.message_dict) from None
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        raise Conflict(errors={"email": ["An account with this e-mail address already exists."]}) from None
    user_grant_roles(user=user, roles=roles)
    if region is not None:
        user_move_region(user=user, region=region, on=region_since or timezone.localdate())
    return user


# The identifiers an ARCP panel reads off the portfolio export; a person keeps their own.
OWN_DETAILS = ("grade", "training_programme")


def user_update_own_details(*, user: User, **details: str) -> User:
    """Set the signed-in person's own grade and training programme (either or both).

    Each goes through the free-text rule and must be one line of printable text: what is
    typed here is printed on the portfolio export and its PDF. A refusal names every bad
    field and changes nothing.
    """
    unknown = set(details) - set(OWN_DETAILS)
    if unknown:
        raise ValueError(f"Not a detail a person sets themself: {', '.join(sorted(unknown))}.")
    errors: dict[str, list[str]] = {}
    cleaned = {}
    for field, value in details.items():
        if value is None:
            continue
        if isinstance(value, str) and any(unicodedata.category(ch) == "Cc" for ch in value):
            errors.setdefault(field, []).append("Use letters, digits and punctuation only, on one line.")
            continue
        cleaned[field] = free_text_into(errors, field, value,
                                        max_length=User._meta.get_field(field).max_length)
    if errors:
        raise ApplicationError(errors=errors)
    changed = [field for field, value in cleaned.items() if getattr(user, field) != value]
    if not changed:
        return user
    with audited(actor=user, action="user.details_update", instance=user, fields=changed):
        for field in changed:
            setattr(user, field, cleaned[field])
        user.save(update_fields=changed)
    return user


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_url(token: str) -> str:
    return f"{settings.SITE_URL}/accounts/invitations/{token}/"


@transaction.atomic
def invitation_create(
    *, invited_by: User, email: str, full_name: str, roles: Iterable[str], region: Region | None
) -> tuple[Invitation, str]:
    """Invite a person by e-mail. Returns the invitation and its one-time token.

    Re-inviting an address that has an open invitation from the same region (or by a
    programme admin) replaces it, audited (a new link, the old one stops working); one from
    another region is kept and the new one refused, with a message that names nobody. An
    address that already has an account is answered exactly like a new one (the e-mail tells
    its owner to sign in instead), so the answer never tells a lead who has an account.
    """
    roles = _check_roles(roles)
    email = email.strip().lower()
    region_id = region.pk if region else None
    if not can_invite(invited_by, roles=roles, region_id=region_id):
        raise NotPermitted("You may not invite people with these roles to this region.")
    if region is None and REGIONAL_ROLES.intersection(roles):
        raise ApplicationError(errors={"region": ["This role needs a region."]})
    existing_account = User.objects.filter(email__iexact=email).exists()
    for previous in Invitation.objects.select_for_update().filter(email__iexact=email, accepted_at__isnull=True):
        if previous.region_id != region_id and not invited_by.has_role(Role.PROGRAMME_ADMIN):
            raise Conflict(errors={"email": [
                "This address cannot be invited from here now; a programme admin can help."]})
        audit_record(actor=invited_by, action="invitation.replace", obj=previous,
                     before={"email": previous.email, "roles": previous.roles, "region": previous.region_id,
                             "invited_by": previous.invited_by_id})
        previous.delete()
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        email=email,
        full_name=full_name.strip(),
        roles=roles,
        region=region,
        invited_by=invited_by,
        token_hash=_token_hash(token),
        expires_at=timezone.now() + datetime.timedelta(days=settings.INVITATION_VALID_DAYS),
    )
    audit_record(actor=invited_by, action="invitation.create", obj=invitation,
                 after={"email": email, "roles": roles, "region": region_id})
    context = {"invitation": invitation, "url": invitation_url(token), "inviter": invited_by,
               "existing_account": existing_account}
    subject = "You are invited to RASTrack"
    body = render_to_string("accounts/email/invitation.txt", context)
    transaction.on_commit(
        lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [email], fail_silently=False)
    )
    return invitation, token


def invitation_for_token(token: str) -> Invitation | None:
    """The open invitation for a token, or None (unknown, used or expired: same answer)."""
    invitation = (
        Invitation.objects.select_related("region", "invited_by")
        .filter(token_hash=_token_hash(token))
        .first()
    )
    return invitation if invitation and invitation.is_open else None


@transaction.atomic
def invitation_accept(*, token: str, password: str, full_name: str | None = None) -> User:
    invitation = (
        Invitation.objects.select_for_update().filter(token_hash=_token_hash(token)).first()
    )
    if (invitation is None or not invitation.is_open
            or User.objects.filter(email__iexact=invitation.email).exists()):
        raise ApplicationError("This invitation link is not valid: it may have expired or been used.")
    try:
        validate_password(password, User(email=invitation.email, full_name=full_name or invitation.full_name))
    except ValidationError as exc:
        raise ApplicationError(errors={"password": list(exc.messages)}) from None
    user = user_create(
        email=invitation.email,
        full_name=full_name or invitation.full_name,
        password=password,
        roles=invitation.roles,
        region=invitation.region,
    )
    invitation.accepted_at = timezone.now()
    invitation.user = user
    invitation.save(update_fields=["accepted_at", "user"])
    audit_record(actor=user, action="invitation.accept", obj=invitation,
                 after={"user": user.pk, "roles": invitation.roles})
    notify(
        recipient=invitation.invited_by, kind="invitation.accepted",
        subject=f"{user.full_name} has joined RASTrack",
        body=f"{user.full_name} ({user.email}) accepted your invitation and joined as "
             f"{', '.join(invitation.roles)}.",
        key=f"invitation.accepted:{invitation.pk}",
    )
    return user


@transaction.atomic
def user_deactivate(*, user: User, actor: User) -> User:
    """Deactivate an account and end every session and API token it has, at once.

    Users are never deleted (their records are evidence); a deactivated account cannot sign
    in, and Django's ModelBackend refuses an inactive user's existing sessions on their very
    next request. API tokens are deleted so that token calls get 401 at once.
    """
    if not can_deactivate(actor, user):
        raise NotPermitted("You may not deactivate this account.")
    if not user.is_active:
        raise Conflict("This account is already deactivated.")
    with audited(actor=actor, action="user.deactivate", instance=user, fields=["is_active"]):
        user.is_active = False
        user.save(update_fields=["is_active"])
    tokens_revoke(user)
    _delete_sessions_of(user)
    return user


def _delete_sessions_of(user: User) -> None:
    # Sessions are stored with their user (rastrack/accounts/session_store.py): one indexed
    # delete, however many sessions are live.
    from rastrack.accounts.session_store import sessions_end_for

    sessions_end_for(user)
