"""Forms of the sign-off pages. They only collect input: the services decide (and say why)."""

from __future__ import annotations

from django import forms

from accreditation.logbook.models import SimulatorSession
from accreditation.signoff.models import (
    Assessment,
    AssessmentMode,
    AssessmentTool,
    SignoffStatus,
    SupervisionLevel,
)
from accreditation.signoff.selectors import (
    annotate_blinding,
    cases_open_to_rating,
    trainees_assessable_by,
    trainers_for_request,
)
from curriculum.models import (
    Competency,
    Component,
    ComponentKind,
    ELearningCompletion,
    Enrolment,
    EnrolmentStatus,
    Lifecycle,
)
from rastrack.core.forms import NHSUKFormMixin
from rastrack.core.free_text import MAX_TEXT


class _DateInput(forms.DateInput):
    input_type = "date"


def _case_label(case) -> str:
    return f"{case.date:%-d %b %Y}: {case.procedure.name} ({case.get_role_display().lower()}, {case.status})"


class _CaseChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return _case_label(obj)


class _CasesChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return _case_label(obj)


# --- Assessments -----------------------------------------------------------------------------------


class ScoresMixin:
    """One radio group per domain of the tool (`score_<code>`), labelled with its anchors."""

    tool: AssessmentTool

    def add_score_fields(self, tool: AssessmentTool) -> None:
        self.tool = tool
        for domain in tool.domains.all():
            anchors = domain.anchors or {}
            choices = [(str(v), f"{v}: {anchors[str(v)]}" if str(v) in anchors else str(v))
                       for v in range(tool.scale_min, tool.scale_max + 1)]
            self.fields[f"score_{domain.code}"] = forms.ChoiceField(
                label=domain.name, choices=choices, widget=forms.RadioSelect, help_text=domain.description,
                error_messages={"required": f"Missing: give a score from {tool.scale_min} to {tool.scale_max}."},
            )

    def scores(self) -> dict[str, int | str]:
        data = self.cleaned_data
        return {d.code: int(data[f"score_{d.code}"]) for d in self.tool.domains.all()
                if data.get(f"score_{d.code}") not in (None, "")}

    def add_score_errors(self, score_errors: dict[str, list[str]]) -> None:
        for code, messages in score_errors.items():
            field = f"score_{code}"
            for message in messages:
                self.add_error(field if field in self.fields else None, message)


