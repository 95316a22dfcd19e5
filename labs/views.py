"""The labs' web pages: the lab directory by region, a lab's page, the week calendar with
seats left, a session's page (book, join the waitlist, cancel; bookings and attendance for
its managers and faculty), my bookings, and the managers' pages for equipment and sessions,
and the capacity report.

Same rules as the API: selectors scope (404 outside), policies refuse (403), services
decide; a refusal becomes a form error or an error summary with the service's status code
(400 / 409). Every form is a plain POST that works without JavaScript.
"""

from __future__ import annotations

import datetime
from collections import OrderedDict
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from labs import capacity, policies, selectors, services
from labs.forms import (
    CancelForm,
    CapacityFilterForm,
    EquipmentForm,
    EquipmentStatusForm,
    SessionEditForm,
    SessionForm,
)
from labs.models import LIVE_BOOKING, BookingStatus, Lab, LabSessionStatus
from labs.opening import opening_calendar
from rastrack.accounts.roles import Role
from rastrack.core.confirm import Answer, confirmation_page
from rastrack.core.exceptions import ApplicationError, NotPermitted
from rastrack.core.forms import add_errors, form_status, submit_form
from rastrack.core.permissions import get_visible_or_404
from rastrack.reference.models import Region


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return fallback


# --- Directory and lab page --------------------------------------------------------------------


@login_required
def directory(request):
    """Every lab, grouped by region, with its host site, address and opening hours."""
    labs = list(selectors.labs_visible_to(request.user))
    by_region: OrderedDict[Region, list[Lab]] = OrderedDict()
    for lab in labs:
        by_region.setdefault(lab.region, []).append(lab)
    teaching = []
    if request.user.has_role(Role.TRAINER):
        teaching = list(selectors.sessions_taught_by(request.user, since=timezone.now())
                        .filter(status=LabSessionStatus.SCHEDULED)[:20])
    return render(request, "labs/directory.html", {
        "by_region": by_region.items(), "teaching": teaching,
        "managed_ids": selectors.managed_lab_ids(request.user),
    })


@login_required
def lab_detail(request, pk: int):
    lab = selectors.lab_with_equipment(request.user, pk)
    now = timezone.now()
    upcoming = list(selectors.with_bookings_of(
        selectors.lab_sessions_visible_to(request.user).filter(lab=lab, starts_at__gt=now), request.user)[:15])
    return render(request, "labs/lab_detail.html", {
        "lab": lab, "upcoming": upcoming, "now": now,
        "manages": policies.can_manage_lab(request.user, lab),
        "can_book": policies.can_book(request.user),
    })


@login_required
def opening_hours(request, pk: int):
    """The lab's weekly hours and the next eight weeks day by day, bank holidays closed."""
    lab = selectors.lab_with_equipment(request.user, pk)
    return render(request, "labs/opening_hours.html", {
        "lab": lab, "hours": lab.opening_hours.all(),
        "calendar": opening_calendar(lab, start=timezone.localdate(), days=56),
    })


# --- The week calendar -------------------------------------------------------------------------


def _week_from(params) -> datetime.date:
    """?week=2026-W48 or ?start=2026-11-28 (any day of the week); default: this week."""
    week, start = params.get("week"), params.get("start")
    try:
        if week:
            year, number = week.upper().split("-W")
            return datetime.date.fromisocalendar(int(year), int(number), 1)
        if start:
            return selectors.week_start(datetime.date.fromisoformat(start))
    except ValueError:
        pass
    return selectors.week_start(timezone.localdate())


def _int(value) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


@login_required
def calendar(request):
    """A week of sessions (Monday to Sunday) with the seats left, the caller's own bookings,
    and book / join the waitlist / cancel buttons; filter by lab or region."""
    start = _week_from(request.GET)
    lab_id, region_id = _int(request.GET.get("lab")), _int(request.GET.get("region"))
    sessions = selectors.sessions_in_week(request.user, start=start, lab_id=lab_id, region_id=region_id)
    days = OrderedDict((start + datetime.timedelta(days=n), []) for n in range(7))
    for session in sessions:
        days[timezone.localtime(session.starts_at).date()].append(session)
    keep = {k: v for k, v in (("lab", lab_id), ("region", region_id)) if v}

    def week_link(day):
        return "?" + urlencode({"week": f"{day:%G-W%V}", **keep})

    labs = list(selectors.labs_visible_to(request.user).prefetch_related(None))
    return render(request, "labs/calendar.html", {
        "days": days.items(), "start": start, "end": start + datetime.timedelta(days=6),
        "previous_link": week_link(start - datetime.timedelta(days=7)),
        "next_link": week_link(start + datetime.timedelta(days=7)),
        "this_week_link": "?" + urlencode(keep) if keep else "?",
        "labs": labs, "regions": sorted({lab.region for lab in labs}, key=lambda r: r.name),
        "lab_id": lab_id, "region_id": region_id, "now": timezone.now(),
        "can_book": policies.can_book(request.user), "here": request.get_full_path(),
        "session_count": len(sessions),
    })


