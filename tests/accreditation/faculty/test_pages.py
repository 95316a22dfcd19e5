"""The faculty's web pages: same rules as the API, NHS.UK markup, nothing inline (CSP)."""

import datetime
import re

import pytest
from django.utils import timezone

from accreditation.faculty.models import Accreditation, Assignment, TrainerApplication
from accreditation.faculty.services import trainer_application_create
from rastrack.accounts.roles import Role
from tests.builders.dates import days_ago
from tests.builders.faculty import accredit, pdf_file
from tests.builders.people import UserFactory
from tests.support.mfa import login_verified

pytestmark = pytest.mark.django_db

ADMIN_PAGES = ["/faculty/", "/faculty/applications/", "/faculty/assignments/"]


def _sign_in(client, user):
    if user.has_role(Role.PROGRAMME_ADMIN, Role.REGIONAL_LEAD):
        login_verified(client, user)
    else:
        client.force_login(user)


def _application(applicant, **overrides):
    data = {"kind": "initial", "specialty": "urology", "platforms": ["davinci_xi"],
            "independent_console_cases": 70, "statement": "I run the dry lab.",
            "train_the_trainer_completed_on": days_ago(20)}
    data.update(overrides)
    return trainer_application_create(applicant=applicant, **data)


def _assert_clean_html(html: str):
    for attrs, body in re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S):
        assert "src=" in attrs and not body.strip(), "inline script"
    assert "style=" not in html


@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_admin_pages_are_for_admins_and_leads(client, request, url, assigned_trainer):
    for persona, expected in (("admin", 200), ("lead", 200), ("trainee", 403), ("assigned_trainer", 403),
                              ("lab_manager", 403)):
        client.logout()
        _sign_in(client, request.getfixturevalue(persona))
        response = client.get(url)
        assert response.status_code == expected, (persona, url)
        if expected == 200:
            _assert_clean_html(response.content.decode())
    client.logout()
    assert client.get(url).status_code == 302  # to sign in


def test_the_nav_links_follow_the_roles(client, admin, trainee, lab_manager):
    _sign_in(client, admin)
    html = client.get("/").content.decode()
    assert "/faculty/" in html and "/faculty/assignments/" in html
    client.logout()
    _sign_in(client, trainee)
    html = client.get("/").content.decode()
    assert "/faculty/mine/" in html and "/faculty/assignments/" not in html
    client.logout()
    _sign_in(client, lab_manager)
    assert "/faculty/" not in client.get("/").content.decode()


def test_the_register_highlights_expiry_and_filters(client, lead, london, north_west, assigned_trainer):
    soon = UserFactory(full_name="Sue Soonexpiring", roles=[Role.TRAINER], region=london)
    accredit(soon, since=days_ago(1000), expires_on=timezone.localdate() + datetime.timedelta(days=30))
    elsewhere = UserFactory(full_name="Walt Elsewhere", roles=[Role.TRAINER], region=north_west)
    accredit(elsewhere)
    _sign_in(client, lead)
    html = client.get("/faculty/").content.decode()
    assert "Sue Soonexpiring" in html and assigned_trainer.full_name in html
    assert "Walt Elsewhere" not in html  # another region
    assert html.count("data-expiring-soon") == 1
    filtered = client.get("/faculty/?specialty=colorectal").content.decode()
    assert "Sue Soonexpiring" not in filtered and "No trainers match" in filtered


def test_a_surgeon_applies_with_an_uploaded_document(client, trainee):
    _sign_in(client, trainee)
    page = client.get("/faculty/apply/")
    assert page.status_code == 200
    assert "Apply to become an accredited RAS trainer" in page.content.decode()
    _assert_clean_html(page.content.decode())
    response = client.post("/faculty/apply/", {
        "specialty": "urology", "platforms": ["davinci_xi", "hugo"], "independent_console_cases": "55",
        "train_the_trainer_completed_on": days_ago(10).isoformat(),
        "statement": "I teach docking and emergency undocking.", "file": pdf_file("course.pdf"),
    })
    application = TrainerApplication.objects.get(applicant=trainee)
    assert response.status_code == 302 and response["Location"] == f"/faculty/applications/{application.pk}/"
    assert application.kind == "initial" and application.platforms == ["davinci_xi", "hugo"]
    assert [d.original_name for d in application.documents.all()] == ["course.pdf"]
    assert "course.pdf" in client.get(response["Location"]).content.decode()


