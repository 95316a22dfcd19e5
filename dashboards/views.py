"""The dashboard pages: the same figures as the API (`dashboards.api`), each section a
Chart.js chart (static/js/dashboard-charts.js, data from `json_script`) over an accessible
table, and a CSV download (`?section=<name>&as=csv`)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.http import urlencode

from dashboards import selectors as dashboards
from dashboards.answer import dashboard_answer
from labs.models import LabSessionKind
from rastrack.accounts.roles import Role
from rastrack.core.exceptions import ApplicationError
from rastrack.reference.models import Region, Specialty

# The headings of the sections a filtered view may take from the snapshot, as the page names them.
_SECTION_NAMES = {"capacity": "capacity versus need", "trainers": "trainer capacity", "faculty": "faculty",
                  "trainees": "trainees", "signoffs": "sign-offs", "privileges": "privileges"}


def _platform_labels() -> dict[str, str]:
    from accreditation.logbook.models import Case

    return dict(Case._meta.get_field("platform").choices)


FILTER_LABELS = {"from": "first month", "to": "last month", "specialty": "specialty", "region": "region"}


def _render(request, *, region=None):
    try:
        answer = dashboard_answer(request.GET, user=request.user, region=region)
    except ApplicationError as exc:
        # The form stays as it was sent, each error named by its field in words.
        errors = [{"label": FILTER_LABELS.get(name, name).capitalize(), "message": message,
                   "anchor": f"id_{name}" if name in FILTER_LABELS else ""}
                  for name, messages in exc.errors.items() for message in messages]
        field_errors = {name: " ".join(messages) for name, messages in exc.errors.items()}
        return render(request, "dashboards/dashboard.html", {
            "errors": errors, "field_errors": field_errors, "region": region, "values": request.GET, "specialties": Specialty.choices,
            "regions": Region.objects.order_by("name") if region is None else None,
        }, status=400)
    if isinstance(answer, HttpResponse):
        return answer
    platforms = _platform_labels()
    for row in answer["cases"]:
        # The selector names the platform; a snapshot stored before it did is named here.
        row["platform_label"] = row.get("platform_name") or platforms.get(row["platform"], row["platform"])
    computed_at = parse_datetime(answer["computed_at"])
    reused = answer.get("snapshot_sections")
    reused_names = [_SECTION_NAMES[name] for name in (reused or {}).get("sections", ()) if name in _SECTION_NAMES]
    progress_at = answer["progress_freshness"]["computed_at"]
    kinds = dict(LabSessionKind.choices)
    for row in answer["capacity"]:
        row["kind_label"] = kinds.get(row["kind"], row["kind"])
    here = request.path
    filters = {"from": answer["period"]["from"], "to": answer["period"]["to"]}
    if answer["filters"]["specialty"]:
        filters["specialty"] = answer["filters"]["specialty"]
    if region is None and answer["filters"]["region"]:
        filters["region"] = answer["filters"]["region"]
    csv_links = {name: f"{here}?{urlencode({**filters, 'section': name, 'as': 'csv'})}"
                 for name in dashboards.SECTIONS}
    narrowed = answer["scope"]["region_name"]
    return render(request, "dashboards/dashboard.html", {
        "values": {"from": answer["period"]["from"], "to": answer["period"]["to"],
                   "specialty": answer["filters"]["specialty"], "region": answer["filters"]["region"] or ""},
        "data": answer, "region": region, "csv": csv_links, "computed_at": computed_at,
        "reused_at": parse_datetime(reused["computed_at"]) if reused else None,
        "reused_names": ", ".join(reused_names),
        "progress_at": parse_datetime(progress_at) if progress_at else None,
        "specialties": Specialty.choices,
        "regions": Region.objects.order_by("name") if region is None else None,
        "title": f"{narrowed} dashboard" if narrowed else "National dashboard",
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
