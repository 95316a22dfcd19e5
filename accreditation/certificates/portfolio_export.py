"""A trainee's portfolio for annual review (ARCP) and appraisal, as CSV and as PDF.

`build_portfolio(viewer=, trainee=)` reads everything through the selectors the pages and
the API use, scoped and blinded **for the viewer**, so the export never shows more than
the viewer could open one by one:

- logbook: validated cases (the ones that count as evidence) totalled by role, platform and
  procedure, with console hours (`logbook_totals`), and every case counted by status;
- assessments: each one the viewer may read (`assessments_visible_to`, blinded in SQL); rows
  still blinded to the viewer are left out and only counted (a trainer never receives a
  self-assessment before they have rated the case, a trainee never a trainer's scores
  before the blinding opens); per tool, the trainer assessments' count, latest, highest
  and mean total;
- supervision levels (ISCP 2021 wording) per competency and per procedure step, and blinded
  video reviews, closed ones only (`evidence_summary`: read through the same blinding);
- sign-offs: decided requests (approved, returned, reversed);
- progress: every requirement of each live or completed enrolment (`progress_for`), met or not;
- certificates: status, issue date, verification code and address;
- the identifiers an ARCP panel uses: registration (GMC) number, grade, training programme and
  the educational supervisor today (`educational_supervisor_of`);
- a consolidation table like the eLogbook's: validated cases by procedure and supervision code
  (the code as the trainer confirmed it), with totals per code and per procedure.

Who may download: whoever may read the trainee's logbook (`trainees_visible_to`: the trainee,
trainers who may supervise them today, the lead of their current region, programme admins;
others 404). The views check that; this module only renders.

CSV columns: section, item, status, value, date, detail (one row per fact; the `section`
column says which part of the portfolio it belongs to). Every cell is escaped against
formula injection (the one writer, `rastrack.core.csv_export`).
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass, field
from decimal import Decimal
from xml.sax.saxutils import escape

from django.db.models import Count
from django.utils import timezone
from django.utils.text import slugify

from accreditation.certificates.evidence_summary import (
    EvidenceSummary,
    evidence_summary,
    level_label,
)
from accreditation.certificates.models import Certificate
from accreditation.certificates.selectors import certificates_visible_to
from accreditation.certificates.services import verification_url
from accreditation.faculty.eligibility import educational_supervisor_of
from accreditation.logbook.models import CaseRole, CaseStatus, Supervision
from accreditation.logbook.selectors import STATUS_ORDER, cases_visible_to, logbook_totals
from accreditation.signoff.models import DECIDED_STATUSES
from accreditation.signoff.selectors import assessments_visible_to, signoff_requests_visible_to
from curriculum.models import EnrolmentStatus
from curriculum.progress import progress_for
from curriculum.selectors import enrolments_visible_to
from rastrack.accounts.models import User
from rastrack.core.csv_export import csv_text
from rastrack.core.wording import counted
from rastrack.reference.models import Platform

CSV_COLUMNS = ["section", "item", "status", "value", "date", "detail"]
PROGRESS_STATUSES = (EnrolmentStatus.ACTIVE, EnrolmentStatus.PAUSED, EnrolmentStatus.COMPLETED)


@dataclass(frozen=True)
class AssessmentRow:
    id: int
    date: datetime.date
    tool: str
    assessor: str
    is_self: bool
    case: str
    total: int | None
    level: str = ""  # the ISCP 2021 supervision level's label, when given and not blinded
    competency: str = ""


@dataclass(frozen=True)
class ToolSummary:
    tool: str
    count: int
    latest: int | None
    highest: int | None
    mean: Decimal | None


@dataclass(frozen=True)
class SignoffRow:
    id: int
    target: str
    trainer: str
    status: str
    status_label: str
    decided_on: datetime.date | None
    reversed_on: datetime.date | None


@dataclass(frozen=True)
class RequirementRow:
    module: str
    component: str
    requirement: str
    met: bool
    value: str
    target: str
    unit: str


@dataclass(frozen=True)
class PathwayProgress:
    enrolment_id: int
    pathway: str
    status: str
    status_label: str
    enrolled_on: datetime.date
    target_date: datetime.date
    completed_on: datetime.date | None
    met: int
    total: int
    requirements: tuple[RequirementRow, ...]


@dataclass(frozen=True)
class CertificateRow:
    id: int
    pathway: str
    status: str
    status_label: str
    issued_on: datetime.date
    verification_code: str
    verification_url: str


@dataclass(frozen=True)
class ConsolidationRow:
    procedure: str
    by_code: tuple[int, ...]  # in SUPERVISION_CODES order
    total: int


SUPERVISION_CODES = tuple(Supervision.values)


@dataclass
class Portfolio:
    trainee: User
    viewer: User
    generated_on: datetime.date
    case_counts: dict[str, int]
    totals: dict
    registration: str = ""
    grade: str = ""
    programme: str = ""
    educational_supervisor: str = ""
    consolidation: list[ConsolidationRow] = field(default_factory=list)
    assessments: list[AssessmentRow] = field(default_factory=list)
    tool_summaries: list[ToolSummary] = field(default_factory=list)
    blinded: int = 0
    signoffs: list[SignoffRow] = field(default_factory=list)
    progress: list[PathwayProgress] = field(default_factory=list)
    certificates: list[CertificateRow] = field(default_factory=list)
    evidence: EvidenceSummary = field(default_factory=EvidenceSummary)

    @property
    def consolidation_totals(self) -> tuple[tuple[int, ...], int]:
        """Per supervision code over every procedure, and the grand total."""
        columns = tuple(sum(r.by_code[i] for r in self.consolidation) for i in range(len(SUPERVISION_CODES)))
        return columns, sum(columns)

    @property
    def by_role(self) -> list[tuple[str, str, int]]:
        """(code, label, cases) in the choices' order, roles with cases only."""
        counts = self.totals["by_role"]
        return [(code, label, counts[code]) for code, label in CaseRole.choices if counts.get(code)]

    @property
    def by_platform(self) -> list[tuple[str, str, int]]:
        counts = self.totals["by_platform"]
        return [(code, label, counts[code]) for code, label in Platform.choices if counts.get(code)]

    @property
    def status_counts(self) -> list[tuple[str, str, int]]:
        """(code, label, cases) for every status, validated first, as My logbook lists them."""
        return [(code, CaseStatus(code).label, self.case_counts.get(code, 0)) for code in STATUS_ORDER]

    def filename(self, extension: str) -> str:
        name = slugify(self.trainee.full_name) or f"trainee-{self.trainee.pk}"
        return f"portfolio-{name}-{self.generated_on.isoformat()}.{extension}"


