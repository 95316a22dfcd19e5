"""Curriculum web pages: browse, enrol, progress, pause, e-learning, resources, moderation, admin."""

import re

import pytest

from curriculum import services
from curriculum.models import ELearningCompletion, Enrolment, LearningResource
from tests.builders.curriculum import elearning_component, pdf, resource_item, submit
from tests.builders.dates import days_ago
from tests.support.mfa import login_verified

pytestmark = pytest.mark.django_db


def _html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _refused(response) -> str:
    """A form page shown again after a refused POST: 400, the errors at the top."""
    assert response.status_code == 400, response.status_code
    html = response.content.decode()
    assert "nhsuk-error-summary" in html
    return html


def _no_inline_code(html: str) -> None:
    for attrs, body in re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S):
        assert "src=" in attrs and not body.strip(), "inline script"
    assert "style=" not in html


def test_browsing_pathways_and_modules(client, trainee, pathway, draft_pathway):
    client.force_login(trainee)
    html = _html(client.get("/curriculum/"))
    assert "Robotic literacy" in html and "Draft pathway" not in html
    html = _html(client.get(f"/curriculum/pathways/{pathway.pk}/"))
    assert "At least 10 bedside-assisted cases of Robot-assisted radical prostatectomy" in html
    assert "A score of at least 90 on 2 consecutive attempts" in html
    assert "Final sign-off" in html and "Enrol on this pathway" in html
    _no_inline_code(html)
    module = pathway.modules.get(title="Platform e-learning")
    html = _html(client.get(f"/curriculum/modules/{module.pk}/"))
    assert "Record that you completed this e-learning" in html
    assert client.get(f"/curriculum/pathways/{draft_pathway.pk}/").status_code == 404
    assert client.get(f"/curriculum/modules/{draft_pathway.modules.first().pk}/").status_code == 404
    html = _html(client.get("/curriculum/standards/"))
    assert "Competency 1.1" in html


def test_admins_see_drafts(client, admin, draft_pathway):
    login_verified(client, admin)
    assert "Draft pathway" in _html(client.get(f"/curriculum/pathways/{draft_pathway.pk}/"))


def test_self_enrolment_and_progress_page(client, trainee, other_trainee, pathway):
    client.force_login(trainee)
    response = client.post(f"/curriculum/pathways/{pathway.pk}/enrol/")
    enrolment = Enrolment.objects.get(trainee=trainee)
    assert response.status_code == 302 and response["Location"] == f"/curriculum/enrolments/{enrolment.pk}/"
    services.elearning_record(trainee=trainee, component=elearning_component(pathway), completed_on=days_ago(2),
                              provider="Intuitive Learning")
    html = _html(client.get(response["Location"]))
    assert "1 of 5 requirements met" in html
    assert "Platform e-module (Intuitive Learning)" in html  # the evidence
    assert "Met" in html and "Not met" in html
    _no_inline_code(html)
    assert "Robotic literacy" in _html(client.get("/curriculum/enrolments/"))
    again = client.post(f"/curriculum/pathways/{pathway.pk}/enrol/", follow=True)
    assert "already enrolled" in again.content.decode()
    client.force_login(other_trainee)
    assert client.get(f"/curriculum/enrolments/{enrolment.pk}/").status_code == 404


def test_self_enrolment_on_a_closed_pathway_is_403(client, trainee, closed_pathway):
    client.force_login(trainee)
    assert client.post(f"/curriculum/pathways/{closed_pathway.pk}/enrol/").status_code == 403
    assert not Enrolment.objects.exists()


def test_a_lead_enrols_a_trainee_from_the_pathway_page(client, lead, trainee, north_trainee, closed_pathway):
    login_verified(client, lead)
    html = _html(client.get(f"/curriculum/pathways/{closed_pathway.pk}/"))
    assert "Enrol a trainee" in html and trainee.full_name in html and north_trainee.full_name not in html
    response = client.post(f"/curriculum/pathways/{closed_pathway.pk}/enrol/", {"trainee": trainee.pk})
    assert response.status_code == 302
    assert Enrolment.objects.get(trainee=trainee).enrolled_by == lead
    client.post(f"/curriculum/pathways/{closed_pathway.pk}/enrol/", {"trainee": north_trainee.pk})
    assert not Enrolment.objects.filter(trainee=north_trainee).exists()
    assert trainee.full_name in _html(client.get("/curriculum/enrolments/"))