def test_the_form_shows_the_services_field_errors(client, trainee):
    _sign_in(client, trainee)
    response = client.post("/faculty/apply/", {
        "specialty": "urology", "platforms": ["davinci_xi"], "independent_console_cases": "12",
        "statement": "DOB 03/04/1961 in my first case.",
    })
    html = response.content.decode()
    assert response.status_code == 400 and "There is a problem" in html
    assert "at least 50" in html
    assert not TrainerApplication.objects.exists()


def test_an_accredited_trainer_gets_the_renewal_form(client, assigned_trainer):
    _sign_in(client, assigned_trainer)
    assert "Renew your trainer accreditation" in client.get("/faculty/apply/").content.decode()
    mine = client.get("/faculty/mine/").content.decode()
    assert "Accredited" in mine and "Apply for renewal" in mine and "Tara Trainee" in mine


def test_professions_that_hold_no_faculty_role_cannot_apply(client, lab_manager):
    # Nurses, ODPs and SCPs apply for bedside-and-team faculty (tests/accreditation/faculty/
    # test_non_surgeon_faculty.py); other professions hold no faculty accreditation.
    lab_manager.profession = "other"
    lab_manager.save()
    _sign_in(client, lab_manager)
    assert client.get("/faculty/apply/").status_code == 403


def test_the_queue_and_a_decision_on_the_web(client, lead, other_lead, london):
    first = UserFactory(full_name="Fay First", roles=[Role.TRAINEE], region=london)
    second = UserFactory(full_name="Sid Second", roles=[Role.TRAINEE], region=london)
    app1, app2 = _application(first), _application(second)
    _sign_in(client, lead)
    html = client.get("/faculty/applications/").content.decode()
    assert html.index("Fay First") < html.index("Sid Second")  # oldest first

    page = client.get(f"/faculty/applications/{app1.pk}/").content.decode()
    assert "Approve" in page and "Reject" in page
    no_reason = client.post(f"/faculty/applications/{app1.pk}/reject/", {"reject-reason": ""})
    assert no_reason.status_code == 400 and "There is a problem" in no_reason.content.decode()
    check = client.post(f"/faculty/applications/{app1.pk}/approve/", {"approve-reason": "Welcome."})
    assert check.status_code == 200 and "Check before you approve" in check.content.decode()
    assert 'name="confirmed" value="yes"' in check.content.decode() and "Welcome." in check.content.decode()
    assert not Accreditation.objects.filter(trainer=first, status="accredited").exists()  # nothing yet
    approved = client.post(f"/faculty/applications/{app1.pk}/approve/",
                           {"approve-reason": "Welcome.", "confirmed": "yes"})
    assert approved.status_code == 302
    assert Accreditation.objects.filter(trainer=first, status="accredited").exists()
    again = client.post(f"/faculty/applications/{app1.pk}/approve/", {"approve-reason": ""})
    assert again.status_code == 409

    client.logout()
    _sign_in(client, other_lead)
    assert client.get(f"/faculty/applications/{app2.pk}/").status_code == 404
    assert client.post(f"/faculty/applications/{app2.pk}/approve/", {}).status_code == 404
    assert "Sid Second" not in client.get("/faculty/applications/").content.decode()


