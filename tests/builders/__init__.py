"""Builders: the data the tests stand on, made the way the product makes it.

One module per context, mirroring the product tree; test modules and conftest files import
from here, never from each other (tests/test_layout.py checks it):

    people.py        users (UserFactory, with roles and a region), sites, the test password
    dates.py         days_ago()
    faculty.py       accreditations, assignments, evidence documents, a trainer application
    curriculum.py    a published framework and pathway, learning resources, a small PDF
    logbook.py       make_case(): a case submitted and validated through the services
    signoff.py       GEARS scores, assessments, sign-off requests, the small sign-off pathway
    certificates.py  a certificate reached the real way, PDF text
    labs.py          session times, sessions, past bookings; the London and North West labs
    dashboards.py    the dashboards' small hand-computed world
    security.py      the security suite's world: every persona, an object of each kind per side
    demo.py          the shared, seeded demo world (`demo_world`) for the tests that only read it

factory_boy where a model is made directly (UserFactory, SiteFactory); otherwise functions
that call the services, so that every record is as real as one made from the API.

Fixtures that several modules share are defined here as `<name>_fixture` with
`name="<name>"`: a module (or a conftest) imports `case_fixture` and asks for `case`.
"""
