"""The busiest requests cost a fixed, small number of queries: logging a case, and the
token authentication every API request goes through (roles read with the token)."""

from __future__ import annotations

import contextlib
import datetime

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accreditation.logbook.models import Case, CaseStep
from curriculum.models import ProgressSnapshot
from rastrack.accounts.models import User
from rastrack.accounts.roles import Role
from rastrack.accounts.services import user_revoke_role
from rastrack.reference.models import Procedure
from tests.builders.people import SiteFactory
from tests.support.api_clients import token_client

URL = "/api/v1/cases/"


@pytest.fixture
def whole_console_case(london):
    """The bench's case_create body: a whole console RARP case with three steps."""
    rarp = Procedure.objects.get(code="rarp")
    steps = list(rarp.steps.filter(retired_in=None).order_by("-order").values_list("pk", flat=True)[:3])
    return {"date": str(timezone.localdate() - datetime.timedelta(days=2)), "site": SiteFactory(region=london).pk,
            "platform": "davinci_xi", "procedure": rarp.pk, "role": "console_whole", "supervision": "S-TU",
            "console_minutes": 150, "docking_minutes": 9, "total_minutes": 200,
            "steps": [{"step": pk, "role": "console", "console_minutes": 20} for pk in steps]}


def _queries(client, method: str, url: str, body=None):
    with CaptureQueriesContext(connection) as ctx:
        response = getattr(client, method)(url, body, format="json")
    return response, [q["sql"] for q in ctx.captured_queries]


@contextlib.contextmanager
def statements(using="default"):
    """The SQL statements run, counted as the bench counts them (bench/middleware.py): each
    statement the database executes; BEGIN and COMMIT, which Django logs apart, are not."""
    run: list[str] = []

    def count(execute, sql, params, many, context):
        run.append(sql)
        return execute(sql, params, many, context)

    with connections[using].execute_wrapper(count):
        yield run


# Transactional: no test transaction around the request, so the service's transaction is a
# transaction (as in production) and not a savepoint pair the count would include.
@pytest.mark.django_db(transaction=True)
def test_logging_a_case_costs_at_most_ten_queries(trainee, assigned_trainer, whole_console_case,
                                                  django_assert_max_num_queries):
    client = token_client(trainee)
    assert client.post(URL, whole_console_case, format="json").status_code == 201  # the stream's head exists
    # Ten statements, and the transaction's BEGIN and COMMIT that Django's query log adds.
    with statements() as run, django_assert_max_num_queries(10 + 2):
        response = client.post(URL, whole_console_case, format="json")
    assert response.status_code == 201, response.json()
    assert len(run) <= 10, run
    assert CaseStep.objects.filter(case_id=response.json()["id"]).count() == 3


@pytest.mark.django_db
def test_the_case_create_spends_no_query_on_what_it_already_knows(trainee, assigned_trainer, whole_console_case):
    client = token_client(trainee)
    client.post(URL, whole_console_case, format="json")
    response, sql = _queries(client, "post", URL, whole_console_case)
    assert response.status_code == 201
    steps_read = [q for q in sql if 'FROM "reference_procedurestep"' in q or 'FROM "reference_procedure"' in q]
    assert len(steps_read) == 1, "the three step ids and their procedure are read in one query"
    assert not [q for q in sql if q.startswith('SELECT "auth_group"')], "roles come with the token"
    assert not [q for q in sql if q.startswith("DELETE")], "a new case has no steps to replace"
    assert not [q for q in sql if "progresssnapshot" in q], "a new draft cannot change progress"
    assert not [q for q in sql if q.startswith('SELECT 1 AS "a" FROM "reference_')], \
        "site and procedure were fetched by the request: not checked again"
    assert not [q for q in sql if 'FROM "accreditation_case"' in q], "the answer is not read back"
    assert sum(q.startswith("SAVEPOINT") for q in sql) == 1, "the audit entry takes no savepoint of its own"
    if connection.vendor == "postgresql":
        appends = [q for q in sql if "audit_auditentry" in q or "audit_auditstreamhead" in q]
        assert len(appends) == 2, "the head locked, then the entry and the head's advance in one statement"
        assert appends[1].startswith('WITH appended AS (INSERT INTO "audit_auditentry"')


