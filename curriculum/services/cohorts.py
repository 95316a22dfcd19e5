"""Moving a cohort's enrolments from one pathway version to another (see
curriculum/cohort_moves.py for the dry run that shows the admin what would change)."""

from __future__ import annotations

from django.db import transaction

from curriculum.cohort_moves import movable_enrolments
from curriculum.counting_watchers import latest_pathway_change
from curriculum.models import LIVE_ENROLMENT_STATUSES, Enrolment, Lifecycle, Pathway
from curriculum.progress_summary import mark_stale
from curriculum.services.editing import locked, require_editor
from rastrack.audit.services import audit_record, audited
from rastrack.core.exceptions import ApplicationError, Conflict


def check_move(source: Pathway, target: Pathway) -> None:
    """The rules of a move, for the dry run and the move alike."""
    if target.code != source.code:
        raise ApplicationError(errors={"target": ["Choose a version of the same pathway."]})
    if target.pk == source.pk:
        raise ApplicationError(errors={"target": ["The enrolments are on this version already."]})
    if target.status != Lifecycle.PUBLISHED:
        raise Conflict(errors={"target": [
            f"Version {target.version} is {target.get_status_display().lower()}: enrolments move only "
            "onto the published version."]})


@transaction.atomic
def cohort_move(*, actor, source: Pathway, target: Pathway, cohort: int | None = None, region=None) -> list[Enrolment]:
    """Move the live enrolments on `source` (optionally of one cohort, the year of enrolment,
    and one region) onto `target`, the published version of the same pathway: one audit
    entry per enrolment and one for the move, all or nothing. Trainees already enrolled on
    the target version are left where they are. Their progress summaries are recomputed."""
    require_editor(actor)
    target = locked(Pathway, target.pk)
    check_move(source, target)
    already = set(Enrolment.objects.filter(pathway=target, status__in=LIVE_ENROLMENT_STATUSES)
                  .values_list("trainee_id", flat=True))
    moved = []
    movable = [e for e in movable_enrolments(source, cohort=cohort, region=region).select_for_update(of=("self",))
               if e.trainee_id not in already]
    with latest_pathway_change([e.trainee_id for e in movable]):
        for enrolment in movable:
            with audited(actor=actor, action="enrolment.move", instance=enrolment, fields=["pathway"]):
                enrolment.pathway = target
                enrolment.save(update_fields=["pathway"])
            moved.append(enrolment)
    audit_record(actor=actor, action="pathway.cohort_move", obj=target, before={"from_version": source.version},
                 after={"to_version": target.version, "cohort": cohort, "region": getattr(region, "pk", None),
                        "enrolments": [e.pk for e in moved]})
    mark_stale([e.trainee_id for e in moved])
    return moved