# --- A session ---------------------------------------------------------------------------------


def _session_page(request, session, *, status: int = 200, error: ApplicationError | None = None,
                  cancel_form: CancelForm | None = None):
    user = request.user
    mine = [b for b in getattr(session, "my_bookings", []) if b.status in LIVE_BOOKING]
    sees_bookings = policies.can_see_session_bookings(user, session)
    bookings = list(selectors.session_bookings(session)) if sees_bookings else []
    now = timezone.now()
    return render(request, "labs/session_detail.html", {
        "session": session, "my_booking": mine[0] if mine else None, "now": now,
        "started": session.starts_at <= now,
        "can_book": policies.can_book(user) and not mine and not session.is_cancelled and session.starts_at > now,
        "bookings": bookings, "sees_bookings": sees_bookings,
        "marks_attendance": policies.manages_lab_id(user, session.lab_id) or policies.is_faculty_of(user, session),
        "can_cancel": policies.can_cancel_session(user, session) and not session.is_cancelled
        and session.starts_at > now,
        "can_edit": policies.can_edit_session(user, session) and not session.is_cancelled
        and session.starts_at > now,
        "cancel_form": cancel_form or CancelForm(), "error": error,
        "next": _safe_next(request, ""),
    }, status=status)


def _visible_session(request, pk):
    return get_visible_or_404(selectors.with_bookings_of(selectors.lab_sessions_visible_to(request.user),
                                                         request.user), pk)


@login_required
def session_detail(request, pk: int):
    return _session_page(request, _visible_session(request, pk))


@login_required
@require_POST
def session_book(request, pk: int):
    session = _visible_session(request, pk)
    _require(policies.can_book(request.user))
    try:
        booking = services.booking_create(trainee=request.user, session=session)
    except ApplicationError as exc:
        if exc.status_code not in (400, 409):
            raise
        return _session_page(request, session, status=exc.status_code, error=exc)
    if booking.status == "confirmed":
        messages.success(request, f"Booked: you have a place at {session.display_title}.")
    else:
        messages.success(request, "The session is full: you are on the waitlist. You will be told if a "
                                  "place comes free.")
    return redirect(_safe_next(request, reverse("labs:session", args=[session.pk])))


@login_required
@require_POST
def booking_cancel(request, pk: int):
    booking = get_visible_or_404(selectors.bookings_visible_to(request.user), pk)
    waiting = (booking.status == BookingStatus.CONFIRMED and policies.can_cancel_booking(request.user, booking)
               and booking.session.bookings.filter(status=BookingStatus.WAITLISTED).exists())
    if waiting:
        # Check first: the place goes to the next person waiting, and booking again joins the
        # end of the waitlist.
        page = confirmation_page(
            request, heading="Check before you cancel your booking", caption=booking.session.display_title,
            answers=[Answer("Session", booking.session.display_title),
                     Answer("When", formats.date_format(timezone.localtime(booking.session.starts_at),
                                                        "l j F Y, H:i"))],
            button="Confirm and cancel my booking", back_url=reverse("labs:session", args=[booking.session_id]),
            warning="People are waiting for a place: yours goes to the next of them at once. If you book "
                    "again, you join the end of the waitlist.")
        if page is not None:
            return page
    try:
        services.booking_cancel(actor=request.user, booking=booking)
    except ApplicationError as exc:
        if exc.status_code not in (400, 409):
            raise
        return _session_page(request, _visible_session(request, booking.session_id), status=exc.status_code,
                             error=exc)
    messages.success(request, f"Your booking of {booking.session.display_title} is cancelled.")
    return redirect(_safe_next(request, reverse("labs:my-bookings")))


