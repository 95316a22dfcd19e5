"""The demo world of `manage.py seed_demo`: each app adds its part, in dependency order.

Every seeder is idempotent (keyed on natural keys such as e-mail addresses) and uses dates
relative to today, so running it twice, or on a later day, gives the same, current world.
"""

from __future__ import annotations

from accreditation.certificates import demo as certificates_demo
from accreditation.faculty import demo as faculty_demo
from accreditation.logbook import demo as logbook_demo
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
]


def seed_demo_world() -> None:
    for seed in SEEDERS:
        seed()
