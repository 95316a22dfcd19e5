"""Fault suite fixtures: the London lab (tests/builders/labs.py). The helpers the fault tests
share live in tests/support/ (races.py, api_clients.py, celery_workers.py)."""

from tests.builders.labs import lab_fixture, london_site_fixture  # noqa: F401 - fixtures