def test_pausing_and_resuming_on_the_web(client, trainee, enrolment):
    client.force_login(trainee)
    url = f"/curriculum/enrolments/{enrolment.pk}/pause/"
    assert "Pause training" in _html(client.get(url))
    refused = _refused(client.post(url, {"kind": "other", "reason": "Caring for patient MRN 12345678"}))
    assert "There is a problem" in refused and "hospital number" in refused.lower()
    started = days_ago(10)
    response = client.post(url, {"kind": "less_than_full_time", "reason": "Working at 60%",
                                 "started_on": started.isoformat()})
    assert response.status_code == 302
    assert "Resume today" in _html(client.get(f"/curriculum/enrolments/{enrolment.pk}/"))
    client.post(f"/curriculum/enrolments/{enrolment.pk}/resume/")
    moved = Enrolment.objects.get(pk=enrolment.pk)
    assert moved.status == "active" and (moved.target_date - enrolment.target_date).days == 10


def test_a_trainer_sees_but_cannot_pause(client, assigned_trainer, enrolment):
    client.force_login(assigned_trainer)
    html = _html(client.get(f"/curriculum/enrolments/{enrolment.pk}/"))
    assert "Pause this training" not in html
    assert client.get(f"/curriculum/enrolments/{enrolment.pk}/pause/").status_code == 403
    assert client.post(f"/curriculum/enrolments/{enrolment.pk}/withdraw/").status_code == 403


def test_recording_elearning_with_a_certificate_upload(client, trainee, enrolment, pathway):
    client.force_login(trainee)
    component = elearning_component(pathway)
    assert "Platform e-module" in _html(client.get(f"/curriculum/elearning/?component={component.pk}"))
    response = client.post("/curriculum/elearning/", {
        "component": component.pk, "completed_on": days_ago(4).isoformat(), "provider": "Intuitive Learning",
        "certificate": pdf()})
    assert response.status_code == 302
    completion = ELearningCompletion.objects.get(trainee=trainee)
    assert completion.certificate.owner == trainee and completion.certificate.content_type == "application/pdf"
    future = _refused(client.post("/curriculum/elearning/", {
        "component": component.pk, "completed_on": days_ago(-4).isoformat(), "provider": "x"}))
    assert "cannot be in the future" in future


def test_the_elearning_page_is_for_trainees(client, lab_manager):
    client.force_login(lab_manager)
    assert client.get("/curriculum/elearning/").status_code == 403
    assert client.get("/curriculum/enrolments/").status_code == 403


def _formset(items, total=None):
    data = {"items-TOTAL_FORMS": str(total if total is not None else 3), "items-INITIAL_FORMS": "0",
            "items-MIN_NUM_FORMS": "1", "items-MAX_NUM_FORMS": "3"}
    for index, item in enumerate(items):
        for key, value in item.items():
            if key == "topics":
                data[f"items-{index}-topics"] = value
            elif key == "open_access_confirmed":
                if value:
                    data[f"items-{index}-open_access_confirmed"] = "on"
            else:
                data[f"items-{index}-{key}"] = value
    return data


def test_submitting_resources_with_the_formset(client, trainee):
    client.force_login(trainee)
    assert "Resource 3 (optional)" in _html(client.get("/curriculum/resources/submit/"))
    response = client.post("/curriculum/resources/submit/", _formset([resource_item(1), resource_item(2)]))
    assert response.status_code == 302
    assert LearningResource.objects.filter(status="pending").count() == 2


def test_a_submission_of_zero_or_four_items_is_refused_on_the_web(client, trainee):
    client.force_login(trainee)
    empty = _refused(client.post("/curriculum/resources/submit/", _formset([])))
    assert "There is a problem" in empty
    four = _refused(client.post("/curriculum/resources/submit/",
                             _formset([resource_item(n) for n in range(4)], total=4)))
    assert "at most 3 resources" in four
    assert not LearningResource.objects.exists()


