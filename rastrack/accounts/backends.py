"""The password backend: Django's `ModelBackend`, whose session user comes with their roles
in the same query (`rastrack.accounts.role_reads`), so that a page signed in by session reads
the session and the user, and nothing else, before its own work."""

from __future__ import annotations

import functools

from django.contrib.auth.backends import ModelBackend


@functools.cache
def _users_with_roles():
    # Built once per process: resolving the six subqueries costs about as much as running them.
    from rastrack.accounts.models import User
    from rastrack.accounts.role_reads import role_columns

    return User._default_manager.annotate(**role_columns("pk"))


def session_user(user_id):
    """The active user of a session, with their roles read; None for an unknown or inactive
    account (ModelBackend's rule: an inactive account's session is not a signed-in user)."""
    from rastrack.accounts.role_reads import attach_roles

    user = _users_with_roles().filter(pk=user_id).first()
    if user is None or not user.is_active:
        return None
    attach_roles(user, user)
    return user


class PasswordBackend(ModelBackend):
    def get_user(self, user_id):
        return session_user(user_id)
