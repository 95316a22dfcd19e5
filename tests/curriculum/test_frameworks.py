"""Versioning and freezing: draft -> published -> retired; a published version is frozen."""

import pytest
from django.db import IntegrityError, transaction

from curriculum import services
from curriculum.models import Competency, Framework, Lifecycle, Module, Requirement, Standard
from rastrack.audit.models import AuditEntry
from rastrack.core.exceptions import ApplicationError, Conflict, NotPermitted
from tests.builders.curriculum import make_framework, make_pathway

pytestmark = pytest.mark.django_db


def test_publishing_freezes_the_framework_its_standards_and_competencies(admin, framework):
    standard = framework.standards.first()
    competency = standard.competencies.first()
    with pytest.raises(Conflict):
        services.framework_update(actor=admin, framework=framework, title="Changed")
    with pytest.raises(Conflict):
        services.standard_update(actor=admin, standard=standard, title="Changed")
    with pytest.raises(Conflict):
        services.standard_create(actor=admin, framework=framework, code="NEW", title="New", domain="governance")
    with pytest.raises(Conflict):
        services.competency_update(actor=admin, competency=competency, title="Changed")
    with pytest.raises(Conflict):
        services.competency_delete(actor=admin, competency=competency)
    standard.refresh_from_db()
    assert standard.title == "Standard 1"


def test_the_models_refuse_edits_to_published_material_whoever_calls(framework, pathway):
    """The model-level guard: save, delete and bulk update/delete, not only the services."""
    standard = Standard.objects.filter(framework=framework).first()
    standard.title = "Edited in a shell"
    with pytest.raises(Conflict):
        standard.save()
    with pytest.raises(Conflict):
        Competency.objects.filter(framework=framework).update(title="Bulk")
    with pytest.raises(Conflict):
        Standard.objects.filter(framework=framework).delete()
    framework.title = "Renamed"
    with pytest.raises(Conflict):
        framework.save()
    with pytest.raises(Conflict):
        Module.objects.filter(pathway=pathway).update(title="Bulk")
    requirement = Requirement.objects.filter(component__module__pathway=pathway).first()
    with pytest.raises(Conflict):
        requirement.delete()
    assert Framework.objects.get(pk=framework.pk).title == "Test standards"


def test_edits_to_a_published_framework_are_409_in_the_api(api, admin, framework):
    client = api.as_user(admin)
    standard = framework.standards.first()
    competency = standard.competencies.first()
    assert client.patch(f"/api/v1/frameworks/{framework.pk}/", {"title": "x"}).status_code == 409
    assert client.patch(f"/api/v1/standards/{standard.pk}/", {"title": "x"}).status_code == 409
    assert client.delete(f"/api/v1/standards/{standard.pk}/").status_code == 409
    assert client.patch(f"/api/v1/competencies/{competency.pk}/", {"title": "x"}).status_code == 409
    response = client.post("/api/v1/standards/", {"framework": framework.pk, "code": "N", "title": "New",
                                                  "domain": "governance"})
    assert response.status_code == 409
    assert "new version" in response.json()["detail"]


def test_a_new_version_copies_standards_and_competencies_with_the_same_keys(admin, framework):
    draft = services.framework_new_version(actor=admin, framework=framework)
    assert (draft.code, draft.version, draft.status, draft.created_from_id) == (
        framework.code, 2, Lifecycle.DRAFT, framework.pk)
    old = sorted(Competency.objects.filter(framework=framework).values_list("key", "code", "standard__code"))
    new = sorted(Competency.objects.filter(framework=draft).values_list("key", "code", "standard__code"))
    assert old == new and len(new) == 4
    # The copy is a draft: editable, and the original stays as it was.
    services.competency_update(actor=admin, competency=Competency.objects.get(framework=draft, key="comp-1-1"),
                               title="Docking, revised")
    assert Competency.objects.get(framework=framework, key="comp-1-1").title == "Competency 1.1"


def test_new_version_api_and_one_draft_at_a_time(api, admin, framework):
    client = api.as_user(admin)
    response = client.post(f"/api/v1/frameworks/{framework.pk}/new-version/")
    assert response.status_code == 201
    assert response.json()["version"] == 2 and response.json()["status"] == "draft"
    again = client.post(f"/api/v1/frameworks/{framework.pk}/new-version/")
    assert again.status_code == 409
    assert client.post(f"/api/v1/frameworks/{response.json()['id']}/new-version/").status_code == 409


def test_publish_and_retire_are_state_changes_with_409_in_the_wrong_state(api, admin, draft_framework):
    client = api.as_user(admin)
    assert client.post(f"/api/v1/frameworks/{draft_framework.pk}/retire/").status_code == 409
    published = client.post(f"/api/v1/frameworks/{draft_framework.pk}/publish/")
    assert published.status_code == 200 and published.json()["status"] == "published"
    assert published.json()["published_at"]
    assert client.post(f"/api/v1/frameworks/{draft_framework.pk}/publish/").status_code == 409
    retired = client.post(f"/api/v1/frameworks/{draft_framework.pk}/retire/")
    assert retired.status_code == 200 and retired.json()["status"] == "retired"


