"""The centres' part of the demo world: the London lab as an accredited skills-lab centre
whose first annual return falls due in three weeks (its lab manager submits it), Guy's as an
ERUS-style host centre with last year's return accepted, and an accredited train-the-trainer
course run at the London lab."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from accreditation.faculty.services.common import add_years
from labs.centres import services
from labs.centres.models import (
    AccreditationScheme,
    AnnualReturnStatus,
    Centre,
    CentreAccreditation,
    Course,
)
from labs.demo import LABS
from labs.models import Lab
from rastrack.accounts.models import User
from rastrack.reference.models import Site


def _accredit(admin, scheme_code, *, centre=None, course=None, since):
    scheme = AccreditationScheme.objects.get(code=scheme_code)
    existing = CentreAccreditation.objects.filter(scheme=scheme, centre=centre, course=course).first()
    return existing or services.centre_accreditation_grant(actor=admin, scheme=scheme, centre=centre,
                                                           course=course, accredited_on=since)


@transaction.atomic
def seed() -> None:
    admin = User.objects.filter(email="admin@demo.rastrack.org").first()
    lab = Lab.objects.filter(name=LABS["london"][0]).first()
    if admin is None or lab is None:
        return
    today = timezone.localdate()
    centre = Centre.objects.filter(lab=lab).first() or services.centre_create(
        actor=admin, name="London Robotics Skills Centre", lab=lab)
    # Accredited a year ago less three weeks: the first annual return is due in three weeks.
    _accredit(admin, "skills-lab-centre", centre=centre,
              since=add_years(today, -1) + datetime.timedelta(days=21))
    guys = Site.objects.filter(name="Guy's Hospital").first()
    trainer = User.objects.filter(email="trainer1@demo.rastrack.org").first()
    if guys is not None:
        host = Centre.objects.filter(site=guys).first() or services.centre_create(
            actor=admin, name="Guy's robotic host centre", site=guys, leads=[trainer] if trainer else [])
        accreditation = _accredit(admin, "erus-host-centre", centre=host,
                                  since=add_years(today, -1) - datetime.timedelta(days=40))
        first = accreditation.annual_returns.get(year=1)
        if first.status == AnnualReturnStatus.DUE and trainer is not None:
            first = services.annual_return_submit(actor=trainer, annual_return=first, figures={
                "surgeons_over_250_cases": 3, "accredited_trainers": 2, "robotic_systems": 2,
                "robotic_cases": 640}, narrative="Three console surgeons past 250 cases; a second Xi since spring.")
            services.annual_return_review(actor=admin, annual_return=first, decision=AnnualReturnStatus.ACCEPTED)
    course = Course.objects.filter(centre=centre, title="Robotic train-the-trainer course").first()
    if course is None:
        sessions = lab.sessions.filter(kind="train_the_trainer")
        course = services.course_create(actor=admin, centre=centre, title="Robotic train-the-trainer course",
                                        kind="train_the_trainer", sessions=list(sessions))
    _accredit(admin, "rcs-accredited-course", course=course, since=today - datetime.timedelta(days=200))
