"""Counting rules as data: which validated (role, code, takeover) combinations count as what.

Progress (`progress.CaseEvidenceProvider`), dashboards and the portfolio read `case_kind_q`,
so one table decides. A pathway version's rows are its counting; a pathway without rows counts
by `DEFAULT_RULES`. The migration that introduced the table gave every pathway that already
existed rows reproducing `LEGACY_RULES` (the counting it had been published with), so a published
version keeps counting as it did and new versions start from the defaults.

Cases are read as the validator confirmed them (`validated_role`, `validated_supervision`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from django.db.models import Case as DbCase
from django.db.models import Exists, IntegerField, OuterRef, Q, Subquery, Sum, Value, When

from accreditation.logbook.models import (
    CaseRole,
    CaseStep,
    CountedAs,
    CountingRule,
    StepRole,
    Supervision,
    TakeoverRule,
)


class Rule(NamedTuple):
    counted_as: str
    role: str
    supervision: str
    takeover: str = TakeoverRule.ANY


_CONSOLE = (CaseRole.CONSOLE_WHOLE, CaseRole.CONSOLE_PART)

# DOMAIN.md: A never counts as console work; independent means a whole case, P, no takeover;
# T counts as teaching, never as the trainee's own console work.
DEFAULT_RULES: tuple[Rule, ...] = (
    Rule(CountedAs.OBSERVED, CaseRole.OBSERVER, Supervision.O),
    Rule(CountedAs.BEDSIDE, CaseRole.BEDSIDE_ASSISTANT, Supervision.A),
    *(Rule(CountedAs.SUPERVISED_CONSOLE, role, code) for role in _CONSOLE
      for code in (Supervision.S_TS, Supervision.S_TU)),
    Rule(CountedAs.INDEPENDENT_CONSOLE, CaseRole.CONSOLE_WHOLE, Supervision.P, TakeoverRule.NONE),
    *(Rule(CountedAs.TEACHING, role, Supervision.T) for role in CaseRole.values),
)

# What the logbook counted before the table existed (kept for the versions published then).
LEGACY_RULES: tuple[Rule, ...] = (
    *(Rule(CountedAs.OBSERVED, CaseRole.OBSERVER, code) for code in Supervision.values),
    *(Rule(CountedAs.OBSERVED, role, Supervision.O) for role in CaseRole.values if role != CaseRole.OBSERVER),
    *(Rule(CountedAs.BEDSIDE, CaseRole.BEDSIDE_ASSISTANT, code) for code in Supervision.values),
    *(Rule(CountedAs.SUPERVISED_CONSOLE, role, code) for role in _CONSOLE
      for code in (Supervision.S_TS, Supervision.S_TU, Supervision.A)),
    *(Rule(CountedAs.INDEPENDENT_CONSOLE, role, code) for role in _CONSOLE
      for code in (Supervision.P, Supervision.T)),
)


def rules_of(pathway_id: int) -> tuple[Rule, ...]:
    """The pathway version's own rows (one query); empty when it counts by the defaults."""
    return tuple(Rule(*row) for row in CountingRule.objects.filter(pathway_id=pathway_id).order_by(
        "counted_as", "role", "supervision").values_list("counted_as", "role", "supervision", "takeover"))


def rules_for(pathway_id: int | None) -> tuple[Rule, ...]:
    """The pathway version's rules (one query), or the defaults when it has none."""
    if pathway_id is None:
        return DEFAULT_RULES
    return rules_of(pathway_id) or DEFAULT_RULES


def _taken_over() -> Exists:
    return Exists(CaseStep.objects.filter(case_id=OuterRef("pk"), takeover=True))


def case_kind_q(counted_as: str, rules: Iterable[Rule]) -> Q:
    """Validated cases (by their confirmed role and code) that `rules` count as `counted_as`.
    Matches nothing when no rule names it."""
    q = Q(pk__in=[])
    for rule in rules:
        if rule.counted_as != counted_as:
            continue
        term = Q(validated_role=rule.role, validated_supervision=rule.supervision)
        if rule.takeover == TakeoverRule.NONE:
            term &= ~_taken_over()
        q |= term
    return q


def counted_as(*, role: str, supervision: str, taken_over: bool, rules: Iterable[Rule] = DEFAULT_RULES) -> list[str]:
    """What one case counts as under `rules` (in memory: for pages and exports)."""
    return [r.counted_as for r in rules if r.role == role and r.supervision == supervision
            and (r.takeover == TakeoverRule.ANY or not taken_over)]


# The trainee's own work, from least to most: a claim counted higher than what the validator
# confirmed is over-logging. Teaching is not on this ladder (it is not the trainee's own work).
KIND_RANK = {CountedAs.OBSERVED: 1, CountedAs.BEDSIDE: 2, CountedAs.SUPERVISED_CONSOLE: 3,
             CountedAs.INDEPENDENT_CONSOLE: 4}