# --- Reading -------------------------------------------------------------------------------------


def _number(value) -> str:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else str(value)
    return str(value)


def _assessments(portfolio: Portfolio) -> None:
    rows = assessments_visible_to(portfolio.viewer).filter(trainee=portfolio.trainee).order_by("date", "id")
    by_tool: dict[str, list[int]] = {}
    for a in rows:
        if a.blinded:
            portfolio.blinded += 1
            continue
        case = f"{a.case.procedure.name}, {a.case.date:%-d %b %Y}" if a.case_id else ""
        portfolio.assessments.append(AssessmentRow(
            id=a.pk, date=a.date, tool=a.tool.name, assessor=a.assessor.full_name, is_self=a.is_self, case=case,
            total=a.visible_total, level=level_label(a.visible_entrustment),
            competency=f"{a.competency.code} {a.competency.title}" if a.competency_id else ""))
        if not a.is_self and a.visible_total is not None:
            by_tool.setdefault(a.tool.name, []).append(a.visible_total)
    for tool, totals in sorted(by_tool.items()):
        mean = (Decimal(sum(totals)) / len(totals)).quantize(Decimal("0.1"))
        portfolio.tool_summaries.append(ToolSummary(tool=tool, count=len(totals), latest=totals[-1],
                                                    highest=max(totals), mean=mean))


def _signoffs(portfolio: Portfolio) -> None:
    rows = (signoff_requests_visible_to(portfolio.viewer).prefetch_related(None)
            .filter(trainee=portfolio.trainee, status__in=DECIDED_STATUSES).order_by("decided_at", "id"))
    for r in rows:
        portfolio.signoffs.append(SignoffRow(
            id=r.pk, target=r.target_label, trainer=r.trainer.full_name, status=r.status,
            status_label=r.get_status_display(),
            decided_on=timezone.localdate(r.decided_at) if r.decided_at else None,
            reversed_on=timezone.localdate(r.reversed_at) if r.reversed_at else None))


def _progress(portfolio: Portfolio) -> None:
    enrolments = (enrolments_visible_to(portfolio.viewer)
                  .filter(trainee=portfolio.trainee, status__in=PROGRESS_STATUSES).order_by("enrolled_on", "id"))
    for enrolment in enrolments:
        progress = progress_for(enrolment)
        requirements = tuple(
            RequirementRow(module=item.requirement.component.module.title,
                           component=item.requirement.component.title, requirement=str(item.requirement),
                           met=item.met, value=_number(item.value), target=_number(item.target), unit=item.unit)
            for item in progress.requirements)
        portfolio.progress.append(PathwayProgress(
            enrolment_id=enrolment.pk, pathway=enrolment.pathway.title, status=enrolment.status,
            status_label=enrolment.get_status_display(), enrolled_on=enrolment.enrolled_on,
            target_date=enrolment.target_date, completed_on=enrolment.completed_on,
            met=progress.met_count, total=progress.total, requirements=requirements))


