"""The security suite's world: every persona, and one object of each kind on each side.

Side "own" is the trainee's (London): their cases, enrolment, certificate, ...; the London
lab; a published curriculum object. Side "others" is other_trainee's (also London, but
supervised by a trainer who is not a persona), the North West lab and trainer, a draft
curriculum object. Built once per test module through the services (so every record is as
real as one made from the API), inside a transaction that is rolled back at the end (see
`conftest.world`).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accreditation.faculty import services as faculty_services
from accreditation.faculty.models import Accreditation
from accreditation.logbook import services as logbook_services
from accreditation.logbook.models import SimulatorExercise
from accreditation.signoff import video_reviews
from curriculum import services as curriculum
from labs import services as labs
from labs.models import EquipmentKind
from rastrack.accounts.documents import document_upload
from rastrack.accounts.roles import Role
from rastrack.accounts.tokens import token_issue
from rastrack.notifications.services import notify
from rastrack.reference.models import Procedure, Region, Site
from tests.builders.certificates import certify
from tests.builders.curriculum import make_framework, make_pathway, resource_item, submit
from tests.builders.faculty import PDF, accredit, assign
from tests.builders.labs import make_session, when
from tests.builders.logbook import at_benchmark, make_case
from tests.builders.people import SiteFactory, UserFactory
from tests.builders.signoff import assess, enrol, request_signoff, small_pathway

# Every persona of the matrix, in the column order of its table; None is anonymous.
PERSONAS = [
    "trainee", "other_trainee", "assigned_trainer", "unassigned_trainer", "lab_manager",
    "other_lab_manager", "lead", "other_lead", "admin", "anon",
]


def days_ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


@dataclass
class World:
    users: dict = field(default_factory=dict)
    tokens: dict = field(default_factory=dict)
    # kind -> {"own": obj, "others": obj}
    objects: dict = field(default_factory=dict)
    extra: dict = field(default_factory=dict)

    def __getattr__(self, name):
        users = self.__dict__.get("users", {})
        if name in users:
            return users[name]
        raise AttributeError(name)

    def put(self, kind: str, own, others) -> None:
        self.objects[kind] = {"own": own, "others": others}

    def ids(self, kind: str) -> dict:
        return {side: _key(obj) for side, obj in self.objects[kind].items()}


def _key(obj):
    return getattr(obj, "code", None) if obj.__class__.__name__ == "AssessmentTool" else obj.pk


def pdf_upload(name: str = "evidence.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF + b" " * 300, content_type="application/pdf")


def build_world() -> World:
    w = World()
    london = Region.objects.get(code="london")
    north_west = Region.objects.get(code="north-west")
    u = w.users
    u["trainee"] = UserFactory(full_name="Tara Trainee", roles=[Role.TRAINEE], region=london)
    u["other_trainee"] = UserFactory(full_name="Otto Othertrainee", roles=[Role.TRAINEE], region=london)
    u["assigned_trainer"] = UserFactory(full_name="Ada Assigned", roles=[Role.TRAINER], region=london)
    u["unassigned_trainer"] = UserFactory(full_name="Uma Unassigned", roles=[Role.TRAINER], region=london)
    u["lab_manager"] = UserFactory(full_name="Lars Labmanager", roles=[Role.LAB_MANAGER], region=london)
    u["other_lab_manager"] = UserFactory(full_name="Mo Othermanager", roles=[Role.LAB_MANAGER],
                                         region=north_west)
    u["lead"] = UserFactory(full_name="Lena Lead", roles=[Role.REGIONAL_LEAD], region=london)
    u["other_lead"] = UserFactory(full_name="Nils Northwest", roles=[Role.REGIONAL_LEAD], region=north_west)
    u["admin"] = UserFactory(full_name="Pam Programme", roles=[Role.PROGRAMME_ADMIN])
    # Not personas: the other side's supervisor, and a North West trainer.
    other_trainer = UserFactory(full_name="Oscar Othertrainer", roles=[Role.TRAINER], region=london)
    nw_trainer = UserFactory(full_name="Nadia Nwtrainer", roles=[Role.TRAINER], region=north_west)
    w.extra["other_trainer"] = other_trainer
    w.extra["nw_trainer"] = nw_trainer
    trainee, other = u["trainee"], u["other_trainee"]
    admin = u["admin"]
    for name, user in u.items():
        w.tokens[name] = token_issue(user)

    own_acc = accredit(u["assigned_trainer"])
    accredit(u["unassigned_trainer"])
    accredit(other_trainer)
    nw_acc = accredit(nw_trainer)
    w.put("accreditations", own_acc, nw_acc)
    own_assignment = assign(u["assigned_trainer"], trainee)
    other_assignment = assign(other_trainer, other)
    w.put("assignments", own_assignment, other_assignment)

    # Reference data.
    w.put("regions", london, north_west)
    london_site = SiteFactory(region=london, name="St Thomas' Test Hospital")
    nw_site = SiteFactory(region=north_west, name="Salford Test Hospital")
    w.put("sites", london_site, nw_site)
    w.put("procedures", Procedure.objects.get(code="rarp"),
          Procedure.objects.exclude(code="rarp").order_by("id").first())
    from accreditation.signoff.models import AssessmentTool

    tools = list(AssessmentTool.objects.order_by("code"))
    w.put("assessment-tools", AssessmentTool.objects.get(code="gears"), tools[-1])
    w.put("simulator-exercises", SimulatorExercise.objects.get(code="dvss-ring-walk-3"),
          SimulatorExercise.objects.get(code="mimic-pick-and-place"))
    w.put("dashboards/regions", london, north_west)

    # Curriculum: published (own side) and draft (others' side) objects.
    framework = make_framework(admin)
    draft_framework = make_framework(admin, code="ras-draft", publish=False)
    literacy = make_pathway(admin, framework)
    draft_pathway = make_pathway(admin, framework, code="draft-path", title="Draft pathway", publish=False)
    w.put("frameworks", framework, draft_framework)
    w.put("standards", framework.standards.order_by("id").first(), draft_framework.standards.order_by("id").first())
    w.put("competencies", framework.competencies.get(key="comp-1-1"),
          draft_framework.competencies.get(key="comp-1-1"))
    w.put("pathways", literacy, draft_pathway)
    w.put("counting-rules", literacy, draft_pathway)
    # Never the final sign-off's module, component or requirement: those are fixed parts.
    w.put("modules", literacy.modules.exclude(is_final=True).order_by("id").first(),
          draft_pathway.modules.exclude(is_final=True).order_by("id").first())
    from curriculum.models import Component, Requirement

    w.put("components", Component.objects.filter(module__pathway=literacy, kind="e_learning").get(),
          Component.objects.filter(module__pathway=draft_pathway, kind="e_learning").get())
    w.put("requirements",
          Requirement.objects.filter(component__module__pathway=literacy, component__kind="e_learning").get(),
          Requirement.objects.filter(component__module__pathway=draft_pathway, component__kind="e_learning").get())
    w.extra["framework"] = framework
    w.extra["literacy"] = literacy
    w.extra["elearning_component"] = Component.objects.get(module__pathway=literacy, kind="e_learning")

    # Enrolments (active, on the literacy pathway) and e-learning.
    own_enrolment = enrol(trainee, literacy)
    other_enrolment = enrol(other, literacy)
    w.put("enrolments", own_enrolment, other_enrolment)
    e_comp = w.extra["elearning_component"]
    w.put("elearning-completions",
          curriculum.elearning_record(trainee=trainee, component=e_comp, completed_on=days_ago(30),
                                      provider="e-LfH"),
          curriculum.elearning_record(trainee=other, component=e_comp, completed_on=days_ago(30),
                                      provider="e-LfH"))

    # Logbook.
    for side, person, trainer in (("own", trainee, u["assigned_trainer"]), ("others", other, other_trainer)):
        w.extra[f"case_draft_{side}"] = make_case(person, status="draft", days=3)
        w.extra[f"case_submitted_{side}"] = make_case(person, status="submitted", days=4)
        w.extra[f"case_validated_{side}"] = make_case(person, trainer, status="validated", days=5)
    w.put("cases", w.extra["case_draft_own"], w.extra["case_draft_others"])
    w.put("simulator-sessions",
          logbook_services.simulator_session_create(
              trainee=trainee, actor=trainee,
              data={"date": days_ago(2), "exercise": SimulatorExercise.objects.get(code="dvss-ring-walk-3"),
                    "score": 80, "minutes": 20, "metrics": at_benchmark(
                        SimulatorExercise.objects.get(code="dvss-ring-walk-3"))}),
          logbook_services.simulator_session_create(
              trainee=other, actor=other,
              data={"date": days_ago(2), "exercise": SimulatorExercise.objects.get(code="dvss-ring-walk-3"),
                    "score": 70, "minutes": 20, "metrics": at_benchmark(
                        SimulatorExercise.objects.get(code="dvss-ring-walk-3"))}))

    # Sign-off: certificates (through the final sign-off), assessments and requests.
    console = small_pathway(admin, framework)
    competency = framework.competencies.get(key="comp-1-1")
    second = framework.competencies.get(key="comp-1-2")
    certs, approved = {}, {}
    for side, person, trainer in (("own", trainee, u["assigned_trainer"]), ("others", other, other_trainer)):
        certs[side] = certify(person, trainer, enrol(person, console), competency)
        approved[side] = person.signoff_requests.filter(competency=competency).get()
        w.extra[f"signoff_pending_{side}"] = request_signoff(person, trainer, competency=second.pk)
        w.extra[f"assessment_{side}"] = assess(trainer, person, total=20, date=days_ago(30))
    w.put("certificates", certs["own"], certs["others"])
    w.extra["signoff_approved_own"], w.extra["signoff_approved_others"] = approved["own"], approved["others"]
    w.put("signoff-requests", w.extra["signoff_pending_own"], w.extra["signoff_pending_others"])
    w.put("assessments", w.extra["assessment_own"], w.extra["assessment_others"])

    # Blinded video reviews: the trainee's rated by the unassigned trainer and the other side's
    # supervisor; the other side's by two trainers who are not personas. A spare accredited
    # trainer is nobody's rater (the body of add-rater).
    extra_rater = UserFactory(full_name="Rhea Rater", roles=[Role.TRAINER], region=north_west)
    spare_rater = UserFactory(full_name="Sam Spare", roles=[Role.TRAINER], region=north_west)
    accredit(extra_rater)
    accredit(spare_rater)
    w.extra["spare_rater"] = spare_rater
    w.put("video-reviews",
          video_reviews.video_review_open(
              actor=admin, trainee=trainee, case=w.extra["case_validated_own"], tool="gears",
              video_reference="vault:review/own-1", raters=[u["unassigned_trainer"].pk, other_trainer.pk]),
          video_reviews.video_review_open(
              actor=admin, trainee=other, case=w.extra["case_validated_others"], tool="gears",
              video_reference="vault:review/others-1", raters=[nw_trainer.pk, extra_rater.pk]))

    # Faculty applications (by trainees) and documents.
    doc_own = document_upload(owner=trainee, uploaded_by=trainee, file=pdf_upload())
    doc_other = document_upload(owner=other, uploaded_by=other, file=pdf_upload())
    w.put("documents", doc_own, doc_other)
    apps = {}
    for side, person in (("own", trainee), ("others", other)):
        apps[side] = faculty_services.trainer_application_create(
            applicant=person, kind="initial", specialty="urology", platforms=["davinci_xi"],
            independent_console_cases=60, statement="I have run the robotic list for two years.",
            train_the_trainer_completed_on=days_ago(100))
    w.put("trainer-applications", apps["own"], apps["others"])

    # Notifications and users.
    w.put("notifications",
          notify(recipient=trainee, kind="test", subject="Yours", body="For you", key=f"sec-{trainee.pk}"),
          notify(recipient=other, kind="test", subject="Theirs", body="For them", key=f"sec-{other.pk}"))
    w.put("users", trainee, other)
    w.put("fhir", trainee, other)  # /api/v1/fhir/Practitioner/{id}/: a person

    # Learning resources: an approved one (everyone sees it) and other_trainee's pending one.
    approved_res = submit(trainee, resource_item(1)).items.get()
    curriculum.resource_approve(actor=admin, resource=approved_res)
    pending_res = submit(other, resource_item(2)).items.get()
    w.put("resources", approved_res, pending_res)

    # Labs: London (lab_manager) and North West (other_lab_manager).
    lab = labs.lab_create(actor=admin, name="London Test Skills Lab", region=london, site=london_site,
                          managers=[u["lab_manager"]])
    nw_lab = labs.lab_create(actor=admin, name="North West Test Skills Lab", region=north_west, site=nw_site,
                             managers=[u["other_lab_manager"]])
    w.put("labs", lab, nw_lab)
    w.put("lab-equipment",
          labs.equipment_create(actor=u["lab_manager"], lab=lab, kind=EquipmentKind.BOX_TRAINER,
                                model="Box trainer", count=4),
          labs.equipment_create(actor=u["other_lab_manager"], lab=nw_lab, kind=EquipmentKind.BOX_TRAINER,
                                model="Box trainer", count=4))
    session = make_session(lab, u["lab_manager"], seats=4, faculty=[u["assigned_trainer"]])
    nw_session = make_session(nw_lab, u["other_lab_manager"], seats=4)
    w.put("lab-sessions", session, nw_session)
    w.put("bookings", labs.booking_create(trainee=trainee, session=session),
          labs.booking_create(trainee=other, session=nw_session))
    # A session that has started, with bookings that can be marked attended / no-show.
    past = make_session(lab, u["lab_manager"], starts_at=when(weeks=-1), seats=4,
                        faculty=[u["assigned_trainer"]])
    past_nw = make_session(nw_lab, u["other_lab_manager"], starts_at=when(weeks=-1), seats=4)
    w.extra["booking_past_own"] = labs.booking_create(
        trainee=trainee, session=past, now=past.starts_at - datetime.timedelta(days=3))
    w.extra["booking_past_others"] = labs.booking_create(
        trainee=other, session=past_nw, now=past_nw.starts_at - datetime.timedelta(days=3))
    w.extra["session_free"] = make_session(lab, u["lab_manager"], starts_at=when(weeks=2, weekday=3), seats=4)
    # Team sessions (seats by role): future ones to book a team, started ones to record.
    roster = [{"role": "console_surgeon", "seats": 2}, {"role": "scrub_nurse", "seats": 2}]
    for side, the_lab, manager, faculty, member in (
            ("own", lab, u["lab_manager"], [u["assigned_trainer"]], trainee),
            ("others", nw_lab, u["other_lab_manager"], [], other)):
        w.extra[f"team_future_{side}"] = make_session(the_lab, manager, kind="team_training", seats=None,
                                                      roles=roster, starts_at=when(weeks=2, weekday=4),
                                                      faculty=faculty)
        team_past = make_session(the_lab, manager, kind="team_training", seats=None, roles=roster,
                                 starts_at=when(weeks=-1, weekday=4), faculty=faculty)
        labs.booking_create(trainee=member, session=team_past, role="console_surgeon",
                            now=team_past.starts_at - datetime.timedelta(days=3))
        w.extra[f"team_past_{side}"] = team_past
    _centres(w, admin, lab, nw_lab, u)
    w.extra["session_future"] = when(weeks=3, weekday=2, hour=9)
    w.extra["open_pathway"] = make_pathway(admin, framework, code="open-path", title="Open pathway")
    _privileges(w, london_site, nw_site, other_trainer=other_trainer, nw_trainer=nw_trainer)
    # Pending invitations: a trainee invited to London by its lead, one to the North West by its.
    from rastrack.accounts.services import invitation_create

    w.put("invitations", *(invitation_create(invited_by=inviter, email=f"invited.{side}@example.org",
                                             full_name=f"Ivy Invited {side}", roles=[Role.TRAINEE],
                                             region=region)[0]
                           for side, inviter, region in (("own", u["lead"], london),
                                                         ("others", u["other_lead"], north_west))))
    assert Accreditation.objects.count() == 6  # with the two review-only raters
    assert Site.objects.filter(pk=london_site.pk).exists()
    return w


def _privileges(w: World, london_site, nw_site, *, other_trainer, nw_trainer) -> None:
    """Privileges: the trainee's at the London site, other_trainee's at the North West site,
    one per state the actions start from; a proctor report on each side's provisional one."""
    from accreditation.privileges import services as privileges
    from accreditation.privileges.models import PrivilegeRules
    from tests.builders.privileges import make_group, report

    admin = w.users["admin"]
    group = make_group()
    second = make_group("nephrectomy", procedures=("rapn",))
    w.put("procedure-groups", group, second)
    w.put("privilege-rules", PrivilegeRules.objects.get(site__isnull=True),
          privileges.privilege_rules_set(actor=admin, site=nw_site, values={"max_gap_days": 90}))
    w.extra["privilege_group"] = group
    for side, surgeon, site, proctor in (("own", w.trainee, london_site, w.users["assigned_trainer"]),
                                         ("others", w.other_trainee, nw_site, nw_trainer)):
        def ask(platform, grp, surgeon=surgeon, site=site):
            return privileges.privilege_request(surgeon=surgeon, site=site, platform=platform, procedure_group=grp,
                                                today=days_ago(20))
        w.extra[f"privilege_requested_{side}"] = ask("davinci_x", group)
        provisional = privileges.privilege_grant_provisional(
            privilege=ask("davinci_xi", group), actor=admin, proctor=proctor, today=days_ago(10))
        w.extra[f"privilege_provisional_{side}"] = provisional
        suspended = privileges.privilege_grant_provisional(privilege=ask("davinci_xi", second), actor=admin,
                                                           today=days_ago(10))
        w.extra[f"privilege_suspended_{side}"] = privileges.privilege_suspend(
            privilege=suspended, actor=admin, reason="Review.")
        w.extra[f"proctor_report_{side}"] = report(provisional, w.extra[f"case_validated_{side}"],
                                                   recommendation="continue_proctoring")
        w.extra[f"privilege_site_{side}"] = site
    w.put("privileges", w.extra["privilege_provisional_own"], w.extra["privilege_provisional_others"])
    from tests.builders.privileges import make_site_lead

    w.put("site-leads", make_site_lead(london_site, admin, full_name="Sally Sitelead").site_leaderships.get(),
          make_site_lead(nw_site, admin, full_name="Seth Sitelead").site_leaderships.get())
    w.put("proctor-reports", w.extra["proctor_report_own"], w.extra["proctor_report_others"])