class ChooseTraineeForm(NHSUKFormMixin, forms.Form):
    """Step 1 of "assess a trainee": whom, and with which tool (GET)."""

    trainee = forms.ModelChoiceField(queryset=None, label="Trainee", empty_label="Choose a trainee")
    tool = forms.ModelChoiceField(queryset=AssessmentTool.objects.filter(is_active=True), to_field_name="code",
                                  label="Tool", empty_label=None)

    def __init__(self, *args, trainer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["trainee"].queryset = trainees_assessable_by(trainer)


class AssessmentForm(NHSUKFormMixin, ScoresMixin, forms.Form):
    """A trainer's assessment of one trainee with one tool."""

    case = _CaseChoice(queryset=None, required=False, label="Case (optional)", empty_label="Not about one case",
                       help_text="A submitted or validated case of the trainee.")
    date = forms.DateField(label="Date", required=False, widget=_DateInput,
                           help_text="Leave empty for the case's date, or today.")
    mode = forms.ChoiceField(label="How you saw it", choices=AssessmentMode.choices, initial=AssessmentMode.LIVE,
                             required=False)
    entrustment = forms.TypedChoiceField(
        label="Supervision level (optional)", required=False, coerce=int, empty_value=None,
        choices=[("", "No global level"), *SupervisionLevel.choices],
        help_text="ISCP 2021 supervision level for what you saw.")
    competency = forms.ModelChoiceField(
        queryset=Competency.objects.none(), required=False, label="Competency (optional)",
        empty_label="Not about one competency",
        help_text="A pathway may ask for a supervision level on this competency.")
    feedback = forms.CharField(label="Feedback", required=False, max_length=MAX_TEXT,
                               widget=forms.Textarea(attrs={"rows": 4}),
                               help_text="What went well and what to work on. No patient-identifiable data.")

    def __init__(self, *args, tool: AssessmentTool, trainee, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["case"].queryset = cases_open_to_rating(trainee)
        # The competencies of the frameworks behind the trainee's live enrolments.
        frameworks = Enrolment.objects.filter(trainee=trainee, status__in=[
            EnrolmentStatus.ACTIVE, EnrolmentStatus.PAUSED]).values("pathway__framework_id")
        self.fields["competency"].queryset = (Competency.objects.filter(framework_id__in=frameworks)
                                              .exclude(framework__status=Lifecycle.DRAFT)
                                              .order_by("code", "id"))
        self.add_score_fields(tool)
        self.order_fields(["case", "date", "mode", *[f"score_{d.code}" for d in tool.domains.all()],
                           "entrustment", "competency", "feedback"])


class VideoReviewRatingForm(NHSUKFormMixin, ScoresMixin, forms.Form):
    """A named rater's scores of a review video (once)."""

    def __init__(self, *args, tool: AssessmentTool, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_score_fields(tool)


class SelfAssessmentForm(NHSUKFormMixin, ScoresMixin, forms.Form):
    """A trainee's rating of one of their own cases (blinded until the trainer's exists)."""

    case = _CaseChoice(queryset=None, label="Your case", empty_label="Choose one of your cases",
                       help_text="A submitted or validated case. Your trainer will not see your scores until "
                                 "they have rated the case too.")
    feedback = forms.CharField(label="Your reflection (optional)", required=False, max_length=MAX_TEXT,
                               widget=forms.Textarea(attrs={"rows": 4}), help_text="No patient-identifiable data.")

    def __init__(self, *args, tool: AssessmentTool, trainee, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["case"].queryset = cases_open_to_rating(trainee)
        self.add_score_fields(tool)
        self.order_fields(["case", *[f"score_{d.code}" for d in tool.domains.all()], "feedback"])


class AssessmentFilterForm(forms.Form):
    tool = forms.ModelChoiceField(queryset=AssessmentTool.objects.all(), to_field_name="code", required=False,
                                  empty_label="Any tool")
    is_self = forms.ChoiceField(label="Kind", required=False,
                                choices=[("", "Any"), ("false", "By a trainer"), ("true", "Self-assessment")])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["class"] = "nhsuk-select"


# --- Sign-off requests -----------------------------------------------------------------------------


class _EvidenceChoice(forms.ModelMultipleChoiceField):
    def __init__(self, *args, labeller, **kwargs):
        self.labeller = labeller
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj):
        return self.labeller(obj)


def _assessment_label(a) -> str:
    kind = "self-assessment" if a.is_self else f"by {a.assessor.full_name}"
    score = "scores hidden for now" if a.blinded else f"total {a.visible_total}"
    return f"{a.date:%-d %b %Y}: {a.tool.name} {kind} ({score})"


def target_choices(trainee, blocked_keys: set[str]) -> list:
    """Grouped choices "kind:id": competencies and components of the pathways the trainee is
    enrolled on, and the final sign-off of each active enrolment; targets already pending or
    signed off are left out."""
    live = Enrolment.objects.filter(trainee=trainee, status__in=[EnrolmentStatus.ACTIVE, EnrolmentStatus.PAUSED])
    pathway_ids = list(live.values_list("pathway_id", flat=True))
    competencies = Competency.objects.exclude(framework__status=Lifecycle.DRAFT).select_related("framework")
    if pathway_ids:
        competencies = competencies.filter(framework__pathways__in=pathway_ids)
    seen: set[str] = set()
    competency_choices = []
    for c in competencies.order_by("-framework__version", "standard__order", "order", "code").distinct():
        if c.key in seen or f"competency:{c.key}" in blocked_keys:
            continue
        seen.add(c.key)
        competency_choices.append((f"competency:{c.pk}", f"{c.code} {c.title}"))
    competency_choices.sort(key=lambda choice: choice[1])
    components = (Component.objects.select_related("module", "module__pathway")
                  .filter(module__pathway_id__in=pathway_ids).exclude(kind=ComponentKind.FINAL_SIGNOFF)
                  .order_by("module__pathway__title", "module__order", "order", "id"))
    component_choices = [(f"component:{c.pk}", f"{c.module.pathway.title}: {c.title}") for c in components
                         if f"component:{c.key}" not in blocked_keys]
    final_choices = [(f"enrolment:{e.pk}", f"Final sign-off: {e.pathway.title}")
                     for e in live.filter(status=EnrolmentStatus.ACTIVE).select_related("pathway")
                     if f"enrolment:{e.pk}" not in blocked_keys]
    groups = [("", "Choose what to have signed off")]
    for label, choices in (("Competencies", competency_choices), ("Module components", component_choices),
                           ("Final sign-off of a pathway", final_choices)):
        if choices:
            groups.append((label, choices))
    return groups


class SignoffRequestForm(NHSUKFormMixin, forms.Form):
    target = forms.ChoiceField(label="What should be signed off", choices=())
    trainer = forms.ModelChoiceField(queryset=None, label="Trainer", empty_label="Choose a trainer",
                                     help_text="One of the trainers who may supervise you today.")
    note = forms.CharField(label="Note to the trainer (optional)", required=False, max_length=MAX_TEXT,
                           widget=forms.Textarea(attrs={"rows": 3}),
                           help_text="No patient-identifiable data.")

    EVIDENCE_FIELDS = ("evidence_cases", "evidence_simulator_sessions", "evidence_assessments",
                       "evidence_elearning_completions")

    def __init__(self, *args, trainee, blocked_keys: set[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = target_choices(trainee, blocked_keys)
        self.fields["trainer"].queryset = trainers_for_request(trainee)
        evidence = {
            "evidence_cases": (cases_open_to_rating(trainee), _case_label, "Your cases"),
            "evidence_simulator_sessions": (
                SimulatorSession.objects.filter(trainee=trainee).order_by("-date", "-id"),
                lambda s: f"{s.date:%-d %b %Y}: {s.exercise_name}, score {s.score}", "Your simulator sessions"),
            "evidence_assessments": (
                annotate_blinding(Assessment.objects.filter(trainee=trainee).select_related("tool", "assessor"),
                                  trainee).order_by("-date", "-id"),
                _assessment_label, "Assessments of you"),
            "evidence_elearning_completions": (
                ELearningCompletion.objects.filter(trainee=trainee).select_related("component")
                .order_by("-completed_on", "-id"),
                lambda c: f"{c.completed_on:%-d %b %Y}: {c.component.title} ({c.provider})",
                "Your e-learning completions"),
        }
        for name, (queryset, labeller, label) in evidence.items():
            self.fields[name] = _EvidenceChoice(queryset=queryset, labeller=labeller, required=False,
                                                widget=forms.CheckboxSelectMultiple, label=f"{label} (optional)")
        # The note last, after the evidence.
        self.fields["note"] = self.fields.pop("note")

    def target_arguments(self) -> dict:
        kind, _, pk = (self.cleaned_data.get("target") or "").partition(":")
        return {"competency": None, "component": None, "enrolment": None,
                **({kind: int(pk)} if kind in ("competency", "component", "enrolment") and pk.isdigit() else {})}

    def evidence_arguments(self) -> dict:
        return {name: [row.pk for row in self.cleaned_data.get(name) or []] for name in self.EVIDENCE_FIELDS}


def initial_target(query) -> str:
    """?competency=<id> (or component / enrolment) preselects the target."""
    for kind in ("competency", "component", "enrolment"):
        value = query.get(kind, "")
        if value.isdigit():
            return f"{kind}:{value}"
    return ""


class ApproveForm(NHSUKFormMixin, forms.Form):
    feedback = forms.CharField(label="Feedback (optional)", required=False, max_length=MAX_TEXT,
                               widget=forms.Textarea(attrs={"rows": 3}))


class ReturnForm(NHSUKFormMixin, forms.Form):
    feedback = forms.CharField(label="Feedback", max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 3}),
                               help_text="What is missing or needs doing. Required.",
                               error_messages={"required": "Say what is missing or needs doing, so the trainee "
                                                           "can act on it."})


class ReverseForm(NHSUKFormMixin, forms.Form):
    reason = forms.CharField(label="Reason", max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text="Shown to the trainee and the trainer, and kept in the audit trail.",
                             error_messages={"required": "Say why the sign-off is reversed."})


class SignoffFilterForm(forms.Form):
    status = forms.ChoiceField(required=False, choices=[("", "Any status"), *SignoffStatus.choices])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].widget.attrs["class"] = "nhsuk-select"

