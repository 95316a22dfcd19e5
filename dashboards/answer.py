"""What the dashboards API and pages both answer: the parameters checked (400 per field, a
region outside the caller's scope 404), then the stored snapshot for a default view, or the
figures computed for a filtered one (with the sections its filters do not change taken from
the snapshots while they are fresh), or one section as CSV."""

from __future__ import annotations

from django.http import HttpResponse

from dashboards import selectors as dashboards
from dashboards.snapshots import as_json, stored_dashboard, stored_specialty_sections
from rastrack.core.exceptions import ApplicationError
from rastrack.core.months import month_range
from rastrack.core.permissions import get_visible_or_404
from rastrack.reference.models import Specialty
from rastrack.reference.specialties import LEGACY


def dashboard_params(params, *, national: bool = False, user=None) -> dict:
    """`from`, `to`, `specialty`, `region` (national only), `section` and `as` from query
    parameters; 400 per field when wrong. A region the user may not see is 404."""
    errors: dict[str, list[str]] = {}
    found = {"start": None, "end": None}
    try:
        found["start"], found["end"] = month_range(params)
    except ApplicationError as exc:
        errors.update(exc.errors)
    specialty = params.get("specialty") or ""
    if specialty and specialty not in Specialty.values and specialty not in LEGACY:
        errors["specialty"] = [f"Choose one of: {', '.join(Specialty.values)}."]
    region = None
    raw_region = params.get("region") or ""
    if raw_region and not national:
        errors["region"] = ["Only the national dashboard takes a region: this one is already for a region."]
    elif raw_region:
        if not raw_region.isdigit():
            errors["region"] = ["Give a region id."]
        else:
            region = get_visible_or_404(dashboards.dashboard_regions_visible_to(user), int(raw_region))
    section = params.get("section") or ""
    if section and section not in dashboards.SECTIONS:
        errors["section"] = [f"Choose one of: {', '.join(dashboards.SECTIONS)}."]
    as_ = params.get("as") or ""
    if as_ and as_ != "csv":
        errors["as"] = ["Only csv."]
    if as_ == "csv" and not section:
        errors["section"] = ["Choose the section to download."]
    if errors:
        raise ApplicationError(errors=errors)
    return {"start": found.get("start"), "end": found.get("end"), "specialty": specialty, "region": region,
            "section": section, "csv": as_ == "csv"}


def csv_response(data: dict, section: str) -> HttpResponse:
    scope = data["scope"]["region_name"].lower().replace(" ", "-") or "national"
    response = HttpResponse(dashboards.section_csv(data[section], section), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="dashboard-{scope}-{section}.csv"'
    return response


def dashboard_answer(params, *, user, region=None):
    """The dashboard (or one section's CSV) for the region (None: national, unless the
    `region` parameter narrows it)."""
    chosen = dashboard_params(params, national=region is None, user=user)
    scope = region or chosen["region"]
    # The national dashboard narrowed to a region is that region's dashboard: its snapshot.
    stored = stored_dashboard(scope)
    filtered = any(chosen[name] for name in ("start", "end", "specialty"))
    data = stored if not filtered else None
    if data is None:
        by_specialty = stored_specialty_sections(chosen["specialty"]) if chosen["specialty"] else None
        data = as_json(dashboards.dashboard(region=scope, start=chosen["start"], end=chosen["end"],
                                            specialty=chosen["specialty"], snapshot=stored,
                                            specialty_snapshot=by_specialty))
    if chosen["csv"]:
        return csv_response(data, chosen["section"])
    return data
