"""The checks an assessment's input goes through (scores against the tool's domains and scale,
mode, supervision levels, per-step levels), shared by assessments and video-review ratings."""

from __future__ import annotations

from accreditation.logbook.models import Case, CaseStep
from accreditation.signoff.models import AssessmentMode, AssessmentTool, SupervisionLevel
from accreditation.signoff.selectors import assessment_tool
from rastrack.core.edges import MAX_INT
from rastrack.core.exceptions import ApplicationError


class AssessmentInvalid(ApplicationError):
    """400 with the scores' messages per domain: `{"scores": {"autonomy": ["..."]}}`."""

    def __init__(self, errors: dict[str, list[str]], score_errors: dict[str, list[str]]):
        self.score_errors = score_errors
        flat = {k: list(v) for k, v in errors.items()}
        if score_errors:
            flat["scores"] = [f"{domain}: {message}" for domain, messages in score_errors.items()
                              for message in messages]
        super().__init__(errors=flat)

    def as_payload(self) -> dict:
        payload = {k: list(v) for k, v in self.errors.items() if not (k == "scores" and self.score_errors)}
        if self.score_errors:
            payload["scores"] = {domain: list(messages) for domain, messages in self.score_errors.items()}
        return payload


def whole_number(value) -> int | None:
    """A whole number from an int, an integral float or a digit string; None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def assessment_scores_check(*, tool: AssessmentTool, scores) -> tuple[dict[str, int], dict[str, list[str]]]:
    """Check scores against the tool: every domain present, nothing else, each a whole number
    within the scale. Returns (clean scores in domain order, errors by domain code)."""
    domains = list(tool.domains.all())
    low, high = tool.scale_min, tool.scale_max
    errors: dict[str, list[str]] = {}
    if not isinstance(scores, dict):
        return {}, {"scores": ["Give the scores as an object: {\"domain\": score, ...}."]}
    codes = [d.code for d in domains]
    clean: dict[str, int] = {}
    for code in codes:
        if code not in scores or scores[code] in (None, ""):
            errors[code] = [f"Missing: give a score from {low} to {high}."]
            continue
        number = whole_number(scores[code])
        if number is None or not low <= number <= high:
            errors[code] = [f"Enter a whole number from {low} to {high}."]
            continue
        clean[code] = number
    for code in scores:
        if code not in codes:
            errors[str(code)] = [f"Unknown domain for {tool.name}: use {', '.join(codes)}."]
    return clean, errors


def resolve_tool(tool) -> AssessmentTool | None:
    if isinstance(tool, AssessmentTool):
        return assessment_tool(tool.code)
    return assessment_tool(str(tool or ""))


def mode_check(mode, errors: dict) -> str:
    if mode in (None, ""):
        return AssessmentMode.LIVE
    if mode not in AssessmentMode.values:
        errors["mode"] = [f"Choose one of {', '.join(AssessmentMode.values)}."]
        return AssessmentMode.LIVE
    return mode


def level_check(value, errors: dict, field: str) -> int | None:
    if value in (None, ""):
        return None
    level = SupervisionLevel.from_numeral(value)
    if level is None:
        errors[field] = ["Give a supervision level from I to V (ISCP 2021)."]
    return level


def competency_check(value, errors: dict, field: str = "competency"):
    """A competency of a published (or retired) framework, by id; None when not given.

    The one lookup for "a competency a person can name" (assessments and sign-off requests)."""
    from curriculum.models import Competency, Lifecycle

    if value in (None, ""):
        return None
    pk = whole_number(getattr(value, "pk", value))
    if pk is not None and not 1 <= pk <= MAX_INT:
        pk = None
    found = None if pk is None else (Competency.objects.select_related("framework")
                                     .filter(pk=pk).exclude(framework__status=Lifecycle.DRAFT).first())
    if found is None:
        errors[field] = [f"No competency with id {value if pk is None else pk} in a published framework."]
    return found


def step_levels_check(step_entrustment, case_obj: Case | None, errors: dict) -> dict[int, int]:
    """`[{"step": id, "level": "I"-"V"}]` -> {step id: level}: steps the trainee did in the case.

    Errors are keyed by position, so a client can mark the row: `{"step_entrustment": ["1: ..."]}`.
    """
    if step_entrustment in (None, "", []):
        return {}
    if not isinstance(step_entrustment, list):
        errors["step_entrustment"] = ['Give a list: [{"step": id, "level": "I"-"V"}, ...].']
        return {}
    if case_obj is None:
        errors["step_entrustment"] = ["Rate steps only in an assessment of a case: choose the case."]
        return {}
    done = set(CaseStep.objects.filter(case=case_obj).values_list("step_id", flat=True))
    messages: list[str] = []
    levels: dict[int, int] = {}
    for index, item in enumerate(step_entrustment):
        step = item.get("step") if isinstance(item, dict) else None
        level = SupervisionLevel.from_numeral(item.get("level")) if isinstance(item, dict) else None
        step_id = whole_number(step)
        if step_id is None or step_id not in done:
            messages.append(f"{index}: choose a step the trainee did in this case.")
        elif step_id in levels:
            messages.append(f"{index}: step {step_id} is rated twice.")
        elif level is None:
            messages.append(f"{index}: give a supervision level from I to V.")
        else:
            levels[step_id] = level
    if messages:
        errors["step_entrustment"] = messages
    return levels
