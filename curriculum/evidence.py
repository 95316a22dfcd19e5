"""The evidence curriculum records itself: e-learning completions.

`ELearningProvider` measures `min_count` requirements of e-learning components: how many
times the trainee recorded completing that component. A component keeps its `key` in later
versions of its pathway, so completions count across pathway versions too. Only the
provenances the requirement names count (new versions: trainer-verified and device-imported);
the notes say how many self-reported completions wait for verification, and by whom.
"""

from __future__ import annotations

from curriculum.models import ComponentKind, ELearningCompletion, RequirementType
from curriculum.progress import (
    EvidenceItem,
    Measurement,
    computation_trainees,
    shared,
    waiting_note,
)


class ELearningProvider:
    name = "curriculum.elearning"

    def handles(self, requirement) -> bool:
        return (requirement.type == RequirementType.MIN_COUNT
                and requirement.component.kind == ComponentKind.E_LEARNING)

    def measure(self, *, trainee, requirement) -> Measurement:
        return self.measure_batch(work=[(trainee, requirement)])[0]

    def measure_batch(self, *, work) -> list[Measurement]:
        """Every pair from one read of the trainees' completions (oldest first)."""
        trainees = computation_trainees(trainee.pk for trainee, _ in work)
        completions = shared(("curriculum.elearning", trainees), lambda: _completions(trainees))
        return [self._measure_rows(trainee, requirement, completions.get((trainee.pk, requirement.component.key), ()))
                for trainee, requirement in work]

    def _measure_rows(self, trainee, requirement, completions) -> Measurement:
        counted = list(requirement.provenances or [])
        evidence = tuple(item for provenance, item in completions if provenance in counted)
        waiting = sum(1 for provenance, _ in completions
                      if provenance not in counted and provenance == "self_reported")
        notes = waiting_note(trainee=trainee, requirement=requirement, waiting=waiting,
                             singular="e-learning completion", plural="e-learning completions")
        return Measurement(value=len(evidence), evidence=evidence, notes=notes)


def _completions(trainee_ids) -> dict[tuple[int, object], list[tuple[str, EvidenceItem]]]:
    """(trainee, component key) -> [(provenance, evidence item)], oldest first."""
    by_key: dict[tuple[int, object], list] = {}
    for pk, trainee_id, key, title, provider, completed_on, provenance in (
            ELearningCompletion.objects.filter(trainee_id__in=trainee_ids).order_by("completed_on", "id")
            .values_list("id", "trainee_id", "component__key", "component__title", "provider", "completed_on",
                         "provenance")):
        by_key.setdefault((trainee_id, key), []).append(
            (provenance, EvidenceItem(kind="elearning", id=pk, label=f"{title} ({provider})", date=completed_on)))
    return by_key
