"""How the matrix calls each operation: which object, which body, which query.

`TARGETS` maps an operation to the world object its `{id}` (or `{code}`) stands for, when
that is not simply the object of the path's first segment (a submitted case for
`validate`, an approved sign-off for `reverse`, a started session's booking for
`attended`). `BODIES` gives each write a body that succeeds for a persona allowed to do it,
so that the matrix measures the authorization decision, not a validation error.
"""

from __future__ import annotations

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile

from accreditation.logbook.csv_template import COLUMNS
from accreditation.privileges.proctoring import CHECKLIST_CODES
from tests.builders.curriculum import resource_item
from tests.builders.people import PASSWORD
from tests.builders.security import days_ago, pdf_upload
from tests.builders.signoff import gears

# (method, path) -> world.extra prefix; the side ("own" / "others") is appended.
TARGETS = {
    ("POST", "/api/v1/cases/{id}/validate/"): "case_submitted",
    ("POST", "/api/v1/cases/{id}/reject/"): "case_submitted",
    ("GET", "/api/v1/cases/{id}/outcomes/"): "case_validated",
    ("POST", "/api/v1/cases/{id}/outcomes/"): "case_validated",
    ("POST", "/api/v1/signoff-requests/{id}/reverse/"): "signoff_approved",
    ("POST", "/api/v1/bookings/{id}/attended/"): "booking_past",
    ("POST", "/api/v1/bookings/{id}/no_show/"): "booking_past",
    ("POST", "/api/v1/lab-sessions/{id}/book_team/"): "team_future",
    ("POST", "/api/v1/lab-sessions/{id}/record_team/"): "team_past",
    ("POST", "/api/v1/privileges/{id}/grant_provisional/"): "privilege_requested",
    ("POST", "/api/v1/privileges/{id}/grant_full/"): "privilege_provisional",
    ("POST", "/api/v1/privileges/{id}/suspend/"): "privilege_provisional",
    ("POST", "/api/v1/privileges/{id}/reinstate/"): "privilege_suspended",
    ("POST", "/api/v1/privileges/{id}/revoke/"): "privilege_provisional",
    ("POST", "/api/v1/privileges/{id}/assign_proctor/"): "privilege_provisional",
    ("POST", "/api/v1/annual-returns/{id}/review/"): "annual_return_submitted",
}

# Collection operations that are asked about one side's trainee through a query parameter.
SIDED_QUERIES = {
    ("GET", "/api/v1/cases/learning-curve/"): lambda w, t: {"procedure": w.objects["procedures"]["own"].pk,
                                                            "trainee": t.pk},
    ("GET", "/api/v1/cases/export/"): lambda w, t: {"trainee": t.pk},
    ("GET", "/api/v1/assessments/calibration/"): lambda w, t: {"trainee": t.pk},
    ("GET", "/api/v1/portfolio/export/"): lambda w, t: {"trainee": t.pk, "as": "csv"},
    ("GET", "/api/v1/clearance/"): lambda w, t: {
        "surgeon": t.pk, "platform": "davinci_xi", "procedure": w.objects["procedures"]["own"].pk,
        "site": w.extra["privilege_site_own" if t.pk == w.trainee.pk else "privilege_site_others"].pk},
}


def _case_body(w) -> dict:
    return {"date": days_ago(1).isoformat(), "site": w.objects["sites"]["own"].pk, "platform": "davinci_xi",
            "procedure": w.objects["procedures"]["own"].pk, "role": "console_part", "supervision": "S-TS",
            "console_minutes": 60, "total_minutes": 180, "notes": "Smooth docking."}


def _csv(w) -> SimpleUploadedFile:
    row = {c: "" for c in COLUMNS}
    row.update(date=days_ago(1).isoformat(), site=w.objects["sites"]["own"].name, platform="davinci_xi",
               procedure=w.objects["procedures"]["own"].name, role="console_part", supervision="S-TS",
               console_minutes="60", total_minutes="180")
    text = ",".join(COLUMNS) + "\n" + ",".join(row[c] for c in COLUMNS) + "\n"
    return SimpleUploadedFile("logbook.csv", text.encode(), content_type="text/csv")


