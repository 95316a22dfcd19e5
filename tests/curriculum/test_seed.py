"""The curriculum's demo world: realistic and current (read from the shared demo world,
tests/builders/demo.py; seeding it twice is tests/rastrack/test_seed_demo.py)."""

from curriculum.models import (
    Competency,
    ELearningCompletion,
    Enrolment,
    Framework,
    LearningResource,
    Pathway,
    Requirement,
    Standard,
)
from curriculum.progress import progress_for
from curriculum.selectors import requirements_of_pathway
from rastrack.audit.models import AuditEntry


def _world():
    return {
        "frameworks": list(Framework.objects.values_list("code", "version", "status")),
        "standards": Standard.objects.count(),
        "competencies": Competency.objects.count(),
        "pathways": sorted(Pathway.objects.values_list("code", "status")),
        "requirements": Requirement.objects.count(),
        "enrolments": sorted(Enrolment.objects.values_list("trainee__email", "pathway__code", "status",
                                                           "enrolled_on")),
        "elearning": ELearningCompletion.objects.count(),
        "resources": sorted(LearningResource.objects.values_list("status", flat=True)),
    }


def test_the_demo_curriculum(demo_world):
    world = _world()
    assert world["frameworks"] == [("ras-standards", 1, "published")]
    assert world["standards"] == 6 and world["competencies"] == 25
    assert [code for code, _ in world["pathways"]] == [
        "bedside-assistant", "console-surgeon", "established-surgeon-conversion", "ras-trainer", "robotic-literacy"]
    assert {status for _, status in world["pathways"]} == {"published"}
    for pathway in Pathway.objects.all():
        assert requirements_of_pathway(pathway.pk)[-1].type == "final_signoff"
    console = Pathway.objects.get(code="console-surgeon")
    bladder = Requirement.objects.get(component__module__pathway=console, procedure_step__name="Bladder detachment")
    assert bladder.count == 20 and bladder.procedure.code == "rarp"
    assert Requirement.objects.filter(component__module__pathway=console, type="assessment_threshold",
                                      tool="gears", min_total=20, consecutive=3).exists()
    literacy = Pathway.objects.get(code="robotic-literacy")
    assert Requirement.objects.filter(component__module__pathway=literacy, type="min_score", score=90,
                                      consecutive=2).exists()
    assert Requirement.objects.filter(component__module__pathway=literacy, type="min_count", count=10,
                                      component__kind="bedside_assisting").exists()
    assert [(email, code) for email, code, *_ in world["enrolments"]] == [
        ("trainee1@demo.rastrack.org", "console-surgeon"), ("trainee1@demo.rastrack.org", "robotic-literacy"),
        ("trainee2@demo.rastrack.org", "robotic-literacy")]
    trainee1 = Enrolment.objects.get(trainee__email="trainee1@demo.rastrack.org", pathway=literacy)
    progress = progress_for(trainee1)
    # Three seeded e-learning completions: trainer1 verified two (they meet their requirements),
    # the third waits for verification; the other apps' seeds (logbook, simulator, sign-off) may
    # meet more.
    elearning = [i for i in progress.requirements if i.provider == "curriculum.elearning"]
    assert len([i for i in elearning if i.met]) == 2
    waiting = [i for i in elearning if not i.met and i.notes]
    assert len(waiting) == 1
    assert "1 self-reported e-learning completion waits for verification by" in waiting[0].notes[0]
    assert progress.met_count >= 2 and not progress.complete
    assert world["resources"] == ["approved", "approved", "approved", "pending"]
    assert AuditEntry.objects.filter(action="framework.publish").count() == 1
