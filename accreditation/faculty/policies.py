"""Who may do what in the faculty. Plain functions: the API, the web pages and the services
all call these, so the rule is the same everywhere.

Regions are the people's *current* regions (`User.region`): an applicant's, a trainer's or
a trainee's record moves with them.
"""

from __future__ import annotations

from accreditation.faculty.models import Accreditation, Assignment, FacultyScope, TrainerApplication
from rastrack.accounts.models import Profession, User
from rastrack.accounts.roles import Role
from rastrack.core.permissions import signed_in


def _leads_region_of(user: User, person: User) -> bool:
    return (
        user.has_role(Role.REGIONAL_LEAD)
        and user.region_id is not None
        and user.region_id == person.region_id
    )


# Non-surgeon professions that may hold a faculty accreditation, for bedside and team
# competencies only.
NON_SURGEON_FACULTY = (Profession.NURSE, Profession.ODP, Profession.SCP)
BEDSIDE_TEAM_SETTINGS = ("bedside", "team")
CONSOLE_COMPONENT_KINDS = ("supervised_console_cases", "independent_console_cases")


def can_apply(user: User) -> bool:
    """Any signed-in surgeon may apply to become (or stay) an accredited trainer; nurses, ODPs
    and surgical care practitioners may apply as faculty for bedside and team competencies."""
    return signed_in(user) and user.profession in (Profession.SURGEON, *NON_SURGEON_FACULTY)


def faculty_scope_for(user: User) -> str:
    """The scope a person may hold: everything for surgeons, bedside and team for the others."""
    return FacultyScope.FULL if user.profession == Profession.SURGEON else FacultyScope.BEDSIDE_TEAM


def setting_of(*, competency=None, component=None, enrolment=None) -> str:
    """console, bedside, team, general or final (an enrolment's final sign-off)."""
    if competency is not None:
        return competency.setting
    if component is not None:
        if component.kind == "bedside_assisting":
            return "bedside"
        return "console" if component.kind in CONSOLE_COMPONENT_KINDS else "general"
    return "final"


def refusal_for_faculty_scope(trainer: User, *, competency=None, component=None, enrolment=None) -> str | None:
    """Non-surgeon faculty sign off bedside and team competencies, never console ones (nor
    general competencies, components or a final sign-off); others: no limit here."""
    accreditation = Accreditation.objects.filter(trainer_id=trainer.pk).only("scope").first()
    if accreditation is None or accreditation.scope != FacultyScope.BEDSIDE_TEAM:
        return None
    setting = setting_of(competency=competency, component=component, enrolment=enrolment)
    if setting in BEDSIDE_TEAM_SETTINGS:
        return None
    what = {"console": "a console competency", "final": "a final sign-off"}.get(setting, "this")
    return (f"{trainer.full_name} is faculty for bedside and team competencies only, and this is {what}: "
            "ask a surgeon trainer.")


# The assessment tools of team and non-technical behaviour: bedside-and-team faculty assess with
# these only (console tools such as GEARS or RACE rate console work they do not assess).
TEAM_TOOLS = frozenset({"otas", "notss"})


def refusal_for_faculty_tool(trainer: User, tool_code: str) -> str | None:
    """Non-surgeon faculty assess with the team tools (OTAS, NOTSS) only; others: no limit."""
    accreditation = Accreditation.objects.filter(trainer_id=trainer.pk).only("scope").first()
    if accreditation is None or accreditation.scope != FacultyScope.BEDSIDE_TEAM or tool_code in TEAM_TOOLS:
        return None
    return (f"{trainer.full_name} is faculty for bedside and team competencies: assess with OTAS or NOTSS, "
            "or ask a surgeon trainer.")


def can_decide_application(user: User, application: TrainerApplication) -> bool:
    """A programme admin, or the regional lead of the applicant's region; never the applicant."""
    if not signed_in(user) or user.pk == application.applicant_id:
        return False
    return user.has_role(Role.PROGRAMME_ADMIN) or _leads_region_of(user, application.applicant)


def can_manage_accreditation(user: User, accreditation: Accreditation) -> bool:
    """Suspend, reinstate or revoke: a programme admin or the trainer's regional lead, never
    the trainer themself."""
    if not signed_in(user) or user.pk == accreditation.trainer_id:
        return False
    return user.has_role(Role.PROGRAMME_ADMIN) or _leads_region_of(user, accreditation.trainer)


def can_manage_assignments_for(user: User, trainee: User) -> bool:
    """Assign trainers to, and end assignments of, a trainee: a programme admin or the
    trainee's regional lead."""
    if not signed_in(user):
        return False
    return user.has_role(Role.PROGRAMME_ADMIN) or _leads_region_of(user, trainee)


def can_end_assignment(user: User, assignment: Assignment) -> bool:
    return can_manage_assignments_for(user, assignment.trainee)


def can_view_register(user: User) -> bool:
    """The faculty register (all of it for admins, their own region for leads)."""
    return signed_in(user) and user.has_role(Role.PROGRAMME_ADMIN, Role.REGIONAL_LEAD)


def can_use_decision_queue(user: User) -> bool:
    return can_view_register(user)