def _centres(w: World, admin, lab, nw_lab, u) -> None:
    """Accredited centres (the two labs), a course each, accreditations with annual returns
    (one due, one submitted each side), two schemes, and an attended session each trainee
    may give feedback on."""
    from labs.centres import services as centres
    from labs.centres.models import AccreditationScheme

    erus, skills = (AccreditationScheme.objects.get(code=c) for c in ("erus-host-centre", "skills-lab-centre"))
    w.put("accreditation-schemes", erus, skills)
    centre = centres.centre_create(actor=admin, name="London Test Centre", lab=lab)
    nw_centre = centres.centre_create(actor=admin, name="North West Test Centre", lab=nw_lab)
    w.put("centres", centre, nw_centre)
    w.put("courses", centres.course_create(actor=admin, centre=centre, title="Console course", kind="platform"),
          centres.course_create(actor=admin, centre=nw_centre, title="Console course", kind="platform"))
    figures = {"sessions_run": 20, "robotic_systems": 2}
    accreditations = {}
    for side, the_centre, manager in (("own", centre, u["lab_manager"]), ("others", nw_centre, u["other_lab_manager"])):
        accreditation = centres.centre_accreditation_grant(actor=admin, scheme=skills, centre=the_centre,
                                                           accredited_on=days_ago(400))
        accreditations[side] = accreditation
        first, second = accreditation.annual_returns.order_by("year")
        w.extra[f"annual_return_submitted_{side}"] = centres.annual_return_submit(
            actor=manager, annual_return=first, figures=figures)
        w.extra[f"annual_return_due_{side}"] = second
    w.put("centre-accreditations", accreditations["own"], accreditations["others"])
    w.put("annual-returns", w.extra["annual_return_due_own"], w.extra["annual_return_due_others"])
    for person, the_lab, manager in ((w.trainee, lab, u["lab_manager"]), (w.other_trainee, nw_lab, u["other_lab_manager"])):
        attended = make_session(the_lab, manager, starts_at=when(weeks=-2, weekday=2), seats=2)
        booking = labs.booking_create(trainee=person, session=attended, now=attended.starts_at - datetime.timedelta(days=3))
        labs.booking_mark_attendance(actor=manager, booking=booking, attended=True)
        w.extra[f"feedback_session_{person.pk}"] = attended
