"""The progress engine: every requirement of an enrolment's pathway, met or not, with evidence.

Progress is computed from evidence, never typed in. Evidence lives in the apps that record
it (the logbook, simulator sessions and sign-offs in `accreditation`, lab attendance in
`labs`), and those apps come *after* curriculum in the layering
(core <- curriculum <- accreditation <- labs). So curriculum never imports them; instead
each registers an **evidence provider** here, from its `AppConfig.ready()`::

    from curriculum.progress import Measurement, EvidenceItem, register_provider

    class CaseCountProvider:
        name = "accreditation.cases"

        def handles(self, requirement) -> bool:
            return (requirement.type == "min_count"
                    and requirement.component.kind in {"bedside_assisting", ...})

        def measure(self, *, trainee, requirement) -> Measurement:
            cases = ...  # validated cases, narrowed by requirement.platform / procedure / step
            return Measurement(value=len(cases),
                               evidence=tuple(EvidenceItem("case", c.pk, str(c), c.date) for c in cases))

    register_provider(CaseCountProvider())

Rules a provider can rely on and must follow:

- `progress_for` asks providers in registration order; the first whose `handles()` is true
  measures the requirement. None: the requirement is "not met, no provider yet" (value 0).
- A requirement is met when `value >= target` (`target_of`: count, hours, score or
  min_total; 1 for the sign-offs), unless the provider sets `Measurement.met` itself.
- `value` is in the requirement's unit (`unit_of`): "count", "hours" (Decimal), "score",
  "total" or "signoff" (0 / 1). For "score on K consecutive attempts" and "total on K
  consecutive assessments", report the best minimum over any K consecutive attempts
  (`best_run_minimum`), so that `value >= target` is exactly the rule.
- Competency sign-offs count by `requirement.competency.key` (stable across framework
  versions), not by the competency's id, so version-1 sign-offs count under version 2.
- `measure()` reads; it never writes. It may run a few queries per requirement.
- A provider may also define `measure_batch(*, work) -> list[Measurement]`, `work` being
  `(trainee, requirement)` pairs, answering in order with what `measure` would say for each
  pair. The engine then asks it once per computation (a progress page, a batch of summary
  snapshots) instead of once per requirement, so the provider reads each kind of evidence
  once for all the pairs and evaluates every requirement in Python. Reads several providers
  share (the trainee's assessments, say) go through `shared(key, load)`: within one
  computation each is read once, for every trainee of the computation (`computation_trainees`).
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime
import decimal
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from curriculum.rules import target_of, unit_of

if TYPE_CHECKING:  # pragma: no cover
    from curriculum.models import Enrolment, Requirement


@dataclass(frozen=True)
class EvidenceItem:
    """One piece of evidence behind a value."""

    kind: str  # "elearning", "case", "simulator_session", "assessment", "signoff", "lab_attendance"
    id: int
    label: str
    date: datetime.date | None = None


@dataclass(frozen=True)
class Measurement:
    value: decimal.Decimal | int  # in the requirement's unit: count, hours, score, total, 0/1
    evidence: tuple[EvidenceItem, ...] = ()
    # Leave None to let the engine decide (value >= target); set it when the rule is richer.
    met: bool | None = None
    # Sentences for the trainee: what is done, the current run, what waits for whom, next step.
    notes: tuple[str, ...] = ()


@runtime_checkable
class EvidenceProvider(Protocol):
    name: str

    def handles(self, requirement: Requirement) -> bool: ...

    def measure(self, *, trainee, requirement: Requirement) -> Measurement: ...


@dataclass(frozen=True)
class RequirementProgress:
    requirement: Requirement
    met: bool
    value: decimal.Decimal | int
    target: decimal.Decimal | int
    unit: str
    evidence: tuple[EvidenceItem, ...]
    provider: str | None  # None: no provider measures this requirement yet (not met, value 0)
    notes: tuple[str, ...] = ()

    @property
    def share(self) -> float:
        """How far towards the target, 0.0 to 1.0 (for progress bars)."""
        if self.met:
            return 1.0
        if not self.target:
            return 0.0
        return max(0.0, min(1.0, float(self.value) / float(self.target)))


@dataclass(frozen=True)
class EnrolmentProgress:
    enrolment: Enrolment
    requirements: tuple[RequirementProgress, ...]
    met_count: int
    total: int
    complete: bool
    share: float  # met_count / total

    @property
    def percent(self) -> int:
        return int(self.share * 100)

    def unmet(self) -> tuple[RequirementProgress, ...]:
        return tuple(item for item in self.requirements if not item.met)

    def all_met_except_final(self) -> bool:
        """Every requirement but the final sign-off is met: the trainee may ask for it."""
        return all(item.met for item in self.requirements if item.requirement.type != "final_signoff")


# --- The registry ---------------------------------------------------------------------------

_providers: dict[str, EvidenceProvider] = {}


def register_provider(provider: EvidenceProvider) -> None:
    """Add a provider (idempotent by `provider.name`: registering a name again replaces it
    in place, keeping its position). Call from `AppConfig.ready()`."""
    if not isinstance(provider, EvidenceProvider):
        raise TypeError("An evidence provider needs `name`, `handles(requirement)` and "
                        "`measure(*, trainee, requirement)`.")
    _providers[provider.name] = provider


# --- Evidence waiting for verification --------------------------------------------------------

# Who may verify a trainee's self-reported evidence, in words. Accreditation knows the
# assignments and registers it; without it the sentence names no one.
_verifiers: list = []


def register_verifier_description(describe) -> None:
    """`describe(trainee) -> str`, e.g. "Dr A (educational supervisor) or another trainer assigned to you"."""
    _verifiers[:] = [describe]


def waiting_note(*, trainee, requirement, waiting: int, singular: str, plural: str) -> tuple[str, ...]:
    """The one sentence for self-reported evidence that does not count until a trainer verifies
    it (simulator sessions, e-learning completions); nothing when self-reported evidence counts."""
    if not waiting or "self_reported" in (requirement.provenances or []):
        return ()
    # Asked once per trainee and computation: several requirements may wait on the same people.
    who = (shared(("curriculum.verifier", trainee.pk), lambda: _verifiers[0](trainee)) if _verifiers
           else "a trainer assigned to you")
    noun = f"{singular} waits" if waiting == 1 else f"{plural} wait"
    return (f"{waiting} self-reported {noun} for verification by {who}.",)


def unregister_provider(name: str) -> None:
    """Remove a provider by name (tests); unknown names are ignored."""
    _providers.pop(name, None)


def registered_providers() -> tuple[EvidenceProvider, ...]:
    return tuple(_providers.values())


def provider_for(requirement: Requirement) -> EvidenceProvider | None:
    for provider in _providers.values():
        if provider.handles(requirement):
            return provider
    return None


# --- One computation, its shared reads --------------------------------------------------------

_computation: contextvars.ContextVar[dict | None] = contextvars.ContextVar("progress_computation", default=None)


@contextlib.contextmanager
def computation(trainee_ids: Iterable[int] = ()):
    """Within it, `shared` reads are made once. Nested computations join the outer one."""
    trainee_ids = {pk for pk in trainee_ids if pk is not None}
    if _computation.get() is not None:
        _computation.get()["trainees"].update(trainee_ids)
        yield
        return
    token = _computation.set({"trainees": trainee_ids})
    try:
        yield
    finally:
        _computation.reset(token)


def computation_trainees(trainee_ids: Iterable[int]) -> frozenset[int]:
    """The trainees a shared read should cover: every trainee of the current computation (so
    that each read is made once, whoever asks first), or `trainee_ids` outside one."""
    memo = _computation.get()
    ids = set(trainee_ids)
    if memo is not None:
        ids |= memo["trainees"]
    return frozenset(ids)


def shared(key, load: Callable[[], object]):
    """`load()`, once per computation and `key` (outside a computation: every time)."""
    memo = _computation.get()
    if memo is None:
        return load()
    reads = memo.setdefault("reads", {})
    if key not in reads:
        reads[key] = load()
    return reads[key]


# --- Helpers for providers ------------------------------------------------------------------


def best_run_minimum(values: Sequence[decimal.Decimal | int], k: int) -> decimal.Decimal | int:
    """The best "worst of K consecutive" in a series (oldest first); 0 with fewer than K.

    `best_run_minimum([70, 92, 95, 88, 91, 93], 2)` is 92: the pair (92, 95) has the best
    worst score. A requirement "score >= 90 on 2 consecutive attempts" is met exactly when
    this is >= 90.
    """
    k = max(1, k or 1)
    if len(values) < k:
        return 0
    return max(min(values[i:i + k]) for i in range(len(values) - k + 1))


# --- The engine -----------------------------------------------------------------------------


def measure_requirement(*, trainee, requirement: Requirement) -> RequirementProgress:
    return measure_all([(trainee, requirement)])[0]


def measure_all(work: Sequence[tuple[object, Requirement]]) -> list[RequirementProgress]:
    """Every (trainee, requirement) pair measured, in order: each provider is asked once for all
    its pairs when it can measure a batch (`measure_batch`), else once per pair."""
    work = list(work)
    with computation(getattr(trainee, "pk", None) for trainee, _ in work):
        providers = [provider_for(requirement) for _, requirement in work]
        measurements: list[Measurement | None] = [None] * len(work)
        by_provider: dict[str, list[int]] = {}
        for index, provider in enumerate(providers):
            if provider is not None:
                by_provider.setdefault(provider.name, []).append(index)
        for indexes in by_provider.values():
            provider = providers[indexes[0]]
            batch = getattr(provider, "measure_batch", None)
            if batch is not None:
                for index, measurement in zip(indexes, batch(work=[work[i] for i in indexes]), strict=True):
                    measurements[index] = measurement
            else:
                for index in indexes:
                    trainee, requirement = work[index]
                    measurements[index] = provider.measure(trainee=trainee, requirement=requirement)
    return [_progress(requirement, provider, measurement)
            for (_, requirement), provider, measurement in zip(work, providers, measurements, strict=True)]


def _progress(requirement: Requirement, provider, measurement: Measurement | None) -> RequirementProgress:
    target = target_of(requirement)
    unit = unit_of(requirement)
    if provider is None:
        return RequirementProgress(requirement=requirement, met=False, value=0, target=target,
                                   unit=unit, evidence=(), provider=None)
    met = measurement.met if measurement.met is not None else measurement.value >= target
    return RequirementProgress(requirement=requirement, met=bool(met), value=measurement.value,
                               target=target, unit=unit, evidence=tuple(measurement.evidence),
                               provider=provider.name, notes=tuple(measurement.notes))


def summarise(enrolment: Enrolment, items: Iterable[RequirementProgress]) -> EnrolmentProgress:
    items = tuple(items)
    met_count = sum(1 for item in items if item.met)
    total = len(items)
    return EnrolmentProgress(
        enrolment=enrolment, requirements=items, met_count=met_count, total=total,
        complete=total > 0 and met_count == total, share=(met_count / total) if total else 0.0,
    )


def progress_for(enrolment: Enrolment) -> EnrolmentProgress:
    """Evaluate every requirement of the enrolment's pathway, in pathway order (the final
    sign-off last), for the enrolment's trainee."""
    return progress_for_many([enrolment])[0]