def kind_rank(*, role: str, supervision: str, taken_over: bool, rules: Iterable[Rule]) -> int:
    """The highest own-work kind a (role, code) counts as under `rules` (0: none)."""
    return max((KIND_RANK.get(k, 0) for k in counted_as(role=role, supervision=supervision,
                                                      taken_over=taken_over, rules=rules)), default=0)


def is_overlogged(*, claimed: tuple[str, str], validated: tuple[str, str], taken_over: bool,
                  rules: Iterable[Rule]) -> bool:
    """Whether the trainee's claimed (role, code) counts as a higher kind of own work than the
    (role, code) the validator confirmed, under `rules`."""
    rules = tuple(rules)
    return (kind_rank(role=claimed[0], supervision=claimed[1], taken_over=taken_over, rules=rules)
            > kind_rank(role=validated[0], supervision=validated[1], taken_over=taken_over, rules=rules))


# Which step roles count towards a step requirement of each kind (a step counts only when done
# at the console without a takeover, for console work): (step role or None for any, whether a
# step taken over still counts). STEP_FILTER (SQL) and `step_counts` (in memory) both read it.
STEP_RULES: dict[str, tuple[str | None, bool]] = {
    CountedAs.BEDSIDE: (StepRole.BEDSIDE, True),
    CountedAs.SUPERVISED_CONSOLE: (StepRole.CONSOLE, False),
    CountedAs.INDEPENDENT_CONSOLE: (StepRole.CONSOLE, False),
    CountedAs.OBSERVED: (None, True),
    CountedAs.TEACHING: (None, True),
}


def _step_q(role: str | None, takeover_counts: bool) -> Q:
    q = Q() if role is None else Q(role=role)
    return q if takeover_counts else q & Q(takeover=False)


STEP_FILTER = {kind: _step_q(*rule) for kind, rule in STEP_RULES.items()}


def step_counts(kind: str, *, role: str, takeover: bool) -> bool:
    """Whether a case step done in `role` (taken over or not) counts for a step requirement of `kind`."""
    wanted, takeover_counts = STEP_RULES[kind]
    return (wanted is None or role == wanted) and (takeover_counts or not takeover)


class KindTable:
    """What cases count as under a set of rules, in memory and memoised by (role, code,
    taken over): evaluating hundreds of cases against a pathway's table costs one lookup each."""

    def __init__(self, rules: Iterable[Rule]):
        self.rules = tuple(rules)
        self._kinds: dict[tuple, frozenset[str]] = {}

    def kinds(self, *, role: str, supervision: str, taken_over: bool) -> frozenset[str]:
        key = (role, supervision, bool(taken_over))
        if key not in self._kinds:
            self._kinds[key] = frozenset(counted_as(role=role, supervision=supervision,
                                                    taken_over=bool(taken_over), rules=self.rules))
        return self._kinds[key]


# Each kind's two bits in `counting_mask`: the version counts (role, code) as it always, or only
# when no step was taken over. A version has one rule per kind and (role, code)
# (counting_rule_once), so the SUM of the matching rules' bits is their OR.
_ANY_BIT = {kind: 1 << (2 * n) for n, kind in enumerate(CountedAs.values)}


def pathway_counting_annotations(pathway_id: int) -> dict:
    """Two annotations for a query of cases, what `pathway_kind_q` says for every kind at once
    with one correlated subquery: `counting_own`, whether the version has its own table, and
    `counting_mask`, the bits of its rules for the case's confirmed role and code
    (`kinds_of` reads them)."""
    bits = DbCase(*(When(counted_as=kind, takeover=takeover, then=Value(bit << shift))
                    for kind, bit in _ANY_BIT.items()
                    for takeover, shift in ((TakeoverRule.ANY, 0), (TakeoverRule.NONE, 1))),
                  default=Value(0))
    matching = (CountingRule.objects.filter(pathway_id=pathway_id, role=OuterRef("validated_role"),
                                            supervision=OuterRef("validated_supervision"))
                .order_by().values("pathway_id").annotate(mask=Sum(bits)).values("mask")[:1])
    return {"counting_own": Exists(CountingRule.objects.filter(pathway_id=pathway_id)),
            "counting_mask": Subquery(matching, output_field=IntegerField())}


def kinds_of(*, own: bool, mask: int | None, role: str, supervision: str, taken_over: bool,
             defaults: KindTable) -> frozenset[str]:
    """What a case counts as from `pathway_counting_annotations` (the defaults when the
    version has no table of its own)."""
    if not own:
        return defaults.kinds(role=role, supervision=supervision, taken_over=taken_over)
    mask = mask or 0
    return frozenset(kind for kind, bit in _ANY_BIT.items()
                     if mask & bit or (mask & (bit << 1) and not taken_over))