@pytest.mark.django_db
def test_the_answer_to_a_create_is_the_case_as_read_back(trainee, assigned_trainer, whole_console_case):
    client = token_client(trainee)
    created = client.post(URL, whole_console_case, format="json").json()
    read_back = client.get(f"{URL}{created['id']}/").json()
    assert created == read_back
    assert [s["step"] for s in created["steps"]] == sorted(
        (s["step"] for s in whole_console_case["steps"]),
        key=lambda pk: Procedure.objects.get(code="rarp").steps.get(pk=pk).order)
    assert created["trainee_name"] == trainee.full_name and created["validator"] == assigned_trainer.pk


@pytest.mark.django_db
def test_step_ids_read_together_are_refused_as_before(trainee, assigned_trainer, whole_console_case):
    client = token_client(trainee)
    body = {**whole_console_case, "steps": [*whole_console_case["steps"], {"step": 999_999, "role": "console"},
                                             {"step": True, "role": "console"}]}
    response = client.post(URL, body, format="json")
    assert response.status_code == 400
    errors = response.json()["steps"]
    assert errors["3"]["step"] == ["There is none with the id 999999 that you may use."]
    assert errors["4"]["step"] == ["Enter an id: a whole number."]
    assert not Case.objects.filter(trainee=trainee).exists()


@pytest.mark.django_db
def test_an_unknown_site_is_refused_as_before(trainee, assigned_trainer, whole_console_case):
    client = token_client(trainee)
    for site, message in ((999_999, "There is none with the id 999999 that you may use."),
                          (True, "Enter an id: a whole number.")):
        response = client.post(URL, {**whole_console_case, "site": site}, format="json")
        assert response.status_code == 400 and response.json()["site"] == [message]
    assert not Case.objects.filter(trainee=trainee).exists()
    # A numeric string is an id, as DRF's field takes it (read by the field, not beforehand).
    response = client.post(URL, {**whole_console_case, "site": str(whole_console_case["site"])}, format="json")
    assert response.status_code == 201 and response.json()["site"] == whole_console_case["site"]


@pytest.mark.django_db
def test_a_missing_site_is_still_refused_by_the_field_rules(trainee, assigned_trainer, whole_console_case):
    response = token_client(trainee).post(URL, {**whole_console_case, "site": None}, format="json")
    assert response.status_code == 400 and "site" in response.json()


@pytest.mark.django_db
def test_only_a_case_that_can_count_marks_progress_stale(admin, trainee, assigned_trainer, whole_console_case):
    from curriculum import progress_summary
    from tests.builders.curriculum import make_framework
    from tests.builders.signoff import enrol, small_pathway

    enrolment = enrol(trainee, small_pathway(admin, make_framework(admin)))
    progress_summary.refresh_due()
    client = token_client(trainee)
    case_id = client.post(URL, whole_console_case, format="json").json()["id"]
    assert not ProgressSnapshot.objects.get(pk=enrolment.pk).stale, "a new draft counts for nothing"
    client.post(f"{URL}{case_id}/submit/")
    token_client(assigned_trainer).post(f"{URL}{case_id}/validate/", {}, format="json")
    assert ProgressSnapshot.objects.get(pk=enrolment.pk).stale, "a validated case counts"
    progress_summary.refresh_due()
    Case.objects.create(**{**_plain(Case.objects.get(pk=case_id)), "status": "validated"})
    assert ProgressSnapshot.objects.get(pk=enrolment.pk).stale, "a case written validated counts at once"


def _plain(case: Case) -> dict:
    return {f.attname: getattr(case, f.attname) for f in Case._meta.concrete_fields if f.name != "id"}


# --- Roles read with the token ------------------------------------------------------------


