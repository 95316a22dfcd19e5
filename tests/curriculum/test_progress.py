"""The progress engine: e-learning evidence now, other apps' evidence through providers."""

import decimal

import pytest

from curriculum import services
from curriculum.models import ELearningCompletion, Requirement
from curriculum.progress import (
    EvidenceItem,
    Measurement,
    best_run_minimum,
    progress_for,
    provider_for,
    register_provider,
    registered_providers,
    unregister_provider,
)
from rastrack.accounts.documents import document_upload
from rastrack.core.exceptions import ApplicationError, Conflict, NotPermitted
from tests.builders.curriculum import elearning_component, make_pathway, pdf, requirement_of
from tests.builders.dates import days_ago

pytestmark = pytest.mark.django_db


class FakeSignOffs:
    """What [Sign-off] will register: competency sign-offs by key, and the final sign-off."""

    name = "test.signoffs"

    def __init__(self, signed_keys=(), final=False):
        self.signed_keys, self.final, self.calls = set(signed_keys), final, 0

    def handles(self, requirement) -> bool:
        return requirement.type in ("competency_signoff", "final_signoff")

    def measure(self, *, trainee, requirement) -> Measurement:
        self.calls += 1
        signed = (self.final if requirement.type == "final_signoff"
                  else requirement.competency.key in self.signed_keys)
        evidence = (EvidenceItem("signoff", 1, "Signed off by Ada Assigned", days_ago(3)),) if signed else ()
        return Measurement(value=int(signed), evidence=evidence)


class FakeCases:
    name = "test.cases"

    def __init__(self, count):
        self.count = count

    def handles(self, requirement) -> bool:
        return requirement.type == "min_count" and requirement.component.kind == "bedside_assisting"

    def measure(self, *, trainee, requirement) -> Measurement:
        return Measurement(value=self.count, evidence=tuple(
            EvidenceItem("case", n, f"Case {n}", days_ago(n)) for n in range(1, self.count + 1)))


class FakeSimulator:
    name = "test.simulator"

    def __init__(self, scores):
        self.scores = scores

    def handles(self, requirement) -> bool:
        return requirement.type == "min_score"

    def measure(self, *, trainee, requirement) -> Measurement:
        return Measurement(value=best_run_minimum(self.scores, requirement.consecutive))


@pytest.fixture(autouse=True)
def only_curriculum_providers():
    """Each test here sees curriculum's own provider and the fakes it registers, never the
    ones later apps registered at start-up; the registry is put back as it was afterwards."""
    before = registered_providers()
    for provider in before:
        if provider.name != "curriculum.elearning":
            unregister_provider(provider.name)
    yield
    for provider in registered_providers():
        unregister_provider(provider.name)
    for provider in before:
        register_provider(provider)


@pytest.fixture
def providers():
    """Register fakes for one test; always unregistered afterwards."""
    added = []

    def add(provider):
        register_provider(provider)
        added.append(provider.name)
        return provider

    yield add
    for name in added:
        unregister_provider(name)


def test_without_providers_only_elearning_is_measured(enrolment):
    progress = progress_for(enrolment)
    assert progress.total == 5 and progress.met_count == 0 and not progress.complete
    by_type = {(item.requirement.type, item.requirement.component.kind): item for item in progress.requirements}
    assert by_type[("min_count", "e_learning")].provider == "curriculum.elearning"
    final = progress.requirements[-1]
    assert final.requirement.type == "final_signoff"
    assert (final.met, final.value, final.target, final.provider) == (False, 0, 1, None)


def test_elearning_completions_are_evidence(trainee, enrolment, pathway):
    component = elearning_component(pathway)
    completion = services.elearning_record(trainee=trainee, component=component, completed_on=days_ago(5),
                                           provider="Intuitive Learning")
    item = next(i for i in progress_for(enrolment).requirements if i.requirement.component_id == component.pk)
    assert item.met and item.value == 1 and item.target == 1 and item.unit == "count"
    assert item.evidence == (EvidenceItem(kind="elearning", id=completion.pk,
                                          label="Platform e-module (Intuitive Learning)", date=days_ago(5)),)
    assert progress_for(enrolment).met_count == 1


def test_another_trainees_elearning_does_not_count(other_trainee, enrolment, pathway):
    services.elearning_record(trainee=other_trainee, component=elearning_component(pathway),
                              completed_on=days_ago(1), provider="e-LfH")
    assert progress_for(enrolment).met_count == 0


