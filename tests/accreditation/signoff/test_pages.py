"""Sign-off web pages: same rules as the API, NHS.UK markup, nothing inline (CSP), constant
query counts for the queue."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accreditation.signoff import services as signoff_services
from accreditation.signoff.models import Assessment, SignoffRequest
from rastrack.accounts.roles import Role
from rastrack.notifications.models import Notification
from tests.builders.faculty import assign
from tests.builders.logbook import case_fixture, make_case  # noqa: F401 - fixtures
from tests.builders.people import UserFactory
from tests.builders.signoff import (  # noqa: F401 - fixtures
    assess,
    competency_fixture,
    enrolment_fixture,
    framework_fixture,
    gears,
    pathway_fixture,
    request_signoff,
)
from tests.support.mfa import login_verified

pytestmark = pytest.mark.django_db


def _sign_in(client, user):
    client.logout()
    if user.has_role(Role.PROGRAMME_ADMIN, Role.REGIONAL_LEAD):
        login_verified(client, user)
    else:
        client.force_login(user)


def _assert_clean_html(html: str):
    for attrs, body in re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S):
        assert "src=" in attrs and not body.strip(), "inline script"
    assert "style=" not in html


PAGES = {
    "/signoff/": {"trainee": 200, "assigned_trainer": 200, "lead": 200, "admin": 200, "lab_manager": 403},
    "/signoff/queue/": {"assigned_trainer": 200, "trainee": 403, "lead": 403, "admin": 403, "lab_manager": 403},
    "/signoff/new/": {"trainee": 200, "assigned_trainer": 403, "lead": 403, "lab_manager": 403},
    "/assessments/": {"trainee": 200, "assigned_trainer": 200, "lead": 200, "admin": 200, "lab_manager": 403},
    "/assessments/new/": {"assigned_trainer": 200, "trainee": 403, "lead": 403, "lab_manager": 403},
    "/assessments/self/": {"trainee": 200, "assigned_trainer": 403, "lead": 403, "lab_manager": 403},
    "/assessments/export.csv": {"trainee": 200, "lab_manager": 403},
}


@pytest.mark.parametrize("url", list(PAGES))
def test_pages_follow_the_roles(client, request, url, enrolment):
    for persona, expected in PAGES[url].items():
        _sign_in(client, request.getfixturevalue(persona))
        response = client.get(url)
        assert response.status_code == expected, (persona, url)
        if expected == 200 and not url.endswith(".csv"):
            _assert_clean_html(response.content.decode())
    client.logout()
    assert client.get(url).status_code == 302  # to sign in


def test_the_nav_links_follow_the_roles(client, trainee, assigned_trainer, lab_manager):
    _sign_in(client, trainee)
    html = client.get("/").content.decode()
    assert 'href="/signoff/"' in html and 'href="/assessments/"' in html and 'href="/signoff/queue/"' not in html
    _sign_in(client, assigned_trainer)
    html = client.get("/").content.decode()
    assert 'href="/signoff/queue/"' in html and 'href="/assessments/"' in html
    _sign_in(client, lab_manager)
    assert 'href="/signoff/"' not in client.get("/").content.decode()


# --- Requests ------------------------------------------------------------------------------------------


def test_a_trainee_asks_for_a_signoff_on_the_page(client, trainee, assigned_trainer, competency, case, enrolment):
    _sign_in(client, trainee)
    form = client.get("/signoff/new/").content.decode()
    assert f'value="competency:{competency.pk}"' in form and f'value="enrolment:{enrolment.pk}"' in form
    assert assigned_trainer.full_name in form
    response = client.post("/signoff/new/", {"target": f"competency:{competency.pk}", "trainer": assigned_trainer.pk,
                                            "evidence_cases": [case.pk], "note": "Docked well."})
    request = SignoffRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/signoff/{request.pk}/"
    assert list(request.evidence_cases.all()) == [case]
    assert Notification.objects.filter(idempotency_key=f"signoff.new:{request.pk}").exists()
    # Already pending: no longer offered.
    assert f'value="competency:{competency.pk}"' not in client.get("/signoff/new/").content.decode()


def test_a_long_evidence_list_is_a_picker_that_shows_every_case_without_javascript(
        client, trainee, assigned_trainer, enrolment):
    cases = [make_case(trainee, assigned_trainer, days=day) for day in range(1, 13)]
    _sign_in(client, trainee)
    html = client.get("/signoff/new/").content.decode()
    # Every case is in the page, none hidden: the filter (static/js/picker.js) only hides
    # options once it runs, so without JavaScript the whole list is there to choose from.
    assert all(f'name="evidence_cases" type="checkbox" value="{case.pk}"' in html for case in cases)
    fieldset = re.search(r'<fieldset[^>]*data-picker="id_evidence_cases"[^>]*>(.*?)</fieldset>', html, re.S)
    assert fieldset and fieldset.group(1).count('type="checkbox"') == len(cases)
    assert " hidden" not in fieldset.group(1)
    assert '<script src="/static/js/picker.js" defer></script>' in html
    _assert_clean_html(html)


def test_a_short_evidence_list_has_no_filter(client, trainee, assigned_trainer, case, enrolment):
    _sign_in(client, trainee)
    html = client.get("/signoff/new/").content.decode()
    assert f'value="{case.pk}"' in html and 'data-picker="id_evidence_cases"' not in html


def test_a_too_early_final_signoff_is_explained_on_the_form(client, trainee, assigned_trainer, enrolment):
    _sign_in(client, trainee)
    response = client.post("/signoff/new/", {"target": f"enrolment:{enrolment.pk}", "trainer": assigned_trainer.pk})
    assert response.status_code == 400
    assert "every other requirement" in response.content.decode()
    assert not SignoffRequest.objects.exists()


def test_the_queue_is_oldest_first_with_overdue_highlighted(client, trainee, assigned_trainer, framework):
    made = []
    for n, key in enumerate(["comp-2-1", "comp-1-1", "comp-1-2"]):
        made.append(signoff_services.signoff_request_create(
            trainee=trainee, trainer=assigned_trainer, competency=framework.competencies.get(key=key).pk,
            now=timezone.now() - datetime.timedelta(days=30 - n * 10)))
    _sign_in(client, assigned_trainer)
    html = client.get("/signoff/queue/").content.decode()
    order = [int(pk) for pk in re.findall(r'data-request="(\d+)"', html)]
    assert order == [r.pk for r in made]
    overdue = re.findall(r'data-request="(\d+)" data-overdue', html)
    assert [int(pk) for pk in overdue] == [made[0].pk, made[1].pk]  # 30 and 20 days old, due after 14
    assert html.count("Overdue") == 2


def test_the_trainer_decides_on_the_page(client, trainee, assigned_trainer, competency):
    request = request_signoff(trainee, assigned_trainer, competency=competency.pk)
    _sign_in(client, assigned_trainer)
    page = client.get(f"/signoff/{request.pk}/").content.decode()
    assert "Sign off" in page and "Return with feedback" in page
    missing = client.post(f"/signoff/{request.pk}/return/", {"return-feedback": ""})
    assert missing.status_code == 400 and "Say what is missing" in missing.content.decode()
    check = client.post(f"/signoff/{request.pk}/approve/", {"approve-feedback": "Good."})
    assert check.status_code == 200 and "Check before you sign off" in check.content.decode()
    request.refresh_from_db()
    assert request.status == "pending"  # nothing decided before the trainer confirms
    done = client.post(f"/signoff/{request.pk}/approve/", {"approve-feedback": "Good.", "confirmed": "yes"})
    assert done.status_code == 302
    request.refresh_from_db()
    assert request.status == "approved" and request.feedback == "Good."
    assert client.post(f"/signoff/{request.pk}/approve/", {"approve-feedback": ""}).status_code == 409
    assert "Sign off" not in client.get(f"/signoff/{request.pk}/").content.decode()


def test_the_trainee_does_not_get_the_decision_forms_and_cannot_post_them(client, trainee, assigned_trainer,
                                                                          competency):
    request = request_signoff(trainee, assigned_trainer, competency=competency.pk)
    _sign_in(client, trainee)
    page = client.get(f"/signoff/{request.pk}/").content.decode()
    assert "Return with feedback" not in page and "Withdraw this request" in page
    assert client.post(f"/signoff/{request.pk}/approve/", {}).status_code == 403
    assert client.post(f"/signoff/{request.pk}/withdraw/").status_code == 302
    request.refresh_from_db()
    assert request.status == "withdrawn"


def test_an_admin_reverses_on_the_page(client, trainee, assigned_trainer, admin, competency):
    request = request_signoff(trainee, assigned_trainer, competency=competency.pk)
    signoff_services.signoff_request_approve(request=request, actor=assigned_trainer)
    _sign_in(client, admin)
    assert "Reverse this approval" in client.get(f"/signoff/{request.pk}/").content.decode()
    assert client.post(f"/signoff/{request.pk}/reverse/", {"reverse-reason": ""}).status_code == 400
    assert client.post(f"/signoff/{request.pk}/reverse/", {"reverse-reason": "Error."}).status_code == 302
    request.refresh_from_db()
    assert request.status == "reversed"


def test_another_trainees_request_is_a_404(client, trainee, other_trainee, assigned_trainer, competency):
    request = request_signoff(trainee, assigned_trainer, competency=competency.pk)
    _sign_in(client, other_trainee)
    assert client.get(f"/signoff/{request.pk}/").status_code == 404
    assert client.post(f"/signoff/{request.pk}/withdraw/").status_code == 404


# --- Assessments ---------------------------------------------------------------------------------------


def test_the_gears_form_has_six_radio_groups_of_five(client, trainee, assigned_trainer, case):
    _sign_in(client, assigned_trainer)
    chooser = client.get("/assessments/new/").content.decode()
    assert trainee.full_name in chooser
    html = client.get(f"/assessments/new/?trainee={trainee.pk}&tool=gears&case={case.pk}").content.decode()
    _assert_clean_html(html)
    for domain in gears():
        assert len(re.findall(rf'name="score_{domain}" type="radio"', html)) == 5, domain
    assert "Accurately directs instruments" in html  # the anchors label the scores


def test_a_trainer_assesses_on_the_page(client, trainee, assigned_trainer, case):
    _sign_in(client, assigned_trainer)
    url = f"/assessments/new/?trainee={trainee.pk}&tool=gears"
    data = {f"score_{k}": v for k, v in gears(21).items()} | {"case": case.pk, "feedback": "Good."}
    missing = dict(data)
    missing.pop("score_autonomy")
    response = client.post(url, missing)
    assert response.status_code == 400 and "Missing: give a score from 1 to 5." in response.content.decode()
    # Check your answers first: the choices in words, nothing recorded until confirmed.
    check = client.post(url, data)
    html = check.content.decode()
    assert check.status_code == 200 and "Check your answers before you record it" in html
    assert trainee.full_name in html and "Good." in html and 'name="confirmed" value="yes"' in html
    assert ">21<" in html.replace(" ", "") and not Assessment.objects.exists()
    response = client.post(url, data | {"confirmed": "yes"})
    assessment = Assessment.objects.get()
    assert response.status_code == 302 and assessment.total == 21 and assessment.case == case
    assert "21" in client.get(f"/assessments/{assessment.pk}/").content.decode()


def test_a_trainer_cannot_pick_a_trainee_they_do_not_supervise(client, other_trainee, assigned_trainer, trainee):
    _sign_in(client, assigned_trainer)
    html = client.get(f"/assessments/new/?trainee={other_trainee.pk}&tool=gears").content.decode()
    assert "Choose one of the options shown." in html  # back to the chooser
    assert not Assessment.objects.exists()


def test_a_trainee_self_assesses_on_the_page(client, trainee, assigned_trainer, case):
    _sign_in(client, trainee)
    html = client.get(f"/assessments/self/?case={case.pk}").content.decode()
    assert f'value="{case.pk}" selected' in html
    data = {f"score_{k}": v for k, v in gears(24).items()} | {"case": case.pk, "tool_code": "gears"}
    check = client.post("/assessments/self/", data)
    assert check.status_code == 200 and b"Confirm and record" in check.content and not Assessment.objects.exists()
    data["confirmed"] = "yes"
    response = client.post("/assessments/self/", data)
    assert response.status_code == 302
    assert Assessment.objects.get().is_self
    assert client.post("/assessments/self/", data).status_code == 400  # once per case: shown on the form


# --- Cost ----------------------------------------------------------------------------------------------


def _count(client, path) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries)


def test_the_queue_costs_the_same_for_1_or_many_requests(client, api, london, assigned_trainer, framework):
    competencies = list(framework.competencies.all())

    def add_trainee():
        trainee = UserFactory(roles=["trainee"], region=london)
        assign(assigned_trainer, trainee)
        for competency in competencies[:2]:
            case = make_case(trainee, assigned_trainer)
            rating = assess(assigned_trainer, trainee, case=case)
            request_signoff(trainee, assigned_trainer, competency=competency.pk, evidence_cases=[case.pk],
                            evidence_assessments=[rating.pk])

    add_trainee()
    _sign_in(client, assigned_trainer)
    api_client = api.as_user(assigned_trainer)
    paths = ["/signoff/queue/", "/signoff/", "/assessments/"]
    api_paths = ["/api/v1/signoff-requests/queue/", "/api/v1/signoff-requests/", "/api/v1/assessments/"]
    one = [_count(client, p) for p in paths] + [_count(api_client, p) for p in api_paths]
    for _ in range(7):
        add_trainee()
    many = [_count(client, p) for p in paths] + [_count(api_client, p) for p in api_paths]
    assert api_client.get("/api/v1/signoff-requests/queue/").json()["count"] == 16
    assert one == many, (one, many)