def progress_for_many(enrolments: Iterable[Enrolment]) -> list[EnrolmentProgress]:
    """`progress_for` of each enrolment, in order, as one computation: each kind of evidence is
    read once for all the enrolments' trainees (one query per provider, not per requirement)."""
    from curriculum.selectors import requirements_of_pathway

    enrolments = list(enrolments)
    by_pathway: dict[int, list] = {}
    work = []
    for enrolment in enrolments:
        if enrolment.pathway_id not in by_pathway:
            by_pathway[enrolment.pathway_id] = requirements_of_pathway(enrolment.pathway_id)
        work.extend((enrolment.trainee, requirement) for requirement in by_pathway[enrolment.pathway_id])
    measured = iter(measure_all(work))
    return [summarise(enrolment, [next(measured) for _ in by_pathway[enrolment.pathway_id]])
            for enrolment in enrolments]


# --- Moving to the default provenances --------------------------------------------------------


@dataclass(frozen=True)
class ProvenanceChange:
    enrolment: Enrolment
    requirement: Requirement
    met_now: bool
    met_then: bool
    value_now: decimal.Decimal | int
    value_then: decimal.Decimal | int


def changes_under_default_provenances(enrolments: Iterable[Enrolment]) -> list[ProvenanceChange]:
    """The requirements whose result would change for these enrolments if their version
    counted only the default provenances (trainer-verified and device-imported simulator
    sessions and e-learning completions).

    Published versions are immutable and keep what they count; this measures, in memory and
    without writing, what a move to a new version with the default would do to each trainee.
    """
    import copy

    from curriculum.models import DEFAULT_PROVENANCES
    from curriculum.selectors import requirements_of_pathway

    default = list(DEFAULT_PROVENANCES)
    changes = []
    pairs: list[tuple] = []
    work: list[tuple] = []
    by_pathway: dict[int, list] = {}
    for enrolment in enrolments:
        if enrolment.pathway_id not in by_pathway:
            by_pathway[enrolment.pathway_id] = [
                r for r in requirements_of_pathway(enrolment.pathway_id)
                if r.component.kind in ("simulation", "e_learning")
                and sorted(r.provenances or []) != sorted(default)]
        for requirement in by_pathway[enrolment.pathway_id]:
            moved = copy.copy(requirement)
            moved.provenances = default
            pairs.append((enrolment, requirement))
            work.extend([(enrolment.trainee, requirement), (enrolment.trainee, moved)])
    measured = measure_all(work)
    for (enrolment, requirement), now, then in zip(pairs, measured[::2], measured[1::2], strict=True):
        if (now.met, now.value) != (then.met, then.value):
            changes.append(ProvenanceChange(enrolment=enrolment, requirement=requirement, met_now=now.met,
                                            met_then=then.met, value_now=now.value, value_then=then.value))
    return changes
