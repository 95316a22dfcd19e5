"""Certificate builders (fixture `certificate`).

A certificate is reached the real way: the trainee meets every requirement of the sign-off
builders' `small_pathway` (two released GEARS assessments >= 20 by the assigned trainer, the
docking competency signed off), asks for the final sign-off and the trainer approves it;
the listener registered in `AccreditationConfig.ready()` issues the certificate.
"""

from __future__ import annotations

import io

import pytest

from accreditation.certificates.models import Certificate
from accreditation.signoff import services as signoff_services
from tests.builders.dates import days_ago
from tests.builders.signoff import assess, request_signoff


def meet_everything_but_the_final(trainee, trainer, competency):
    for i in range(2):
        assess(trainer, trainee, total=22, date=days_ago(20 - i))
    docking = request_signoff(trainee, trainer, competency=competency.pk)
    signoff_services.signoff_request_approve(request=docking, actor=trainer)


def final_request(trainee, trainer, enrolment, competency):
    """The pending final sign-off request, every other requirement met."""
    meet_everything_but_the_final(trainee, trainer, competency)
    return request_signoff(trainee, trainer, enrolment=enrolment.pk)


def certify(trainee, trainer, enrolment, competency) -> Certificate:
    final = final_request(trainee, trainer, enrolment, competency)
    signoff_services.signoff_request_approve(request=final, actor=trainer)
    return Certificate.objects.get(enrolment=enrolment)


def pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


@pytest.fixture(name="certificate")
def certificate_fixture(trainee, assigned_trainer, enrolment, competency):
    return certify(trainee, assigned_trainer, enrolment, competency)
