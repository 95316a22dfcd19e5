"""Permissions both ways for every curriculum endpoint.

For each endpoint and action: anonymous 401; a role that may never use it 403; a record
outside the caller's scope (a draft for a non-admin, another trainee's enrolment, a pending
resource of someone else, or an id that does not exist) 404; the allowed caller 2xx.
"""

from types import SimpleNamespace

import pytest
from rest_framework.test import APIClient

from curriculum import services
from curriculum.models import Competency, Component, Module, Requirement, Standard
from tests.builders.curriculum import (
    elearning_component,
    make_framework,
    make_pathway,
    resource_item,
    submit,
)
from tests.builders.dates import days_ago
from tests.builders.held import held_world, refetch
from tests.builders.personas import make_personas

pytestmark = pytest.mark.django_db

MISSING = 999999


def _build():
    people = make_personas()
    admin, trainee, other_trainee = people.admin, people.trainee, people.other_trainee
    framework = make_framework(admin)
    draft_framework = make_framework(admin, code="ras-draft", publish=False)
    pathway = make_pathway(admin, framework)
    draft_pathway = make_pathway(admin, framework, code="draft", title="Draft", publish=False)
    enrolment = services.enrolment_create(actor=trainee, trainee=trainee, pathway=pathway, enrolled_on=days_ago(50))
    paused = services.enrolment_create(actor=other_trainee, trainee=other_trainee, pathway=pathway,
                                       enrolled_on=days_ago(50))
    services.enrolment_pause(actor=other_trainee, enrolment=paused, kind="other", reason="Leave")
    completion = services.elearning_record(trainee=trainee, component=elearning_component(pathway),
                                           completed_on=days_ago(3), provider="e-LfH")
    pending = submit(trainee, resource_item(1)).items.get()
    approved = submit(other_trainee, resource_item(2)).items.get()
    services.resource_approve(actor=admin, resource=approved)
    draft_module = Module.objects.get(pathway=draft_pathway, title="Skills")
    return SimpleNamespace(
        admin=admin, trainee=trainee, other_trainee=other_trainee, lead=people.lead, other_lead=people.other_lead,
        assigned_trainer=people.assigned_trainer, unassigned_trainer=people.unassigned_trainer,
        lab_manager=people.lab_manager,
        framework=framework, draft_framework=draft_framework, pathway=pathway, draft_pathway=draft_pathway,
        standard=Standard.objects.filter(framework=framework).first(),
        draft_standard=Standard.objects.filter(framework=draft_framework).first(),
        competency=Competency.objects.filter(framework=framework).first(),
        draft_competency=Competency.objects.filter(framework=draft_framework).first(),
        module=Module.objects.filter(pathway=pathway, is_final=False).first(), draft_module=draft_module,
        component=Component.objects.filter(module__pathway=pathway).first(),
        draft_component=Component.objects.get(module=draft_module, title="Bedside"),
        requirement=Requirement.objects.filter(component__module__pathway=pathway).first(),
        draft_requirement=Requirement.objects.get(component__module=draft_module, type="min_score"),
        enrolment=enrolment, paused=paused, completion=completion, pending=pending, approved=approved,
    )


@pytest.fixture(scope="module")
def _world(django_db_setup, django_db_blocker):
    """Built once for the module's tests (tests/builders/held.py); each test's writes are undone."""
    with held_world(django_db_blocker, _build) as world:
        yield world


@pytest.fixture
def w(_world, db):
    return refetch(_world)


