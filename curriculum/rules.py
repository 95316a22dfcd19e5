"""Requirements as validated data: parameters in, typed columns out, per-field messages.

One validator serves the service (`requirement_create` / `requirement_update`: 400 per
field through ApplicationError) and the model's `clean()` (Django admin: the same messages
on the form's fields). Parameters by type, as the API's `params` object takes them:

    min_count            {"count": 10}
    min_hours            {"hours": "5.0"}                 (a number or a string, > 0, 1 decimal)
    min_score            {"score": 90, "consecutive": 2, "exercise": "Ring walk"}
                         (score 0-100; consecutive defaults to 1; exercise optional)
    competency_signoff   {"competency_key": "emergency-undocking"}  (or {"competency": <id>})
    assessment_threshold {"tool": "gears", "min_total": 20, "consecutive": 3}
                         (any active tool; "min_domain": 3 asks for every domain at least 3, with or
                         instead of min_total; "modes": ["live", "video"] counts only those modes)
    entrustment_level    {"level": "IV", "count": 2, "modes": ["live"], "competency_key": "docking"}
                         (ISCP 2021 level I-V; with a competency only assessments of it count;
                         narrowed to a procedure step it reads the per-step level of assessments of cases)
    video_review_passed  {"tool": "gears", "min_total": 24, "min_agreement": "0.67"}
                         (a closed blinded review whose mean total and agreement reach both)
    accredited_course    {"count": 1}  (courses attended whose provider, or the course itself,
                         held an accreditation that day; narrowed by platform)
    final_signoff        {}  (made by the service, never added by hand)
    simulator_proficiency {"exercises": ["frs-ball-placement", ...], "consecutive": 2}
                         or {"all_frs_tasks": true, "consecutive": 2} (simulation components;
                         every listed exercise passed on that many consecutive attempts)

Besides `params`, a simulation requirement says which `provenances` of simulator sessions
count (`self_reported`, `trainer_verified`, `device_import`; default: the last two).

Errors are keyed by the parameter's name (`count`, `hours`, ...), the narrowing field
(`platform`, `procedure`, `procedure_step`) or `type`.
"""

from __future__ import annotations

import decimal
from collections.abc import Mapping
from typing import Any

from curriculum.instruments import (
    assessment_tool_ranges,
    assessment_tool_scales,
    simulator_exercises,
    tool_label,
)
from curriculum.models import (
    DEFAULT_PROVENANCES,
    EVIDENCE_PROVENANCES,
    Competency,
    ComponentKind,
    Requirement,
    RequirementType,
)
from rastrack.core.free_text import free_text_messages
from rastrack.core.wording import counted
from rastrack.reference.models import Platform

MAX_COUNT = 10_000
MAX_HOURS = decimal.Decimal("9999.9")
MAX_CONSECUTIVE = 20

# Accepted parameter names per type (input); `competency` and `competency_key` are two ways
# of naming the same thing.
ACCEPTED_PARAMS: dict[str, frozenset[str]] = {
    RequirementType.MIN_COUNT: frozenset({"count"}),
    RequirementType.MIN_HOURS: frozenset({"hours"}),
    RequirementType.MIN_SCORE: frozenset({"score", "consecutive", "exercise"}),
    RequirementType.COMPETENCY_SIGNOFF: frozenset({"competency", "competency_key"}),
    RequirementType.ASSESSMENT_THRESHOLD: frozenset({"tool", "min_total", "min_domain", "consecutive", "modes"}),
    RequirementType.ENTRUSTMENT_LEVEL: frozenset({"level", "count", "modes", "competency", "competency_key"}),
    RequirementType.VIDEO_REVIEW_PASSED: frozenset({"tool", "min_total", "min_agreement"}),
    RequirementType.FINAL_SIGNOFF: frozenset(),
    RequirementType.SIMULATOR_PROFICIENCY: frozenset({"exercises", "all_frs_tasks", "consecutive"}),
    RequirementType.ACCREDITED_COURSE: frozenset({"count"}),
}
DEFAULT_PROFICIENCY_RUN = 2

# Assessment modes a requirement may restrict to (the sign-off's AssessmentMode values).
MODES = ("live", "video", "simulator", "dry_lab")
LEVELS = ("I", "II", "III", "IV", "V")
SIGNOFF_TYPES = frozenset({RequirementType.COMPETENCY_SIGNOFF, RequirementType.FINAL_SIGNOFF})

