"""Curriculum fixtures: a published framework and pathway built through the services
(tests/builders/curriculum.py)."""

from __future__ import annotations

import pytest

from curriculum import services
from rastrack.accounts.roles import Role
from tests.builders.curriculum import make_framework, make_pathway
from tests.builders.dates import days_ago
from tests.builders.people import UserFactory


@pytest.fixture
def framework(admin):
    return make_framework(admin)


@pytest.fixture
def draft_framework(admin):
    return make_framework(admin, code="ras-draft", publish=False)


@pytest.fixture
def pathway(admin, framework):
    return make_pathway(admin, framework)


@pytest.fixture
def closed_pathway(admin, framework):
    return make_pathway(admin, framework, code="console", title="Console surgeon", self_enrol=False)


@pytest.fixture
def draft_pathway(admin, framework):
    return make_pathway(admin, framework, code="draft-path", title="Draft pathway", publish=False)


@pytest.fixture
def enrolment(trainee, pathway):
    return services.enrolment_create(actor=trainee, trainee=trainee, pathway=pathway, enrolled_on=days_ago(100))


@pytest.fixture
def other_enrolment(other_trainee, pathway):
    return services.enrolment_create(actor=other_trainee, trainee=other_trainee, pathway=pathway)


@pytest.fixture
def north_trainee(north_west):
    return UserFactory(full_name="Nora North", roles=[Role.TRAINEE], region=north_west)