# (name, method, path(w), body(w), denied persona (403) or None, hidden (persona, path(w)) or None,
#  allowed persona, expected status)
CASES = [
    # Frameworks
    ("frameworks list", "get", lambda w: "/api/v1/frameworks/", None, None, None, "trainee", 200),
    ("frameworks retrieve", "get", lambda w: f"/api/v1/frameworks/{w.framework.pk}/", None, None,
     ("trainee", lambda w: f"/api/v1/frameworks/{w.draft_framework.pk}/"), "lab_manager", 200),
    ("frameworks create", "post", lambda w: "/api/v1/frameworks/", lambda w: {"code": "new", "title": "New"},
     "lead", None, "admin", 201),
    ("frameworks update", "patch", lambda w: f"/api/v1/frameworks/{w.draft_framework.pk}/",
     lambda w: {"title": "Renamed"}, "trainee", ("admin", lambda w: f"/api/v1/frameworks/{MISSING}/"), "admin", 200),
    ("frameworks publish", "post", lambda w: f"/api/v1/frameworks/{w.draft_framework.pk}/publish/", None, "lead",
     ("admin", lambda w: f"/api/v1/frameworks/{MISSING}/publish/"), "admin", 200),
    ("frameworks retire", "post", lambda w: f"/api/v1/frameworks/{w.framework.pk}/retire/", None, "trainee",
     ("admin", lambda w: f"/api/v1/frameworks/{MISSING}/retire/"), "admin", 200),
    ("frameworks new-version", "post", lambda w: f"/api/v1/frameworks/{w.framework.pk}/new-version/", None,
     "assigned_trainer", ("admin", lambda w: f"/api/v1/frameworks/{MISSING}/new-version/"), "admin", 201),
    # Standards
    ("standards list", "get", lambda w: "/api/v1/standards/", None, None, None, "trainee", 200),
    ("standards retrieve", "get", lambda w: f"/api/v1/standards/{w.standard.pk}/", None, None,
     ("trainee", lambda w: f"/api/v1/standards/{w.draft_standard.pk}/"), "trainee", 200),
    ("standards create", "post", lambda w: "/api/v1/standards/",
     lambda w: {"framework": w.draft_framework.pk, "code": "S9", "title": "New", "domain": "governance"},
     "trainee", None, "admin", 201),
    ("standards update", "patch", lambda w: f"/api/v1/standards/{w.draft_standard.pk}/",
     lambda w: {"title": "Renamed"}, "lead", ("admin", lambda w: f"/api/v1/standards/{MISSING}/"), "admin", 200),
    ("standards delete", "delete", lambda w: f"/api/v1/standards/{w.draft_standard.pk}/", None, "lab_manager",
     ("admin", lambda w: f"/api/v1/standards/{MISSING}/"), "admin", 204),
    # Competencies
    ("competencies list", "get", lambda w: "/api/v1/competencies/", None, None, None, "lead", 200),
    ("competencies retrieve", "get", lambda w: f"/api/v1/competencies/{w.competency.pk}/", None, None,
     ("lead", lambda w: f"/api/v1/competencies/{w.draft_competency.pk}/"), "trainee", 200),
    ("competencies create", "post", lambda w: "/api/v1/competencies/",
     lambda w: {"standard": w.draft_standard.pk, "code": "S1.9", "title": "Docking in the dark"},
     "trainee", None, "admin", 201),
    ("competencies update", "patch", lambda w: f"/api/v1/competencies/{w.draft_competency.pk}/",
     lambda w: {"descriptors": "Does it"}, "assigned_trainer",
     ("admin", lambda w: f"/api/v1/competencies/{MISSING}/"), "admin", 200),
    ("competencies delete", "delete", lambda w: f"/api/v1/competencies/{w.draft_competency.pk}/", None, "lead",
     ("admin", lambda w: f"/api/v1/competencies/{MISSING}/"), "admin", 204),
    # Pathways
    ("pathways list", "get", lambda w: "/api/v1/pathways/", None, None, None, "trainee", 200),
    ("pathways retrieve", "get", lambda w: f"/api/v1/pathways/{w.pathway.pk}/", None, None,
     ("lead", lambda w: f"/api/v1/pathways/{w.draft_pathway.pk}/"), "trainee", 200),
    ("pathways create", "post", lambda w: "/api/v1/pathways/",
     lambda w: {"code": "trainer", "title": "RAS trainer", "audience": "trainer", "framework": w.framework.pk},
     "trainee", None, "admin", 201),
    ("pathways update", "patch", lambda w: f"/api/v1/pathways/{w.draft_pathway.pk}/",
     lambda w: {"description": "Better"}, "lead", ("admin", lambda w: f"/api/v1/pathways/{MISSING}/"), "admin", 200),
    ("pathways publish", "post", lambda w: f"/api/v1/pathways/{w.draft_pathway.pk}/publish/", None, "trainee",
     ("admin", lambda w: f"/api/v1/pathways/{MISSING}/publish/"), "admin", 200),
    ("pathways retire", "post", lambda w: f"/api/v1/pathways/{w.pathway.pk}/retire/", None, "lead",
     ("admin", lambda w: f"/api/v1/pathways/{MISSING}/retire/"), "admin", 200),
    ("pathways new-version", "post", lambda w: f"/api/v1/pathways/{w.pathway.pk}/new-version/", None,
     "trainee", ("admin", lambda w: f"/api/v1/pathways/{MISSING}/new-version/"), "admin", 201),
    # Modules, components, requirements
    ("modules list", "get", lambda w: "/api/v1/modules/", None, None, None, "trainee", 200),
    ("modules retrieve", "get", lambda w: f"/api/v1/modules/{w.module.pk}/", None, None,
     ("trainee", lambda w: f"/api/v1/modules/{w.draft_module.pk}/"), "assigned_trainer", 200),
    ("modules create", "post", lambda w: "/api/v1/modules/",
     lambda w: {"pathway": w.draft_pathway.pk, "title": "More"}, "trainee", None, "admin", 201),
    ("modules update", "patch", lambda w: f"/api/v1/modules/{w.draft_module.pk}/", lambda w: {"title": "Renamed"},
     "lead", ("admin", lambda w: f"/api/v1/modules/{MISSING}/"), "admin", 200),
    ("modules delete", "delete", lambda w: f"/api/v1/modules/{w.draft_module.pk}/", None, "trainee",
     ("admin", lambda w: f"/api/v1/modules/{MISSING}/"), "admin", 204),
    ("components list", "get", lambda w: "/api/v1/components/", None, None, None, "trainee", 200),
    ("components retrieve", "get", lambda w: f"/api/v1/components/{w.component.pk}/", None, None,
     ("other_lead", lambda w: f"/api/v1/components/{w.draft_component.pk}/"), "trainee", 200),
    ("components create", "post", lambda w: "/api/v1/components/",
     lambda w: {"module": w.draft_module.pk, "title": "Wet lab", "kind": "wet_lab"}, "lead", None, "admin", 201),
    ("components update", "patch", lambda w: f"/api/v1/components/{w.draft_component.pk}/",
     lambda w: {"title": "Renamed"}, "trainee", ("admin", lambda w: f"/api/v1/components/{MISSING}/"), "admin", 200),
    ("components delete", "delete", lambda w: f"/api/v1/components/{w.draft_component.pk}/", None, "lead",
     ("admin", lambda w: f"/api/v1/components/{MISSING}/"), "admin", 204),
    ("requirements list", "get", lambda w: "/api/v1/requirements/", None, None, None, "trainee", 200),
    ("requirements retrieve", "get", lambda w: f"/api/v1/requirements/{w.requirement.pk}/", None, None,
     ("trainee", lambda w: f"/api/v1/requirements/{w.draft_requirement.pk}/"), "trainee", 200),
    ("requirements create", "post", lambda w: "/api/v1/requirements/",
     lambda w: {"component": w.draft_component.pk, "type": "min_hours", "params": {"hours": "3.5"}},
     "trainee", None, "admin", 201),
    ("requirements update", "patch", lambda w: f"/api/v1/requirements/{w.draft_requirement.pk}/",
     lambda w: {"params": {"score": 85, "consecutive": 3}}, "lead",
     ("admin", lambda w: f"/api/v1/requirements/{MISSING}/"), "admin", 200),
    ("requirements delete", "delete", lambda w: f"/api/v1/requirements/{w.draft_requirement.pk}/", None,
     "trainee", ("admin", lambda w: f"/api/v1/requirements/{MISSING}/"), "admin", 204),
    # Enrolments
    ("enrolments list", "get", lambda w: "/api/v1/enrolments/", None, "lab_manager", None, "trainee", 200),
    ("enrolments retrieve", "get", lambda w: f"/api/v1/enrolments/{w.enrolment.pk}/", None, "lab_manager",
     ("other_trainee", None), "assigned_trainer", 200),
    ("enrolments create", "post", lambda w: "/api/v1/enrolments/",
     lambda w: {"pathway": w.pathway.pk, "trainee": w.trainee.pk}, "assigned_trainer", None, "admin", 409),
    ("enrolments create (new)", "post", lambda w: "/api/v1/enrolments/",
     lambda w: {"pathway": make_pathway(w.admin, w.framework, code="open2").pk}, "lab_manager", None, "trainee", 201),
    ("enrolments pause", "post", lambda w: f"/api/v1/enrolments/{w.enrolment.pk}/pause/",
     lambda w: {"kind": "other", "reason": "Leave"}, "assigned_trainer", ("other_lead", None), "lead", 200),
    ("enrolments resume", "post", lambda w: f"/api/v1/enrolments/{w.paused.pk}/resume/", None, "lab_manager",
     ("trainee", None), "other_trainee", 200),
    ("enrolments withdraw", "post", lambda w: f"/api/v1/enrolments/{w.enrolment.pk}/withdraw/", None,
     "unassigned_trainer", ("other_trainee", None), "trainee", 200),
    ("enrolments progress", "get", lambda w: f"/api/v1/enrolments/{w.enrolment.pk}/progress/", None,
     "lab_manager", ("unassigned_trainer", None), "assigned_trainer", 200),
    # E-learning completions
    ("elearning list", "get", lambda w: "/api/v1/elearning-completions/", None, "lab_manager", None, "trainee", 200),
    ("elearning retrieve", "get", lambda w: f"/api/v1/elearning-completions/{w.completion.pk}/", None,
     "lab_manager", ("other_trainee", None), "lead", 200),
    ("elearning create", "post", lambda w: "/api/v1/elearning-completions/",
     lambda w: {"component": elearning_component(w.pathway).pk, "completed_on": days_ago(1).isoformat(),
                "provider": "Intuitive Learning"}, "lead", None, "trainee", 201),
    # Learning resources
    ("resources list", "get", lambda w: "/api/v1/resources/", None, None, None, "lab_manager", 200),
    ("resources retrieve", "get", lambda w: f"/api/v1/resources/{w.pending.pk}/", None, None,
     ("other_trainee", None), "trainee", 200),
    ("resources submissions", "post", lambda w: "/api/v1/resources/submissions/",
     lambda w: {"items": [resource_item(7)]}, None, None, "lab_manager", 201),
    ("resources map", "patch", lambda w: f"/api/v1/resources/{w.approved.pk}/",
     lambda w: {"modules": [w.module.pk]}, "trainee", ("admin", lambda w: f"/api/v1/resources/{MISSING}/"),
     "admin", 200),
    ("resources approve", "post", lambda w: f"/api/v1/resources/{w.pending.pk}/approve/", None, "lead",
     ("admin", lambda w: f"/api/v1/resources/{MISSING}/approve/"), "admin", 200),
    ("resources reject", "post", lambda w: f"/api/v1/resources/{w.pending.pk}/reject/",
     lambda w: {"reason": "Paywalled"}, "trainee", ("admin", lambda w: f"/api/v1/resources/{MISSING}/reject/"),
     "admin", 200),
]