UNITS = {
    RequirementType.MIN_COUNT: "count",
    RequirementType.MIN_HOURS: "hours",
    RequirementType.MIN_SCORE: "score",
    RequirementType.COMPETENCY_SIGNOFF: "signoff",
    RequirementType.ASSESSMENT_THRESHOLD: "total",
    RequirementType.ENTRUSTMENT_LEVEL: "count",
    RequirementType.VIDEO_REVIEW_PASSED: "signoff",
    RequirementType.FINAL_SIGNOFF: "signoff",
    RequirementType.SIMULATOR_PROFICIENCY: "exercises",
    RequirementType.ACCREDITED_COURSE: "count",
}

# What a count of each kind of component counts, for descriptions.
_COUNTED = {
    ComponentKind.E_LEARNING: ("completion", "completions"),
    ComponentKind.SIMULATION: ("simulator session", "simulator sessions"),
    ComponentKind.DRY_LAB: ("dry-lab session", "dry-lab sessions"),
    ComponentKind.WET_LAB: ("wet-lab session", "wet-lab sessions"),
    ComponentKind.CASE_OBSERVATION: ("observed case", "observed cases"),
    ComponentKind.BEDSIDE_ASSISTING: ("bedside-assisted case", "bedside-assisted cases"),
    ComponentKind.SUPERVISED_CONSOLE_CASES: ("supervised console case", "supervised console cases"),
    ComponentKind.INDEPENDENT_CONSOLE_CASES: ("independent console case", "independent console cases"),
    ComponentKind.ASSESSMENT: ("assessment", "assessments"),
}


class _Errors(dict):
    def add(self, field: str, message: str) -> None:
        self.setdefault(field, []).append(message)


def _whole(value: Any, *, low: int, high: int) -> int:
    """A whole number within [low, high], from an int, an integral float or a digit string."""
    if isinstance(value, bool) or value is None or value == "":
        raise ValueError(f"Enter a whole number from {low} to {high}.")
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.strip().lstrip("-").isdigit():
        number = int(value.strip())
    elif isinstance(value, float | decimal.Decimal) and value == int(value):
        number = int(value)
    else:
        raise ValueError(f"Enter a whole number from {low} to {high}.")
    if not low <= number <= high:
        raise ValueError(f"Enter a whole number from {low} to {high}.")
    return number


def _hours(value: Any) -> decimal.Decimal:
    message = f"Enter a number of hours greater than 0 and at most {MAX_HOURS}, with at most one decimal place."
    if isinstance(value, bool) or value is None or value == "":
        raise ValueError(message)
    try:
        hours = decimal.Decimal(str(value).strip())
    except decimal.InvalidOperation:
        raise ValueError(message) from None
    if not hours.is_finite() or hours <= 0 or hours > MAX_HOURS or hours != hours.quantize(decimal.Decimal("0.1")):
        raise ValueError(message)
    return hours.quantize(decimal.Decimal("0.1"))


def _type_label(type_: str) -> str:
    return RequirementType(type_).label.lower() if type_ in RequirementType.values else type_


