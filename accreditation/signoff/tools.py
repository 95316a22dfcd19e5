"""The assessment tools RASTrack starts with, as data (GEARS, Goh 2012, and the supervision levels).

Loaded by data migration and restored by tests after a flush. A tool is rows, not code: RACE,
NOTSS or a procedure-based assessment are added as an `AssessmentTool` with its
`AssessmentDomain` rows (Django admin, or another data migration), and every form, the API's
validation and the totals follow. The curriculum's `assessment_threshold` requirements name a
tool by its code ("gears"), checked against these rows (`curriculum.instruments`).

- GEARS (Goh 2012): six domains scored 1-5, total 6-30; anchors at 1, 3 and 5.
- ISCP supervision level (code `entrustment`): one domain, "level", 1-5 meaning I-V, in the ISCP
  2021 wording (`SupervisionLevel`).
- RACE (six domains 1-5), NOTSS (four categories 1-4), OTAS (five team behaviours 0-6) and the
  PBA global summary (eight levels, 0 to 4, as 1-8).

Each is version 1 and published: a published version never changes (`AssessmentTool.save`), a
new version is a new row with the same code (`services.assessment_tool_*`).
"""

from __future__ import annotations

from django.utils import timezone

from accreditation.signoff.models import SupervisionLevel

# ISCP 2021 PBA global summary (level, meaning), in order.
PBA_LEVELS = [
    "0: insufficient evidence observed to support a judgement",
    "1a: able to assist with guidance (not yet able to perform)",
    "1b: able to assist without guidance (not yet able to perform)",
    "2a: guidance required for most or all of the procedure",
    "2b: guidance or intervention required for key steps only",
    "3a: able to perform the procedure with minimal guidance or intervention (needed occasional help)",
    "3b: able to perform the procedure competently without guidance or intervention",
    "4: able to perform the procedure competently and deal with complications (independent)",
]