def _call(user, method, path, body):
    client = APIClient()
    if user is not None:
        from rastrack.accounts.tokens import token_issue

        client.credentials(HTTP_AUTHORIZATION=f"Token {token_issue(user)}")
    return getattr(client, method)(path, body, format="json") if body is not None else getattr(client, method)(path)


@pytest.mark.parametrize(("name", "method", "path", "body", "denied", "hidden", "allowed", "expected"), CASES,
                         ids=[case[0] for case in CASES])
def test_permissions_both_ways(w, name, method, path, body, denied, hidden, allowed, expected):
    url = path(w)
    payload = body(w) if body else None
    assert _call(None, method, url, payload).status_code == 401, "anonymous"
    if denied:
        response = _call(getattr(w, denied), method, url, payload)
        assert response.status_code == 403, (denied, response.content)
    if hidden:
        persona, hidden_path = hidden
        response = _call(getattr(w, persona), method, hidden_path(w) if hidden_path else url, payload)
        assert response.status_code == 404, (persona, response.content)
    response = _call(getattr(w, allowed), method, url, payload)
    assert response.status_code == expected, (allowed, response.content)


def test_every_curriculum_route_and_action_is_in_the_table():
    from rastrack.api_urls import router

    aliases = {"update": "partial_update", "delete": "destroy", "map": "partial_update",
               "new-version": "new_version", "elearning": "elearning-completions"}
    covered = set()
    for case in CASES:
        prefix, action = case[0].split(" ")[:2]
        covered.add((aliases.get(prefix, prefix), aliases.get(action, action)))
    served = set()
    for prefix, viewset, _basename in router.registry:
        if not viewset.__module__.startswith("curriculum."):
            continue
        allowed = set(viewset.http_method_names)
        for route in router.get_routes(viewset):
            for method, action in route.mapping.items():
                if method in allowed and hasattr(viewset, action) and action != "update":
                    served.add((prefix, action))
    assert served == covered


