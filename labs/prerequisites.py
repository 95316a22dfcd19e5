"""Has a trainee met a curriculum module? The prerequisite gate of lab sessions.

Curriculum offers no "module met" helper, so labs decides it here, from the progress engine
(`curriculum.progress.progress_for`), never from its own idea of the evidence:

- the trainee's live (active or paused) enrolment on the module's pathway is evaluated and
  the module is met when every requirement of its components is met;
- a completed enrolment on that pathway counts as met (completion needs every requirement);
- no enrolment on the pathway: not met ("enrol on ... first");
- a module without requirements is met by any enrolment on the pathway.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from curriculum.models import LIVE_ENROLMENT_STATUSES, Enrolment, EnrolmentStatus, Module
from curriculum.progress import progress_for


@dataclass(frozen=True)
class ModuleCheck:
    module: Module
    met: bool
    missing: tuple[str, ...] = field(default_factory=tuple)  # what the trainee still lacks, in words

    def message(self) -> str:
        """A sentence the trainee can act on, naming the module and what is missing."""
        pathway = self.module.pathway
        head = (f"This session needs the module “{self.module.title}” of {pathway.title} "
                f"(version {pathway.version}) completed first")
        if not self.missing:
            return head + "."
        return f"{head}. Still missing: " + "; ".join(self.missing) + "."


def module_check(*, trainee, module: Module) -> ModuleCheck:
    """Whether `trainee` has met every requirement of `module`, and what is missing if not."""
    module = Module.objects.select_related("pathway").get(pk=module.pk)
    enrolments = Enrolment.objects.filter(trainee=trainee, pathway_id=module.pathway_id)
    live = (enrolments.filter(status__in=LIVE_ENROLMENT_STATUSES)
            .select_related("trainee", "pathway").order_by("-enrolled_on", "-id").first())
    if live is None:
        if enrolments.filter(status=EnrolmentStatus.COMPLETED).exists():
            return ModuleCheck(module=module, met=True)
        return ModuleCheck(module=module, met=False,
                           missing=(f"an enrolment on the pathway {module.pathway.title}",))
    progress = progress_for(live)
    unmet = tuple(
        f"{item.requirement.component.title}: {item.requirement} "
        f"({_value(item.value)} of {_value(item.target)})"
        for item in progress.requirements
        if item.requirement.component.module_id == module.pk and not item.met
    )
    return ModuleCheck(module=module, met=not unmet, missing=unmet)


def module_met(*, trainee, module: Module) -> bool:
    return module_check(trainee=trainee, module=module).met


def _value(value) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)