def check_requirement(*, component, type: str, params: Mapping[str, Any] | None,
                      platform: str = "", procedure=None, procedure_step=None, provenances=None,
                      ) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Validate a requirement. Returns (columns to store, errors by field).

    `component` is the Component it belongs to (its pathway's framework scopes competencies);
    `procedure` and `procedure_step` are instances or None.
    """
    errors = _Errors()
    params = dict(params or {})
    columns: dict[str, Any] = {
        "count": None, "hours": None, "score": None, "consecutive": None, "exercise": "",
        "tool": "", "min_total": None, "competency": None, "min_domain": None, "modes": "", "level": None,
        "min_agreement": None, "exercises": [], "all_frs_tasks": False,
        "provenances": list(DEFAULT_PROVENANCES),
        "platform": platform or "", "procedure": procedure, "procedure_step": procedure_step,
    }
    _take_provenances(provenances, columns, errors)

    if type not in RequirementType.values:
        errors.add("type", f"Choose one of: {', '.join(RequirementType.values)}.")
        return columns, errors

    kind = getattr(component, "kind", None)
    if type == RequirementType.FINAL_SIGNOFF and kind != ComponentKind.FINAL_SIGNOFF:
        errors.add("type", "The final sign-off comes with the pathway (its last module); "
                           "it cannot be added to another component.")
    if kind == ComponentKind.FINAL_SIGNOFF and type != RequirementType.FINAL_SIGNOFF:
        errors.add("type", "The final sign-off component holds only the final sign-off.")

    accepted = ACCEPTED_PARAMS[type]
    for name in sorted(set(params) - accepted):
        errors.add(name, f"Leave this out: a {_type_label(type)} requirement does not use it "
                         f"(it takes {', '.join(sorted(accepted)) or 'no parameters'}).")

    if type in (RequirementType.MIN_COUNT, RequirementType.ACCREDITED_COURSE):
        _take_whole(params, "count", columns, errors, low=1, high=MAX_COUNT, required=True)
    elif type == RequirementType.MIN_HOURS:
        if "hours" not in params:
            errors.add("hours", "Enter the minimum number of hours.")
        else:
            try:
                columns["hours"] = _hours(params["hours"])
            except ValueError as exc:
                errors.add("hours", str(exc))
    elif type == RequirementType.MIN_SCORE:
        _take_whole(params, "score", columns, errors, low=0, high=100, required=True,
                    missing="Enter the minimum score (0-100).")
        _take_whole(params, "consecutive", columns, errors, low=1, high=MAX_CONSECUTIVE, default=1)
        exercise = params.get("exercise") or ""
        if not isinstance(exercise, str):
            errors.add("exercise", "Enter the exercise's name as text.")
        else:
            exercise, messages = free_text_messages(exercise, max_length=120)
            for message in messages:
                errors.add("exercise", message)
            if not messages:
                columns["exercise"] = exercise
    elif type == RequirementType.COMPETENCY_SIGNOFF:
        _take_competency(params, component, columns, errors)
    elif type == RequirementType.ASSESSMENT_THRESHOLD:
        tool = _take_tool(params, columns, errors)
        if tool is not None:
            low, high = assessment_tool_ranges()[tool]
            by_domain = params.get("min_domain") is not None
            _take_whole(params, "min_total", columns, errors, low=low, high=high, required=not by_domain,
                        missing=f"Enter the minimum {tool_label(tool)} total ({low}-{high}), or min_domain.")
            if by_domain:
                d_low, d_high = assessment_tool_scales().get(tool, (0, 100))
                _take_whole(params, "min_domain", columns, errors, low=d_low, high=d_high)
        _take_whole(params, "consecutive", columns, errors, low=1, high=MAX_CONSECUTIVE, default=1)
        _take_modes(params, columns, errors)
    elif type == RequirementType.ENTRUSTMENT_LEVEL:
        level = params.get("level")
        if isinstance(level, str) and level.strip().upper() in LEVELS:
            columns["level"] = LEVELS.index(level.strip().upper()) + 1
        elif isinstance(level, int) and not isinstance(level, bool) and 1 <= level <= 5:
            columns["level"] = level
        else:
            errors.add("level", "Choose the ISCP supervision level to reach: I, II, III, IV or V.")
        _take_whole(params, "count", columns, errors, low=1, high=MAX_COUNT, default=1)
        _take_modes(params, columns, errors)
        _take_competency(params, component, columns, errors, required=False)
    elif type == RequirementType.VIDEO_REVIEW_PASSED:
        tool = _take_tool(params, columns, errors)
        if tool is not None:
            low, high = assessment_tool_ranges()[tool]
            _take_whole(params, "min_total", columns, errors, low=low, high=high, required=True,
                        missing=f"Enter the mean {tool_label(tool)} total to reach ({low}-{high}).")
        try:
            agreement = decimal.Decimal(str(params.get("min_agreement")).strip())
            if not agreement.is_finite() or not 0 <= agreement <= 1:
                raise decimal.InvalidOperation
            columns["min_agreement"] = agreement.quantize(decimal.Decimal("0.001"))
        except decimal.InvalidOperation:
            errors.add("min_agreement", "Enter the least agreement between raters, from 0 to 1 (e.g. 0.667).")
    elif type == RequirementType.SIMULATOR_PROFICIENCY:
        if kind != ComponentKind.SIMULATION:
            errors.add("type", "Simulator proficiency belongs to a simulation component.")
        _take_whole(params, "consecutive", columns, errors, low=1, high=MAX_CONSECUTIVE,
                    default=DEFAULT_PROFICIENCY_RUN)
        _take_exercises(params, columns, errors)

    _check_narrowing(type, columns, errors)
    return columns, errors


def _take_tool(params, columns, errors) -> str | None:
    tool = params.get("tool")
    tools = assessment_tool_ranges()
    if not isinstance(tool, str) or tool not in tools:
        errors.add("tool", f"Choose the assessment tool: one of {', '.join(sorted(tools))}.")
        return None
    columns["tool"] = tool
    return tool


def _take_modes(params, columns, errors) -> None:
    modes = params.get("modes")
    if modes in (None, "", []):
        return
    if isinstance(modes, str):
        modes = [m.strip() for m in modes.split(",") if m.strip()]
    if not isinstance(modes, list | tuple) or any(m not in MODES for m in modes):
        errors.add("modes", f"Give a list of modes from: {', '.join(MODES)}.")
        return
    columns["modes"] = ",".join(m for m in MODES if m in modes)


def _take_whole(params, name, columns, errors, *, low, high, required=False, default=None, missing=None):
    if name not in params or params[name] is None:
        if required:
            errors.add(name, missing or f"Enter a whole number from {low} to {high}.")
        else:
            columns[name] = default
        return
    try:
        columns[name] = _whole(params[name], low=low, high=high)
    except ValueError as exc:
        errors.add(name, str(exc))


def _take_provenances(provenances, columns, errors) -> None:
    if provenances is None:
        return
    if (not isinstance(provenances, list | tuple) or not provenances
            or any(p not in EVIDENCE_PROVENANCES for p in provenances)):
        errors.add("provenances", f"Choose one or more of: {', '.join(EVIDENCE_PROVENANCES)}.")
        return
    columns["provenances"] = [p for p in EVIDENCE_PROVENANCES if p in provenances]


def _take_exercises(params, columns, errors) -> None:
    all_frs = params.get("all_frs_tasks", False)
    if not isinstance(all_frs, bool):
        errors.add("all_frs_tasks", "Enter true or false.")
        return
    codes = params.get("exercises") or []
    catalogue = simulator_exercises()
    if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
        errors.add("exercises", "List the exercises by their codes (see /api/v1/simulator-exercises/).")
        return
    if all_frs and codes:
        errors.add("exercises", "Either list the exercises or choose every FRS task, not both.")
        return
    if not all_frs and not codes:
        errors.add("exercises", "List at least one exercise, or choose every FRS task.")
        return
    unknown = [c for c in codes if c not in catalogue]
    if unknown:
        errors.add("exercises", f"No active simulator exercise has the code {', '.join(unknown)}.")
        return
    columns["exercises"] = list(dict.fromkeys(codes))
    columns["all_frs_tasks"] = all_frs


def _take_competency(params, component, columns, errors, *, required: bool = True) -> None:
    framework_id = None
    if component is not None and getattr(component, "module_id", None):
        framework_id = component.module.pathway.framework_id
    key = params.get("competency_key")
    ident = params.get("competency")
    if isinstance(ident, Competency):
        ident = ident.pk
    if key in (None, "") and ident in (None, ""):
        if required:
            errors.add("competency_key", "Choose the competency that must be signed off (its key).")
        return
    found = None
    if key not in (None, ""):
        if not isinstance(key, str):
            errors.add("competency_key", "Enter the competency's key as text.")
            return
        found = Competency.objects.filter(framework_id=framework_id, key=key).first()
        if found is None:
            errors.add("competency_key", f"No competency has the key “{key}” in this pathway's framework.")
            return
    if ident not in (None, ""):
        try:
            ident = int(ident)
        except (TypeError, ValueError):
            errors.add("competency", "Enter a competency id.")
            return
        by_id = Competency.objects.filter(framework_id=framework_id, pk=ident).first()
        if by_id is None:
            errors.add("competency", "This competency is not in this pathway's framework version.")
            return
        if found is not None and found.pk != by_id.pk:
            errors.add("competency", "The competency id and key name different competencies.")
            return
        found = by_id
    columns["competency"] = found


def _check_narrowing(type_, columns, errors) -> None:
    platform, procedure, step = columns["platform"], columns["procedure"], columns["procedure_step"]
    if platform and platform not in Platform.values:
        errors.add("platform", f"Choose one of: {', '.join(Platform.values)}.")
    if step is not None:
        if procedure is None:
            columns["procedure"] = procedure = step.procedure
        elif step.procedure_id != procedure.pk:
            errors.add("procedure_step", f"This step belongs to {step.procedure.name}, not {procedure.name}.")
    if type_ in SIGNOFF_TYPES:
        for name, value in (("platform", platform), ("procedure", procedure), ("procedure_step", step)):
            if value:
                errors.add(name, "A sign-off requirement cannot be narrowed to a platform, procedure or step.")


def validate_requirement(**kwargs) -> dict[str, Any]:
    """The columns to store, or ApplicationError (400) with per-field messages."""
    from rastrack.core.exceptions import ApplicationError

    columns, errors = check_requirement(**kwargs)
    if errors:
        raise ApplicationError(errors=dict(errors))
    return columns


def _column_params(requirement: Requirement) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for name in ("count", "hours", "score", "consecutive", "min_total", "min_domain", "level", "min_agreement"):
        value = getattr(requirement, name)
        if value is not None:
            params[name] = value
    for name in ("exercise", "tool", "exercises", "all_frs_tasks", "modes"):
        if getattr(requirement, name):
            params[name] = getattr(requirement, name)
    if requirement.competency_id is not None:
        params["competency"] = requirement.competency_id
    return params


def requirement_column_errors(requirement: Requirement) -> dict[str, list[str]]:
    """Errors in a requirement's stored columns (for `Requirement.clean`)."""
    component = requirement.component if requirement.component_id else None
    _columns, errors = check_requirement(
        component=component, type=requirement.type, params=_column_params(requirement),
        platform=requirement.platform,
        procedure=requirement.procedure if requirement.procedure_id else None,
        procedure_step=requirement.procedure_step if requirement.procedure_step_id else None,
        provenances=requirement.provenances,
    )
    if requirement.type == RequirementType.FINAL_SIGNOFF and component is not None and Requirement.objects.filter(
            component__module__pathway_id=component.module.pathway_id, type=RequirementType.FINAL_SIGNOFF,
    ).exclude(pk=requirement.pk).exists():
        errors.add("type", "This pathway already has its final sign-off.")
    return dict(errors)


# --- Reading a requirement ----------------------------------------------------------------------


def params_of(requirement: Requirement) -> dict[str, Any]:
    type_ = requirement.type
    if type_ in (RequirementType.MIN_COUNT, RequirementType.ACCREDITED_COURSE):
        return {"count": requirement.count}
    if type_ == RequirementType.MIN_HOURS:
        return {"hours": str(requirement.hours) if requirement.hours is not None else None}
    if type_ == RequirementType.MIN_SCORE:
        params = {"score": requirement.score, "consecutive": requirement.consecutive}
        if requirement.exercise:
            params["exercise"] = requirement.exercise
        return params
    if type_ == RequirementType.COMPETENCY_SIGNOFF:
        return {"competency_key": requirement.competency_key, "competency": requirement.competency_id}
    if type_ == RequirementType.ASSESSMENT_THRESHOLD:
        params = {"tool": requirement.tool, "min_total": requirement.min_total,
                  "consecutive": requirement.consecutive}
        if requirement.min_domain is not None:
            params["min_domain"] = requirement.min_domain
        if requirement.modes:
            params["modes"] = requirement.modes.split(",")
        return params
    if type_ == RequirementType.ENTRUSTMENT_LEVEL:
        params = {"level": LEVELS[requirement.level - 1] if requirement.level else None, "count": requirement.count}
        if requirement.modes:
            params["modes"] = requirement.modes.split(",")
        if requirement.competency_id is not None:
            params["competency_key"] = requirement.competency_key
            params["competency"] = requirement.competency_id
        return params
    if type_ == RequirementType.VIDEO_REVIEW_PASSED:
        return {"tool": requirement.tool, "min_total": requirement.min_total,
                "min_agreement": str(requirement.min_agreement) if requirement.min_agreement is not None else None}
    if type_ == RequirementType.SIMULATOR_PROFICIENCY:
        if requirement.all_frs_tasks:
            return {"all_frs_tasks": True, "consecutive": requirement.consecutive}
        return {"exercises": list(requirement.exercises), "consecutive": requirement.consecutive}
    return {}


def unit_of(requirement: Requirement) -> str:
    return UNITS.get(requirement.type, "count")


def target_of(requirement: Requirement) -> decimal.Decimal | int:
    """The value at which the requirement is met (value >= target)."""
    type_ = requirement.type
    if type_ in (RequirementType.MIN_COUNT, RequirementType.ACCREDITED_COURSE):
        return requirement.count or 0
    if type_ == RequirementType.MIN_HOURS:
        return requirement.hours or decimal.Decimal("0")
    if type_ == RequirementType.MIN_SCORE:
        return requirement.score or 0
    if type_ == RequirementType.ASSESSMENT_THRESHOLD:
        # Per domain, the value is the longest run of passing assessments.
        if requirement.min_domain is not None:
            return requirement.consecutive or 1
        return requirement.min_total or 0
    if type_ == RequirementType.SIMULATOR_PROFICIENCY:
        # Every listed exercise; for "all FRS tasks", as many as the catalogue holds now.
        if requirement.all_frs_tasks:
            return sum(1 for _name, frs in simulator_exercises().values() if frs) or 1
        return len(requirement.exercises) or 1
    if type_ == RequirementType.ENTRUSTMENT_LEVEL:
        return requirement.count or 1
    return 1  # the sign-offs and a passed review: 1 once done


def _narrowing(requirement: Requirement) -> str:
    parts = []
    if requirement.procedure_step_id:
        parts.append(f"of the step “{requirement.procedure_step.name}” of {requirement.procedure.name}")
    elif requirement.procedure_id:
        parts.append(f"of {requirement.procedure.name}")
    if requirement.platform:
        parts.append(f"on {Platform(requirement.platform).label}")
    return (" " + " ".join(parts)) if parts else ""


def _modes(requirement: Requirement) -> str:
    if not requirement.modes:
        return ""
    return " (" + ", ".join(m.replace("_", " ") for m in requirement.modes.split(",")) + ")"


def _times(n: int | None) -> str:
    return "" if not n or n == 1 else f" on {n} consecutive attempts"


def requirement_description(requirement: Requirement) -> str:
    """A sentence a trainee understands: "At least 10 bedside-assisted cases"."""
    type_ = requirement.type
    kind = requirement.component.kind if requirement.component_id else None
    if type_ == RequirementType.MIN_COUNT:
        singular, plural = _COUNTED.get(kind, ("item", "items"))
        noun = singular if requirement.count == 1 else plural
        return f"At least {requirement.count} {noun}{_narrowing(requirement)}"
    if type_ == RequirementType.MIN_HOURS:
        label = ComponentKind(kind).label.lower() if kind in ComponentKind.values else "practice"
        return f"At least {counted(requirement.hours, 'hour')} of {label}{_narrowing(requirement)}"
    if type_ == RequirementType.MIN_SCORE:
        exercise = f" in “{requirement.exercise}”" if requirement.exercise else ""
        return f"A score of at least {requirement.score}{exercise}{_times(requirement.consecutive)}{_narrowing(requirement)}"
    if type_ == RequirementType.COMPETENCY_SIGNOFF:
        competency = requirement.competency
        name = f"{competency.code} {competency.title}" if competency else "a competency"
        return f"Signed off: {name}"
    if type_ == RequirementType.ASSESSMENT_THRESHOLD:
        tool = tool_label(requirement.tool)
        times = f" on {requirement.consecutive} consecutive assessments" if (requirement.consecutive or 1) > 1 else ""
        parts = []
        if requirement.min_total is not None:
            parts.append(f"a {tool} total of at least {requirement.min_total}")
        if requirement.min_domain is not None:
            parts.append(f"every {tool} domain at least {requirement.min_domain}")
        what = " and ".join(parts)
        return f"{what[0].upper()}{what[1:]}{times}{_modes(requirement)}{_narrowing(requirement)}"
    if type_ == RequirementType.ENTRUSTMENT_LEVEL:
        level = LEVELS[(requirement.level or 1) - 1]
        times = "" if (requirement.count or 1) == 1 else f" on {requirement.count} assessments"
        competency = requirement.competency if requirement.competency_id else None
        about = f" in {competency.code} {competency.title}" if competency else ""
        return f"Supervision level {level} or above{about}{times}{_modes(requirement)}{_narrowing(requirement)}"
    if type_ == RequirementType.VIDEO_REVIEW_PASSED:
        return (f"A blinded {tool_label(requirement.tool)} video review with a mean total of at least "
                f"{requirement.min_total} and agreement of at least {requirement.min_agreement}")
    if type_ == RequirementType.FINAL_SIGNOFF:
        return "Final sign-off of the pathway"
    if type_ == RequirementType.ACCREDITED_COURSE:
        noun = "course" if requirement.count == 1 else "courses"
        return f"At least {requirement.count} {noun} from an accredited provider{_narrowing(requirement)}"
    if type_ == RequirementType.SIMULATOR_PROFICIENCY:
        if requirement.all_frs_tasks:
            what = "every FRS task"
        else:
            catalogue = simulator_exercises()
            what = ", ".join(f"“{catalogue.get(c, (c, False))[0]}”" for c in requirement.exercises)
        run = requirement.consecutive or DEFAULT_PROFICIENCY_RUN
        return f"At benchmark in {what} on {run} consecutive attempts{_narrowing(requirement)}"
    return type_