@login_required
@require_POST
def attendance(request, pk: int):
    """Attended / no-show, by the lab's managers or the session's faculty."""
    booking = get_visible_or_404(selectors.bookings_visible_to(request.user), pk)
    value = request.POST.get("attendance")
    if value not in ("attended", "no_show"):
        return _session_page(request, _visible_session(request, booking.session_id), status=400,
                             error=ApplicationError("Choose attended or did not attend."))
    if (booking.status == BookingStatus.CONFIRMED and booking.session.starts_at <= timezone.now()
            and policies.can_mark_attendance(request.user, booking)):
        page = confirmation_page(
            request, heading="Check the attendance before you record it", caption=booking.session.display_title,
            answers=[Answer("Trainee", booking.trainee.full_name), Answer("Session", booking.session.display_title),
                     Answer("Attendance", "Attended" if value == "attended" else "Did not attend")],
            button="Confirm and record", back_url=reverse("labs:session", args=[booking.session_id]) + "#bookings",
            warning="Attendance counts as the trainee's progress evidence.")
        if page is not None:
            return page
    try:
        services.booking_mark_attendance(actor=request.user, booking=booking, attended=value == "attended")
    except ApplicationError as exc:
        if exc.status_code not in (400, 409):
            raise
        return _session_page(request, _visible_session(request, booking.session_id), status=exc.status_code,
                             error=exc)
    messages.success(request, f"{booking.trainee.full_name}: "
                              f"{'attended' if value == 'attended' else 'did not attend'}.")
    return redirect(reverse("labs:session", args=[booking.session_id]) + "#bookings")


@login_required
@require_POST
def session_cancel(request, pk: int):
    session = _visible_session(request, pk)
    _require(policies.can_cancel_session(request.user, session))
    form = CancelForm(request.POST)
    if not form.is_valid():
        return _session_page(request, session, status=400, cancel_form=form)
    try:
        services.session_cancel(actor=request.user, session=session, reason=form.cleaned_data["reason"])
    except ApplicationError as exc:
        if exc.status_code not in (400, 409):
            raise
        return _session_page(request, session, status=exc.status_code, error=exc)
    messages.success(request, "The session is cancelled; everyone booked on it has been told.")
    return redirect("labs:manage-sessions", session.lab_id)


# --- My bookings -------------------------------------------------------------------------------


@login_required
def my_bookings(request):
    """The trainee's own bookings: upcoming first (soonest first), then past ones."""
    _require(policies.can_book(request.user))
    now = timezone.now()
    bookings = selectors.bookings_of(request.user)
    upcoming = list(bookings.filter(session__ends_at__gt=now))
    past = Paginator(bookings.filter(session__ends_at__lte=now).order_by("-session__starts_at", "-id"), 25
                     ).get_page(request.GET.get("page"))
    return render(request, "labs/my_bookings.html", {"upcoming": upcoming, "past": past, "now": now})


# --- Managers' pages ---------------------------------------------------------------------------


@login_required
def manage(request):
    """The lab manager's labs, with links to their equipment, sessions and capacity."""
    _require(request.user.has_role(Role.LAB_MANAGER))
    labs = list(selectors.managed_labs(request.user))
    return render(request, "labs/manage.html", {"labs": labs})


def _managed_lab(request, pk) -> Lab:
    lab = selectors.lab_with_equipment(request.user, pk)  # 404 if it does not exist
    _require(policies.can_manage_lab(request.user, lab))  # 403 for another lab's manager
    return lab


@login_required
def manage_equipment(request, pk: int):
    lab = _managed_lab(request, pk)
    form = EquipmentForm(request.POST or None)
    response = submit_form(
        request, form, lambda data: services.equipment_create(actor=request.user, lab=lab, **data),
        success=lambda _: f"Added {form.cleaned_data['model']}.", then=("labs:manage-equipment", lab.pk))
    if response:
        return response
    lab = selectors.lab_with_equipment(request.user, pk)
    return render(request, "labs/manage_equipment.html", {"lab": lab, "form": form}, status=form_status(request))


@login_required
@require_POST
def equipment_update(request, pk: int):
    equipment = get_visible_or_404(selectors.equipment_visible_to(request.user), pk)
    _require(policies.can_manage_lab(request.user, equipment.lab))
    form = EquipmentStatusForm(request.POST)
    if form.is_valid():
        try:
            services.equipment_update(actor=request.user, equipment=equipment, status=form.cleaned_data["status"],
                                      count=form.cleaned_data.get("count"))
        except NotPermitted:
            raise  # DomainErrorMiddleware answers 403
        except ApplicationError as exc:
            messages.error(request, exc.message or "; ".join(m for ms in exc.errors.values() for m in ms))
        else:
            messages.success(request, f"{equipment.model} updated.")
    else:
        messages.error(request, "Choose a status and a number of units.")
    return redirect("labs:manage-equipment", equipment.lab_id)


@login_required
def manage_sessions(request, pk: int):
    """A lab's upcoming sessions (flagged ones first to see), and the last four weeks'."""
    lab = _managed_lab(request, pk)
    now = timezone.now()
    sessions = selectors.lab_sessions_visible_to(request.user).filter(lab=lab)
    upcoming = list(sessions.filter(ends_at__gt=now))
    recent = list(sessions.filter(ends_at__lte=now, starts_at__gte=now - datetime.timedelta(days=28))
                  .order_by("-starts_at"))
    return render(request, "labs/manage_sessions.html", {
        "lab": lab, "upcoming": upcoming, "recent": recent,
        "flagged": [s for s in upcoming if s.equipment_flagged and not s.is_cancelled],
    })


