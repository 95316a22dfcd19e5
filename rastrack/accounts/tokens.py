"""API tokens: issued at each sign-in, stored hashed, ended by time and by any change to what
they were issued on.

A token is a random key the client sends as `Authorization: Token <key>`. The database keeps
only its SHA-256 digest (a leaked table or backup holds no usable key). A token ends

- after `API_TOKEN_IDLE_DAYS` without use, and `API_TOKEN_MAX_AGE_DAYS` after it was issued;
- when its user gains or loses a role (a token issued on a password alone must never carry a
  role that needs a second factor), changes or resets their password, or is deactivated.

Each sign-in issues a new key; the newest `API_TOKEN_MAX_PER_USER` are kept.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.conf import settings
from django.db.models.signals import m2m_changed
from django.utils import timezone
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from rastrack.accounts.models import ApiToken, User
from rastrack.accounts.role_reads import attach_roles, role_columns
from rastrack.core.compiled import CompiledQuery

# How stale `last_used_at` may get before a request writes it: one write per token per
# interval, not one per request.
_TOUCH_EVERY = datetime.timedelta(minutes=5)


def token_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def token_issue(user: User) -> str:
    """A new key for `user` (returned once, stored as a digest); older ones beyond the
    newest `API_TOKEN_MAX_PER_USER` end."""
    key = secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, digest=token_digest(key))
    keep = ApiToken.objects.filter(user=user).order_by("-created_at", "-id").values_list("id", flat=True)
    ApiToken.objects.filter(user=user).exclude(id__in=list(keep[: settings.API_TOKEN_MAX_PER_USER])).delete()
    return key


def tokens_revoke(user: User | int) -> int:
    """End every token of the user; returns how many ended."""
    pk = user if isinstance(user, int) else user.pk
    return ApiToken.objects.filter(user_id=pk).delete()[0]


# The token by its digest, with its user and one EXISTS per role: compiled once per process
# (building and compiling the six subqueries cost more than running the query).
_TOKEN_WITH_ROLES = CompiledQuery(
    lambda digest: ApiToken.objects.select_related("user").annotate(**role_columns("user_id")).filter(digest=digest),
    stand_ins={"digest": "compiled-query stand-in"})


def token_expired(token: ApiToken, now: datetime.datetime) -> bool:
    idle = datetime.timedelta(days=settings.API_TOKEN_IDLE_DAYS)
    age = datetime.timedelta(days=settings.API_TOKEN_MAX_AGE_DAYS)
    return now - token.last_used_at > idle or now - token.created_at > age


class ApiTokenAuthentication(TokenAuthentication):
    """DRF's `Authorization: Token <key>` scheme against the hashed, expiring tokens."""

    model = ApiToken

    def authenticate_credentials(self, key):
        token = _TOKEN_WITH_ROLES.first(digest=token_digest(key))
        if token is None:
            raise AuthenticationFailed("Invalid token.")
        # The roles come with the token (one EXISTS per role in the same query), read afresh on
        # every request: a role taken away by any door, even one that ends no token, is gone
        # from the next request, and no request pays a second query for the user's groups.
        attach_roles(token.user, token)
        now = timezone.now()
        if token_expired(token, now):
            token.delete()
            raise AuthenticationFailed("This token has expired: sign in again.")
        if not token.user.is_active:
            raise AuthenticationFailed("User inactive or deleted.")
        if now - token.last_used_at > _TOUCH_EVERY:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token


def _roles_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    if not reverse:  # user.groups.add / remove / clear
        if action in ("post_add", "post_remove", "post_clear"):
            tokens_revoke(instance.pk)
    elif action in ("post_add", "post_remove") and pk_set:  # group.user_set.add / remove
        ApiToken.objects.filter(user_id__in=pk_set).delete()
    elif action == "pre_clear":  # group.user_set.clear(): its members, before they go
        ApiToken.objects.filter(user__groups=instance).delete()


def connect_signals() -> None:
    """Roles are groups: any change to a user's groups, by any door, ends their tokens."""
    m2m_changed.connect(_roles_changed, sender=User.groups.through, dispatch_uid="api-token-roles")
