"""Writes about privileges: the request and the site lead's decisions (the status machine),
each audited and notified; the site rules and procedure groups as data.

requested -> provisional (proctored) | full;  provisional -> full (rules met);
provisional | full -> suspended -> the status it had (reinstate);
any but revoked -> revoked;  provisional | full -> lapsed (the daily currency task).
"""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accreditation.faculty.eligibility import accredited_on_day
from accreditation.faculty.models import Accreditation
from accreditation.privileges.evidence import evidence_of, unmet_for_full
from accreditation.privileges.models import (
    OPEN_STATUSES,
    Privilege,
    PrivilegeRules,
    PrivilegeStatus,
    ProcedureGroup,
)
from accreditation.privileges.policies import refusal_to_decide
from accreditation.privileges.selectors import may_decide, rules_for
from rastrack.accounts.models import SiteLeadership, User
from rastrack.accounts.roles import Role
from rastrack.audit.services import audit_record, snapshot
from rastrack.core.exceptions import ApplicationError, Conflict, NotPermitted
from rastrack.core.free_text import free_text
from rastrack.core.months import add_months
from rastrack.core.permissions import refuse_unless
from rastrack.notifications.services import notify
from rastrack.reference.models import Platform

S = PrivilegeStatus
FIELDS = ["status", "granted_on", "full_on", "ended_on", "review_due_on", "suspended_from", "proctor",
          "status_reason", "status_changed_at", "decided_by", "evidence", "warnings_sent"]


def privilege_link(privilege: Privilege) -> str:
    return reverse("accreditation:privilege", args=[privilege.pk])


def site_lead_users(site_id: int):
    return User.objects.filter(site_leaderships__site_id=site_id, is_active=True)


def _locked(privilege: Privilege) -> Privilege:
    return (Privilege.objects.select_related("surgeon", "site", "procedure_group")
            .select_for_update(of=("self",)).get(pk=privilege.pk))


def _change(*, actor, action: str, privilege: Privilege, mutate) -> int:
    before = snapshot(privilege, FIELDS)
    mutate(privilege)
    privilege.status_changed_at = timezone.now()
    privilege.save(update_fields=FIELDS)
    entry = audit_record(actor=actor, action=action, obj=privilege, before=before,
                         after=snapshot(privilege, FIELDS))
    return entry.pk


def _describe(privilege: Privilege) -> str:
    return describe_privilege(platform=privilege.platform, group=privilege.procedure_group.name,
                              site=privilege.site.name)


def describe_privilege(*, platform: str, group: str, site: str) -> str:
    """How notices name a privilege: "da Vinci Xi, Pelvic, at Guy's Hospital"."""
    return f"{dict(Platform.choices).get(platform, platform)}, {group}, at {site}"


def _tell(privilege: Privilege, *, kind: str, subject: str, body: str, key: str, leads: bool = True,
          surgeon: bool = True) -> None:
    recipients = []
    if surgeon:
        recipients.append(privilege.surgeon)
    if leads:
        recipients.extend(site_lead_users(privilege.site_id))
    for person in {p.pk: p for p in recipients}.values():
        notify(recipient=person, kind=kind, subject=subject, body=body, key=f"{key}:{person.pk}",
               link=privilege_link(privilege))


def _check_proctor(proctor, privilege: Privilege, today: datetime.date) -> None:
    if proctor is None:
        return
    if getattr(proctor, "pk", None) == privilege.surgeon_id:
        raise ApplicationError(errors={"proctor": ["A surgeon cannot proctor themself."]})
    accredited = Accreditation.objects.filter(accredited_on_day(today), trainer_id=proctor.pk,
                                              platforms__icontains=f'"{privilege.platform}"',
                                              trainer__is_active=True).exists()
    if not accredited:
        raise ApplicationError(errors={"proctor": [
            f"Choose a trainer accredited today on the {privilege.get_platform_display()}."]})


@transaction.atomic
def privilege_request(*, surgeon: User, site, platform: str, procedure_group: ProcedureGroup,
                      actor: User | None = None, today: datetime.date | None = None) -> Privilege:
    """A surgeon asks a site for a privilege (or its robotic lead files it for them); the
    site's robotic leads are told."""
    today = today or timezone.localdate()
    actor = actor or surgeon
    if actor.pk != surgeon.pk and not may_decide(actor, site.pk):
        raise NotPermitted("Request privileges for yourself; the site's robotic lead may file one for a surgeon.")
    if not procedure_group.active:
        raise ApplicationError(errors={"procedure_group": ["This procedure group is no longer in use."]})
    if Privilege.objects.filter(surgeon=surgeon, site=site, platform=platform, procedure_group=procedure_group,
                                status__in=OPEN_STATUSES).exists():
        raise Conflict("You already hold or have requested this privilege.")
    try:
        with transaction.atomic():
            privilege = Privilege.objects.create(surgeon=surgeon, site=site, platform=platform,
                                                 procedure_group=procedure_group, requested_on=today,
                                                 evidence=evidence_of_new(surgeon, platform, procedure_group, today))
    except IntegrityError:
        raise Conflict("You already hold or have requested this privilege.") from None
    audit_record(actor=actor, action="privilege.request", obj=privilege, after=snapshot(privilege, FIELDS))
    _tell(privilege, kind="privilege.requested", surgeon=False,
          subject=f"{surgeon.full_name} asks for robotic privileges",
          body=f"{surgeon.full_name} asks for privileges: {_describe(privilege)}.",
          key=f"privilege.requested:{privilege.pk}")
    return privilege