def test_an_empty_framework_cannot_be_published(admin):
    framework = services.framework_create(actor=admin, code="empty", title="Empty")
    with pytest.raises(ApplicationError) as exc:
        services.framework_publish(actor=admin, framework=framework)
    assert exc.value.status_code == 400


def test_a_standard_code_is_unique_within_its_framework(api, admin, draft_framework):
    client = api.as_user(admin)
    response = client.post("/api/v1/standards/", {"framework": draft_framework.pk, "code": "S1", "title": "Again",
                                                  "domain": "governance"})
    assert response.status_code == 409
    assert "S1" in response.json()["code"][0]
    other = make_framework(admin, code="other-draft", publish=False)
    ok = client.post("/api/v1/standards/", {"framework": other.pk, "code": "S9", "title": "Fine",
                                            "domain": "governance"})
    assert ok.status_code == 201
    with pytest.raises(IntegrityError), transaction.atomic():
        Standard.objects.create(framework=draft_framework, code="S1", title="Dup", domain="governance")


def test_only_programme_admins_edit_standards(trainee, lead, draft_framework):
    for user in (trainee, lead):
        with pytest.raises(NotPermitted):
            services.standard_create(actor=user, framework=draft_framework, code="X", title="X",
                                     domain="governance")


def test_drafts_are_visible_to_programme_admins_only(api, admin, trainee, lead, draft_framework, framework):
    standard = draft_framework.standards.first()
    for user in (trainee, lead):
        client = api.as_user(user)
        assert client.get(f"/api/v1/frameworks/{draft_framework.pk}/").status_code == 404
        assert client.get(f"/api/v1/standards/{standard.pk}/").status_code == 404
        ids = [f["id"] for f in client.get("/api/v1/frameworks/").json()["results"]]
        assert ids == [framework.pk]
    assert api.as_user(admin).get(f"/api/v1/standards/{standard.pk}/").status_code == 200


def test_publish_and_new_version_are_audited(admin, draft_framework):
    services.framework_publish(actor=admin, framework=draft_framework)
    copy = services.framework_new_version(actor=admin, framework=draft_framework)
    publish = AuditEntry.objects.get(action="framework.publish", object_id=str(draft_framework.pk))
    assert publish.actor_id == admin.pk
    assert publish.before["status"] == "draft" and publish.after["status"] == "published"
    new = AuditEntry.objects.get(action="framework.new_version", object_id=str(copy.pk))
    assert new.after["created_from_id"] == draft_framework.pk and new.after["competencies"] == 4


def test_pathway_versions_follow_competency_keys_onto_a_new_framework(admin, framework, pathway):
    services.pathway_retire(actor=admin, pathway=pathway)
    v2_framework = services.framework_new_version(actor=admin, framework=framework)
    services.framework_publish(actor=admin, framework=v2_framework)
    v2 = services.pathway_new_version(actor=admin, pathway=pathway, framework=v2_framework)
    assert (v2.version, v2.status, v2.framework_id) == (2, "draft", v2_framework.pk)
    signoff = Requirement.objects.get(component__module__pathway=v2, type="competency_signoff")
    assert signoff.competency.framework_id == v2_framework.pk and signoff.competency.key == "comp-1-1"
    old_keys = set(pathway.modules.values_list("components__key", flat=True))
    assert set(v2.modules.values_list("components__key", flat=True)) == old_keys
    assert Requirement.objects.filter(component__module__pathway=v2, type="final_signoff").count() == 1
    services.pathway_publish(actor=admin, pathway=v2)
    assert AuditEntry.objects.filter(action="pathway.new_version", object_id=str(v2.pk)).exists()


def test_a_published_pathway_is_frozen_except_for_self_enrolment(api, admin, pathway):
    client = api.as_user(admin)
    assert client.patch(f"/api/v1/pathways/{pathway.pk}/", {"title": "x"}).status_code == 409
    module = pathway.modules.filter(is_final=False).first()
    assert client.patch(f"/api/v1/modules/{module.pk}/", {"title": "x"}).status_code == 409
    assert client.post("/api/v1/modules/", {"pathway": pathway.pk, "title": "More"}).status_code == 409
    response = client.patch(f"/api/v1/pathways/{pathway.pk}/", {"self_enrol": False})
    assert response.status_code == 200 and response.json()["self_enrol"] is False


def test_a_pathway_cannot_be_published_before_its_framework(admin, draft_framework):
    pathway = make_pathway(admin, draft_framework, code="early", publish=False)
    with pytest.raises(Conflict):
        services.pathway_publish(actor=admin, pathway=pathway)