def test_lists_are_scoped(api, w):
    """Each role's list holds exactly what it may see."""
    def ids(user, path):
        return sorted(r["id"] for r in api.as_user(user).get(path).json()["results"])

    everyone = sorted([w.enrolment.pk, w.paused.pk])
    assert ids(w.trainee, "/api/v1/enrolments/") == [w.enrolment.pk]
    assert ids(w.assigned_trainer, "/api/v1/enrolments/") == [w.enrolment.pk]
    assert ids(w.unassigned_trainer, "/api/v1/enrolments/") == []
    assert ids(w.lead, "/api/v1/enrolments/") == everyone
    assert ids(w.other_lead, "/api/v1/enrolments/") == []
    assert ids(w.admin, "/api/v1/enrolments/") == everyone
    assert ids(w.trainee, "/api/v1/pathways/") == [w.pathway.pk]
    assert ids(w.admin, "/api/v1/pathways/") == sorted([w.pathway.pk, w.draft_pathway.pk])
    assert ids(w.other_trainee, "/api/v1/resources/") == [w.approved.pk]
    assert ids(w.trainee, "/api/v1/resources/") == sorted([w.pending.pk, w.approved.pk])
    assert ids(w.other_trainee, "/api/v1/elearning-completions/") == []
    assert ids(w.assigned_trainer, "/api/v1/elearning-completions/") == [w.completion.pk]
