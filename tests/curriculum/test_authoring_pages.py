"""Editing a draft on pages: standards, competencies, modules, components and requirements
(a form per requirement type), the trainee's-eye preview and the cohort move, all through
the curriculum services (audited; published versions refuse every change)."""

import pytest

from curriculum import services
from curriculum.models import (
    Competency,
    Component,
    Enrolment,
    Lifecycle,
    Module,
    Pathway,
    Requirement,
    RequirementType,
    Standard,
)
from curriculum.requirement_forms import REQUIREMENT_FORMS
from curriculum.rules import ACCEPTED_PARAMS
from rastrack.audit.models import AuditEntry
from tests.builders.curriculum import elearning_component
from tests.builders.dates import days_ago
from tests.support.mfa import login_verified

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in_admin(client, admin):
    login_verified(client, admin)
    return client


def _audited(action: str) -> int:
    return AuditEntry.objects.filter(action=action).count()


def test_every_requirement_type_but_the_final_signoff_has_its_own_form():
    assert set(REQUIREMENT_FORMS) == set(ACCEPTED_PARAMS) - {RequirementType.FINAL_SIGNOFF}
    assert len({form.__name__ for form in REQUIREMENT_FORMS.values()}) == len(REQUIREMENT_FORMS)
    assert REQUIREMENT_FORMS["min_count"].param_names == ("count",)
    assert REQUIREMENT_FORMS["competency_signoff"].param_names == ("competency",)


def test_the_admin_edits_standards_and_competencies_of_a_draft(signed_in_admin, admin, framework):
    client = signed_in_admin
    draft = services.framework_new_version(actor=admin, framework=framework)
    page = client.get(f"/curriculum/versions/framework/{draft.pk}/contents/")
    assert page.status_code == 200 and "Add a standard" in page.content.decode()
    response = client.post(f"/curriculum/versions/standard/new/{draft.pk}/",
                           {"code": "9", "title": "Teamwork", "domain": "team_working"})
    assert response.status_code == 302
    standard = Standard.objects.get(framework=draft, code="9")
    assert _audited("standard.create") >= 1
    response = client.post(f"/curriculum/versions/competency/new/{draft.pk}/", {
        "standard": standard.pk, "code": "9.1", "title": "Briefing the team", "setting": "team"})
    assert response.status_code == 302
    competency = Competency.objects.get(framework=draft, code="9.1")
    assert competency.key == "briefing-the-team"
    response = client.post(f"/curriculum/versions/competency/{competency.pk}/", {
        "standard": standard.pk, "code": "9.1", "title": "Briefing the whole team", "setting": "team"})
    assert response.status_code == 302
    competency.refresh_from_db()
    assert competency.title == "Briefing the whole team" and competency.key == "briefing-the-team"
    assert client.post(f"/curriculum/versions/competency/{competency.pk}/remove/").status_code == 302
    assert not Competency.objects.filter(pk=competency.pk).exists()


def test_a_refusal_is_at_the_top_of_the_form_and_changes_nothing(signed_in_admin, admin, framework):
    draft = services.framework_new_version(actor=admin, framework=framework)
    taken = draft.standards.first().code
    response = signed_in_admin.post(f"/curriculum/versions/standard/new/{draft.pk}/",
                                    {"code": taken, "title": "Again", "domain": "team_working"})
    html = response.content.decode()
    assert response.status_code == 409 and "nhsuk-error-summary" in html and "already used" in html
    assert draft.standards.filter(code=taken).count() == 1


def test_a_published_version_cannot_be_edited_from_its_pages(signed_in_admin, framework, pathway):
    standard = framework.standards.first()
    response = signed_in_admin.post(f"/curriculum/versions/standard/{standard.pk}/",
                                    {"code": "X", "title": "Changed", "domain": "team_working"})
    assert response.status_code == 409 and "cannot be changed" in response.content.decode()
    standard.refresh_from_db()
    assert standard.title != "Changed"
    page = signed_in_admin.get(f"/curriculum/versions/pathway/{pathway.pk}/contents/").content.decode()
    assert "cannot be changed" in page and "Add a module" not in page
    module = pathway.modules.first()
    assert signed_in_admin.post(f"/curriculum/versions/module/{module.pk}/remove/").status_code == 409
    assert Module.objects.filter(pk=module.pk).exists()


@pytest.mark.parametrize("persona", ["trainee", "lead"])
def test_only_programme_admins_edit(client, request, persona, admin, framework):
    login_verified(client, request.getfixturevalue(persona))
    draft = services.framework_new_version(actor=admin, framework=framework)
    assert client.get(f"/curriculum/versions/framework/{draft.pk}/contents/").status_code == 403
    assert client.post(f"/curriculum/versions/standard/new/{draft.pk}/",
                       {"code": "9", "title": "T", "domain": "team_working"}).status_code == 403
    assert not Standard.objects.filter(framework=draft, code="9").exists()
    assert client.get("/curriculum/versions/standard/999999/").status_code == 403