def _starts(w) -> datetime.datetime:
    return w.extra["session_future"]


def _draft(w, kind):
    return w.objects[kind]["others"]


# (method, path) -> body(world, persona_name) ; multipart bodies are marked with MULTIPART.
MULTIPART = {("POST", "/api/v1/cases/import/"), ("POST", "/api/v1/documents/"),
             ("POST", "/api/v1/cases/import-elogbook/"), ("POST", "/api/v1/simulator-sessions/import/")}


def _exercise(code):
    from accreditation.logbook.models import SimulatorExercise

    return SimulatorExercise.objects.get(code=code)


def _simulator_export(w) -> SimpleUploadedFile:
    metrics = _exercise("mimic-pick-and-place").metrics
    text = ("exercise,date,minutes," + ",".join(m["name"] for m in metrics) + "\n"
            f"mimic-pick-and-place,{days_ago(1).isoformat()},20," + ",".join(str(m["benchmark"]) for m in metrics)
            + "\n")
    return SimpleUploadedFile("export.csv", text.encode(), content_type="text/csv")


_NEW_EXERCISE = {"code": "new-exercise", "simulator": "other", "platform": "", "name": "New exercise",
                 "metrics": [{"name": "time", "unit": "s", "better": "lower", "benchmark": 100}],
                 "pass_rule": "all_metrics"}


def _elogbook(w) -> SimpleUploadedFile:
    text = ("Date,Procedure,Supervision,Hospital,Console minutes\n"
            f"{days_ago(1):%d/%m/%Y},{w.objects['procedures']['own'].name},S-TS,{w.objects['sites']['own'].name},60\n")
    return SimpleUploadedFile("elogbook.csv", text.encode(), content_type="text/csv")

def _feedback_body(w, persona) -> dict:
    person = {"trainee": w.trainee, "other_trainee": w.other_trainee}.get(persona, w.trainee)
    return {"session": w.extra[f"feedback_session_{person.pk}"].pk, "overall": 4, "content": 4, "faculty": 5,
            "facilities": 3, "would_recommend": True}