@pytest.mark.django_db
def test_roles_come_with_the_token_in_one_query(trainee, assigned_trainer):
    client = token_client(assigned_trainer)
    client.get(URL)  # the token's last use is written at most every few minutes
    response, sql = _queries(client, "get", URL + "queue/")
    assert response.status_code == 200
    assert sql[0].startswith('SELECT "accounts_apitoken"') and "holds_trainer" in sql[0]
    assert not [q for q in sql if q.startswith('SELECT "auth_group"')]


@pytest.mark.django_db
def test_a_revoked_role_is_refused_on_the_next_request(trainee, assigned_trainer, whole_console_case):
    client = token_client(trainee)
    assert client.post(URL, whole_console_case, format="json").status_code == 201
    user_revoke_role(user=User.objects.get(pk=trainee.pk), role=Role.TRAINEE)
    assert client.post(URL, whole_console_case, format="json").status_code == 401
    assert Case.objects.filter(trainee=trainee).count() == 1


@pytest.mark.django_db
def test_roles_are_read_afresh_on_every_request_even_when_no_token_ended(trainee, assigned_trainer,
                                                                         whole_console_case):
    client = token_client(trainee)
    assert client.post(URL, whole_console_case, format="json").status_code == 201
    # A door that sends no m2m signal (a raw delete) ends no token: the roles are still the
    # database's on the next request, so logging a case is refused.
    User.groups.through.objects.filter(user_id=trainee.pk).delete()
    assert client.post(URL, whole_console_case, format="json").status_code == 403
    assert Case.objects.filter(trainee=trainee).count() == 1


# --- The big lists: a lighter read path, the same JSON ----------------------------------------


@pytest.fixture
def logbook_of_many(trainee, assigned_trainer, whole_console_case):
    """Cases in every state, with and without steps, notes and a decision."""
    from accreditation.logbook import services as logbook
    from tests.builders.logbook import make_case

    client = token_client(trainee)
    for n in range(12):
        body = {**whole_console_case, "notes": f"Case {n}", "case_reference": f"R{n}"}
        if n % 3 == 0:
            body.pop("steps")
        case_id = client.post(URL, body, format="json").json()["id"]
        if n % 2:
            client.post(f"{URL}{case_id}/submit/")
    for days in (9, 8):
        make_case(trainee, assigned_trainer, steps=("Bladder neck dissection",), days=days)
    rejected = make_case(trainee, assigned_trainer, status="submitted", days=7)
    logbook.case_reject(case=rejected, actor=assigned_trainer, reason="Wrong date.")
    return Case.objects.filter(trainee=trainee)


@pytest.mark.django_db
def test_the_lean_list_is_the_serializers_json(logbook_of_many, trainee, assigned_trainer):
    from accreditation.logbook.api import CaseSerializer

    for client, url in ((token_client(trainee), URL), (token_client(assigned_trainer), URL + "queue/")):
        page = client.get(url + "?page_size=100").json()["results"]
        assert page
        full = CaseSerializer(Case.objects.filter(pk__in=[row["id"] for row in page]), many=True).data
        by_id = {row["id"]: row for row in full}
        assert page == [by_id[row["id"]] for row in page]
    assert {row["status"] for row in token_client(trainee).get(URL + "?page_size=100").json()["results"]} == {
        "draft", "submitted", "validated", "rejected"}


@pytest.mark.django_db
# The queue reads the trainer's trainees first (one query) so that its count and page carry
# their ids rather than the rights subquery (rastrack/accounts/trainee_scope.py `read_now`).
@pytest.mark.parametrize(("path", "most"), [(URL, 4), (URL + "queue/", 5)])
def test_the_big_lists_cost_the_same_queries_at_page_sizes_10_and_100(logbook_of_many, trainee, assigned_trainer,
                                                                      path, most):
    client = token_client(trainee if path == URL else assigned_trainer)
    client.get(path)  # the token's last use is written at most every few minutes
    small, sql_10 = _queries(client, "get", f"{path}?page_size=10")
    large, sql_100 = _queries(client, "get", f"{path}?page_size=100")
    assert len(small.json()["results"]) == min(10, large.json()["count"])
    assert len(large.json()["results"]) == large.json()["count"] > 5
    assert len(sql_10) == len(sql_100) <= most, sql_100
