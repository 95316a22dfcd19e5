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
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from rastrack.accounts import policies
from rastrack.accounts.models import Invitation, Portfolio, Profession, RegionStay, User
from rastrack.accounts.policies import can_deactivate
from rastrack.accounts.region_moves import region_move
from rastrack.accounts.roles import REGIONAL_ROLES, Role
from rastrack.accounts.tokens import tokens_revoke
from rastrack.accounts.validators import normalise_registration_number
from rastrack.audit.services import audit_record, audited
from rastrack.core.exceptions import ApplicationError, Conflict, NotPermitted
from rastrack.core.free_text import free_text_into
from rastrack.notifications.services import notify, notify_address
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
    with region_move([user.pk]):  # what is counted by the person's current region follows them
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


def _role_words(roles: Iterable[str]) -> str:
    labels = [role.label.lower() for role in Role if role.value in set(roles)]
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]


def _check_grantable(actor: User, roles: list[str], region: Region | None) -> None:
    """Refuse what `actor` may not grant, per field; 403 for someone who may invite nobody."""
    if not policies.may_invite_anyone(actor):
        raise NotPermitted("You may not invite people.")
    errors: dict[str, list[str]] = {}
    refused = policies.refused_roles(actor, roles)
    if refused:
        errors["roles"] = [f"You may not invite people as {_role_words(refused)}."]
    if policies.region_refused(actor, region.pk if region else None):
        own = actor.region.name if actor.region_id else "your region"
        errors["region"] = [f"You may invite people to {own} only."]
    if errors:
        raise ApplicationError(errors=errors)


def _invitation_mail(invitation: Invitation, token: str, *, existing_account: bool) -> None:
    """Queue the invitation's e-mail in the outbox (sent after commit by the worker). Each
    token has its own key: a resend is a new mail, the same token never goes twice."""
    context = {"invitation": invitation, "url": invitation_url(token), "inviter": invitation.invited_by,
               "roles": _role_words(invitation.roles), "existing_account": existing_account,
               "signin_url": f"{settings.SITE_URL}{reverse('login')}"}
    notify_address(
        email=invitation.email, name=invitation.full_name, kind="invitation",
        subject="You are invited to RASTrack",
        body=render_to_string("accounts/email/invitation.txt", context).strip(),
        key=f"invitation:{invitation.pk}:{invitation.token_hash[:32]}",
    )


def _new_token() -> tuple[str, str, datetime.datetime]:
    token = secrets.token_urlsafe(32)
    return token, _token_hash(token), timezone.now() + datetime.timedelta(days=settings.INVITATION_VALID_DAYS)


@transaction.atomic
def invitation_create(
    *, invited_by: User, email: str, full_name: str, roles: Iterable[str], region: Region | None
) -> tuple[Invitation, str]:
    """Invite a person by e-mail. Returns the invitation and its one-time token.

    Only roles and regions the inviter may grant (`policies.can_invite`); others are refused
    per field. Re-inviting an address that has an open invitation from the same region (or
    by a programme admin) replaces it, audited (a new link, the old one stops working); one
    from another region is kept and the new one refused, with a message that names nobody.
    An address that already has an account is answered exactly like a new one (the e-mail
    tells its owner to sign in instead), so the answer never tells a lead who has an account.
    """
    roles = _check_roles(roles)
    email = email.strip().lower()
    region_id = region.pk if region else None
    _check_grantable(invited_by, roles, region)
    if region is None and REGIONAL_ROLES.intersection(roles):
        raise ApplicationError(errors={"region": ["This role needs a region."]})
    existing_account = User.objects.filter(email__iexact=email).exists()
    for previous in Invitation.objects.select_for_update().filter(
            email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True):
        if previous.region_id != region_id and not invited_by.has_role(Role.PROGRAMME_ADMIN):
            raise Conflict(errors={"email": [
                "This address cannot be invited from here now; a programme admin can help."]})
        audit_record(actor=invited_by, action="invitation.replace", obj=previous,
                     before={"email": previous.email, "roles": previous.roles, "region": previous.region_id,
                             "invited_by": previous.invited_by_id})
        previous.delete()
    token, token_hash, expires_at = _new_token()
    invitation = Invitation.objects.create(
        email=email,
        full_name=full_name.strip(),
        roles=roles,
        region=region,
        invited_by=invited_by,
        token_hash=token_hash,
        expires_at=expires_at,
    )
    audit_record(actor=invited_by, action="invitation.create", obj=invitation,
                 after={"email": email, "roles": roles, "region": region_id})
    _invitation_mail(invitation, token, existing_account=existing_account)
    return invitation, token