BODIES = {
    ("PATCH", "/api/v1/procedures/{id}/"): lambda w, p, o=None: {"snomed": "90470006"},
    ("POST", "/api/v1/centres/"): lambda w, p, o=None: {"name": "A new centre", "site": w.objects["sites"]["own"].pk},
    ("POST", "/api/v1/courses/"): lambda w, p, o=None: {"centre": w.objects["centres"]["own"].pk,
                                                        "title": "Team crisis course", "kind": "team"},
    ("POST", "/api/v1/centre-accreditations/"): lambda w, p, o=None: {
        "scheme": w.objects["accreditation-schemes"]["own"].pk, "centre": w.objects["centres"]["own"].pk,
        "accredited_on": days_ago(10).isoformat()},
    ("POST", "/api/v1/centre-accreditations/{id}/withdraw/"): lambda w, p, o=None: {},
    ("POST", "/api/v1/annual-returns/{id}/submit/"): lambda w, p, o=None: {
        "figures": {"sessions_run": 14, "robotic_systems": 1}, "narrative": "On track."},
    ("POST", "/api/v1/annual-returns/{id}/review/"): lambda w, p, o=None: {"decision": "accepted"},
    ("POST", "/api/v1/feedback/"): lambda w, p, o=None: _feedback_body(w, p),
    ("POST", "/api/v1/accreditations/{id}/reinstate/"): lambda w, p, o=None: {"reason": "Review complete."},
    ("POST", "/api/v1/accreditations/{id}/revoke/"): lambda w, p, o=None: {"reason": "Conduct review upheld."},
    ("POST", "/api/v1/accreditations/{id}/suspend/"): lambda w, p, o=None: {"reason": "Conduct review opened."},
    ("POST", "/api/v1/assessments/"): lambda w, p, o=None: {
        "trainee": w.trainee.pk, "tool": "gears", "scores": gears(18),
        "case": w.extra["case_submitted_own"].pk, "feedback": "Good camera control."},
    ("POST", "/api/v1/assignments/"): lambda w, p, o=None: {
        "trainer": w.unassigned_trainer.pk, "trainee": w.trainee.pk, "kind": "clinical_supervisor"},
    ("POST", "/api/v1/assignments/{id}/end/"): lambda w, p, o=None: {},
    ("POST", "/api/v1/auth/token/"): lambda w, p, o=None: {
        "username": (w.users.get(p) or w.trainee).email, "password": PASSWORD},
    ("POST", "/api/v1/bookings/"): lambda w, p, o=None: {"session": w.extra["session_free"].pk},
    ("POST", "/api/v1/bookings/{id}/attended/"): lambda w, p, o=None: {},
    ("POST", "/api/v1/bookings/{id}/cancel/"): lambda w, p, o=None: {},
    ("POST", "/api/v1/bookings/{id}/no_show/"): lambda w, p, o=None: {},
    ("POST", "/api/v1/cases/"): lambda w, p, o=None: _case_body(w),
    ("PUT", "/api/v1/cases/{id}/"): lambda w, p, o=None: _case_body(w),
    ("PATCH", "/api/v1/cases/{id}/"): lambda w, p, o=None: {"notes": "Edited."},
    ("POST", "/api/v1/cases/{id}/reject/"): lambda w, p, o=None: {"reason": "Wrong procedure."},
    ("POST", "/api/v1/cases/{id}/outcomes/"): lambda w, p, o=None: {"followup_days": 30, "readmitted": False,
                                                                   "length_of_stay_days": 2},
    ("POST", "/api/v1/cases/{id}/submit/"): lambda w, p, o=None: {},
    ("POST", "/api/v1/cases/{id}/validate/"): lambda w, p, o=None: {},
    ("POST", "/api/v1/cases/import/"): lambda w, p, o=None: {"file": _csv(w), "dry_run": "true"},
    ("POST", "/api/v1/cases/import-elogbook/"): lambda w, p, o=None: {"file": _elogbook(w), "dry_run": "true"},
    ("POST", "/api/v1/cases/validate-batch/"): lambda w, p, o=None: {"cases": [{"id": w.extra["case_submitted_own"].pk}]},
    ("POST", "/api/v1/certificates/{id}/revoke/"): lambda w, p, o=None: {"reason": "Issued in error."},
    ("POST", "/api/v1/competencies/"): lambda w, p, o=None: {
        "standard": _draft(w, "standards").pk, "code": "S1.9", "title": "New competency"},
    ("PATCH", "/api/v1/competencies/{id}/"): lambda w, p, o=None: {"title": "Renamed"},
    ("POST", "/api/v1/components/"): lambda w, p, o=None: {
        "module": _draft(w, "modules").pk, "title": "New component", "kind": "dry_lab"},
    ("PATCH", "/api/v1/components/{id}/"): lambda w, p, o=None: {"title": "Renamed"},
    ("POST", "/api/v1/documents/"): lambda w, p, o=None: {"file": pdf_upload()},
    ("POST", "/api/v1/elearning-completions/"): lambda w, p, o=None: {
        "component": w.extra["elearning_component"].pk, "completed_on": days_ago(10).isoformat(),
        "provider": "e-LfH"},
    ("POST", "/api/v1/enrolments/"): lambda w, p, o=None: (
        {"pathway": w.extra["open_pathway"].pk} if p in ("trainee", "other_trainee")
        else {"pathway": w.extra["open_pathway"].pk, "trainee": w.trainee.pk}),
    ("POST", "/api/v1/enrolments/{id}/pause/"): lambda w, p, o=None: {"kind": "out_of_programme", "reason": "Leave."},
    ("POST", "/api/v1/enrolments/{id}/resume/"): lambda w, p, o=None: {},
    ("POST", "/api/v1/enrolments/{id}/withdraw/"): lambda w, p, o=None: {"reason": "Changed programme."},
    ("POST", "/api/v1/frameworks/"): lambda w, p, o=None: {"code": "new-fw", "title": "New framework"},
    ("PATCH", "/api/v1/frameworks/{id}/"): lambda w, p, o=None: {"title": "Renamed"},
    ("POST", "/api/v1/frameworks/{id}/new-version/"): lambda w, p, o=None: {},
    ("POST", "/api/v1/frameworks/{id}/publish/"): lambda w, p, o=None: {},
    ("POST", "/api/v1/frameworks/{id}/retire/"): lambda w, p, o=None: {},
    ("POST", "/api/v1/invitations/"): lambda w, p, o=None: {
        "email": "new.person@example.org", "full_name": "New Person", "roles": ["trainee"],
        "region": w.objects["regions"]["own"].pk},
    ("POST", "/api/v1/lab-equipment/"): lambda w, p, o=None: {
        "lab": w.objects["labs"]["own"].pk, "kind": "box_trainer", "model": "Box trainer 2", "count": 1},
    ("PUT", "/api/v1/lab-equipment/{id}/"): lambda w, p, o=None: {
        "kind": "box_trainer", "model": "Box trainer", "count": 3, "status": "available", "notes": ""},
    ("PATCH", "/api/v1/lab-equipment/{id}/"): lambda w, p, o=None: {"notes": "Serviced."},
    ("POST", "/api/v1/lab-sessions/"): lambda w, p, o=None: {
        "lab": w.objects["labs"]["own"].pk, "kind": "dry_lab", "starts_at": _starts(w).isoformat(),
        "ends_at": (_starts(w) + datetime.timedelta(hours=2)).isoformat(), "seats": 2},
    ("PATCH", "/api/v1/lab-sessions/{id}/"): lambda w, p, o=None: {"seats": 4},
    ("POST", "/api/v1/lab-sessions/{id}/cancel/"): lambda w, p, o=None: {"reason": "Faculty unwell."},
    # A trainee books the team they are in; anyone else books the world's trainee.
    ("POST", "/api/v1/lab-sessions/{id}/book_team/"): lambda w, p, o=None: {"members": [
        {"trainee": w.users[p if p in ("trainee", "other_trainee") else "trainee"].pk, "role": "scrub_nurse"}]},
    ("POST", "/api/v1/lab-sessions/{id}/record_team/"): lambda w, p, o=None: {
        "attended": [b.pk for b in o.bookings.all()], "outcomes": [{"measure": "undocking_time_s", "value": "25"}]},
    ("POST", "/api/v1/labs/"): lambda w, p, o=None: {
        "name": "Another lab", "region": w.objects["regions"]["own"].pk, "site": w.objects["sites"]["own"].pk},
    # PUT restates the name, region and site (a manager may not change them) and edits the rest.
    ("PUT", "/api/v1/labs/{id}/"): lambda w, p, o=None: {
        "name": o.name, "region": o.region_id, "site": o.site_id, "description": "Now with a wet lab."},
    ("PATCH", "/api/v1/labs/{id}/"): lambda w, p, o=None: {"description": "Now with a wet lab."},
    ("POST", "/api/v1/modules/"): lambda w, p, o=None: {"pathway": _draft(w, "pathways").pk, "title": "New module"},
    ("PATCH", "/api/v1/me/"): lambda w, p, o=None: {"grade": "ST5", "training_programme": "Urology, London"},
    ("PATCH", "/api/v1/modules/{id}/"): lambda w, p, o=None: {"title": "Renamed"},
    ("POST", "/api/v1/notifications/{id}/read/"): lambda w, p, o=None: {},
    ("POST", "/api/v1/notifications/read-all/"): lambda w, p, o=None: {},
    ("POST", "/api/v1/pathways/"): lambda w, p, o=None: {
        "code": "new-path", "title": "New pathway", "audience": "trainee",
        "framework": w.objects["frameworks"]["own"].pk},
    ("PATCH", "/api/v1/pathways/{id}/"): lambda w, p, o=None: {"title": "Renamed"},
    ("POST", "/api/v1/pathways/{id}/new-version/"): lambda w, p, o=None: {},
    ("POST", "/api/v1/pathways/{id}/publish/"): lambda w, p, o=None: {},
    ("POST", "/api/v1/pathways/{id}/retire/"): lambda w, p, o=None: {},
    ("PUT", "/api/v1/counting-rules/{id}/"): lambda w, p, o=None: {"rules": [
        {"counted_as": "case_observation", "role": "observer", "supervision": "O"}]},
    ("POST", "/api/v1/requirements/"): lambda w, p, o=None: {
        "component": _draft(w, "components").pk, "type": "min_count", "params": {"count": 2}},
    ("PATCH", "/api/v1/requirements/{id}/"): lambda w, p, o=None: {"params": {"count": 3}},
    ("PATCH", "/api/v1/resources/{id}/"): lambda w, p, o=None: {"modules": [w.objects["modules"]["own"].pk]},
    ("POST", "/api/v1/resources/{id}/approve/"): lambda w, p, o=None: {},
    ("POST", "/api/v1/resources/{id}/reject/"): lambda w, p, o=None: {"reason": "Not open access."},
    ("POST", "/api/v1/resources/submissions/"): lambda w, p, o=None: {"items": [resource_item(7)]},
    ("POST", "/api/v1/signoff-requests/"): lambda w, p, o=None: {
        "competency": w.objects["frameworks"]["own"].competencies.get(key="comp-2-1").pk,
        "trainer": w.assigned_trainer.pk, "note": "Ready."},
    ("POST", "/api/v1/signoff-requests/{id}/approve/"): lambda w, p, o=None: {"feedback": "Well done."},
    ("POST", "/api/v1/video-reviews/"): lambda w, p, o=None: {
        "trainee": w.trainee.pk, "case": w.extra["case_validated_own"].pk, "tool": "gears",
        "video_reference": "vault:review/new", "raters": [w.unassigned_trainer.pk, w.extra["other_trainer"].pk]},
    ("POST", "/api/v1/video-reviews/{id}/rate/"): lambda w, p, o=None: {"scores": gears(18)},
    ("POST", "/api/v1/video-reviews/{id}/add-rater/"): lambda w, p, o=None: {"rater": w.extra["spare_rater"].pk},
    ("POST", "/api/v1/signoff-requests/{id}/reassign/"): lambda w, p, o=None: {"trainer": w.unassigned_trainer.pk},
    ("POST", "/api/v1/signoff-requests/{id}/return/"): lambda w, p, o=None: {"feedback": "More cases please."},
    ("POST", "/api/v1/signoff-requests/{id}/reverse/"): lambda w, p, o=None: {"reason": "Signed off in error."},
    ("POST", "/api/v1/signoff-requests/{id}/withdraw/"): lambda w, p, o=None: {},
    ("POST", "/api/v1/simulator-sessions/"): lambda w, p, o=None: {
        "date": days_ago(1).isoformat(), "exercise": _exercise("mimic-pick-and-place").pk,
        "metrics": {m["name"]: m["benchmark"] for m in _exercise("mimic-pick-and-place").metrics},
        "score": 88, "minutes": 15},
    ("POST", "/api/v1/simulator-sessions/{id}/verify/"): lambda w, p, o=None: {},
    ("POST", "/api/v1/simulator-sessions/import/"): lambda w, p, o=None: {"file": _simulator_export(w),
                                                                           "dry_run": "true"},
    ("POST", "/api/v1/simulator-exercises/"): lambda w, p, o=None: dict(_NEW_EXERCISE),
    ("PUT", "/api/v1/simulator-exercises/{id}/"): lambda w, p, o=None: {
        **{k: getattr(o, k) for k in ("code", "simulator", "platform", "name", "frs_task", "metrics",
                                      "pass_rule", "active")},
        "score_threshold": str(o.score_threshold) if o.score_threshold is not None else None},
    ("PATCH", "/api/v1/simulator-exercises/{id}/"): lambda w, p, o=None: {"name": f"{o.name} (edited)"},
    ("POST", "/api/v1/standards/"): lambda w, p, o=None: {
        "framework": _draft(w, "frameworks").pk, "code": "S9", "title": "New standard",
        "domain": "technical_skills"},
    ("PATCH", "/api/v1/standards/{id}/"): lambda w, p, o=None: {"title": "Renamed"},
    ("POST", "/api/v1/trainer-applications/"): lambda w, p, o=None: {
        "kind": "initial", "specialty": "urology", "platforms": ["davinci_xi"],
        "independent_console_cases": 60, "train_the_trainer_completed_on": days_ago(50).isoformat(),
        "statement": "Ready to train."},
    ("POST", "/api/v1/trainer-applications/{id}/approve/"): lambda w, p, o=None: {},
    ("POST", "/api/v1/trainer-applications/{id}/reject/"): lambda w, p, o=None: {"reason": "Too few cases."},
    ("POST", "/api/v1/users/{id}/deactivate/"): lambda w, p, o=None: {},
    ("POST", "/api/v1/site-leads/"): lambda w, p, o=None: {
        "user": w.users["unassigned_trainer"].pk, "site": w.objects["sites"]["own"].pk},
    ("POST", "/api/v1/site-leads/{id}/end/"): lambda w, p, o=None: {},
    ("POST", "/api/v1/privileges/"): lambda w, p, o=None: {
        "site": w.objects["sites"]["own"].pk, "platform": "davinci_5", "procedure_group": w.extra["privilege_group"].pk},
    ("POST", "/api/v1/privileges/{id}/grant_provisional/"): lambda w, p, o=None: {},
    ("POST", "/api/v1/privileges/{id}/grant_full/"): lambda w, p, o=None: {},
    ("POST", "/api/v1/privileges/{id}/suspend/"): lambda w, p, o=None: {"reason": "Incident review."},
    ("POST", "/api/v1/privileges/{id}/reinstate/"): lambda w, p, o=None: {"reason": "Review closed."},
    ("POST", "/api/v1/privileges/{id}/revoke/"): lambda w, p, o=None: {"reason": "Left the trust."},
    ("POST", "/api/v1/privileges/{id}/assign_proctor/"): lambda w, p, o=None: {
        "proctor": w.users["unassigned_trainer"].pk},
    ("POST", "/api/v1/privilege-rules/"): lambda w, p, o=None: {
        "site": w.objects["sites"]["own"].pk, "proctored_cases_required": 4},
    ("PATCH", "/api/v1/privilege-rules/{id}/"): lambda w, p, o=None: {"max_gap_days": 100},
    ("POST", "/api/v1/procedure-groups/"): lambda w, p, o=None: {
        "code": "new-group", "name": "New group", "procedures": [w.objects["procedures"]["own"].pk]},
    ("PATCH", "/api/v1/procedure-groups/{id}/"): lambda w, p, o=None: {"name": "Renamed group"},
    ("POST", "/api/v1/proctor-reports/"): lambda w, p, o=None: {
        "privilege": w.extra["privilege_provisional_own"].pk, "case": w.extra["case_submitted_own"].pk,
        "checklist": {c: True for c in CHECKLIST_CODES}, "scores": gears(18), "recommendation": "continue_proctoring"},
}

