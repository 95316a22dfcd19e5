"""What a trainee would see on a pathway version before anyone is enrolled on it: the
progress page for an imaginary enrolment that has no evidence, or for a chosen trainee's
evidence as it stands. Reads only; the enrolment is never saved."""

from __future__ import annotations

import datetime

from django.utils import timezone

from curriculum.models import Enrolment, EnrolmentStatus, Pathway
from curriculum.progress import (
    EnrolmentProgress,
    RequirementProgress,
    progress_for,
    provider_for,
    summarise,
)
from curriculum.rules import target_of, unit_of
from curriculum.selectors import requirements_of_pathway


def imaginary_enrolment(pathway: Pathway, trainee=None) -> Enrolment:
    today = timezone.localdate()
    return Enrolment(trainee=trainee, pathway=pathway, status=EnrolmentStatus.ACTIVE, enrolled_on=today,
                     target_date=today + datetime.timedelta(weeks=pathway.duration_weeks))


def preview_progress(pathway: Pathway, trainee=None) -> EnrolmentProgress:
    """With a trainee: their evidence measured against this version. Without: nothing met,
    every requirement at 0 of its target, and which ones RASTrack measures at all."""
    enrolment = imaginary_enrolment(pathway, trainee)
    if trainee is not None:
        return progress_for(enrolment)
    items = []
    for requirement in requirements_of_pathway(pathway.pk):
        provider = provider_for(requirement)
        items.append(RequirementProgress(requirement=requirement, met=False, value=0, target=target_of(requirement),
                                         unit=unit_of(requirement), evidence=(),
                                         provider=provider.name if provider else None))
    return summarise(enrolment, items)