def test_unseen_parts_are_404_for_the_admin(signed_in_admin):
    assert signed_in_admin.get("/curriculum/versions/standard/999999/").status_code == 404
    assert signed_in_admin.get("/curriculum/versions/requirement/999999/").status_code == 404


def test_the_admin_builds_a_pathway_draft_with_typed_requirement_forms(signed_in_admin, admin, pathway):
    client = signed_in_admin
    draft = services.pathway_new_version(actor=admin, pathway=pathway)
    assert client.post(f"/curriculum/versions/module/new/{draft.pk}/", {"title": "Wet lab"}).status_code == 302
    module = Module.objects.get(pathway=draft, title="Wet lab")
    assert client.post(f"/curriculum/versions/component/new/{module.pk}/",
                       {"title": "Porcine lab", "kind": "wet_lab"}).status_code == 302
    component = Component.objects.get(module=module)
    chooser = client.get(f"/curriculum/versions/requirement/new/{component.pk}/").content.decode()
    assert "Minimum hours" in chooser and "Simulator proficiency" not in chooser  # not a simulation
    form = client.get(f"/curriculum/versions/requirement/new/{component.pk}/?type=min_hours").content.decode()
    assert 'name="hours"' in form and 'name="count"' not in form and "params" not in form
    bad = client.post(f"/curriculum/versions/requirement/new/{component.pk}/?type=min_hours", {"hours": "0"})
    html = bad.content.decode()
    assert bad.status_code == 400 and "nhsuk-error-summary" in html and 'href="#id_hours"' in html
    assert not Requirement.objects.filter(component=component).exists()
    ok = client.post(f"/curriculum/versions/requirement/new/{component.pk}/?type=min_hours",
                     {"hours": "6.5", "platform": "davinci_xi"})
    assert ok.status_code == 302
    requirement = Requirement.objects.get(component=component)
    assert (requirement.type, str(requirement.hours), requirement.platform) == ("min_hours", "6.5", "davinci_xi")
    edit = client.get(f"/curriculum/versions/requirement/{requirement.pk}/").content.decode()
    assert 'value="6.5"' in edit
    assert client.post(f"/curriculum/versions/requirement/{requirement.pk}/", {"hours": "8"}).status_code == 302
    requirement.refresh_from_db()
    assert str(requirement.hours) == "8.0" and requirement.platform == ""
    assert _audited("requirement.update") == 1


def test_a_competency_signoff_form_offers_the_competencies_of_the_pathways_framework(signed_in_admin, admin,
                                                                                    pathway):
    draft = services.pathway_new_version(actor=admin, pathway=pathway)
    component = Component.objects.filter(module__pathway=draft, kind="dry_lab").first()
    form = signed_in_admin.get(
        f"/curriculum/versions/requirement/new/{component.pk}/?type=competency_signoff").content.decode()
    competency = Competency.objects.filter(framework=draft.framework).first()
    assert f'value="{competency.pk}"' in form and 'name="platform"' not in form  # sign-offs are not narrowed
    missing = signed_in_admin.post(f"/curriculum/versions/requirement/new/{component.pk}/?type=competency_signoff",
                                   {})
    assert missing.status_code == 400 and "Choose the competency" in missing.content.decode()


def _verified_elearning(trainee, pathway, trainer):
    """A completion the trainee's trainer has verified: it counts in a new version too (a new
    version counts no self-reported evidence)."""
    from accreditation.logbook.verification import elearning_completion_verify

    completion = services.elearning_record(trainee=trainee, component=elearning_component(pathway),
                                           completed_on=days_ago(3), provider="Maker")
    return elearning_completion_verify(completion=completion, actor=trainer)


def test_the_preview_shows_a_draft_as_a_trainee_would_see_it(signed_in_admin, admin, pathway, trainee,
                                                               assigned_trainer):
    draft = services.pathway_new_version(actor=admin, pathway=pathway)
    page = signed_in_admin.get(f"/curriculum/versions/pathway/{draft.pk}/preview/")
    html = page.content.decode()
    total = Requirement.objects.filter(component__module__pathway=draft).count()
    assert page.status_code == 200 and f"0 of {total} requirements met" in html and "Platform e-module" in html
    _verified_elearning(trainee, pathway, assigned_trainer)
    with_trainee = signed_in_admin.get(f"/curriculum/versions/pathway/{draft.pk}/preview/?trainee={trainee.pk}")
    assert f"1 of {total} requirements met" in with_trainee.content.decode()
    assert not Enrolment.objects.filter(pathway=draft).exists()


def _second_version(admin, pathway):
    """Version 2 adds a requirement nobody has met yet; version 1 is retired by publishing it."""
    draft = services.pathway_new_version(actor=admin, pathway=pathway)
    module = draft.modules.filter(is_final=False).first()
    component = services.component_create(actor=admin, module=module, title="Extra e-module", kind="e_learning")
    services.requirement_create(actor=admin, component=component, type="min_count", params={"count": 1})
    return services.pathway_publish(actor=admin, pathway=draft)