def evidence_of_new(surgeon, platform, group, today) -> dict:
    return evidence_of(Privilege(pk=None, surgeon=surgeon, platform=platform, procedure_group=group), today=today)


def _review_due(today: datetime.date, rules: PrivilegeRules) -> datetime.date:
    return add_months(today, rules.review_interval_months)


def _decide(*, privilege: Privilege, actor: User, verb: str, allowed: tuple, reason: str,
            reason_required: bool, today: datetime.date | None, apply) -> Privilege:
    today = today or timezone.localdate()
    privilege = _locked(privilege)
    refuse_unless(refusal_to_decide(actor, privilege))
    if reason_required:
        reason = free_text("reason", reason, required_message="Give a reason.")
    else:
        reason = free_text("reason", reason or "")
    if privilege.status not in allowed:
        raise Conflict(f"A privilege that is {privilege.status} cannot be {verb}.")
    rules = rules_for(privilege.site_id)
    evidence = evidence_of(privilege, today=today)

    def mutate(p):
        p.status_reason = reason
        p.decided_by = actor
        p.evidence = evidence
        apply(p, today, rules, evidence)

    entry = _change(actor=actor, action=f"privilege.{verb.replace(' ', '_')}", privilege=privilege, mutate=mutate)
    text = f"Your robotic privileges ({_describe(privilege)}) are now {privilege.get_status_display().lower()}."
    if reason:
        text += f"\n\nReason: {reason}"
    _tell(privilege, kind=f"privilege.{privilege.status}", subject=f"Robotic privileges {verb}",
          body=text, key=f"privilege.{verb}:{privilege.pk}:{entry}")
    return privilege


def privilege_grant_provisional(*, privilege: Privilege, actor: User, proctor: User | None = None,
                                reason: str = "", today: datetime.date | None = None) -> Privilege:
    today = today or timezone.localdate()
    _check_proctor(proctor, privilege, today)

    def apply(p, today, rules, evidence):
        p.status = S.PROVISIONAL
        p.granted_on = today
        p.ended_on = None
        p.proctor = proctor
        p.review_due_on = _review_due(today, rules)

    with transaction.atomic():
        return _decide(privilege=privilege, actor=actor, verb="granted provisionally", allowed=(S.REQUESTED,),
                       reason=reason, reason_required=False, today=today, apply=apply)


@transaction.atomic
def privilege_assign_proctor(*, privilege: Privilege, actor: User, proctor: User,
                             today: datetime.date | None = None) -> Privilege:
    today = today or timezone.localdate()
    privilege = _locked(privilege)
    refuse_unless(refusal_to_decide(actor, privilege))
    if privilege.status != S.PROVISIONAL:
        raise Conflict("Only a provisional privilege is proctored.")
    _check_proctor(proctor, privilege, today)

    def mutate(p):
        p.proctor = proctor

    entry = _change(actor=actor, action="privilege.assign_proctor", privilege=privilege, mutate=mutate)
    notify(recipient=proctor, kind="privilege.proctor_assigned", subject="You are asked to proctor a surgeon",
           body=f"You proctor {privilege.surgeon.full_name}: {_describe(privilege)}. File a proctor report "
                "for each proctored case.", key=f"privilege.proctor:{privilege.pk}:{entry}",
           link=privilege_link(privilege))
    return privilege


def privilege_grant_full(*, privilege: Privilege, actor: User, reason: str = "",
                         today: datetime.date | None = None) -> Privilege:
    """Full privileges, only when the surgeon's evidence meets every site rule (409 naming
    each rule unmet)."""

    def apply(p, today, rules, evidence):
        unmet = unmet_for_full(evidence, rules)
        if unmet:
            raise Conflict("Full privileges need every site rule met. " + " ".join(unmet))
        p.status = S.FULL
        p.granted_on = p.granted_on or today
        p.full_on = today
        p.ended_on = None
        p.proctor = None
        p.review_due_on = _review_due(today, rules)

    with transaction.atomic():
        return _decide(privilege=privilege, actor=actor, verb="granted in full",
                       allowed=(S.REQUESTED, S.PROVISIONAL), reason=reason, reason_required=False,
                       today=today, apply=apply)


def privilege_suspend(*, privilege: Privilege, actor: User, reason: str,
                      today: datetime.date | None = None) -> Privilege:
    def apply(p, today, rules, evidence):
        p.suspended_from = p.status
        p.status = S.SUSPENDED
        p.ended_on = today

    with transaction.atomic():
        return _decide(privilege=privilege, actor=actor, verb="suspended", allowed=(S.PROVISIONAL, S.FULL),
                       reason=reason, reason_required=True, today=today, apply=apply)