@login_required
def session_new(request, pk: int):
    lab = _managed_lab(request, pk)
    form = SessionForm(request.POST or None, lab=lab)

    def create(data):
        starts_at, ends_at = form.times()
        return services.session_create(
            actor=request.user, lab=lab, kind=data["kind"], starts_at=starts_at, ends_at=ends_at,
            seats=data["seats"], title=data["title"], faculty=data["faculty"], equipment=data["equipment"],
            component=data["component"], prerequisite=data["prerequisite"], notes=data["notes"])

    response = submit_form(
        request, form, create, success=lambda session: f"Scheduled: {session.display_title}.",
        then=lambda session: ("labs:session", session.pk), show_refusal=lambda exc: _show_session_refusal(form, exc))
    if response:
        return response
    _add_the_services_errors(form, create)
    return render(request, "labs/session_form.html", {"lab": lab, "form": form}, status=form_status(request))


@login_required
def session_edit(request, pk: int):
    """The lab's managers change a scheduled session's time, seats, faculty, equipment or
    component; the bookings stay, and a new time is told to everyone on it."""
    session = _visible_session(request, pk)
    _require(policies.can_edit_session(request.user, session))
    form = SessionEditForm(request.POST or None, session=session)

    def update(data):
        starts_at, ends_at = form.times()
        return services.session_update(
            actor=request.user, session=session, starts_at=starts_at, ends_at=ends_at, seats=data["seats"],
            faculty=data["faculty"], equipment=data["equipment"], component=data["component"])

    response = submit_form(
        request, form, update, success=lambda changed: f"Changed: {changed.display_title}.",
        then=lambda changed: ("labs:session", changed.pk), form_statuses=(400, 409),
        show_refusal=lambda exc: _show_session_refusal(form, exc))
    if response:
        return response
    _add_the_services_errors(form, update)
    return render(request, "labs/session_edit.html", {"session": session, "lab": session.lab, "form": form},
                  status=form_status(request))


class _DryRun(Exception):
    """Raised to roll back a service call made only to hear its refusals."""


# What a field the form refused stands for when the service is asked about the others.
_UNKNOWN = {"title": "", "kind": "", "seats": None, "faculty": [], "equipment": [], "component": None,
            "prerequisite": None, "notes": ""}


def _add_the_services_errors(form: SessionForm, run) -> None:
    """Every error at once: when the form refuses some fields, the service is asked about the
    others too (in a transaction rolled back whatever it answers: nothing is saved, nobody is
    told), and its refusals join the form's. The rules stay the service's. Not possible when
    the date or times are unreadable: the service needs them."""
    if not form.is_bound or form.is_valid() or {"date", "starts", "ends"} & set(form.errors):
        return
    data = {name: form.cleaned_data.get(name, _UNKNOWN.get(name)) for name in form.fields}
    try:
        with transaction.atomic():
            run(data)
            raise _DryRun
    except _DryRun:
        return
    except NotPermitted:
        return
    except ApplicationError as exc:
        renames = {"starts_at": "starts", "ends_at": "ends"}
        for field, messages in exc.errors.items():
            field = renames.get(field, field)
            if field in form.errors or field not in form.fields:
                continue  # the form already says what is wrong there
            for message in messages:
                form.add_error(field, message)


def _show_session_refusal(form: SessionForm, exc: ApplicationError) -> None:
    """The service speaks of starts_at / ends_at; the form has date, starts and ends."""
    renames = {"starts_at": "starts", "ends_at": "ends"}
    add_errors(form, ApplicationError(exc.message, {renames.get(field, field): messages
                                                    for field, messages in exc.errors.items()}))


# --- Capacity ----------------------------------------------------------------------------------


@login_required
def capacity_page(request):
    """Capacity by month: lab managers their labs, regional leads their region, programme
    admins everything."""
    _require(policies.can_view_capacity(request.user))
    labs = capacity.capacity_labs_for(request.user)
    form = CapacityFilterForm(request.GET or None, labs=labs)
    params = {}
    if form.is_valid():
        data = form.cleaned_data
        params = {"region": data["region"].pk if data["region"] else "", "lab": data["lab"].pk if data["lab"] else "",
                  "from": data["start"] or "", "to": data["end"] or "", "group_by": data["group_by"] or "lab"}
    status = 200
    try:
        report = capacity.capacity_report_for(request.user, params)
    except ApplicationError as exc:
        add_errors(form, exc)
        report, status = None, 400
    return render(request, "labs/capacity.html", {"form": form, "report": report}, status=status)
