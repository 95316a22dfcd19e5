"""The links each role sees in the header and on its home page.

Each app adds its journeys here as they are built: (label, URL name, roles, description).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from rastrack.accounts.roles import Role


@dataclass(frozen=True)
class Link:
    label: str
    url_name: str
    roles: frozenset[str]
    description: str = ""

    @property
    def url(self) -> str:
        return reverse(self.url_name)


_ALL = frozenset(Role.values)
_ADMINS = frozenset({Role.PROGRAMME_ADMIN, Role.REGIONAL_LEAD})

LINKS: list[Link] = [
    Link("Home", "home", _ALL, "Your starting page."),
    Link("Notifications", "notifications:inbox", _ALL, "Messages about your training and reviews."),
    Link("People", "accounts:people", _ADMINS, "Invite people and manage their accounts."),
    Link("Procedure catalogue", "reference:procedures", _ALL,
         "Robotic procedures and their steps, as logged in the logbook."),
    Link("API documentation", "api-docs", _ALL, "The REST API for integrations and apps."),
]


def links_for(user) -> list[Link]:
    roles = user.role_names
    return [link for link in LINKS if roles & link.roles]