def test_the_cohort_move_dry_run_shows_before_and_after_and_moves_nothing(signed_in_admin, admin, pathway, trainee,
                                                                         other_trainee, assigned_trainer):
    first = services.enrolment_create(actor=trainee, trainee=trainee, pathway=pathway, enrolled_on=days_ago(30))
    services.enrolment_create(actor=other_trainee, trainee=other_trainee, pathway=pathway, enrolled_on=days_ago(30))
    _verified_elearning(trainee, pathway, assigned_trainer)
    target = _second_version(admin, Pathway.objects.get(pk=pathway.pk))
    page = signed_in_admin.get(f"/curriculum/versions/pathway/{target.pk}/move/?source={pathway.pk}")
    html = page.content.decode()
    total = Requirement.objects.filter(component__module__pathway=pathway).count()
    assert page.status_code == 200 and "2 enrolments would move" in html
    assert f"1 of {total} met" in html and f"1 of {total + 1} met" in html
    assert Enrolment.objects.filter(pathway=pathway).count() == 2
    year = first.enrolled_on.year
    response = signed_in_admin.post(f"/curriculum/versions/pathway/{target.pk}/move/",
                                    {"source": pathway.pk, "cohort": year, "region": trainee.region_id})
    assert response.status_code == 302
    assert set(Enrolment.objects.filter(pathway=target).values_list("trainee_id", flat=True)) == {
        trainee.pk, other_trainee.pk} if other_trainee.region_id == trainee.region_id else {trainee.pk}
    assert _audited("enrolment.move") == Enrolment.objects.filter(pathway=target).count()
    assert _audited("pathway.cohort_move") == 1


def test_the_cohort_filters_narrow_the_move(signed_in_admin, admin, pathway, trainee, north_trainee):
    services.enrolment_create(actor=trainee, trainee=trainee, pathway=pathway, enrolled_on=days_ago(30))
    services.enrolment_create(actor=admin, trainee=north_trainee, pathway=pathway, enrolled_on=days_ago(30))
    target = _second_version(admin, Pathway.objects.get(pk=pathway.pk))
    moved = services.cohort_move(actor=admin, source=pathway, target=target, region=trainee.region)
    assert [e.trainee_id for e in moved] == [trainee.pk]
    next_year = days_ago(30).year + 1
    assert services.cohort_move(actor=admin, source=pathway, target=target, cohort=next_year) == []


def test_a_move_goes_only_onto_the_published_version(admin, pathway, trainee):
    services.enrolment_create(actor=trainee, trainee=trainee, pathway=pathway)
    draft = services.pathway_new_version(actor=admin, pathway=pathway)
    from rastrack.core.exceptions import Conflict, NotPermitted

    with pytest.raises(Conflict):
        services.cohort_move(actor=admin, source=pathway, target=draft)
    with pytest.raises(NotPermitted):
        services.cohort_move(actor=trainee, source=pathway, target=draft)
    assert Enrolment.objects.filter(pathway=pathway).count() == 1


def test_publishing_a_pathway_draft_keeps_one_current_version(signed_in_admin, admin, pathway):
    draft = services.pathway_new_version(actor=admin, pathway=pathway)
    assert signed_in_admin.post(f"/curriculum/versions/pathway/{draft.pk}/publish/").status_code == 302
    assert list(Pathway.objects.filter(code=pathway.code, status=Lifecycle.PUBLISHED)) == [draft]
    assert Pathway.objects.get(pk=pathway.pk).status == Lifecycle.RETIRED


def test_a_new_draft_copies_every_parameter_of_its_requirements(admin, pathway):
    module = pathway.modules.filter(is_final=False).first()
    draft_source = services.pathway_new_version(actor=admin, pathway=pathway)
    component = services.component_create(actor=admin, module=draft_source.modules.get(title=module.title),
                                          title="Entrustment", kind="assessment")
    services.requirement_create(actor=admin, component=component, type="entrustment_level",
                                params={"level": "IV", "count": 2, "modes": ["live"]})
    services.pathway_publish(actor=admin, pathway=draft_source)
    copy = services.pathway_new_version(actor=admin, pathway=draft_source)
    copied = Requirement.objects.get(component__module__pathway=copy, type="entrustment_level")
    assert (copied.level, copied.count, copied.modes) == (4, 2, "live")


def test_the_contents_page_is_constant_in_queries(signed_in_admin, admin, pathway, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    draft = services.pathway_new_version(actor=admin, pathway=pathway)
    with CaptureQueriesContext(connection) as one:
        signed_in_admin.get(f"/curriculum/versions/pathway/{draft.pk}/contents/")
    for n in range(3):
        module = services.module_create(actor=admin, pathway=draft, title=f"Extra {n}")
        component = services.component_create(actor=admin, module=module, title=f"Lab {n}", kind="dry_lab")
        services.requirement_create(actor=admin, component=component, type="min_count", params={"count": 2})
    with django_assert_num_queries(len(one.captured_queries)):
        page = signed_in_admin.get(f"/curriculum/versions/pathway/{draft.pk}/contents/")
    assert page.content.decode().count("Add a requirement<span") == Component.objects.filter(
        module__pathway=draft).exclude(kind="final_signoff").count()
