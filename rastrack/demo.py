"""The demo world of `manage.py seed_demo`: each app adds its part, in dependency order.

Every seeder is idempotent (keyed on natural keys such as e-mail addresses) and uses dates
relative to today, so running it twice, or on a later day, gives the same, current world.
"""

from __future__ import annotations

from accreditation.certificates import demo as certificates_demo
from accreditation.faculty import demo as faculty_demo
from accreditation.logbook import demo as logbook_demo
from accreditation.privileges import demo as privileges_demo
from accreditation.signoff import demo as signoff_demo
from curriculum import demo as curriculum_demo
from labs import demo as labs_demo
from labs.centres import demo as centres_demo
from rastrack.accounts import demo as accounts_demo
from rastrack.reference import demo as reference_demo

# Each app's seeder, run in this order.
SEEDERS = [
    reference_demo.seed,
    accounts_demo.seed,
    curriculum_demo.seed,
    faculty_demo.seed,
    logbook_demo.seed,
    signoff_demo.seed,
    labs_demo.seed,
    centres_demo.seed,
    # Last: trainee2 completes Robotic literacy on the evidence above and gets the certificate.
    certificates_demo.seed,
    # After the logbook: privileges rest on validated cases and proctor reports.
    privileges_demo.seed,
]

DEMO_LOGINS = [
    ("admin@demo.rastrack.org", "programme admin"),
    ("lead.london@demo.rastrack.org", "regional lead, London"),
    ("lead.northwest@demo.rastrack.org", "regional lead, North West"),
    ("trainer1@demo.rastrack.org", "trainer, London"),
    ("trainer2@demo.rastrack.org", "trainer, London"),
    ("trainee1@demo.rastrack.org", "trainee, London"),
    ("trainee2@demo.rastrack.org", "trainee, London"),
    ("trainee3@demo.rastrack.org", "trainee, North West"),
    ("labmanager1@demo.rastrack.org", "lab manager, London"),
    ("labmanager.northwest@demo.rastrack.org", "lab manager, North West"),
    ("trainer.northwest@demo.rastrack.org", "trainer, North West"),
    ("trainer.lapsed@demo.rastrack.org", "trainer (accreditation lapsed), London"),
    ("applicant@demo.rastrack.org", "trainee applying to be a trainer, London"),
    ("applicant2@demo.rastrack.org", "trainee applying to be a trainer, North West"),
    ("nurse.faculty@demo.rastrack.org", "nurse faculty (bedside and team competencies), London"),
    ("scrub.nurse@demo.rastrack.org", "scrub nurse in the team crisis drill, London"),
    ("sitelead.guys@demo.rastrack.org", "site robotic lead, Guy's Hospital"),
    ("consultant@demo.rastrack.org", "consultant converting to robotic surgery, provisional privileges, London"),
]


def seed_demo_world() -> None:
    from dashboards.summary_rebuild import rebuild_summaries

    for seed in SEEDERS:
        seed()
    # The seeders write through the services, which keep the summary tables; a few rows are
    # backdated behind them, and a reseed over an older world must not keep its drift.
    rebuild_summaries(record=False)


def empty_the_database() -> None:
    """Every row gone (Django's `flush`), then the rows the data migrations make put back
    (regions, procedures and their steps, role groups, assessment tools, the simulator
    catalogue): the database as `migrate` leaves it, ready for a fresh demo world."""
    from django.contrib.auth.models import Group
    from django.core.management import call_command

    from accreditation.logbook.models import SimulatorExercise, SimulatorExportFormat
    from accreditation.logbook.simulation import load_simulator_catalogue
    from accreditation.signoff.models import AssessmentDomain, AssessmentTool
    from accreditation.signoff.tools import load_assessment_tools
    from rastrack.accounts.roles_data import create_role_groups
    from rastrack.reference.catalogue import load_reference_data
    from rastrack.reference.models import Procedure, ProcedureStep, Region

    call_command("flush", interactive=False, verbosity=0)
    load_reference_data(Region, Procedure, ProcedureStep)
    create_role_groups(Group)
    load_assessment_tools(AssessmentTool, AssessmentDomain)
    load_simulator_catalogue(SimulatorExercise, SimulatorExportFormat)
