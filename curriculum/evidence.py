"""The evidence curriculum records itself: e-learning completions.

`ELearningProvider` measures `min_count` requirements of e-learning components: how many
times the trainee recorded completing that component. A component keeps its `key` in later
versions of its pathway, so completions count across pathway versions too. Only the
provenances the requirement names count (new versions: trainer-verified and device-imported);
the notes say how many self-reported completions wait for verification, and by whom.
"""

from __future__ import annotations

from curriculum.models import ComponentKind, ELearningCompletion, RequirementType
from curriculum.progress import EvidenceItem, Measurement, waiting_note


class ELearningProvider:
    name = "curriculum.elearning"

    def handles(self, requirement) -> bool:
        return (requirement.type == RequirementType.MIN_COUNT
                and requirement.component.kind == ComponentKind.E_LEARNING)

    def measure(self, *, trainee, requirement) -> Measurement:
        counted = list(requirement.provenances or [])
        completions = list(ELearningCompletion.objects.select_related("component")
                           .filter(trainee=trainee, component__key=requirement.component.key)
                           .order_by("completed_on", "id"))
        evidence = tuple(
            EvidenceItem(kind="elearning", id=c.pk, label=f"{c.component.title} ({c.provider})",
                         date=c.completed_on)
            for c in completions if c.provenance in counted
        )
        waiting = sum(1 for c in completions if c.provenance not in counted and c.provenance == "self_reported")
        notes = waiting_note(trainee=trainee, requirement=requirement, waiting=waiting,
                             singular="e-learning completion", plural="e-learning completions")
        return Measurement(value=len(evidence), evidence=evidence, notes=notes)
