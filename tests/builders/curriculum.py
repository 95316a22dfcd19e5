"""Curriculum builders: a framework and a pathway built through the services, learning
resources, and a small PDF for uploads."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from curriculum import services
from curriculum.models import Component, Requirement
from rastrack.reference.models import Procedure, ProcedureStep
from tests.builders.faculty import blank_pdf

PDF_BYTES = blank_pdf()


def pdf(name: str = "certificate.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def make_framework(admin, *, code="ras-test", publish=True, standards=2, competencies=2):
    framework = services.framework_create(actor=admin, code=code, title="Test standards")
    for s in range(1, standards + 1):
        standard = services.standard_create(actor=admin, framework=framework, code=f"S{s}",
                                            title=f"Standard {s}", domain="technical_skills")
        for c in range(1, competencies + 1):
            services.competency_create(actor=admin, standard=standard, code=f"S{s}.{c}",
                                       title=f"Competency {s}.{c}", key=f"comp-{s}-{c}")
    if publish:
        framework = services.framework_publish(actor=admin, framework=framework)
    return framework


def make_pathway(admin, framework, *, code="literacy", title="Robotic literacy", self_enrol=True,
                 publish=True, duration_weeks=52):
    """Modules: e-learning (min_count 1), simulation (min_score 90 x2), bedside (min_count 10 RARP),
    a competency sign-off; then the automatic final sign-off."""
    pathway = services.pathway_create(actor=admin, code=code, title=title, audience="trainee",
                                      framework=framework, self_enrol=self_enrol, duration_weeks=duration_weeks)
    first = services.module_create(actor=admin, pathway=pathway, title="Platform e-learning")
    elearning = services.component_create(actor=admin, module=first, title="Platform e-module", kind="e_learning")
    # Counts self-reported completions, as versions published before provenance did (the
    # verified-only default has its own tests: tests/accreditation/logbook/test_elearning_verification.py).
    services.requirement_create(actor=admin, component=elearning, type="min_count", params={"count": 1},
                                provenances=["self_reported", "trainer_verified", "device_import"])
    second = services.module_create(actor=admin, pathway=pathway, title="Skills")
    sim = services.component_create(actor=admin, module=second, title="Simulator", kind="simulation")
    services.requirement_create(actor=admin, component=sim, type="min_score", params={"score": 90, "consecutive": 2})
    bedside = services.component_create(actor=admin, module=second, title="Bedside", kind="bedside_assisting")
    rarp = Procedure.objects.get(code="rarp")
    services.requirement_create(actor=admin, component=bedside, type="min_count", params={"count": 10},
                                procedure=rarp)
    signoff = services.component_create(actor=admin, module=second, title="Docking", kind="dry_lab")
    services.requirement_create(actor=admin, component=signoff, type="competency_signoff",
                                params={"competency_key": "comp-1-1"})
    if publish:
        pathway = services.pathway_publish(actor=admin, pathway=pathway)
    return pathway


def elearning_component(pathway) -> Component:
    return Component.objects.get(module__pathway=pathway, kind="e_learning")


def requirement_of(pathway, kind: str) -> Requirement:
    return Requirement.objects.get(component__module__pathway=pathway, component__kind=kind)


def rarp_step(name: str) -> ProcedureStep:
    return ProcedureStep.objects.get(procedure__code="rarp", name=name)


def resource_item(n: int = 1, **overrides) -> dict:
    item = {
        "title": f"Robotic docking guide {n}",
        "url": f"https://learning.example.org/robotics/guide-{n}",
        "provider": "Example Robotics Academy",
        "format": "video",
        "description": "How to dock the patient cart safely, step by step.",
        "topics": ["docking"],
        "audience": "everyone",
        "licence": "cc_by",
        "open_access_confirmed": True,
    }
    item.update(overrides)
    return item


def submit(user, *items):
    return services.resource_submit(submitted_by=user, items=list(items) or [resource_item()])
