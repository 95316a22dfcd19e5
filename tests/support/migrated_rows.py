"""What the migrations put in a database beyond the models' tables: the rows the data
migrations load (regions, procedures and their steps, the role groups, the assessment tools,
the simulator catalogue, the default privilege rules, the centres' accreditation schemes) and,
on PostgreSQL, the audit log's append-only trigger.

The suite's test databases are built from the models (pytest-django's `--nomigrations`, in
pyproject.toml) and completed here (`complete_schema`); a transactional test's full flush
wipes the rows, and `restore` puts them back. tests/rastrack/test_migrations.py runs the
migrations themselves from zero and checks they give the same schema and the same rows.
"""

from __future__ import annotations

import importlib


def restore() -> None:
    """The data migrations' rows, from the loaders they call (idempotent)."""
    from django.contrib.auth.models import Group

    from accreditation.logbook.models import SimulatorExercise, SimulatorExportFormat
    from accreditation.logbook.simulation import load_simulator_catalogue
    from accreditation.privileges.defaults import load_default_privilege_rules
    from accreditation.privileges.models import PrivilegeRules
    from accreditation.signoff.models import AssessmentDomain, AssessmentTool
    from accreditation.signoff.tools import load_assessment_tools
    from labs.centres.models import AccreditationScheme, SchemeCriterion
    from labs.centres.schemes import load_schemes
    from rastrack.accounts.roles_data import create_role_groups
    from rastrack.reference.catalogue import load_reference_data
    from rastrack.reference.models import Procedure, ProcedureStep, Region

    load_reference_data(Region, Procedure, ProcedureStep)
    create_role_groups(Group)
    load_assessment_tools(AssessmentTool, AssessmentDomain)
    load_simulator_catalogue(SimulatorExercise, SimulatorExportFormat)
    load_default_privilege_rules(PrivilegeRules)
    load_schemes(AccreditationScheme, SchemeCriterion)


def complete_schema(connection) -> None:
    """A database just made from the models gets what the migrations add to it."""
    trigger = importlib.import_module("rastrack.audit.migrations.0002_append_only_trigger")
    with connection.schema_editor() as editor:
        trigger.forwards(None, editor)  # PostgreSQL only; nothing on SQLite
    restore()
