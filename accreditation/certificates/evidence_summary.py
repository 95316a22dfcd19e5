"""What the certificate PDF and the portfolio export say about supervision levels and blinded
video reviews, read for a viewer through the same selectors as the pages and the API.

- Supervision levels (ISCP 2021 wording, `SupervisionLevel`): per competency (or "any
  competency" when the assessment named none) and per procedure step, the best and the latest
  level the viewer may read. Blinded assessments add nothing (`assessments_visible_to` masks
  them in SQL; `step_grid` reads through it).
- Video reviews: **closed ones only**, each rating's total as `video_review_seen_by` lets the
  viewer see it ("Rater 1", ... for the trainee), the mean and the agreement with its method.
  An open review shows nothing of its ratings; only how many are open is said.

The certificate is read as its holder sees their own record (`viewer` = the trainee).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from accreditation.signoff.models import SupervisionLevel, VideoReviewStatus
from accreditation.signoff.selectors import (
    assessments_visible_to,
    step_grid,
    video_review_seen_by,
    video_reviews_visible_to,
)
from rastrack.accounts.models import User


@dataclass(frozen=True)
class LevelRow:
    subject: str  # "C3 Docking", "Any competency" or "Step: <step> (<procedure>)"
    best: str  # the ISCP 2021 label
    latest: str
    ratings: int


@dataclass(frozen=True)
class ReviewRow:
    id: int
    tool: str
    procedure: str
    closed_on: datetime.date
    totals: tuple[tuple[str, int | None], ...]  # (rater as the viewer may see them, total)
    mean_total: str
    agreement_method: str
    agreement: str  # "0.81", or "undefined (no variance)"


@dataclass
class EvidenceSummary:
    levels: list[LevelRow] = field(default_factory=list)
    reviews: list[ReviewRow] = field(default_factory=list)
    open_reviews: int = 0


def level_label(value: int | None) -> str:
    return "" if value is None else SupervisionLevel(value).label


def supervision_levels(viewer: User, trainee: User) -> list[LevelRow]:
    rows = (assessments_visible_to(viewer).filter(trainee=trainee, blinded=False, is_self=False,
                                                  visible_entrustment__isnull=False)
            .order_by("date", "id").values_list("competency__code", "competency__title", "visible_entrustment"))
    by_subject: dict[str, list[int]] = {}
    for code, title, level in rows:
        by_subject.setdefault(f"{code} {title}" if code else "Any competency", []).append(level)
    levels = [LevelRow(subject, level_label(max(values)), level_label(values[-1]), len(values))
              for subject, values in sorted(by_subject.items())]
    levels += [LevelRow(f"Step: {row.step} ({row.procedure})", level_label(row.best_level),
                        level_label(row.latest_level), row.ratings) for row in step_grid(viewer, trainee)]
    return levels


def video_review_rows(viewer: User, trainee: User) -> tuple[list[ReviewRow], int]:
    """(closed reviews as the viewer sees them, how many are still open)."""
    reviews = video_reviews_visible_to(viewer).filter(trainee=trainee)
    closed = []
    open_count = 0
    for review in reviews.order_by("closed_at", "id"):
        if review.status != VideoReviewStatus.CLOSED:
            open_count += 1
            continue
        seen = video_review_seen_by(viewer, review)
        value = review.agreement_value
        closed.append(ReviewRow(
            id=review.pk, tool=review.tool.name, procedure=review.case.procedure.name,
            closed_on=timezone.localdate(review.closed_at),
            totals=tuple((r.rater_name, r.total) for r in seen.ratings),
            mean_total=str(review.mean_total), agreement_method=review.agreement_method,
            agreement="undefined (no variance)" if value is None else f"{value:.2f}"))
    return closed, open_count


def evidence_summary(viewer: User, trainee: User) -> EvidenceSummary:
    reviews, open_count = video_review_rows(viewer, trainee)
    return EvidenceSummary(levels=supervision_levels(viewer, trainee), reviews=reviews, open_reviews=open_count)