# code -> (name, description, scale_min, scale_max,
#          [(domain code, domain name, description, {score: anchor})])
TOOLS: dict[str, tuple[str, str, int, int, list[tuple[str, str, str, dict[str, str]]]]] = {
    "gears": (
        "GEARS",
        "Global Evaluative Assessment of Robotic Skills (Goh 2012): six domains, each scored "
        "1-5 (total 6-30).",
        1, 5,
        [
            ("depth_perception", "Depth perception", "Judging depth through the 3D view.", {
                "1": "Constantly overshoots target, wide swings, slow to correct",
                "3": "Some overshooting or missing of target, but quick to correct",
                "5": "Accurately directs instruments in the correct plane to target",
            }),
            ("bimanual_dexterity", "Bimanual dexterity", "Using both hands together.", {
                "1": "Uses only one hand, ignores the non-dominant hand, poor coordination",
                "3": "Uses both hands, but does not make the most of the interaction between them",
                "5": "Expertly uses both hands in a complementary way to give the best exposure",
            }),
            ("efficiency", "Efficiency", "Purposeful, economical movement.", {
                "1": "Inefficient efforts; many uncertain movements; constantly changing focus or "
                     "persisting without progress",
                "3": "Slow, but planned movements are reasonably organised",
                "5": "Confident, efficient and safe conduct, keeps focus on the task, fluid progression",
            }),
            ("force_sensitivity", "Force sensitivity", "Handling tissue and suture without haptics.", {
                "1": "Rough moves, tears tissue, injures nearby structures, frequent suture breakage",
                "3": "Handles tissue reasonably well, minor trauma to adjacent tissue, rare suture breakage",
                "5": "Applies appropriate tension, negligible injury to adjacent structures, no suture "
                     "breakage",
            }),
            ("autonomy", "Autonomy", "How much guidance the task needed.", {
                "1": "Unable to complete the entire task, even with verbal guidance",
                "3": "Able to complete the task safely with moderate guidance",
                "5": "Able to complete the task independently without prompting",
            }),
            ("robotic_control", "Robotic control", "Camera, clutch, arm position and collisions.", {
                "1": "Consistently does not optimise the view or hand position, or repeated collisions "
                     "even with guidance",
                "3": "View sometimes not optimal; occasionally needs to relocate arms; occasional "
                     "collisions and obstruction of the assistant",
                "5": "Controls camera and hand position optimally and independently; minimal "
                     "collisions or obstruction of the assistant",
            }),
        ],
    ),
    "entrustment": (
        "ISCP supervision level",
        "The level of supervision the trainee needed (ISCP 2021 Capabilities in Practice, I-V recorded as "
        "1-5).",
        1, 5,
        [
            ("level", "Supervision level", "The level at which the trainee is able and trusted to act.", {
                str(value): label for value, label in SupervisionLevel.choices
            }),
        ],
    ),
    "race": (
        "RACE",
        "Robotic Anastomosis Competency Evaluation (urethrovesical anastomosis): six domains, each scored "
        "1-5 (total 6-30; expert mean 27.3, novice 13.6).",
        1, 5,
        [
            ("needle_positioning", "Needle positioning", "Loading the needle in the driver.", {
                "1": "Needle loaded at the tip or the very back, needs many adjustments",
                "3": "Needle loaded about right, a few adjustments",
                "5": "Needle loaded at the right point and angle first time"}),
            ("needle_entry", "Needle entry", "Entering the tissue.", {
                "1": "Enters at the wrong angle, repeatedly",
                "3": "Enters at a reasonable angle, occasional correction",
                "5": "Enters perpendicular to the tissue every time"}),
            ("needle_driving", "Needle driving and tissue trauma", "Following the curve of the needle.", {
                "1": "Drives against the curve, tears tissue",
                "3": "Mostly follows the curve, minor trauma",
                "5": "Follows the curve of the needle, no trauma"}),
            ("suture_placement", "Suture placement", "Distance and spacing of bites.", {
                "1": "Bites irregular and too near or far",
                "3": "Bites mostly regular",
                "5": "Bites evenly spaced at the right distance"}),
            ("tissue_approximation", "Tissue approximation", "Tension on the running suture.", {
                "1": "Loose or strangulating approximation",
                "3": "Acceptable approximation, some slack",
                "5": "Watertight approximation at the right tension"}),
            ("knot_tying", "Knot tying", "Securing the suture.", {
                "1": "Knots slip or air knots",
                "3": "Secure knots with some wasted motion",
                "5": "Secure square knots, efficiently"}),
        ],
    ),
    "notss": (
        "NOTSS",
        "Non-Technical Skills for Surgeons: four categories rated 1-4 (1 poor, 4 good). The categories are "
        "read on their own: a sum means little.",
        1, 4,
        [
            (code, name, description, {"1": "Poor", "2": "Marginal", "3": "Acceptable", "4": "Good"})
            for code, name, description in (
                ("situation_awareness", "Situation awareness", "Gathering information, understanding it, "
                                                               "projecting and anticipating."),
                ("decision_making", "Decision making", "Considering options, selecting and communicating, "
                                                       "implementing and reviewing."),
                ("communication_teamwork", "Communication and teamwork", "Exchanging information, shared "
                                                                         "understanding, co-ordinating."),
                ("leadership", "Leadership", "Setting and keeping standards, supporting others, coping "
                                             "with pressure."),
            )
        ],
    ),
    "otas": (
        "OTAS",
        "Observational Teamwork Assessment for Surgery: five team behaviours rated 0-6 (0 problematic, "
        "6 exemplary).",
        0, 6,
        [
            (code, name, "", {"0": "Problematic: hinders team function", "3": "Average",
                              "6": "Exemplary: enhances team function"})
            for code, name in (("communication", "Communication"), ("coordination", "Coordination"),
                               ("cooperation", "Cooperation / back-up behaviour"), ("leadership", "Leadership"),
                               ("monitoring", "Monitoring / situational awareness"))
        ],
    ),
    "pba": (
        "PBA global summary",
        "ISCP procedure-based assessment, global summary: the eight levels 0 to 4 (recorded as 1-8).",
        1, 8,
        [
            ("global_summary", "Global summary", "The level at which the trainee performed the procedure.", {
                str(number): label for number, label in enumerate(PBA_LEVELS, start=1)
            }),
        ],
    ),
}

# Tools whose total is not a score of its own: a requirement on them asks for every domain.
TOTAL_NOT_MEANINGFUL = {"notss", "otas", "entrustment", "pba"}


def load_assessment_tools(tool_model, domain_model) -> None:
    """Create or update the starting tools and their domains. Idempotent.

    Takes the models so that a data migration can pass its historical models.
    """
    for code, (name, description, low, high, domains) in TOOLS.items():
        fields = {f.name for f in tool_model._meta.get_fields()}
        defaults = {"name": name, "description": description, "scale_min": low, "scale_max": high}
        if "total_meaningful" in fields:
            defaults["total_meaningful"] = code not in TOTAL_NOT_MEANINGFUL
        lookup = {"code": code, **({"version": 1} if "version" in fields else {})}
        tool = tool_model.objects.filter(**lookup).first()
        if tool is not None and getattr(tool, "published_at", None) is not None:
            continue  # a published version is frozen: a change would be a new version
        if tool is None:
            tool = tool_model.objects.create(**lookup, **defaults)
        else:
            for key, value in defaults.items():
                setattr(tool, key, value)
            tool.save()
        for order, (domain_code, domain_name, domain_description, anchors) in enumerate(domains, start=1):
            domain_model.objects.update_or_create(
                tool=tool, code=domain_code,
                defaults={"name": domain_name, "description": domain_description, "order": order,
                          "anchors": anchors},
            )
        if "published_at" in fields:
            tool.published_at = timezone.now()
            tool.save(update_fields=["published_at"])
