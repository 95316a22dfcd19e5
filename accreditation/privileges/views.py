"""The privilege pages: the list (a site lead's work), one privilege with its evidence, proctor
reports and decisions, and the theatre's clearance lookup (a phone page with a search box).

Same rules as the API: selectors scope (404 outside), the services decide and refuse.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accreditation.privileges import selectors, services
from accreditation.privileges.clearance import clearance
from accreditation.privileges.dashboard import site_lead_dashboard
from accreditation.privileges.evidence import evidence_of, unmet_for_full
from accreditation.privileges.forms import ClearanceForm, DecisionForm
from accreditation.privileges.models import PrivilegeStatus
from accreditation.privileges.policies import can_decide
from rastrack.accounts.models import User
from rastrack.accounts.roles import Role
from rastrack.core.exceptions import ApplicationError, NotFound
from rastrack.core.forms import form_status, submit_form
from rastrack.core.permissions import get_visible_or_404


@login_required
def privilege_list(request):
    privileges = selectors.privileges_visible_to(request.user).order_by("status", "site__name", "surgeon__full_name")
    status = request.GET.get("status")
    if status in PrivilegeStatus.values:
        privileges = privileges.filter(status=status)
    dashboard = None
    if request.user.has_role(Role.SITE_LEAD, Role.REGIONAL_LEAD, Role.PROGRAMME_ADMIN):
        dashboard = site_lead_dashboard(selectors.privileges_visible_to(request.user), today=timezone.localdate())
    return render(request, "accreditation/privileges/list.html", {
        "privileges": privileges[:200], "statuses": PrivilegeStatus.choices, "status": status,
        "dashboard": dashboard})


def _detail_context(request, privilege, form=None):
    today = timezone.localdate()
    evidence = evidence_of(privilege, today=today)
    rules = selectors.rules_for(privilege.site_id)
    return {"privilege": privilege, "evidence": evidence, "rules": rules,
            "unmet": unmet_for_full(evidence, rules), "reports": privilege.proctor_reports.select_related("proctor"),
            "decider": can_decide(request.user, privilege), "form": form or DecisionForm()}


@login_required
def privilege_detail(request, pk: int):
    privilege = get_visible_or_404(selectors.privileges_visible_to(request.user), pk)
    return render(request, "accreditation/privileges/detail.html", _detail_context(request, privilege))


_DECISIONS = {
    "grant_provisional": (services.privilege_grant_provisional, "granted provisionally"),
    "grant_full": (services.privilege_grant_full, "granted in full"),
    "suspend": (services.privilege_suspend, "suspended"),
    "reinstate": (services.privilege_reinstate, "reinstated"),
    "revoke": (services.privilege_revoke, "revoked"),
}


@login_required
@require_POST
def privilege_decide(request, pk: int, verb: str):
    privilege = get_visible_or_404(selectors.privileges_visible_to(request.user), pk)
    service, done = _DECISIONS[verb]
    form = DecisionForm(request.POST)
    response = submit_form(
        request, form, lambda data: service(privilege=privilege, actor=request.user, reason=data["reason"]),
        success=f"The privilege of {privilege.surgeon.full_name} is {done}.",
        then=("accreditation:privilege", privilege.pk), form_statuses=(400, 409))
    if response:
        return response
    return render(request, "accreditation/privileges/detail.html", _detail_context(request, privilege, form),
                  status=form_status(request))


def _surgeon_id(text: str) -> int | None:
    text = text.strip()
    return (User.objects.filter(Q(email__iexact=text) | Q(registration_number__iexact=text.replace(" ", "")))
            .values_list("pk", flat=True).first())


@login_required
def clearance_page(request):
    """Is this surgeon cleared here today? The theatre coordinator's one lookup."""
    form = ClearanceForm(request.GET or None)
    answer = None
    if request.GET and form.is_valid():
        data = form.cleaned_data
        surgeon = _surgeon_id(data["surgeon"])
        try:
            if surgeon is None:
                raise NotFound("Not found.")
            answer = clearance(user=request.user, surgeon=surgeon, site=data["site"].pk,
                               platform=data["platform"], procedure=data["procedure"].pk, on=data["on"])
        except ApplicationError:
            form.add_error("surgeon", "No surgeon you may look up has this e-mail address or registration number.")
    return render(request, "accreditation/privileges/clearance.html", {"form": form, "answer": answer},
                  status=400 if request.GET and form.errors else 200)
