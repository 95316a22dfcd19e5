"""Sign-off's demo world: improving GEARS, blinded and revealed self-assessments, requests in
every state, and competencies left free for a new request (read from the shared demo world,
tests/builders/demo.py; seeding it twice is tests/rastrack/test_seed_demo.py)."""

from accreditation.signoff.models import Assessment, SignoffRequest
from accreditation.signoff.selectors import assessments_visible_to, calibration_history
from curriculum.models import Enrolment
from curriculum.progress import progress_for
from rastrack.accounts.models import User


def test_the_demo_tells_the_story(demo_world):
    trainee1 = User.objects.get(email="trainee1@demo.rastrack.org")
    trainer1 = User.objects.get(email="trainer1@demo.rastrack.org")
    series = list(Assessment.objects.filter(trainee=trainee1, assessor=trainer1, tool__code="gears",
                                            case__status="validated").order_by("date", "id")
                  .values_list("total", flat=True))
    assert len(series) >= 8 and series[0] == 14 and series[-1] == 26
    assert series == sorted(series)

    # One self-assessment revealed (with its calibration), one still hidden from trainer1,
    # and one trainer1 rating still hidden from trainee1.
    as_trainer = assessments_visible_to(trainer1).filter(trainee=trainee1, is_self=True)
    assert sorted(as_trainer.values_list("blinded", flat=True)) == [False, True]
    assert assessments_visible_to(trainee1).filter(is_self=False, blinded=True).count() == 1
    (pair,) = calibration_history(trainee1, trainee1)
    assert pair.total_difference == 3

    statuses = dict(SignoffRequest.objects.filter(trainee=trainee1).values_list("target_key", "status"))
    assert statuses["competency:docking"] == "approved"
    assert statuses["competency:emergency-undocking"] == "pending"
    assert statuses["competency:situation-awareness"] == "returned"
    assert SignoffRequest.objects.get(trainee=trainee1, target_key="competency:emergency-undocking").is_overdue
    for key in ("closed-loop-communication", "modular-steps", "decision-making"):
        assert f"competency:{key}" not in statuses

    console = Enrolment.objects.get(trainee=trainee1, pathway__code="console-surgeon")
    gears = next(i for i in progress_for(console).requirements if i.requirement.type == "assessment_threshold")
    assert gears.met


def test_the_demo_shows_a_closed_blinded_review_with_its_agreement_and_a_step_grid(demo_world):
    from accreditation.signoff.models import VideoReview
    from accreditation.signoff.selectors import video_review_seen_by

    closed = VideoReview.objects.get(status="closed")
    assert closed.ratings.count() == 2 and closed.mean_total is not None
    assert closed.agreement_value is not None and "Krippendorff" in closed.agreement_method
    trainer2 = User.objects.get(email="trainer2@demo.rastrack.org")
    waiting = VideoReview.objects.get(status="open")
    seen = video_review_seen_by(trainer2, waiting)
    assert seen.is_rater and seen.trainee is None and not seen.ratings[0].rated
    race = Assessment.objects.get(tool__code="race")
    assert race.mode == "video" and race.step_levels.count() >= 1


def test_the_demo_world_keeps_the_summaries_through_the_services(demo_world):
    """Seeded through the services, the demo world has its calibration pair and sign-off
    figures in the summary tables already: a rebuild has nothing to correct."""
    from accreditation.signoff import summaries
    from accreditation.signoff.models import (
        CalibrationSummary,
        SignoffPendingSummary,
        SignoffTurnaroundSummary,
    )

    assert CalibrationSummary.objects.exists() and SignoffPendingSummary.objects.exists()
    assert SignoffTurnaroundSummary.objects.exists()
    assert summaries.rebuild_calibration() == summaries.rebuild_signoff_pending() \
        == summaries.rebuild_signoff_turnaround() == 0