def rules_for_pathways(pathway_ids: Iterable[int]) -> dict[int, tuple[Rule, ...]]:
    """`rules_for` of several pathway versions, in one query."""
    ids = set(pathway_ids)
    own: dict[int, list[Rule]] = {}
    for pathway_id, *row in (CountingRule.objects.filter(pathway_id__in=ids)
                             .order_by("pathway_id", "counted_as", "role", "supervision")
                             .values_list("pathway_id", "counted_as", "role", "supervision", "takeover")):
        own.setdefault(pathway_id, []).append(Rule(*row))
    return {pk: tuple(own.get(pk) or DEFAULT_RULES) for pk in ids}


def pathway_kind_q(counted_as: str, pathway_id: int | None) -> Q:
    """`case_kind_q` for a pathway version, in SQL (no query of its own, so a progress page
    costs the same whatever the table holds): the version's rows, or the defaults when it has none."""
    defaults = case_kind_q(counted_as, DEFAULT_RULES)
    if pathway_id is None:
        return defaults
    matching = CountingRule.objects.filter(
        pathway_id=pathway_id, counted_as=counted_as,
        role=OuterRef("validated_role"), supervision=OuterRef("validated_supervision"))
    own = Exists(matching.filter(takeover=TakeoverRule.ANY)) | (
        Exists(matching.filter(takeover=TakeoverRule.NONE)) & ~_taken_over())
    return Q(own) | (~Exists(CountingRule.objects.filter(pathway_id=pathway_id)) & defaults)


def rules_set(*, actor, pathway, rules: Iterable[Rule]) -> list[CountingRule]:
    """Replace a draft pathway version's counting table (programme admins). A published or
    retired version keeps its counting: 409. Audited, before and after."""
    from django.db import transaction

    from rastrack.accounts.roles import Role
    from rastrack.audit.services import audit_record
    from rastrack.core.exceptions import ApplicationError, Conflict
    from rastrack.core.permissions import require_role

    require_role(actor, Role.PROGRAMME_ADMIN)
    rules = list(dict.fromkeys(Rule(*r) for r in rules))
    errors = []
    for rule in rules:
        if (rule.counted_as not in CountedAs.values or rule.role not in CaseRole.values
                or rule.supervision not in Supervision.values or rule.takeover not in TakeoverRule.values):
            errors.append(f"{tuple(rule)} is not a counting rule (counted_as, role, supervision, takeover).")
    if errors:
        raise ApplicationError(errors={"rules": errors})
    with transaction.atomic():
        from curriculum.models import Pathway

        pathway = Pathway.objects.select_for_update().get(pk=pathway.pk)
        if pathway.status != "draft":
            raise Conflict("This pathway version is published: its counting stays as it was. "
                           "Change the counting of a new version.")
        before = [list(r) for r in rules_for(pathway.pk)]
        CountingRule.objects.filter(pathway=pathway).delete()
        rows = CountingRule.objects.bulk_create([CountingRule(pathway=pathway, **r._asdict()) for r in rules])
        audit_record(actor=actor, action="counting_rules.set", obj=pathway, before=before,
                     after=[list(r) for r in rules])
    return rows


def progress_changes(*, pathway, rules: Iterable[Rule]) -> list[dict]:
    """Whose case counts would change if the cohort enrolled on `pathway` were counted by
    `rules` (for example a newer version's): one row per trainee and requirement that moves."""
    from accreditation.logbook.progress import CaseEvidenceProvider
    from curriculum.models import Enrolment
    from curriculum.selectors import requirements_of_pathway

    provider = CaseEvidenceProvider()
    rules = tuple(Rule(*r) for r in rules)
    requirements = [r for r in requirements_of_pathway(pathway.pk) if provider.handles(r)]
    from curriculum.progress import computation

    changes = []
    enrolments = list(Enrolment.objects.filter(pathway=pathway).select_related("trainee").order_by("trainee_id"))
    work = [(enrolment.trainee, requirement) for enrolment in enrolments for requirement in requirements]
    # One read of the cohort's cases, counted twice in memory: by the version's table, by `rules`.
    with computation(trainee.pk for trainee, _ in work):
        now = provider.measure_batch(work=work)
        moved = provider.measure_batch(work=work, rules=rules)
    for (trainee, requirement), before, after in zip(work, now, moved, strict=True):
        if len(before.evidence) != len(after.evidence):
            changes.append({"trainee": trainee, "requirement": requirement,
                            "kind": requirement.component.kind, "now": len(before.evidence),
                            "moved": len(after.evidence)})
    return changes
