"""Creates the role groups; called by a data migration and by tests after a flush."""

from rastrack.accounts.roles import Role


def create_role_groups(group_model) -> None:
    for role in Role.values:
        group_model.objects.get_or_create(name=role)
