"""A user's roles read in the same query as the user: one EXISTS per role.

Every request needs the signed-in user's roles (the menus, the permissions). Read through
`user.groups` they cost a second query per request; read as six EXISTS columns beside the user
(or beside the token that carries the user) they cost none, and they are still read afresh on
every request, so a role taken away by any door is gone from the next one.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef

from rastrack.accounts.roles import Role

_COLUMN_OF = {role.value: f"holds_{role.value}" for role in Role}


def role_columns(user_id_field: str) -> dict:
    """`{column: Exists(...)}` to annotate a queryset whose `user_id_field` is the user's id."""
    from rastrack.accounts.models import User

    return {column: Exists(User.groups.through.objects.filter(user_id=OuterRef(user_id_field), group__name=role))
            for role, column in _COLUMN_OF.items()}


def attach_roles(user, row) -> None:
    """Give `user` the roles that `row` (annotated with `role_columns`) read, so that
    `user.role_names` asks the database nothing more."""
    user.__dict__["role_names"] = frozenset(role for role, column in _COLUMN_OF.items() if getattr(row, column))