def test_a_lead_cannot_decide_their_own_application_on_the_web(client, london):
    lead_surgeon = UserFactory(roles=[Role.REGIONAL_LEAD], region=london)
    app = _application(lead_surgeon)
    _sign_in(client, lead_surgeon)
    assert "Approve" not in client.get(f"/faculty/applications/{app.pk}/").content.decode()
    assert client.post(f"/faculty/applications/{app.pk}/approve/", {}).status_code == 403
    assert app.pk not in [a.pk for a in client.get("/faculty/applications/").context["page"]]


def test_suspending_on_the_accreditation_page(client, lead, other_lead, assigned_trainer):
    acc = assigned_trainer.accreditation
    _sign_in(client, lead)
    page = client.get(f"/faculty/accreditations/{acc.pk}/").content.decode()
    assert "Suspend" in page and "Revoke" in page
    assert client.post(f"/faculty/accreditations/{acc.pk}/suspend/", {"reason": ""}).status_code == 400
    response = client.post(f"/faculty/accreditations/{acc.pk}/suspend/", {"reason": "Complaint received."})
    assert response.status_code == 302
    acc.refresh_from_db()
    assert acc.status == "suspended"
    assert client.post(f"/faculty/accreditations/{acc.pk}/suspend/", {"reason": "Again."}).status_code == 409
    client.logout()
    _sign_in(client, other_lead)
    assert client.get(f"/faculty/accreditations/{acc.pk}/").status_code == 404
    client.logout()
    _sign_in(client, assigned_trainer)
    assert client.get(f"/faculty/accreditations/{acc.pk}/").status_code == 200  # their own, read-only
    assert client.post(f"/faculty/accreditations/{acc.pk}/reinstate/", {"reason": "Me."}).status_code == 403


def test_assigning_and_ending_on_the_web(client, lead, unassigned_trainer, other_trainee, london):
    _sign_in(client, lead)
    response = client.post("/faculty/assignments/", {
        "trainer": unassigned_trainer.pk, "trainee": other_trainee.pk, "kind": "clinical_supervisor",
    })
    assert response.status_code == 302
    assignment = Assignment.objects.get(trainer=unassigned_trainer, trainee=other_trainee)
    html = client.get("/faculty/assignments/").content.decode()
    assert other_trainee.full_name in html
    nobody = UserFactory(roles=[Role.TRAINER], region=london)
    refused = client.post("/faculty/assignments/", {"trainer": nobody.pk, "trainee": other_trainee.pk,
                                                    "kind": "proctor"})
    assert refused.status_code == 400  # not offered: only trainers accredited today are
    assert client.post(f"/faculty/assignments/{assignment.pk}/end/", {}).status_code == 302
    assignment.refresh_from_db()
    assert assignment.ends_on == timezone.localdate() and assignment.ended_by == lead
    assert client.post(f"/faculty/assignments/{assignment.pk}/end/", {}).status_code == 409


def test_the_rules_are_edited_in_django_admin(client, admin):
    from accreditation.faculty.models import FacultyRules

    admin.is_staff = admin.is_superuser = True
    admin.save()
    login_verified(client, admin)
    assert client.get("/admin/accreditation/facultyrules/").status_code == 200
    assert FacultyRules.objects.count() == 1
    response = client.post("/admin/accreditation/facultyrules/1/change/", {
        "min_independent_console_cases_initial": 40, "train_the_trainer_required_initial": "on",
        "min_independent_console_cases_renewal": 15, "accreditation_period_years": 5,
        "max_trainees_per_trainer": 6, "expiry_warning_days": 60,
    })
    assert response.status_code == 302
    assert FacultyRules.objects.get().accreditation_period_years == 5
    from rastrack.audit.models import AuditEntry

    [entry] = AuditEntry.objects.filter(action="facultyrules.update")
    assert (entry.before["accreditation_period_years"], entry.after["accreditation_period_years"]) == (3, 5)
    assert client.post("/admin/accreditation/facultyrules/1/delete/", {"post": "yes"}).status_code == 403
    for url in ("/admin/accreditation/accreditation/", "/admin/accreditation/assignment/",
                "/admin/accreditation/trainerapplication/"):
        assert client.get(url).status_code == 200