def _certificates(portfolio: Portfolio) -> None:
    rows: list[Certificate] = list(certificates_visible_to(portfolio.viewer).filter(trainee=portfolio.trainee)
                                   .order_by("issued_on", "id"))
    portfolio.certificates = [CertificateRow(
        id=c.pk, pathway=c.pathway.title, status=c.status, status_label=c.get_status_display(),
        issued_on=c.issued_on, verification_code=c.verification_code, verification_url=verification_url(c))
        for c in rows]


def _consolidation(portfolio: Portfolio, validated) -> None:
    counts: dict[str, dict[str, int]] = {}
    for name, code, n in (validated.order_by().values_list("procedure__name", "validated_supervision")
                          .annotate(n=Count("id")).values_list("procedure__name", "validated_supervision", "n")):
        counts.setdefault(name, {})[code] = n
    portfolio.consolidation = [
        ConsolidationRow(procedure=name, by_code=tuple(by.get(c, 0) for c in SUPERVISION_CODES), total=sum(by.values()))
        for name, by in sorted(counts.items(), key=lambda item: (-sum(item[1].values()), item[0]))]


def _identifiers(portfolio: Portfolio) -> None:
    trainee = portfolio.trainee
    if trainee.registration_number:
        portfolio.registration = f"{trainee.registration_body.upper()} {trainee.registration_number}"
    portfolio.grade, portfolio.programme = trainee.grade, trainee.training_programme
    supervisor = educational_supervisor_of(trainee, on=portfolio.generated_on)
    portfolio.educational_supervisor = supervisor.full_name if supervisor else ""


