"""Courses from an accredited provider as evidence for `accredited_course` requirements.

A course counts once, for a trainee whose booking of one of its sessions was marked
attended, when on that session's day the course itself, or the centre that runs it, held a
current accreditation (not withdrawn, within its dates). A requirement narrowed to a
platform counts only courses of that platform (or sessions on it)."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from curriculum.progress import EvidenceItem, Measurement
from labs.centres.models import CentreAccreditation, CentreAccreditationStatus, Course
from labs.models import Booking, BookingStatus, LabSessionStatus


def _accredited_on(course: Course, day) -> bool:
    return CentreAccreditation.objects.filter(
        Q(course=course) | Q(centre_id=course.centre_id), status=CentreAccreditationStatus.ACCREDITED,
        accredited_on__lte=day, expires_on__gte=day).exists()


class AccreditedCourseProvider:
    name = "labs.accredited_course"

    def handles(self, requirement) -> bool:
        return requirement.type == "accredited_course"

    def measure(self, *, trainee, requirement) -> Measurement:
        bookings = (Booking.objects.filter(trainee=trainee, status=BookingStatus.ATTENDED,
                                           session__status=LabSessionStatus.SCHEDULED, session__courses__isnull=False)
                    .select_related("session").order_by("session__starts_at", "id"))
        counted: dict[int, EvidenceItem] = {}
        for booking in bookings:
            day = timezone.localtime(booking.session.starts_at).date()
            for course in Course.objects.filter(sessions=booking.session).select_related("centre"):
                if course.pk in counted:
                    continue
                if requirement.platform and requirement.platform not in (course.platform, booking.session.platform):
                    continue
                if _accredited_on(course, day):
                    counted[course.pk] = EvidenceItem("accredited_course", course.pk,
                                                      f"{course.title}, {course.centre.name}", day)
        return Measurement(value=len(counted), evidence=tuple(counted.values()))


def register() -> None:
    from curriculum.progress import register_provider

    register_provider(AccreditedCourseProvider())
