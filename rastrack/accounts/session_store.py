"""The session engine: Django's database sessions, each row stored with its user's id.

The store writes the signed-in user (`_auth_user_id` in the session data) into
`UserSession.user` every time it saves the session: at sign-in (the key is cycled and the
session saved), at sign-out (the session is flushed) and on every save between. So the
sessions of a user are found by an index, not by decoding every live session."""

from __future__ import annotations

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore


class SessionStore(DatabaseSessionStore):
    @classmethod
    def get_model_class(cls):
        from rastrack.accounts.models import UserSession

        return UserSession

    def create_model_instance(self, data):
        instance = super().create_model_instance(data)
        try:
            instance.user_id = int(data.get(SESSION_KEY))
        except (TypeError, ValueError):
            instance.user_id = None
        return instance


def sessions_end_for(user) -> int:
    """End every session of the user at once: one indexed delete. Returns how many."""
    from rastrack.accounts.models import UserSession

    return UserSession.objects.filter(user_id=user.pk).delete()[0]