def privilege_reinstate(*, privilege: Privilege, actor: User, reason: str = "",
                        today: datetime.date | None = None) -> Privilege:
    def apply(p, today, rules, evidence):
        p.status = p.suspended_from or S.PROVISIONAL
        p.suspended_from = ""
        p.ended_on = None

    with transaction.atomic():
        return _decide(privilege=privilege, actor=actor, verb="reinstated", allowed=(S.SUSPENDED,),
                       reason=reason, reason_required=False, today=today, apply=apply)


def privilege_revoke(*, privilege: Privilege, actor: User, reason: str,
                     today: datetime.date | None = None) -> Privilege:
    def apply(p, today, rules, evidence):
        p.status = S.REVOKED
        p.suspended_from = ""
        p.ended_on = today if p.granted_on else None

    with transaction.atomic():
        return _decide(privilege=privilege, actor=actor, verb="revoked",
                       allowed=(S.REQUESTED, S.PROVISIONAL, S.FULL, S.SUSPENDED),
                       reason=reason, reason_required=True, today=today, apply=apply)


def privilege_suspend_unsafe(*, privilege: Privilege, report) -> None:
    """A proctor's "not safe to continue": suspended at once, the site lead told (the
    system acts, on the proctor's report)."""
    privilege = _locked(privilege)
    if privilege.status not in (S.PROVISIONAL, S.FULL):
        return
    today = timezone.localdate()

    def mutate(p):
        p.suspended_from = p.status
        p.status = S.SUSPENDED
        p.ended_on = today
        p.status_reason = f"The proctor reported case {report.case_id} not safe to continue."

    entry = _change(actor=report.proctor, action="privilege.suspend_not_safe", privilege=privilege, mutate=mutate)
    _tell(privilege, kind="privilege.suspended", subject="Robotic privileges suspended: proctor report",
          body=f"The proctor reported a case not safe to continue; the privileges ({_describe(privilege)}) "
               "are suspended until the site's robotic lead decides.",
          key=f"privilege.not_safe:{privilege.pk}:{entry}")


# --- Rules and procedure groups (data) -----------------------------------------------------------

RULE_FIELDS = ["proctored_cases_required", "ready_reports_required", "min_cases_per_12_months", "max_gap_days",
               "outcome_review_first_cases", "review_interval_months"]


def _require_rules_editor(actor: User, site) -> None:
    if actor.has_role(Role.PROGRAMME_ADMIN):
        return
    if site is None or not SiteLeadership.objects.filter(user=actor, site=site).exists():
        raise NotPermitted("Only the site's robotic lead or a programme admin sets its rules.")


@transaction.atomic
def privilege_rules_set(*, actor: User, site, values: dict) -> PrivilegeRules:
    """Create or change a site's rules (the defaults: site None, programme admins only)."""
    _require_rules_editor(actor, site)
    rules = PrivilegeRules.objects.select_for_update().filter(site=site).first()
    created = rules is None
    if created:
        base = rules_for(None)
        rules = PrivilegeRules(site=site, **{f: getattr(base, f) for f in RULE_FIELDS})
    before = {} if created else snapshot(rules, RULE_FIELDS)
    for field, value in values.items():
        if field in RULE_FIELDS:
            setattr(rules, field, value)
    rules.save()
    audit_record(actor=actor, action="privilege_rules.create" if created else "privilege_rules.update",
                 obj=rules, before=before, after=snapshot(rules, RULE_FIELDS))
    return rules


@transaction.atomic
def procedure_group_save(*, actor: User, group: ProcedureGroup | None, code: str | None = None,
                         name: str | None = None, procedures=None, active: bool | None = None) -> ProcedureGroup:
    if not actor.has_role(Role.PROGRAMME_ADMIN):
        raise NotPermitted("Only a programme admin edits the procedure groups.")
    created = group is None
    group = group or ProcedureGroup()
    before = {} if created else {**snapshot(group), "procedures": sorted(group.procedures.values_list("pk", flat=True))}
    if code is not None:
        group.code = code
    if name is not None:
        group.name = name.strip()
    if active is not None:
        group.active = active
    errors = {}
    others = ProcedureGroup.objects.exclude(pk=group.pk)
    if others.filter(code=group.code).exists():
        errors["code"] = ["A procedure group with this code exists."]
    if others.filter(name__iexact=group.name).exists():
        errors["name"] = ["A procedure group with this name exists."]
    if errors:
        raise ApplicationError(errors=errors)
    group.save()
    if procedures is not None:
        group.procedures.set(procedures)
    audit_record(actor=actor, action="procedure_group.create" if created else "procedure_group.update", obj=group,
                 before=before, after={**snapshot(group),
                                       "procedures": sorted(group.procedures.values_list("pk", flat=True))})
    return group
