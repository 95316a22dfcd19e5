"""The curriculum part of the demo world (`manage.py seed_demo`).

A published framework v1 of the RAS training standards (6 standards, 25 competencies, drawn
from the RAS training literature), the five pathways of the programme with realistic modules and requirements,
trainee1 and trainee2 on Robotic literacy (trainee1 also on RAS console surgeon), some
e-learning trainee1 has done, and a small learning-resource catalogue. Idempotent (keyed on
codes, e-mail addresses and URLs); dates are relative to today. Everything goes through the
services, so the audit trail has it too.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from curriculum import services
from curriculum.models import (
    EVIDENCE_PROVENANCES,
    Competency,
    Component,
    ELearningCompletion,
    Enrolment,
    Framework,
    LearningResource,
    Lifecycle,
    Pathway,
    ResourceStatus,
)
from curriculum.normalise import normalise_url
from rastrack.accounts.models import User
from rastrack.reference.models import Procedure, ProcedureStep

FRAMEWORK_CODE = "ras-standards"

# (code, title, domain, [(key, code, title, descriptors)])
STANDARDS = [
    ("DEV", "Device knowledge and set-up", "technical_skills", [
        ("device-knowledge", "DEV1", "Robotic platform: components, capabilities and limitations",
         "Describes the patient cart, surgeon console and vision cart of the platform in use, its "
         "instruments and energy, and what it cannot do (no haptic feedback, fixed remote centre)."),
        ("instrument-handling", "DEV2", "Instrument loading, exchange and tracking",
         "Loads, exchanges and removes instruments safely under vision; keeps count of instrument lives."),
        ("port-placement", "DEV3", "Patient positioning and port placement",
         "Plans port placement and positioning for the procedure and the platform, avoiding arm clashes."),
        ("docking", "DEV4", "Docking the patient cart",
         "Docks efficiently and safely (about seven minutes on the Xi once past the learning curve)."),
        ("undocking", "DEV5", "Undocking and port closure",
         "Undocks in order at the end of the case, removes ports under vision and closes port sites."),
    ]),
    ("CON", "Console skills", "technical_skills", [
        ("camera-control", "CON1", "Camera control and clutching",
         "Keeps a stable, centred view; uses the clutch to keep the hands in the ergonomic zone."),
        ("energy-use", "CON2", "Safe use of energy at the console",
         "Chooses and activates energy devices safely, with the active instrument always in view."),
        ("third-arm", "CON3", "Use of the third arm for retraction",
         "Places and moves the third arm for retraction without collisions or unseen tissue injury."),
        ("suturing", "CON4", "Intracorporeal suturing and knot tying",
         "Sutures and ties with both hands at the console, with appropriate tension."),
        ("modular-steps", "CON5", "Modular console steps of the index procedure",
         "Performs the defined steps of the index procedure at the console under supervision."),
    ]),
    ("SAF", "Patient safety and emergencies", "patient_safety", [
        ("emergency-undocking", "SAF1", "Emergency undocking",
         "Leads or performs emergency undocking with the team within the unit's target time."),
        ("system-faults", "SAF2", "System faults and instrument failure",
         "Recognises system faults and instrument failures and responds as the platform requires."),
        ("conversion", "SAF3", "Decision to convert",
         "Recognises when to convert to laparoscopic or open surgery and leads the conversion."),
        ("positioning-injury", "SAF4", "Prevention of positioning injury",
         "Prevents pressure, nerve and steep-Trendelenburg injuries during long robotic cases."),
    ]),
    ("TEAM", "Team working and communication", "team_working", [
        ("closed-loop-communication", "TEAM1", "Closed-loop communication between console and bedside",
         "Gives clear instructions from the console and confirms them, although the team cannot see the "
         "surgeon's face."),
        ("team-briefing", "TEAM2", "Robotic team briefing and debriefing",
         "Leads the safety checklist, a robot-specific briefing and a debriefing for every case."),
        ("bedside-assistant-role", "TEAM3", "Bedside assistance",
         "Assists at the bedside: instrument exchange, suction, retraction, clip application, specimen "
         "retrieval."),
    ]),
    ("NTS", "Non-technical skills (NOTSS)", "non_technical_skills", [
        ("situation-awareness", "NTS1", "Situation awareness",
         "Gathers information, understands it and anticipates, while immersed at the console."),
        ("decision-making", "NTS2", "Decision making",
         "Considers options, selects and communicates one, and reviews it."),
        ("leadership", "NTS3", "Leadership",
         "Sets and maintains standards, supports others and copes with pressure."),
        ("task-management", "NTS4", "Task management",
         "Plans and prepares, and stays flexible when the case does not go to plan."),
    ]),
    ("GOV", "Governance and training delivery", "governance", [
        ("consent-ras", "GOV1", "Consent for robot-assisted surgery",
         "Consents patients including the platform-specific risks and the surgeon's own experience."),
        ("outcome-audit", "GOV2", "Outcome audit and registries",
         "Audits own outcomes (console time, conversions, complications) and contributes to registries."),
        ("credentialing", "GOV3", "Credentialing and proctoring",
         "Understands credentialing, proctored cases and the maintenance of robotic privileges."),
        ("training-delivery", "GOV4", "Teaching and assessing robotic skills",
         "Teaches at the dual console, gives structured feedback and assesses with GEARS."),
    ]),
]

# ERUS modular training for robot-assisted radical prostatectomy: minimum cases per step.
RARP_STEPS = [
    ("Bladder detachment", 20),
    ("Endopelvic fascia incision", 15),
    ("Bladder neck dissection", 15),
    ("Vasa and seminal vesicles dissection", 15),
    ("Posterior plane dissection", 10),
    ("Lateral pedicles", 10),
    ("Santorini plexus control", 10),
    ("Neurovascular bundle preservation", 5),
    ("Apical dissection", 5),
]

# A requirement: (type, params, narrowing) where narrowing is {"procedure": code, "step": name}.
# A component: (title, kind, [requirements]). A module: (title, description, [components]).
PATHWAYS = [
    {
        "code": "robotic-literacy", "title": "Robotic literacy", "audience": "trainee", "self_enrol": True,
        "duration_weeks": 52,
        "description": "For every surgical trainee: what robotic platforms are, how a robotic theatre works, "
                       "how to dock and, above all, undock in an emergency, basic skills on the simulator, "
                       "and experience at the bedside.",
        "modules": [
            ("Platform e-learning", "The platform makers' online training and the principles of RAS.", [
                ("Platform online training (vendor e-learning)", "e_learning", [("min_count", {"count": 1})]),
                ("Principles of robot-assisted surgery", "e_learning", [("min_count", {"count": 1})]),
            ]),
            ("Device and docking knowledge", "Components of the system, positioning, ports and docking.", [
                ("Docking and undocking e-module", "e_learning", [("min_count", {"count": 1})]),
                ("Docking practice on a dry-lab robot", "dry_lab",
                 [("competency_signoff", {"competency_key": "docking"})]),
            ]),
            ("Emergency undocking", "What the whole team does when the patient must be reached at once.", [
                ("Emergency undocking e-module", "e_learning", [("min_count", {"count": 1})]),
                ("Emergency undocking drill with the theatre team", "dry_lab",
                 [("competency_signoff", {"competency_key": "emergency-undocking"})]),
            ]),
            ("Team and safety", "Communication between console and bedside, briefing, positioning.", [
                ("Human factors in the robotic theatre", "e_learning", [("min_count", {"count": 1})]),
                ("Observation of robotic cases", "case_observation", [("min_count", {"count": 3})]),
                ("Closed-loop communication", "case_observation",
                 [("competency_signoff", {"competency_key": "closed-loop-communication"})]),
            ]),
            ("Simulator basic skills", "Virtual-reality exercises to the expert benchmark (proficiency-based "
                                       "progression: twice in a row).", [
                ("VR simulator basic skills to benchmark", "simulation",
                 [("min_score", {"score": 90, "consecutive": 2}), ("min_hours", {"hours": "5.0"})]),
            ]),
            ("Bedside assisting", "ERUS: at least ten cases at the bedside early in training.", [
                ("Bedside-assisted robotic cases", "bedside_assisting", [("min_count", {"count": 10})]),
            ]),
        ],
    },
    {
        "code": "console-surgeon", "title": "RAS console surgeon", "audience": "trainee", "self_enrol": False,
        "duration_weeks": 104,
        "description": "For higher trainees: modular console training step by step under supervision "
                       "(the ERUS model, here for radical prostatectomy), assessed with GEARS and NOTSS, "
                       "leading to independent console cases.",
        "modules": [
            ("Console foundations", "Suturing and energy on the simulator and the dry-lab robot.", [
                ("Simulator suturing to benchmark", "simulation",
                 [("min_score", {"score": 90, "consecutive": 2, "exercise": "Suture sponge"}),
                  ("simulator_proficiency", {"exercises": ["dvss-energy-switching-1", "dvss-suture-sponge-1"],
                                             "consecutive": 2})]),
                ("Dry-lab console practice", "dry_lab", [("min_hours", {"hours": "10.0"})]),
                ("Wet-lab or cadaveric course", "wet_lab", [("min_count", {"count": 1})]),
            ]),
            ("Modular console training: radical prostatectomy",
             "Each step at the console under supervision, for at least the ERUS number of cases.",
             [(f"Console step: {step}", "supervised_console_cases",
               [("min_count", {"count": count}, {"procedure": "rarp", "step": step})])
              for step, count in RARP_STEPS]),
            ("Assessment", "GEARS by the trainer on consecutive cases, and non-technical skills.", [
                ("GEARS at the console", "assessment",
                 [("assessment_threshold", {"tool": "gears", "min_total": 20, "consecutive": 3})]),
                ("Modular steps signed off", "assessment",
                 [("competency_signoff", {"competency_key": "modular-steps"})]),
                ("Non-technical skills (NOTSS)", "assessment",
                 [("competency_signoff", {"competency_key": "situation-awareness"}),
                  ("competency_signoff", {"competency_key": "decision-making"})]),
            ]),
            ("Independent console cases", "Whole cases at the console with the trainer available.", [
                ("Independent console cases", "independent_console_cases", [("min_count", {"count": 10})]),
            ]),
        ],
    },
    {
        "code": "established-surgeon-conversion", "title": "Established surgeon conversion",
        "audience": "established_surgeon", "self_enrol": True, "duration_weeks": 26,
        "description": "For consultants moving from open or laparoscopic surgery to RAS, following the RCS "
                       "England pathway: platform training, observation, proctored cases and governance.",
        "modules": [
            ("Platform training", "The maker's training, simulator benchmark, dry and wet lab.", [
                ("Platform online training (vendor e-learning)", "e_learning", [("min_count", {"count": 1})]),
                ("Simulator skills to benchmark", "simulation", [("min_score", {"score": 90, "consecutive": 2})]),
                ("Dry-lab practice", "dry_lab", [("min_hours", {"hours": "4.0"})]),
                ("Wet-lab or cadaveric course", "wet_lab", [("min_count", {"count": 1})]),
            ]),
            ("Case observation", "Watch an experienced robotic team at work.", [
                ("Observed robotic cases", "case_observation", [("min_count", {"count": 3})]),
            ]),
            ("Proctored cases", "First cases with a proctor, assessed with GEARS.", [
                ("Proctored console cases", "supervised_console_cases", [("min_count", {"count": 3})]),
                ("GEARS on proctored cases", "assessment",
                 [("assessment_threshold", {"tool": "gears", "min_total": 24, "consecutive": 2})]),
            ]),
            ("Governance", "Credentialing, consent and audit of outcomes.", [
                ("Credentialing and proctoring", "assessment",
                 [("competency_signoff", {"competency_key": "credentialing"})]),
                ("Outcome audit", "assessment", [("competency_signoff", {"competency_key": "outcome-audit"})]),
            ]),
        ],
    },
    {
        "code": "bedside-assistant", "title": "Bedside assistant", "audience": "bedside_assistant",
        "self_enrol": True, "duration_weeks": 26,
        "description": "For nurses, operating department practitioners and surgical care practitioners "
                       "assisting at the patient cart.",
        "modules": [
            ("Platform e-learning", "The system, its instruments and the team's roles.", [
                ("Platform online training (vendor e-learning)", "e_learning", [("min_count", {"count": 1})]),
                ("Docking and undocking e-module", "e_learning", [("min_count", {"count": 1})]),
            ]),
            ("Docking, instruments and emergencies", "Hands-on, then signed off.", [
                ("Docking", "dry_lab", [("competency_signoff", {"competency_key": "docking"})]),
                ("Instrument loading and exchange", "dry_lab",
                 [("competency_signoff", {"competency_key": "instrument-handling"})]),
                ("Emergency undocking", "dry_lab",
                 [("competency_signoff", {"competency_key": "emergency-undocking"})]),
            ]),
            ("Bedside assisting", "Cases at the bedside, then the role signed off.", [
                ("Bedside-assisted robotic cases", "bedside_assisting", [("min_count", {"count": 10})]),
                ("Bedside assistance", "bedside_assisting",
                 [("competency_signoff", {"competency_key": "bedside-assistant-role"})]),
            ]),
        ],
    },
    {
        "code": "ras-trainer", "title": "RAS trainer", "audience": "trainer", "self_enrol": False,
        "duration_weeks": 52,
        "description": "For surgeons becoming accredited RAS trainers: a train-the-trainer course, "
                       "enough independent experience, and observed teaching.",
        "modules": [
            ("Train the trainer", "A recognised train-the-trainer course (ERUS requires one of every trainer).", [
                ("Train-the-trainer course", "e_learning", [("min_count", {"count": 1})]),
            ]),
            ("Independent experience", "Proctors have full privileges and about 25 cases in the specialty.", [
                ("Independent console cases", "independent_console_cases", [("min_count", {"count": 25})]),
            ]),
            ("Teaching at the console", "Observed teaching and assessment of a trainee.", [
                ("Teaching and assessing robotic skills", "assessment",
                 [("competency_signoff", {"competency_key": "training-delivery"})]),
            ]),
        ],
    },
]

# (title, url, provider, format, description, topics, audience, licence, approved)
RESOURCES = [
    ("Fundamentals of Robotic Surgery (FRS)", "https://frsurgery.org/", "FRS consortium", "e_learning",
     "Online didactic modules on robotic systems, pre-, intra- and post-operative care, and team "
     "communication, with the psychomotor tasks and their proficiency benchmarks.",
     ["platforms", "simulation", "team_communication"], "everyone", "free_to_access", True),
    ("Non-Technical Skills for Surgeons (NOTSS)",
     "https://www.rcsed.ac.uk/professional-support-development-resources/learning-resources/"
     "non-technical-skills-for-surgeons-notss",
     "Royal College of Surgeons of Edinburgh", "guideline",
     "The NOTSS behaviour rating system: situation awareness, decision making, communication and "
     "teamwork, leadership. Used for the non-technical part of robotic assessment.",
     ["non_technical_skills", "assessment"], "trainee", "free_to_access", True),
    ("Robot-assisted surgery for soft tissue procedures (HTE21)", "https://www.nice.org.uk/guidance/hte21",
     "NICE", "guideline",
     "NICE early value assessment of robotic platforms for soft tissue procedures and the evidence "
     "they should generate.", ["platforms", "governance"], "everyone", "free_to_access", True),
    ("e-Learning for Healthcare programmes", "https://www.e-lfh.org.uk/", "NHS England e-Learning for Healthcare",
     "e_learning", "Free NHS e-learning, including modules relevant to the theatre team and human factors.",
     ["team_communication", "patient_safety"], "theatre_team", "free_to_access", False),
]

# trainee1's e-learning: (pathway code, component title, days ago, provider)
ELEARNING = [
    ("robotic-literacy", "Platform online training (vendor e-learning)", 140, "Intuitive Learning"),
    ("robotic-literacy", "Principles of robot-assisted surgery", 120, "e-Learning for Healthcare"),
    ("robotic-literacy", "Docking and undocking e-module", 95, "Intuitive Learning"),
]


def _user(email: str) -> User:
    return User.objects.get(email=email)


# Where each competency is shown: non-surgeon faculty sign off bedside and team ones only.
SETTINGS = {
    "camera-control": "console", "energy-use": "console", "third-arm": "console", "suturing": "console",
    "modular-steps": "console", "instrument-handling": "bedside", "port-placement": "bedside",
    "docking": "bedside", "undocking": "bedside", "bedside-assistant-role": "bedside",
    "emergency-undocking": "team", "closed-loop-communication": "team", "team-briefing": "team",
}


def _framework(admin: User) -> Framework:
    framework = Framework.objects.filter(code=FRAMEWORK_CODE, version=1).first()
    if framework is not None:
        return framework
    framework = services.framework_create(
        actor=admin, code=FRAMEWORK_CODE, title="RAS training standards",
        description="The national standards for training in robot-assisted surgery: what a surgeon, "
                    "trainer and theatre team must be able to do.")
    for order, (code, title, domain, competencies) in enumerate(STANDARDS, start=1):
        standard = services.standard_create(actor=admin, framework=framework, code=code, title=title,
                                            domain=domain, order=order)
        for c_order, (key, c_code, c_title, descriptors) in enumerate(competencies, start=1):
            services.competency_create(actor=admin, standard=standard, key=key, code=c_code, title=c_title,
                                       descriptors=descriptors, order=c_order, setting=SETTINGS.get(key, "general"))
    return services.framework_publish(actor=admin, framework=framework)


def _narrowing(spec: dict) -> dict:
    if not spec:
        return {}
    procedure = Procedure.objects.get(code=spec["procedure"])
    step = ProcedureStep.objects.get(procedure=procedure, name=spec["step"]) if "step" in spec else None
    return {"procedure": procedure, "procedure_step": step}


def _pathway(admin: User, framework: Framework, spec: dict) -> Pathway:
    pathway = Pathway.objects.filter(code=spec["code"]).order_by("-version").first()
    if pathway is not None:
        return pathway
    pathway = services.pathway_create(
        actor=admin, code=spec["code"], title=spec["title"], audience=spec["audience"], framework=framework,
        description=spec["description"], self_enrol=spec["self_enrol"], duration_weeks=spec["duration_weeks"])
    for title, description, components in spec["modules"]:
        module = services.module_create(actor=admin, pathway=pathway, title=title, description=description)
        for c_title, kind, requirements in components:
            component = services.component_create(actor=admin, module=module, title=c_title, kind=kind)
            for requirement in requirements:
                type_, params, narrowing = (*requirement, {})[:3]
                # The demo's typed-score requirements stand for versions published before
                # provenance was recorded: they count every session, as those versions do.
                legacy = kind == "simulation" and type_ != "simulator_proficiency"
                services.requirement_create(actor=admin, component=component, type=type_, params=params,
                                            provenances=list(EVIDENCE_PROVENANCES) if legacy else None,
                                            **_narrowing(narrowing))
    return services.pathway_publish(actor=admin, pathway=pathway)


def _enrol(actor: User, trainee: User, pathway: Pathway, days_ago: int) -> Enrolment:
    # A completed enrolment counts too: the certificates' seed completes trainee2's, and a
    # second run must not enrol them again.
    live = Enrolment.objects.filter(trainee=trainee, pathway=pathway,
                                    status__in=["active", "paused", "completed"]).first()
    if live is not None:
        return live
    return services.enrolment_create(actor=actor, trainee=trainee, pathway=pathway,
                                     enrolled_on=timezone.localdate() - datetime.timedelta(days=days_ago))


def _resources(admin: User, submitters: list[User]) -> None:
    for index, (title, url, provider, fmt, description, topics, audience, licence, approved) in enumerate(RESOURCES):
        existing = LearningResource.objects.filter(normalised_url=normalise_url(url)).first()
        if existing is None:
            submission = services.resource_submit(submitted_by=submitters[index % len(submitters)], items=[{
                "title": title, "url": url, "provider": provider, "format": fmt, "description": description,
                "topics": topics, "audience": audience, "licence": licence, "open_access_confirmed": True,
            }])
            existing = submission.items.get()
        if approved and existing.status == ResourceStatus.PENDING:
            services.resource_approve(actor=admin, resource=existing)


def _map_resources(admin: User, literacy: Pathway) -> None:
    frs = LearningResource.objects.filter(normalised_url=normalise_url(RESOURCES[0][1]),
                                          status=ResourceStatus.APPROVED).first()
    if frs is not None and not frs.modules.exists():
        modules = literacy.modules.filter(title__in=["Platform e-learning", "Simulator basic skills"])
        competencies = Competency.objects.filter(framework=literacy.framework,
                                                 key__in=["device-knowledge", "suturing"])
        services.resource_map(actor=admin, resource=frs, modules=list(modules), competencies=list(competencies))
    notss = LearningResource.objects.filter(normalised_url=normalise_url(RESOURCES[1][1]),
                                            status=ResourceStatus.APPROVED).first()
    if notss is not None and not notss.competencies.exists():
        services.resource_map(actor=admin, resource=notss, competencies=list(Competency.objects.filter(
            framework=literacy.framework, standard__code="NTS")))


@transaction.atomic
def seed() -> None:
    admin = _user("admin@demo.rastrack.org")
    lead = _user("lead.london@demo.rastrack.org")
    trainee1 = _user("trainee1@demo.rastrack.org")
    trainee2 = _user("trainee2@demo.rastrack.org")
    framework = _framework(admin)
    pathways = {spec["code"]: _pathway(admin, framework, spec) for spec in PATHWAYS}
    literacy, console = pathways["robotic-literacy"], pathways["console-surgeon"]
    if literacy.status != Lifecycle.PUBLISHED or console.status != Lifecycle.PUBLISHED:
        return  # someone retired or re-drafted them by hand; leave their world alone

    _enrol(trainee1, trainee1, literacy, days_ago=150)
    _enrol(trainee2, trainee2, literacy, days_ago=40)
    _enrol(lead, trainee1, console, days_ago=60)

    today = timezone.localdate()
    for code, title, days_ago, provider in ELEARNING:
        component = Component.objects.get(module__pathway=pathways[code], title=title)
        completed_on = today - datetime.timedelta(days=days_ago)
        if not ELearningCompletion.objects.filter(trainee=trainee1, component__key=component.key).exists():
            services.elearning_record(trainee=trainee1, component=component, completed_on=completed_on,
                                      provider=provider)
    _resources(admin, [_user("trainer1@demo.rastrack.org"), trainee1])
    _map_resources(admin, literacy)
