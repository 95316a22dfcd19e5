"""The links each role sees in the header and on its home page.

Each app adds its journeys here as they are built: (label, URL name, roles, description).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from rastrack.accounts.roles import Role


@dataclass(frozen=True)
class Link:
    label: str
    url_name: str
    roles: frozenset[str]
    description: str = ""

    @property
    def url(self) -> str:
        return reverse(self.url_name)


_ALL = frozenset(Role.values)
_ADMINS = frozenset({Role.PROGRAMME_ADMIN, Role.REGIONAL_LEAD})

LINKS: list[Link] = [
    Link("Home", "home", _ALL, "Your starting page."),
    Link("Notifications", "notifications:inbox", _ALL, "Messages about your training and reviews."),
    Link("Dashboard", "dashboards:home", _ADMINS,
         "Faculty, lab seats, sign-offs, trainee progress and cases: national (programme admins) or your region."),
    Link("My dashboard", "dashboards:trainee", frozenset({Role.TRAINEE}),
         "Your progress against each requirement, what to do next and your upcoming lab bookings."),
    Link("Trainer dashboard", "dashboards:trainer", frozenset({Role.TRAINER}),
         "Your trainees' progress, and the cases and sign-offs waiting for you, oldest first."),
    Link("People", "accounts:people", _ADMINS, "Invite people and manage their accounts."),
    Link("Log a case", "accreditation:logbook-new", frozenset({Role.TRAINEE}),
         "Log a robotic case from your phone: it keeps an unsent case if the signal drops."),
    Link("My logbook", "accreditation:logbook", frozenset({Role.TRAINEE}),
         "Your cases with totals by role, platform and procedure; CSV import and export."),
    Link("Learning curve", "accreditation:logbook-curve", frozenset({Role.TRAINEE}),
         "Your console time by case number and its CUSUM, per procedure."),
    Link("Validation queue", "accreditation:logbook-queue", frozenset({Role.TRAINER}),
         "Logbook cases waiting for your validation, oldest first; your trainees' logbooks."),
    Link("Sign-off requests", "accreditation:signoff-list",
         frozenset({Role.TRAINEE, Role.TRAINER, Role.REGIONAL_LEAD, Role.PROGRAMME_ADMIN}),
         "Ask a trainer to sign off a competency, a module component or a whole pathway; follow decisions."),
    Link("Sign-off queue", "accreditation:signoff-queue", frozenset({Role.TRAINER}),
         "Sign-off requests waiting for your decision, oldest first; overdue ones highlighted."),
    Link("Assessments", "accreditation:assessments",
         frozenset({Role.TRAINEE, Role.TRAINER, Role.REGIONAL_LEAD, Role.PROGRAMME_ADMIN}),
         "GEARS and entrustment assessments, blinded self-assessment and calibration."),
    Link("My certificates", "accreditation:certificates-mine", frozenset({Role.TRAINEE}),
         "Your certificates of completed pathways: the PDF and the public verification link."),
    Link("Certificates", "accreditation:certificates",
         frozenset({Role.TRAINER, Role.REGIONAL_LEAD, Role.PROGRAMME_ADMIN}),
         "Certificates of the trainees you see; programme admins revoke them here."),
    Link("Portfolio export", "accreditation:portfolio",
         frozenset({Role.TRAINEE, Role.TRAINER, Role.REGIONAL_LEAD, Role.PROGRAMME_ADMIN}),
         "A trainee's logbook, assessments, sign-offs, progress and certificates as PDF or CSV, for ARCP and appraisal."),
    Link("Curriculum", "curriculum:pathways", _ALL,
         "Training pathways, their modules and what each requires."),
    Link("Training progress", "curriculum:enrolments",
         frozenset({Role.TRAINEE, Role.TRAINER, Role.REGIONAL_LEAD, Role.PROGRAMME_ADMIN}),
         "Enrolments on pathways and progress against every requirement."),
    Link("Learning resources", "curriculum:resources", _ALL,
         "Free, open-access learning material: search it, or suggest some."),
    Link("Curriculum authoring", "curriculum:versions", frozenset({Role.PROGRAMME_ADMIN}),
         "Edit drafts of the standards and pathways, compare, preview and publish them, "
         "and move cohorts onto a new version."),
    Link("Resource moderation", "curriculum:moderation", frozenset({Role.PROGRAMME_ADMIN}),
         "Approve or reject the learning resources people have suggested."),
    Link("Procedure catalogue", "reference:procedures", _ALL,
         "Robotic procedures and their steps, as logged in the logbook."),
    Link("Maintain the catalogue", "reference:catalogue", frozenset({Role.PROGRAMME_ADMIN}),
         "Change procedures' names, OPCS-4 codes and ordered steps; each change is a new version."),
    Link("Faculty register", "accreditation:register", _ADMINS,
         "Accredited RAS trainers by region, specialty and platform, with their trainee load."),
    Link("Accreditation decisions", "accreditation:queue", _ADMINS,
         "Trainer applications waiting for a decision, oldest first."),
    Link("Trainer assignments", "accreditation:assignments", _ADMINS,
         "Assign accredited trainers to trainees, and end assignments."),
    Link("My trainer accreditation", "accreditation:mine",
         frozenset({Role.TRAINER, Role.TRAINEE, Role.REGIONAL_LEAD}),
         "Your accreditation as an RAS trainer: apply, renew, your trainees."),
    Link("Skills labs", "labs:directory", _ALL,
         "Regional skills labs, their equipment and a week calendar of sessions to book."),
    Link("My bookings", "labs:my-bookings", frozenset({Role.TRAINEE}),
         "Your lab session bookings and waitlist places: cancel one you cannot attend."),
    Link("Manage labs", "labs:manage", frozenset({Role.LAB_MANAGER}),
         "Equipment, sessions, attendance and capacity of the labs you manage."),
    Link("Lab capacity", "labs:capacity", _ADMINS,
         "Lab seats offered, booked and attended, no-shows and waitlist demand by month."),
    Link("Robotic privileges", "accreditation:privileges", _ALL,
         "Privileges per site, platform and procedure group: request one, or as a site's robotic lead grant, "
         "suspend and review them."),
    Link("Is a surgeon cleared?", "accreditation:clearance",
         frozenset({Role.SITE_LEAD, Role.REGIONAL_LEAD, Role.PROGRAMME_ADMIN, Role.TRAINEE, Role.TRAINER}),
         "The theatre's lookup: cleared today for this procedure on this robot, and under whom."),
    Link("Accredited centres", "labs:centres", frozenset({Role.PROGRAMME_ADMIN, Role.REGIONAL_LEAD, Role.LAB_MANAGER}),
         "Accredited centres and courses, their annual returns and trainees' feedback in aggregate."),
    Link("API documentation", "api-docs", _ALL, "The REST API for integrations and apps."),
]


def links_for(user) -> list[Link]:
    roles = user.role_names
    return [link for link in LINKS if roles & link.roles]


def nav_links(request) -> dict:
    """Template context processor: the signed-in user's navigation links."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_links": []}
    return {"nav_links": links_for(user)}