def test_a_duplicate_is_shown_on_its_url_field(client, trainee, other_trainee, admin):
    existing = submit(other_trainee, resource_item(1)).items.get()
    services.resource_approve(actor=admin, resource=existing)
    client.force_login(trainee)
    html = _refused(client.post("/curriculum/resources/submit/", _formset([
        resource_item(1, url="HTTPS://learning.example.org/robotics/guide-1/?utm_campaign=x")])))
    assert "Already in the catalogue" in html and existing.title in html
    assert LearningResource.objects.count() == 1


def test_the_catalogue_searches_approved_resources(client, admin, trainee):
    first, second = submit(trainee, resource_item(1, title="Docking the Xi"),
                           resource_item(2, title="NOTSS handbook", format="guideline")).items.order_by("id")
    services.resource_approve(actor=admin, resource=first)
    client.force_login(trainee)
    html = _html(client.get("/curriculum/resources/"))
    assert "Docking the Xi" in html and "Waiting for moderation" in html  # own pending one listed apart
    html = _html(client.get("/curriculum/resources/?search=notss"))
    assert "No resources match" in html
    html = _html(client.get("/curriculum/resources/?format=video&search=docking"))
    assert "Docking the Xi" in html
    _no_inline_code(html)


def test_the_moderation_queue(client, admin, trainee, lead):
    first, second = submit(trainee, resource_item(1), resource_item(2)).items.order_by("id")
    login_verified(client, lead)
    assert client.get("/curriculum/resources/moderation/").status_code == 403
    assert client.post(f"/curriculum/resources/{first.pk}/approve/").status_code == 403
    login_verified(client, admin)
    html = _html(client.get("/curriculum/resources/moderation/"))
    assert first.title in html and second.title in html
    _no_inline_code(html)
    client.post(f"/curriculum/resources/{first.pk}/approve/")
    refused = client.post(f"/curriculum/resources/{second.pk}/reject/", {"reason": ""}, follow=True)
    assert "Say why" in refused.content.decode()
    client.post(f"/curriculum/resources/{second.pk}/reject/", {"reason": "Needs a paid login"})
    assert list(LearningResource.objects.order_by("id").values_list("status", flat=True)) == ["approved", "rejected"]


def test_navigation_links(client, trainee, admin, lab_manager):
    client.force_login(trainee)
    html = _html(client.get("/"))
    assert "/curriculum/" in html and "/curriculum/enrolments/" in html and "/curriculum/resources/" in html
    assert "/curriculum/resources/moderation/" not in html
    client.force_login(lab_manager)
    assert "/curriculum/enrolments/" not in _html(client.get("/"))
    login_verified(client, admin)
    assert "/curriculum/resources/moderation/" in _html(client.get("/"))


def test_django_admin_shows_the_curriculum_read_only_and_publishes_through_the_service(
        client, admin, framework, draft_framework, draft_pathway, pathway):
    from rastrack.audit.models import AuditEntry

    admin.is_staff = admin.is_superuser = True
    admin.save()
    login_verified(client, admin)
    for obj, model in ((draft_framework, "framework"), (framework, "framework"), (draft_pathway, "pathway"),
                       (pathway, "pathway")):
        page = client.get(f"/admin/curriculum/{model}/{obj.pk}/change/")
        assert page.status_code == 200 and 'name="_save"' not in _html(page), (model, obj.status)
    # Even a draft is not edited here: writes go through the services (editor check, audit).
    refused = client.post(f"/admin/curriculum/framework/{draft_framework.pk}/change/", {"title": "Changed"})
    assert refused.status_code == 403
    draft_framework.refresh_from_db()
    assert draft_framework.title != "Changed"
    component = draft_pathway.modules.get(title="Skills").components.get(title="Simulator")
    assert 'name="_save"' not in _html(client.get(f"/admin/curriculum/component/{component.pk}/change/"))
    for model in ("standard", "competency", "module", "component", "enrolment", "learningresource",
                  "elearningcompletion"):
        assert client.get(f"/admin/curriculum/{model}/").status_code == 200, model
        assert client.get(f"/admin/curriculum/{model}/add/").status_code == 403, model
    # The lifecycle actions call the services, which audit them.
    client.post("/admin/curriculum/framework/", {"action": "publish", "_selected_action": [draft_framework.pk]})
    draft_framework.refresh_from_db()
    assert draft_framework.status == "published"
    assert AuditEntry.objects.filter(action="framework.publish", object_id=str(draft_framework.pk)).count() == 1