def test_a_registered_provider_measures_its_requirements(providers, enrolment, pathway):
    providers(FakeCases(7))
    item = next(i for i in progress_for(enrolment).requirements if i.requirement.component.kind == "bedside_assisting")
    assert (item.met, item.value, item.target, item.provider) == (False, 7, 10, "test.cases")
    assert len(item.evidence) == 7 and item.evidence[0].kind == "case"
    assert item.share == pytest.approx(0.7)
    providers(FakeCases(10))  # the same name again replaces it: idempotent
    assert [p.name for p in registered_providers()].count("test.cases") == 1
    item = next(i for i in progress_for(enrolment).requirements if i.requirement.component.kind == "bedside_assisting")
    assert item.met and item.value == 10


def test_the_registry_keeps_order_and_survives_the_tests():
    names = [p.name for p in registered_providers()]
    assert names[0] == "curriculum.elearning"


def test_unregistering_a_provider_leaves_its_requirements_unmeasured(enrolment):
    register_provider(FakeCases(12))
    try:
        assert provider_for(requirement_of(enrolment.pathway, "bedside_assisting")).name == "test.cases"
    finally:
        unregister_provider("test.cases")
    assert provider_for(requirement_of(enrolment.pathway, "bedside_assisting")) is None
    unregister_provider("never-registered")  # harmless


def test_a_provider_must_have_the_interface():
    with pytest.raises(TypeError):
        register_provider(object())


def test_consecutive_scores_use_the_best_run(providers, enrolment):
    assert best_run_minimum([70, 92, 95, 88, 91, 93], 2) == 92
    assert best_run_minimum([95], 2) == 0
    providers(FakeSimulator([85, 91, 89, 93]))
    item = next(i for i in progress_for(enrolment).requirements if i.requirement.type == "min_score")
    assert (item.met, item.value, item.target, item.unit) == (False, 89, 90, "score")
    providers(FakeSimulator([85, 91, 90, 93]))
    item = next(i for i in progress_for(enrolment).requirements if i.requirement.type == "min_score")
    assert item.met and item.value == 90


def test_all_met_completes_the_enrolment(providers, admin, trainee, enrolment, pathway):
    providers(FakeCases(10))
    providers(FakeSimulator([95, 96]))
    signoffs = providers(FakeSignOffs(signed_keys={"comp-1-1"}))
    services.elearning_record(trainee=trainee, component=elearning_component(pathway), completed_on=days_ago(2),
                              provider="Intuitive Learning")
    progress = progress_for(enrolment)
    assert progress.met_count == 4 and progress.all_met_except_final() and not progress.complete
    signoffs.final = True
    progress = progress_for(enrolment)
    assert progress.complete and progress.share == 1.0 and progress.percent == 100
    completed = services.enrolment_complete(actor=admin, enrolment=enrolment)
    assert completed.status == "completed" and completed.completed_on


def test_signoffs_under_version_1_count_under_version_2(providers, admin, trainee, framework, pathway):
    """Sign-offs are keyed on the competency key, which a new framework version keeps."""
    providers(FakeSignOffs(signed_keys={"comp-1-1"}))
    v2_framework = services.framework_publish(
        actor=admin, framework=services.framework_new_version(actor=admin, framework=framework))
    v2 = make_pathway(admin, v2_framework, code="literacy-v2-framework", title="Literacy on v2")
    enrolment = services.enrolment_create(actor=trainee, trainee=trainee, pathway=v2)
    item = next(i for i in progress_for(enrolment).requirements if i.requirement.type == "competency_signoff")
    assert item.requirement.competency.framework_id == v2_framework.pk
    assert item.met and item.evidence[0].kind == "signoff"


def test_elearning_counts_across_pathway_versions(admin, trainee, assigned_trainer, pathway):
    from accreditation.logbook.verification import elearning_completion_verify

    completion = services.elearning_record(trainee=trainee, component=elearning_component(pathway),
                                           completed_on=days_ago(30), provider="e-LfH")
    services.pathway_retire(actor=admin, pathway=pathway)
    v2 = services.pathway_publish(actor=admin, pathway=services.pathway_new_version(actor=admin, pathway=pathway))
    enrolment = services.enrolment_create(actor=trainee, trainee=trainee, pathway=v2)
    item = next(i for i in progress_for(enrolment).requirements if i.requirement.component.kind == "e_learning")
    # A new version counts the default provenances: the self-reported completion waits.
    assert item.requirement.provenances == ["trainer_verified", "device_import"] and not item.met
    elearning_completion_verify(completion=completion, actor=assigned_trainer)
    item = next(i for i in progress_for(enrolment).requirements if i.requirement.component.kind == "e_learning")
    assert item.met


