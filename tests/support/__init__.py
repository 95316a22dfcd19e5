"""Support for the tests that is not data: helpers the test modules and conftest files share.

    personas.py       the names of the persona fixtures (tests/conftest.py defines them)
    services.py       needs(): skip locally, fail in CI, when PostgreSQL, Redis or Chromium is missing
    mfa.py            signing admins and leads in past the second factor
    api_clients.py    token clients, and the security world's client per persona
    races.py          callers released at the same instant, each on its own connection
    celery_workers.py real `celery worker` processes, a private Redis, publishing elsewhere
    subprocesses.py   `manage.py` in a fresh process with production variables
    browser.py        what a person does in Chromium (sign in, Tab, axe, screenshots)

Data (users, cases, labs, worlds) lives in tests/builders/.
"""
