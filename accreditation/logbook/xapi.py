"""The logbook's xAPI statement: a validated case (README "xAPI")."""

from __future__ import annotations

from rastrack.notifications.xapi import activity, actor, iri, xapi_record


def case_validated(case) -> None:
    """`<trainee> completed <case>`, as the trainer confirmed it, instructor = the validator."""
    xapi_record(
        key=f"case.validated:{case.pk}", who=case.trainee, verb="completed",
        what=activity("case", case.pk, f"{case.procedure.name}, {case.date:%-d %B %Y}"),
        timestamp=case.decided_at,
        result={"completion": True, "extensions": {
            iri("extensions/role"): case.validated_role, iri("extensions/supervision-code"): case.validated_supervision,
            iri("extensions/console-minutes"): case.console_minutes}},
        context={"instructor": actor(case.decided_by), "extensions": {
            iri("extensions/procedure"): case.procedure.code, iri("extensions/platform"): case.platform}},
    )
