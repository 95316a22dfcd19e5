"""The curriculum versions pages: programme admins compare a draft with its source, publish
it (retiring the current version), retire and start new drafts, without Django admin."""

import pytest

from curriculum import services
from curriculum.compare import framework_compare, pathway_compare
from curriculum.models import Competency, Framework, Lifecycle, Pathway
from tests.support.mfa import login_verified

pytestmark = pytest.mark.django_db


def test_the_comparison_says_what_was_added_changed_and_removed(admin, framework, pathway):
    draft = services.framework_new_version(actor=admin, framework=framework)
    assert framework_compare(draft).is_empty
    services.competency_update(actor=admin, competency=Competency.objects.get(framework=draft, key="comp-1-1"),
                               title="Docking, revised")
    services.competency_delete(actor=admin, competency=Competency.objects.get(framework=draft, key="comp-1-2"))
    standard = draft.standards.first()
    services.competency_create(actor=admin, standard=standard, key="emergency-undocking",
                               code="1.9", title="Emergency undocking")
    comparison = framework_compare(draft)
    assert comparison.added == ["Competency 1.9 Emergency undocking"]
    assert [(c.field, c.before, c.after) for c in comparison.changed] == [
        ("Title", "Competency 1.1", "Docking, revised")]
    assert len(comparison.removed) == 1 and comparison.removed[0].startswith("Competency")
    assert pathway_compare(services.pathway_new_version(actor=admin, pathway=pathway)).is_empty


def test_the_admin_publishes_from_the_check_page_and_the_old_version_retires(client, admin, framework):
    login_verified(client, admin)
    assert "/curriculum/versions/" in client.get("/").content.decode()
    page = client.get(f"/curriculum/versions/framework/{framework.pk}/")
    assert page.status_code == 200
    response = client.post(f"/curriculum/versions/framework/{framework.pk}/new_draft/")
    draft = Framework.objects.get(code=framework.code, status=Lifecycle.DRAFT)
    assert response.status_code == 302 and response["Location"] == f"/curriculum/versions/framework/{draft.pk}/"
    check = client.get(response["Location"]).content.decode()
    assert "Check the changes" in check and "data-compare-empty" in check
    assert f"retires version {framework.version}" in check
    assert client.post(f"/curriculum/versions/framework/{draft.pk}/publish/").status_code == 302
    framework.refresh_from_db()
    draft.refresh_from_db()
    assert (framework.status, draft.status) == (Lifecycle.RETIRED, Lifecycle.PUBLISHED)
    listing = client.get("/curriculum/versions/").content.decode()
    framework_rows = listing.split("Pathways</h2>")[0]
    assert framework_rows.count("Published (current)") == 1 and "Retired" in framework_rows


def test_refusals_are_at_the_top_of_the_version_page(client, admin, framework):
    login_verified(client, admin)
    again = client.post(f"/curriculum/versions/framework/{framework.pk}/publish/")
    html = again.content.decode()
    assert again.status_code == 409 and "nhsuk-error-summary" in html and "Only a draft can be published" in html


@pytest.mark.parametrize("persona", ["trainee", "assigned_trainer", "lead", "lab_manager"])
def test_only_programme_admins_use_the_pages(client, request, persona, framework):
    user = request.getfixturevalue(persona)
    login_verified(client, user)
    assert client.get("/curriculum/versions/").status_code == 403
    assert client.get(f"/curriculum/versions/framework/{framework.pk}/").status_code == 403
    assert client.post(f"/curriculum/versions/framework/{framework.pk}/new_draft/").status_code == 403
    assert not Framework.objects.filter(status=Lifecycle.DRAFT).exists()


def test_the_versions_page_is_constant_in_queries(client, admin, framework, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    login_verified(client, admin)
    with CaptureQueriesContext(connection) as one:
        client.get("/curriculum/versions/")
    services.framework_publish(actor=admin, framework=services.framework_new_version(actor=admin, framework=framework))
    services.framework_new_version(actor=admin, framework=Framework.objects.get(status=Lifecycle.PUBLISHED))
    with django_assert_num_queries(len(one.captured_queries)):
        assert client.get("/curriculum/versions/").content.decode().count('data-version="framework-') == 3


def test_the_admin_creates_a_framework_and_a_pathway_from_nothing(client, admin):
    from curriculum.models import RequirementType
    from rastrack.audit.models import AuditEntry

    login_verified(client, admin)
    listing = client.get("/curriculum/versions/").content.decode()
    assert 'data-create="framework"' in listing and 'data-create="pathway"' in listing
    assert client.get("/curriculum/versions/framework/new/").status_code == 200
    response = client.post("/curriculum/versions/framework/new/", {
        "code": "theatre-team", "title": "Theatre team standards", "description": ""})
    framework = Framework.objects.get(code="theatre-team")
    assert (framework.version, framework.status) == (1, Lifecycle.DRAFT)
    assert response.status_code == 302
    assert response["Location"] == f"/curriculum/versions/framework/{framework.pk}/contents/"
    assert AuditEntry.objects.filter(action="framework.create", object_id=str(framework.pk)).exists()

    form = client.get("/curriculum/versions/pathway/new/").content.decode()
    assert "Theatre team standards, version 1 (draft)" in form
    response = client.post("/curriculum/versions/pathway/new/", {
        "code": "team-drills", "title": "Team crisis drills", "audience": "bedside_assistant",
        "framework": framework.pk, "duration_weeks": "26", "description": ""})
    pathway = Pathway.objects.get(code="team-drills")
    assert response.status_code == 302
    assert response["Location"] == f"/curriculum/versions/pathway/{pathway.pk}/contents/"
    assert (pathway.version, pathway.status, pathway.framework, pathway.duration_weeks, pathway.self_enrol) == (
        1, Lifecycle.DRAFT, framework, 26, False)
    # Every pathway ends in its final sign-off, made by the same service as the API's.
    assert pathway.modules.get().components.get().requirements.get().type == RequirementType.FINAL_SIGNOFF
    assert AuditEntry.objects.filter(action="pathway.create", object_id=str(pathway.pk)).exists()


def test_a_new_framework_with_a_taken_code_or_bad_input_is_refused_at_the_top(client, admin, framework):
    login_verified(client, admin)
    taken = client.post("/curriculum/versions/framework/new/", {"code": framework.code, "title": "Again"})
    html = taken.content.decode()
    assert taken.status_code == 400 and "nhsuk-error-summary" in html
    assert "make a new version of it instead" in html
    bad = client.post("/curriculum/versions/pathway/new/", {
        "code": "Not a slug!", "title": "", "audience": "surgeon", "framework": "999999", "duration_weeks": "0"})
    assert bad.status_code == 400 and "nhsuk-error-summary" in bad.content.decode()
    assert Framework.objects.count() == 1 and not Pathway.objects.exists()


@pytest.mark.parametrize("persona", ["trainee", "assigned_trainer", "lead", "lab_manager"])
def test_only_programme_admins_create_frameworks_and_pathways(client, request, persona, framework):
    login_verified(client, request.getfixturevalue(persona))
    for kind in ("framework", "pathway"):
        assert client.get(f"/curriculum/versions/{kind}/new/").status_code == 403
    assert client.post("/curriculum/versions/framework/new/", {"code": "x-y", "title": "X"}).status_code == 403
    assert client.post("/curriculum/versions/pathway/new/", {
        "code": "x-y", "title": "X", "audience": "trainee", "framework": framework.pk,
        "duration_weeks": "52"}).status_code == 403
    assert Framework.objects.count() == 1 and not Pathway.objects.filter(code="x-y").exists()
