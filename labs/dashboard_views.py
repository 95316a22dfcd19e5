"""The dashboard pages: the same figures as the API (`labs.dashboard_api`), each section a
Chart.js chart (static/js/dashboard-charts.js, data from `json_script`) over an accessible
table, and a CSV download (`?section=<name>&as=csv`)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from labs import dashboards
from labs.dashboard_api import dashboard_answer
from rastrack.accounts.roles import Role
from rastrack.core.exceptions import ApplicationError


def _platform_labels() -> dict[str, str]:
    from accreditation.logbook_models import Case

    return dict(Case._meta.get_field("platform").choices)


def _render(request, *, region=None):
    try:
        answer = dashboard_answer(request.GET, region=region)
    except ApplicationError as exc:
        return render(request, "dashboards/dashboard.html", {"errors": exc.errors, "region": region}, status=400)
    if isinstance(answer, HttpResponse):
        return answer
    platforms = _platform_labels()
    for row in answer["cases"]:
        row["platform_label"] = platforms.get(row["platform"], row["platform"])
    here = request.path
    period = f"from={answer['period']['from']}&to={answer['period']['to']}"
    csv_links = {name: f"{here}?{period}&section={name}&as=csv" for name in dashboards.SECTIONS}
    return render(request, "dashboards/dashboard.html", {
        "data": answer, "region": region, "csv": csv_links,
        "title": f"{region.name} dashboard" if region else "National dashboard",
    })


@login_required
def home(request):
    """Programme admins: the national dashboard; regional leads: their region's."""
    user = request.user
    if user.has_role(Role.PROGRAMME_ADMIN):
        return _render(request)
    if user.has_role(Role.REGIONAL_LEAD) and user.region_id:
        return redirect(reverse("dashboards:region", args=[user.region_id]))
    raise PermissionDenied


@login_required
def region(request, pk: int):
    user = request.user
    if not user.has_role(Role.PROGRAMME_ADMIN, Role.REGIONAL_LEAD):
        raise PermissionDenied
    found = dashboards.dashboard_regions_visible_to(user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return _render(request, region=found)


@login_required
def trainer(request):
    """The trainer's dashboard: their trainees' progress and what waits for them."""
    if not request.user.has_role(Role.TRAINER):
        raise PermissionDenied
    return render(request, "dashboards/trainer.html", dashboards.trainer_dashboard(request.user))


@login_required
def trainee(request):
    """The trainee's dashboard: progress, what to do next, upcoming bookings."""
    if not request.user.has_role(Role.TRAINEE):
        raise PermissionDenied
    return render(request, "dashboards/trainee.html", dashboards.trainee_dashboard(request.user))