def build_portfolio(*, viewer: User, trainee: User, today: datetime.date | None = None) -> Portfolio:
    """Everything the export shows, read for `viewer` (who must be allowed to see `trainee`)."""
    cases = cases_visible_to(viewer).filter(trainee=trainee).prefetch_related(None)
    counts = dict(cases.order_by().values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    portfolio = Portfolio(trainee=trainee, viewer=viewer, generated_on=today or timezone.localdate(),
                          case_counts=counts, totals=logbook_totals(cases.filter(status=CaseStatus.VALIDATED)))
    _identifiers(portfolio)
    _consolidation(portfolio, cases.filter(status=CaseStatus.VALIDATED))
    _assessments(portfolio)
    _signoffs(portfolio)
    _progress(portfolio)
    _certificates(portfolio)
    portfolio.evidence = evidence_summary(viewer, trainee)
    return portfolio


# --- CSV -------------------------------------------------------------------------------------------


def _date(value: datetime.date | None) -> str:
    return value.isoformat() if value else ""


def portfolio_rows(p: Portfolio) -> list[list]:
    """The CSV's rows (without the header), unescaped."""
    rows: list[list] = [
        ["portfolio", p.trainee.full_name, "", "", _date(p.generated_on),
         f"Portfolio for annual review (ARCP) and appraisal, exported by {p.viewer.full_name}"],
        ["identifier", "registration number", "", p.registration, "", "GMC, NMC or HCPC"],
        ["identifier", "grade", "", p.grade, "", ""],
        ["identifier", "training programme", "", p.programme, "", ""],
        ["identifier", "educational supervisor", "", p.educational_supervisor, _date(p.generated_on), "today"],
        ["logbook", "validated cases", "", p.totals["cases"], "", "cases that count as evidence"],
        ["logbook", "console hours", "", p.totals["console_hours"], "", "validated console cases"],
    ]
    rows += [["logbook_status", label, code, n, "", ""] for code, label, n in p.status_counts]
    rows += [["logbook_by_role", label, code, n, "", ""] for code, label, n in p.by_role]
    rows += [["logbook_by_platform", label, code, n, "", ""] for code, label, n in p.by_platform]
    rows += [["logbook_by_procedure", r["name"], "", r["cases"], "", ""] for r in p.totals["by_procedure"]]
    for r in p.consolidation:
        rows += [["consolidation", r.procedure, code, n, "", "validated cases by supervision code"]
                 for code, n in zip(SUPERVISION_CODES, r.by_code, strict=True) if n]
        rows.append(["consolidation", r.procedure, "total", r.total, "", ""])
    columns, grand = p.consolidation_totals
    rows += [["consolidation", "all procedures", code, n, "", ""]
             for code, n in zip(SUPERVISION_CODES, columns, strict=True) if n]
    if p.consolidation:
        rows.append(["consolidation", "all procedures", "total", grand, "", ""])
    rows += [["assessment", f"{a.tool} by {a.assessor}", "self" if a.is_self else "trainer",
              "" if a.total is None else a.total, _date(a.date),
              "; ".join(x for x in (a.case, a.competency, f"supervision level {a.level}" if a.level else "") if x)]
             for a in p.assessments]
    rows += [["assessment_summary", s.tool, "trainer", s.count, "",
              f"latest {s.latest}; highest {s.highest}; mean {s.mean}"] for s in p.tool_summaries]
    if p.blinded:
        rows.append(["assessment_blinded", "not shown: still blinded to you", "", p.blinded, "", ""])
    rows += [["supervision_level", r.subject, "best", r.best, "", f"latest {r.latest}; {r.ratings} rated"]
             for r in p.evidence.levels]
    for r in p.evidence.reviews:
        rows.append(["video_review", f"{r.tool}: {r.procedure}", "closed", r.mean_total, _date(r.closed_on),
                     f"mean total; agreement {r.agreement} ({r.agreement_method})"])
        rows += [["video_review_rating", f"{r.tool}: {r.procedure}", rater, total, _date(r.closed_on), ""]
                 for rater, total in r.totals]
    if p.evidence.open_reviews:
        rows.append(["video_review_open", "not shown until the review closes", "open", p.evidence.open_reviews,
                     "", ""])
    rows += [["signoff", s.target, s.status, s.trainer, _date(s.decided_on),
              f"reversed on {s.reversed_on.isoformat()}" if s.reversed_on else ""] for s in p.signoffs]
    for e in p.progress:
        rows.append(["progress", e.pathway, e.status, f"{e.met}/{e.total}", _date(e.enrolled_on),
                     f"completed on {e.completed_on.isoformat()}" if e.completed_on
                     else f"target date {e.target_date.isoformat()}"])
        rows += [["requirement", f"{e.pathway}: {r.module}: {r.component}: {r.requirement}",
                  "met" if r.met else "not met", f"{r.value}/{r.target}", "", r.unit] for r in e.requirements]
    rows += [["certificate", c.pathway, c.status, c.verification_code, _date(c.issued_on), c.verification_url]
             for c in p.certificates]
    return rows


def portfolio_csv(p: Portfolio) -> str:
    return csv_text(CSV_COLUMNS, portfolio_rows(p))


# --- PDF -------------------------------------------------------------------------------------------


def portfolio_pdf(p: Portfolio) -> bytes:
    """The portfolio as an A4 PDF (ReportLab platypus: headings, paragraphs and tables)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    styles = getSampleStyleSheet()
    body, small = styles["BodyText"], styles["BodyText"].clone("small", fontSize=8, leading=10)
    story: list = []

    def text(value, style=small) -> Paragraph:
        return Paragraph(escape("" if value is None else str(value)), style)

    def heading(value: str) -> None:
        story.append(Spacer(1, 4 * mm))
        story.append(Paragraph(escape(value), styles["Heading2"]))

    def table(header: list[str], rows: list[list], widths: list[float]) -> None:
        if not rows:
            story.append(text("None.", body))
            return
        data = [[text(h) for h in header]] + [[text(v) for v in row] for row in rows]
        t = Table(data, colWidths=[w * mm for w in widths], repeatRows=1, hAlign="LEFT")
        t.setStyle(TableStyle([
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8edee")),
            ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#aeb7bd")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]))
        story.append(t)

    story.append(Paragraph(escape(f"Portfolio: {p.trainee.full_name}"), styles["Title"]))
    story.append(text(f"For annual review (ARCP) and appraisal. Exported on {p.generated_on:%-d %B %Y} by "
                      f"{p.viewer.full_name} from RASTrack.", body))

    heading("For the ARCP panel")
    table(["Identifier", "Value"], [["Registration number", p.registration or "not recorded"],
                                    ["Grade", p.grade or "not recorded"],
                                    ["Training programme", p.programme or "not recorded"],
                                    ["Educational supervisor (today)", p.educational_supervisor or "none assigned"]],
          [60, 110])

    heading("Logbook")
    story.append(text(f"{p.totals['cases']} validated cases (the ones that count as evidence); "
                      f"{p.totals['console_hours']} console hours.", body))
    table(["Status", "Cases"], [[label, n] for _code, label, n in p.status_counts], [60, 25])
    story.append(Spacer(1, 2 * mm))
    table(["Role (validated cases)", "Cases"], [[label, n] for _code, label, n in p.by_role], [60, 25])
    story.append(Spacer(1, 2 * mm))
    table(["Platform (validated cases)", "Cases"], [[label, n] for _code, label, n in p.by_platform], [60, 25])
    story.append(Spacer(1, 2 * mm))
    table(["Procedure (validated cases)", "Cases"], [[r["name"], r["cases"]] for r in p.totals["by_procedure"]],
          [100, 25])
    story.append(Spacer(1, 2 * mm))
    story.append(text("Consolidation: validated cases by procedure and supervision code (as the trainer "
                      "confirmed it).", body))
    if p.consolidation:
        columns, grand = p.consolidation_totals
        table(["Procedure", *SUPERVISION_CODES, "Total"],
              [[r.procedure, *r.by_code, r.total] for r in p.consolidation] + [["All procedures", *columns, grand]],
              [68, *([14] * len(SUPERVISION_CODES)), 18])
    else:
        story.append(text("None.", body))

    heading("Assessments")
    if p.tool_summaries:
        table(["Tool", "Trainer assessments", "Latest total", "Highest", "Mean"],
              [[s.tool, s.count, s.latest, s.highest, s.mean] for s in p.tool_summaries], [50, 35, 30, 25, 25])
        story.append(Spacer(1, 2 * mm))
    table(["Date", "Tool", "By", "Kind", "Case", "Total", "Supervision level"],
          [[f"{a.date:%-d %b %Y}", a.tool, a.assessor, "self" if a.is_self else "trainer",
            "; ".join(x for x in (a.case, a.competency) if x), "" if a.total is None else a.total, a.level]
           for a in p.assessments], [20, 24, 28, 13, 45, 12, 38])
    if p.blinded:
        story.append(text(f"{p.blinded} assessment{'s' if p.blinded != 1 else ''} still blinded to you "
                          "(not shown).", body))

    heading("Supervision levels (ISCP 2021)")
    table(["Competency or step", "Best", "Latest", "Rated"],
          [[r.subject, r.best, r.latest, r.ratings] for r in p.evidence.levels], [55, 55, 55, 15])

    heading("Blinded video reviews")
    story.append(text("Closed reviews only: nothing of a rating is shown before the review closes.", body))
    table(["Closed", "Tool and procedure", "Ratings", "Mean total", "Agreement"],
          [[f"{r.closed_on:%-d %b %Y}", f"{r.tool}: {r.procedure}",
            ", ".join(f"{rater} {total}" for rater, total in r.totals), r.mean_total,
            f"{r.agreement} ({r.agreement_method})"] for r in p.evidence.reviews], [22, 45, 45, 20, 48])
    if p.evidence.open_reviews:
        story.append(text(f"{p.evidence.open_reviews} review{'s' if p.evidence.open_reviews != 1 else ''} still "
                          "open (not shown until closed).", body))

    heading("Sign-offs")
    table(["Decided", "What", "Trainer", "Decision"],
          [[f"{s.decided_on:%-d %b %Y}" if s.decided_on else "", s.target, s.trainer,
            s.status_label + (f" (reversed {s.reversed_on:%-d %b %Y})" if s.reversed_on else "")]
           for s in p.signoffs], [22, 85, 40, 33])

    heading("Progress per pathway")
    if not p.progress:
        story.append(text("No enrolments.", body))
    for e in p.progress:
        when = (f"completed {e.completed_on:%-d %B %Y}" if e.completed_on else f"target {e.target_date:%-d %B %Y}")
        story.append(Paragraph(escape(f"{e.pathway}: {e.status_label.lower()}, {e.met} of {counted(e.total, 'requirement')} "
                                      f"met (enrolled {e.enrolled_on:%-d %B %Y}, {when})"), styles["Heading4"]))
        table(["Module", "Component", "Requirement", "Value / target", "Met"],
              [[r.module, r.component, r.requirement, f"{r.value} / {r.target} {r.unit}", "yes" if r.met else "no"]
               for r in e.requirements], [35, 45, 55, 30, 15])

    heading("Certificates")
    table(["Pathway", "Issued", "Status", "Verification"],
          [[c.pathway, f"{c.issued_on:%-d %b %Y}", c.status_label, c.verification_url] for c in p.certificates],
          [45, 25, 20, 90])

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm,
                            bottomMargin=15 * mm, title=f"Portfolio: {p.trainee.full_name}", author="RASTrack",
                            subject="Portfolio for annual review (ARCP) and appraisal")
    doc.build(story)
    return buffer.getvalue()