def _pending_for_update(invitation: Invitation, actor: User, doing: str) -> Invitation:
    """The invitation locked, if `actor` could have granted it and it is still pending."""
    if not policies.can_invite(actor, roles=invitation.roles, region_id=invitation.region_id):
        raise NotPermitted(f"You may not {doing} this invitation: only someone who could grant its roles "
                           "in its region may.")
    # Only the invitation's row is locked: PostgreSQL refuses FOR UPDATE across the nullable
    # region join.
    locked = (Invitation.objects.select_for_update(of=("self",)).select_related("region", "invited_by")
              .get(pk=invitation.pk))
    if locked.accepted_at is not None:
        raise Conflict("This invitation has been accepted: the person has an account now.")
    if locked.revoked_at is not None:
        raise Conflict("This invitation has been revoked.")
    return locked


@transaction.atomic
def invitation_resend(*, actor: User, invitation: Invitation) -> tuple[Invitation, str]:
    """Send a pending invitation again with a fresh link and expiry; the old link stops
    working. Allowed to whoever could have granted it (the same rule as inviting)."""
    invitation = _pending_for_update(invitation, actor, "resend")
    token, token_hash, expires_at = _new_token()
    with audited(actor=actor, action="invitation.resend", instance=invitation, fields=["expires_at"]):
        invitation.token_hash, invitation.expires_at = token_hash, expires_at
        invitation.save(update_fields=["token_hash", "expires_at"])
    _invitation_mail(invitation, token,
                     existing_account=User.objects.filter(email__iexact=invitation.email).exists())
    return invitation, token


@transaction.atomic
def invitation_revoke(*, actor: User, invitation: Invitation) -> Invitation:
    """Withdraw a pending invitation: its link shows that it was withdrawn and creates
    nothing. Allowed to whoever could have granted it; the address may be invited again."""
    invitation = _pending_for_update(invitation, actor, "revoke")
    with audited(actor=actor, action="invitation.revoke", instance=invitation, fields=["revoked_at"]):
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
    return invitation


def invitation_for_token(token: str) -> Invitation | None:
    """The invitation a token belongs to, whatever its state (None for an unknown token);
    `invitation_unusable_reason` says why one cannot be accepted."""
    return (
        Invitation.objects.select_related("region", "invited_by")
        .filter(token_hash=_token_hash(token))
        .first()
    )


def invitation_unusable_reason(invitation: Invitation | None) -> str:
    """Why this link cannot create an account, in words for the person who opened it; ""
    when it can."""
    if invitation is None:
        return "This invitation link is not valid. Check that you copied the whole link from the e-mail."
    if invitation.revoked_at is not None:
        return ("This invitation has been withdrawn by the people who run RASTrack, so the link no longer "
                "works. If you still need an account, ask the person who invited you.")
    if invitation.accepted_at is not None:
        return "This invitation has already been used to create an account: sign in instead."
    if not invitation.is_open:
        return ("This invitation has expired. Ask the person who invited you to send it again: "
                "you will get a new link.")
    return ""


@transaction.atomic
def invitation_accept(*, token: str, password: str, full_name: str | None = None) -> User:
    invitation = (
        Invitation.objects.select_for_update().filter(token_hash=_token_hash(token)).first()
    )
    reason = invitation_unusable_reason(invitation)
    if reason:
        raise ApplicationError(reason)
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise ApplicationError("An account with this e-mail address already exists: sign in instead.")
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
             f"{_role_words(invitation.roles)}.",
        key=f"invitation.accepted:{invitation.pk}",
        link=reverse("accounts:people"),
    )
    return user


def _duration_words(seconds: int) -> str:
    hours, minutes = divmod(seconds // 60, 60)
    if hours and not minutes:
        return f"{hours} hour{'s' if hours != 1 else ''}"
    return f"{seconds // 60} minutes"


def password_reset_mail(*, user: User, uid: str, token: str) -> None:
    """Queue a password-reset e-mail in the outbox for an account's owner, to their address
    (the one-time link belongs in the mail, never in an inbox). The link is built from
    SITE_URL, never from the request's Host header, which whoever asks for the reset controls."""
    url = f"{settings.SITE_URL}{reverse('accounts:password_reset_confirm', kwargs={'uidb64': uid, 'token': token})}"
    notify_address(
        email=user.email, name=user.full_name, kind="password.reset",
        subject=render_to_string("accounts/email/password_reset_subject.txt").strip(),
        body=render_to_string("accounts/email/password_reset.txt",
                              {"email": user.email, "url": url,
                               "valid_for": _duration_words(settings.PASSWORD_RESET_TIMEOUT)}).strip(),
        key=f"password.reset:{user.pk}:{hashlib.sha256(token.encode()).hexdigest()[:32]}",
    )


@transaction.atomic
def user_deactivate(*, user: User, actor: User) -> User:
    """Deactivate an account and end every session and API token it has, at once.

    Users are never deleted (their records are evidence); a deactivated account cannot sign
    in, and the session backends (`accounts.backends.session_user`) refuse an inactive user's
    sessions on their very next request. API tokens are deleted so that token calls get 401
    at once.
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