def test_every_pathway_ends_with_its_final_signoff(admin, framework, draft_pathway):
    from curriculum.selectors import requirements_of_pathway

    # A module added after the final one still sorts before it.
    services.module_create(actor=admin, pathway=draft_pathway, title="Added later", order=99)
    requirements = requirements_of_pathway(draft_pathway.pk)
    assert requirements[-1].type == "final_signoff"
    assert [r.type for r in requirements].count("final_signoff") == 1
    final_module = draft_pathway.modules.get(is_final=True)
    with pytest.raises(Conflict):
        services.module_delete(actor=admin, module=final_module)
    with pytest.raises(Conflict):
        services.requirement_delete(actor=admin, requirement=requirements[-1])
    with pytest.raises(ApplicationError):
        services.component_create(actor=admin, module=final_module, title="More", kind="assessment")
    empty = services.pathway_create(actor=admin, code="empty", title="Empty", audience="trainer",
                                    framework=framework)
    assert [r.type for r in requirements_of_pathway(empty.pk)] == ["final_signoff"]
    with pytest.raises(ApplicationError):
        services.pathway_publish(actor=admin, pathway=empty)


def test_draft_pathway_editing_through_the_api(api, admin, framework):
    client = api.as_user(admin)
    created = client.post("/api/v1/pathways/", {"code": "new", "title": "New pathway", "audience": "trainer",
                                                "framework": framework.pk})
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["status"] == "draft" and [m["is_final"] for m in body["modules"]] == [True]
    module = client.post("/api/v1/modules/", {"pathway": body["id"], "title": "Train the trainer"})
    assert module.status_code == 201 and module.json()["order"] == 1
    component = client.post("/api/v1/components/", {"module": module.json()["id"], "title": "Course",
                                                     "kind": "e_learning"})
    assert component.status_code == 201
    requirement = client.post("/api/v1/requirements/", {"component": component.json()["id"], "type": "min_count",
                                                         "params": {"count": 1}}, format="json")
    assert requirement.status_code == 201, requirement.json()
    assert requirement.json()["params"] == {"count": 1}
    published = client.post(f"/api/v1/pathways/{body['id']}/publish/")
    assert published.status_code == 200 and published.json()["status"] == "published"
    assert AuditEntry.objects.filter(action="pathway.publish", object_id=str(body["id"])).exists()


# --- One current version ------------------------------------------------------------------------

def test_publishing_a_new_version_retires_the_previous_one_in_the_same_transaction(admin, framework, pathway):
    v2 = services.framework_publish(actor=admin, framework=services.framework_new_version(
        actor=admin, framework=framework))
    framework.refresh_from_db()
    assert (framework.status, v2.status) == (Lifecycle.RETIRED, Lifecycle.PUBLISHED)
    assert framework.retired_at is not None
    assert list(Framework.objects.filter(code=framework.code, status="published")) == [v2]
    superseded = AuditEntry.objects.get(action="framework.retire_superseded", object_id=str(framework.pk))
    assert superseded.before["status"] == "published" and superseded.after["status"] == "retired"
    # A new pathway draft rests on the current standards, not the superseded ones; publishing
    # it retires the pathway's old version too.
    p2 = services.pathway_new_version(actor=admin, pathway=pathway)
    assert p2.framework_id == v2.pk
    services.pathway_publish(actor=admin, pathway=p2)
    pathway.refresh_from_db()
    assert pathway.status == Lifecycle.RETIRED
    assert AuditEntry.objects.filter(action="pathway.retire_superseded", object_id=str(pathway.pk)).exists()


def test_a_refused_publish_leaves_the_previous_version_current(admin, framework):
    draft = services.framework_new_version(actor=admin, framework=framework)
    Competency.objects.filter(framework=draft).delete()
    with pytest.raises(ApplicationError):
        services.framework_publish(actor=admin, framework=draft)
    framework.refresh_from_db()
    assert framework.status == Lifecycle.PUBLISHED


def test_the_database_refuses_two_current_versions(admin, framework):
    draft = services.framework_new_version(actor=admin, framework=framework)
    with pytest.raises(IntegrityError), transaction.atomic():
        Framework.objects.filter(pk=draft.pk).update(status="published", published_at=framework.published_at)


def test_the_admin_action_names_the_new_status(client, admin, framework):
    from tests.support.mfa import login_verified

    draft = services.framework_new_version(actor=admin, framework=framework)
    admin.is_staff = admin.is_superuser = True
    admin.save()
    login_verified(client, admin)
    response = client.post("/admin/curriculum/framework/", {
        "action": "publish", "_selected_action": [draft.pk]}, follow=True)
    html = response.content.decode()
    assert f"v{draft.version} (published): published." in html and "(draft): published" not in html
