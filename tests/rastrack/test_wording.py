"""The words people read: every main page of the demo world, for each of its users, shows no
raw code (a role such as `lab_manager`, a platform such as `davinci_xi`, Django's empty choice
`---------`) and no month or date in ISO form (`2026-10`, `2026-10-14`) in its visible text; no
export shows a code without its name; the favicon is linked and served."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from rastrack.accounts.roles import Role
from rastrack.reference.models import Platform
from tests.support.mfa import login_verified

RAW_CODES = sorted({c for c in [*Role.values, *Platform.values] if "_" in c})
RAW = re.compile(r"(?<![\w/.-])(" + "|".join(map(re.escape, RAW_CODES)) + r")(?![\w-])|-{5,}")
ISO = re.compile(r"(?<![\w/=-])\d{4}-\d{2}(-\d{2})?(?![\w-])")


class _VisibleText(HTMLParser):
    """The text a person sees: no attributes, scripts, styles or hidden inputs."""

    HIDDEN = {"script", "style", "template", "noscript"}

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self._hidden += 1

    def handle_endtag(self, tag):
        if tag in self.HIDDEN and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def raw_words(text: str) -> list[str]:
    return [m.group(0) for m in RAW.finditer(text)] + [m.group(0) for m in ISO.finditer(text)]


def test_the_checker_finds_what_it_looks_for():
    html = '<p data-x="lab_manager">Lab manager</p><script>var a="2026-10";</script><p>da Vinci Xi</p>'
    assert raw_words(visible_text(html)) == []
    assert raw_words("Role: lab_manager on davinci_xi, October 2026 not 2026-10 nor 2026-10-14, ---------") == [
        "lab_manager", "davinci_xi", "---------", "2026-10", "2026-10-14"]
    assert raw_words("/labs/calendar/?start=2026-10-14 and case-2026-10") == []


def _pages(demo_world) -> dict[str, list[str]]:
    from accreditation.faculty.models import TrainerApplication
    from accreditation.signoff.models import SignoffRequest
    from curriculum.models import Lifecycle, Pathway
    from labs.models import LabSession

    trainer = demo_world.user("trainer1")
    lead = demo_world.user("lead.london")
    pending = SignoffRequest.objects.filter(trainer=trainer, status="pending").order_by("pk").first()
    application = TrainerApplication.objects.filter(status="pending").order_by("pk").first()
    session = LabSession.objects.order_by("starts_at", "pk").last()
    pathway = Pathway.objects.filter(status=Lifecycle.PUBLISHED).order_by("pk").first()
    return {
        "trainee1": ["/", "/dashboards/mine/", "/logbook/", "/logbook/new/", "/logbook/learning-curve/",
                     "/signoff/", "/signoff/new/", "/assessments/", "/assessments/self/", "/curriculum/enrolments/",
                     "/labs/calendar/", "/labs/bookings/", "/notifications/", "/faculty/mine/"],
        "trainer1": ["/", "/logbook/queue/", "/signoff/queue/", f"/signoff/{pending.pk}/",
                     "/dashboards/trainer/", "/assessments/new/"],
        "lead.london": ["/", f"/dashboards/regions/{lead.region_id}/", "/faculty/", "/accounts/people/",
                        "/labs/capacity/"],
        "admin": ["/", "/dashboards/", "/faculty/applications/", f"/faculty/applications/{application.pk}/",
                  "/curriculum/resources/moderation/", "/accounts/people/", "/curriculum/versions/",
                  f"/curriculum/versions/pathway/{pathway.pk}/", f"/curriculum/versions/pathway/{pathway.pk}/contents/",
                  "/curriculum/versions/pathway/new/", f"/curriculum/versions/pathway/{pathway.pk}/move/",
                  "/reference/procedures/", "/reference/catalogue/"],
        "labmanager1": ["/", "/labs/manage/", f"/labs/sessions/{session.pk}/", f"/labs/{session.lab_id}/sessions/new/",
                        f"/labs/{session.lab_id}/equipment/", f"/labs/{session.lab_id}/opening-hours/"],
    }


def test_no_page_of_the_demo_world_shows_a_raw_code_or_an_iso_month(client, demo_world):
    found: dict[str, list[str]] = {}
    for who, urls in _pages(demo_world).items():
        login_verified(client, demo_world.user(who))
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, (who, url, response.status_code)
            words = raw_words(visible_text(response.content.decode()))
            if words:
                found[f"{who} {url}"] = sorted(set(words))
        client.logout()
    assert not found, "\n".join(f"{page}: {words}" for page, words in found.items())


def _labels() -> dict[str, str]:
    return {**{c: str(label) for c, label in Role.choices}, **{c: str(label) for c, label in Platform.choices}}


def codes_alone(row: list[str]) -> list[str]:
    """The raw codes of an export's row that stand without their name: a code is a fine key
    for a spreadsheet beside its name ("davinci_xi", "da Vinci Xi"), never instead of it."""
    labels = _labels()
    found = []
    for cell in row:
        for match in RAW.finditer(str(cell)):
            code = match.group(0)
            if code not in labels or labels[code] not in row:
                found.append(code)
    return found


def test_a_code_beside_its_name_is_no_raw_code():
    assert codes_alone(["logbook_by_platform", "da Vinci Xi", "davinci_xi", "3"]) == []
    assert codes_alone(["2026-10", "davinci_xi", "3"]) == ["davinci_xi"]


def _exports(demo_world) -> dict[str, list[str]]:
    trainee = demo_world.user("trainee1")
    lead = demo_world.user("lead.london")
    sections = ("faculty", "labs", "signoffs", "trainees", "cases", "privileges", "capacity", "trainers",
                "overlogging", "calibration")
    return {
        "trainee1": ["/assessments/export.csv", f"/portfolio/{trainee.pk}/export.csv",
                     "/assessments/video-reviews/export.csv"],
        "lead.london": [f"/dashboards/regions/{lead.region_id}/?as=csv&section={s}" for s in sections],
        "admin": [f"/dashboards/?as=csv&section={s}" for s in sections],
    }


def test_no_export_of_the_demo_world_shows_a_code_without_its_name(client, demo_world):
    import csv
    import io

    found: dict[str, list[str]] = {}
    for who, urls in _exports(demo_world).items():
        login_verified(client, demo_world.user(who))
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, (who, url, response.status_code)
            rows = list(csv.reader(io.StringIO(response.content.decode())))
            assert len(rows) > 1 or "portfolio" not in url, (who, url)
            codes = [code for row in rows[1:] for code in codes_alone(row)]
            if codes:
                found[f"{who} {url}"] = sorted(set(codes))
        client.logout()
    assert not found, "\n".join(f"{export}: {codes}" for export, codes in found.items())


def test_the_favicon_is_linked_and_served(client, trainee):
    from django.contrib.staticfiles import finders

    client.force_login(trainee)
    html = client.get("/").content.decode()
    icons = re.findall(r'<link rel="icon" href="([^"]+)"', html)
    assert len(icons) == 2 and any(icon.endswith("favicon.ico") for icon in icons)
    for icon in icons:
        assert finders.find(icon.removeprefix("/static/")), icon
    client.logout()
    response = client.get("/favicon.ico")  # what a browser asks for where no page names an icon
    assert response.status_code == 301 and response["Location"] == "/static/vendor/nhsuk/assets/images/favicon.ico"
