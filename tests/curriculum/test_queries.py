"""List endpoints cost the same number of queries for 1 row as for 50."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from curriculum import services
from tests.builders.curriculum import make_framework, resource_item, submit

pytestmark = pytest.mark.django_db


def _count(client, path) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries), response.json()["count"]


def _pathway(admin, framework, n):
    pathway = services.pathway_create(actor=admin, code=f"p{n}", title=f"Pathway {n}", audience="trainee",
                                      framework=framework)
    for m in range(2):
        module = services.module_create(actor=admin, pathway=pathway, title=f"Module {m}")
        component = services.component_create(actor=admin, module=module, title="Course", kind="e_learning")
        services.requirement_create(actor=admin, component=component, type="min_count", params={"count": 1})
    return services.pathway_publish(actor=admin, pathway=pathway)


@pytest.mark.parametrize("path", ["/api/v1/pathways/?page_size=100", "/api/v1/modules/?page_size=100",
                                  "/api/v1/requirements/?page_size=100"])
def test_pathway_lists_take_constant_queries(api, admin, trainee, path):
    framework = make_framework(admin)
    client = api.as_user(trainee)
    _pathway(admin, framework, 0)
    one, rows_one = _count(client, path)
    for n in range(1, 50):
        _pathway(admin, framework, n)
    fifty, rows_fifty = _count(client, path)
    assert rows_fifty >= 50 * rows_one
    assert one == fifty, (one, fifty)


def test_the_resource_list_takes_constant_queries(api, admin, trainee, other_trainee, pathway, framework):
    module = pathway.modules.first()
    competency = framework.competencies.first()

    def add(n):
        resource = submit(other_trainee, resource_item(n, topics=["docking", "simulation"])).items.get()
        services.resource_approve(actor=admin, resource=resource)
        services.resource_map(actor=admin, resource=resource, modules=[module], competencies=[competency])

    client = api.as_user(trainee)
    add(0)
    one, rows = _count(client, "/api/v1/resources/?page_size=100")
    assert rows == 1
    for n in range(1, 50):
        add(n)
    fifty, rows = _count(client, "/api/v1/resources/?page_size=100")
    assert rows == 50
    assert one == fifty, (one, fifty)
    searched_one, _ = _count(client, "/api/v1/resources/?search=docking&topic=docking&page_size=100")
    assert searched_one == fifty


def test_the_enrolment_list_takes_constant_queries(api, admin, lead, london):
    from rastrack.accounts.roles import Role
    from tests.builders.people import UserFactory

    framework = make_framework(admin)
    pathway = _pathway(admin, framework, 0)
    client = api.as_user(lead)

    def enrol():
        trainee = UserFactory(roles=[Role.TRAINEE], region=london)
        enrolment = services.enrolment_create(actor=lead, trainee=trainee, pathway=pathway)
        services.enrolment_pause(actor=lead, enrolment=enrolment, kind="other", reason="Leave")

    enrol()
    one, _ = _count(client, "/api/v1/enrolments/?page_size=100")
    for _ in range(49):
        enrol()
    fifty, rows = _count(client, "/api/v1/enrolments/?page_size=100")
    assert rows == 50 and one == fifty
