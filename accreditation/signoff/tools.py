"""The assessment tools RASTrack starts with, as data (GEARS, Goh 2012, and the supervision levels).

Loaded by data migration and restored by tests after a flush. A tool is rows, not code: RACE,
NOTSS or a procedure-based assessment are added as an `AssessmentTool` with its
`AssessmentDomain` rows (Django admin, or another data migration), and every form, the API's
validation and the totals follow. The curriculum's `assessment_threshold` requirements name a
tool by its code ("gears"), checked against these rows (`curriculum.instruments`).

- GEARS (Goh 2012): six domains scored 1-5, total 6-30; anchors at 1, 3 and 5.
- Supervision / entrustment level: one domain, "level", 1-5 meaning I-V.
"""

from __future__ import annotations

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
        "Supervision / entrustment level",
        "The level of supervision the trainee needed (ISCP-style levels I-V, recorded as 1-5).",
        1, 5,
        [
            ("level", "Supervision level", "The level at which the trainee can act.", {
                "1": "I: observe only",
                "2": "II: act with direct supervision (trainer at the console or scrubbed)",
                "3": "III: act with indirect supervision (trainer in theatre)",
                "4": "IV: act unsupervised, trainer available",
                "5": "V: able to supervise others",
            }),
        ],
    ),
}


def load_assessment_tools(tool_model, domain_model) -> None:
    """Create or update the starting tools and their domains. Idempotent.

    Takes the models so that a data migration can pass its historical models.
    """
    for code, (name, description, low, high, domains) in TOOLS.items():
        tool, _ = tool_model.objects.update_or_create(
            code=code, defaults={"name": name, "description": description,
                                 "scale_min": low, "scale_max": high},
        )
        for order, (domain_code, domain_name, domain_description, anchors) in enumerate(domains, start=1):
            domain_model.objects.update_or_create(
                tool=tool, code=domain_code,
                defaults={"name": domain_name, "description": domain_description, "order": order,
                          "anchors": anchors},
            )