def test_the_progress_endpoint(api, providers, trainee, enrolment, pathway):
    providers(FakeCases(4))
    services.elearning_record(trainee=trainee, component=elearning_component(pathway), completed_on=days_ago(2),
                              provider="Intuitive Learning")
    response = api.as_user(trainee).get(f"/api/v1/enrolments/{enrolment.pk}/progress/")
    assert response.status_code == 200
    body = response.json()
    assert (body["enrolment"], body["total"], body["met_count"], body["complete"]) == (enrolment.pk, 5, 1, False)
    assert body["share"] == pytest.approx(0.2)
    rows = {row["component_kind"]: row for row in body["requirements"]}
    assert rows["e_learning"]["met"] is True and rows["e_learning"]["evidence"][0]["kind"] == "elearning"
    # Requirements name their evidence by kind and id; each item's label and date come once.
    items = {(item["kind"], item["id"]): item for item in body["evidence"]}
    assert len(items) == len(body["evidence"])
    for row in body["requirements"]:
        for ref in row["evidence"]:
            assert set(ref) == {"kind", "id"} and (ref["kind"], ref["id"]) in items
    assert items[("elearning", rows["e_learning"]["evidence"][0]["id"])]["label"]
    assert rows["bedside_assisting"]["value"] == 4 and rows["bedside_assisting"]["target"] == 10
    assert rows["final_signoff"]["provider"] is None
    assert body["requirements"][-1]["type"] == "final_signoff"


def test_hours_are_decimals_in_hours(providers, admin, framework):
    pathway = make_pathway(admin, framework, code="hours", publish=False)
    module = pathway.modules.filter(is_final=False).first()
    component = services.component_create(actor=admin, module=module, title="Dry lab", kind="dry_lab")
    requirement = services.requirement_create(actor=admin, component=component, type="min_hours",
                                              params={"hours": "5.0"})

    class Hours:
        name = "test.hours"

        def handles(self, r):
            return r.type == "min_hours"

        def measure(self, *, trainee, requirement):
            return Measurement(value=decimal.Decimal("4.5"))

    providers(Hours())
    from curriculum.progress import measure_requirement

    item = measure_requirement(trainee=None, requirement=Requirement.objects.get(pk=requirement.pk))
    assert (item.met, item.value, item.target, item.unit) == (False, decimal.Decimal("4.5"),
                                                               decimal.Decimal("5.0"), "hours")


# --- Recording e-learning --------------------------------------------------------------------


def test_recording_elearning_with_a_certificate(api, trainee, pathway):
    client = api.as_user(trainee)
    upload = client.post("/api/v1/documents/", {"file": pdf()}, format="multipart")
    assert upload.status_code == 201
    response = client.post("/api/v1/elearning-completions/", {
        "component": elearning_component(pathway).pk, "completed_on": days_ago(3).isoformat(),
        "provider": "Intuitive Learning", "certificate": upload.json()["id"]})
    assert response.status_code == 201, response.json()
    assert response.json()["certificate"] == upload.json()["id"] and response.json()["trainee"] == trainee.pk
    again = client.post("/api/v1/elearning-completions/", {
        "component": elearning_component(pathway).pk, "completed_on": days_ago(3).isoformat(),
        "provider": "Intuitive Learning"})
    assert again.status_code == 409


def test_elearning_is_checked(trainee, other_trainee, pathway):
    component = elearning_component(pathway)
    with pytest.raises(ApplicationError) as exc:
        services.elearning_record(trainee=trainee, component=component, completed_on=days_ago(-1), provider="x")
    assert "completed_on" in exc.value.errors
    with pytest.raises(ApplicationError) as exc:
        services.elearning_record(trainee=trainee, component=requirement_of(pathway, "simulation").component,
                                  completed_on=days_ago(1), provider="x")
    assert "component" in exc.value.errors
    theirs = document_upload(owner=other_trainee, uploaded_by=other_trainee, file=pdf())
    with pytest.raises(ApplicationError) as exc:
        services.elearning_record(trainee=trainee, component=component, completed_on=days_ago(1),
                                  provider="x", certificate=theirs)
    assert "certificate" in exc.value.errors
    services.elearning_record(trainee=trainee, component=component, completed_on=days_ago(1), provider="x")
    with pytest.raises(Conflict):
        services.elearning_record(trainee=trainee, component=component, completed_on=days_ago(1), provider="y")
    assert ELearningCompletion.objects.count() == 1


def test_only_trainees_record_elearning(assigned_trainer, pathway):
    with pytest.raises(NotPermitted):
        services.elearning_record(trainee=assigned_trainer, component=elearning_component(pathway),
                                  completed_on=days_ago(1), provider="x")


def test_a_refused_record_leaves_no_uploaded_file(trainee, pathway, settings):
    import os

    with pytest.raises(ApplicationError):
        services.elearning_record_with_upload(trainee=trainee, component=elearning_component(pathway),
                                              completed_on=days_ago(-2), provider="x", certificate_file=pdf())
    media = settings.MEDIA_ROOT
    stored = [f for _, _, files in os.walk(media) for f in files] if os.path.exists(media) else []
    assert stored == []
