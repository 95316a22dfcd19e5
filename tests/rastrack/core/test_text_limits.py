"""Text fields tell the browser the server's limit (`maxlength`), and long text fields carry a
character count (static/js/character-count.js, loaded from base.html: no inline script)."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders

from accreditation.signoff.forms import ApproveForm
from curriculum.forms import WithdrawForm
from rastrack.accounts.forms import OwnDetailsForm
from rastrack.accounts.models import User
from rastrack.core.free_text import MAX_TEXT
from tests.support.mfa import login_verified


def test_long_text_fields_carry_the_servers_limit_and_a_counter():
    for form, name in ((ApproveForm(prefix="approve"), "feedback"), (WithdrawForm(), "reason")):
        html = str(form[name])
        assert f'maxlength="{MAX_TEXT}"' in html and f'data-character-count="{MAX_TEXT}"' in html, html


def test_a_field_without_a_form_limit_still_tells_the_browser_the_models():
    form = OwnDetailsForm()
    assert f'maxlength="{User._meta.get_field("grade").max_length}"' in str(form["grade"])
    limit = User._meta.get_field("training_programme").max_length
    assert f'maxlength="{limit}"' in str(form["training_programme"])
    # The limit stays the service's: the form itself refuses nothing for length.
    assert OwnDetailsForm({"grade": "x" * 100, "training_programme": ""}).is_valid()


def test_short_fields_get_no_counter():
    assert "data-character-count" not in str(OwnDetailsForm()["grade"])


@pytest.mark.django_db
def test_every_page_loads_the_counter_script_from_the_site(client, trainee):
    login_verified(client, trainee)
    html = client.get("/").content.decode()
    assert re.search(r'<script src="/static/js/character-count[^"]*\.js" defer>', html), html[:2000]
    source = open(finders.find("js/character-count.js"), encoding="utf-8").read()
    assert "data-character-count" in source and "aria-live" in source


# --- what the browser is told against what the server checks ---------------------------------

def _upload_inputs() -> dict[str, str]:
    """Each product form's file input and its `accept`."""
    from django import forms

    from tests.support.product_forms import product_forms

    return {f"{form.__qualname__}.{name}": field.widget.attrs.get("accept", "")
            for form in product_forms() for name, field in form.base_fields.items()
            if isinstance(field, forms.FileField)}


def test_every_file_input_offers_only_what_its_server_check_takes():
    from accreditation.certificates.credentials import CREDENTIAL_FILE_ACCEPT
    from accreditation.logbook.csv_template import IMPORT_ACCEPT
    from accreditation.logbook.elogbook import ACCEPT as ELOGBOOK_ACCEPT
    from rastrack.core.uploads import EVIDENCE_ACCEPT

    assert _upload_inputs() == {
        "ELearningForm.certificate": EVIDENCE_ACCEPT,
        "ApplicationForm.file": EVIDENCE_ACCEPT,
        "ImportForm.file": IMPORT_ACCEPT,
        "ELogbookImportForm.file": ELOGBOOK_ACCEPT,
        "CredentialCheckForm.file": CREDENTIAL_FILE_ACCEPT,
    }


def test_the_evidence_accept_is_the_upload_checks_types():
    from rastrack.core.uploads import ALLOWED_TYPES, EVIDENCE_ACCEPT

    offered = EVIDENCE_ACCEPT.split(",")
    assert {t for t in offered if "/" in t} == set(ALLOWED_TYPES)
    assert {t for t in offered if t.startswith(".")} == {f".{ext}" for ext in ALLOWED_TYPES.values()} | {".jpeg"}


def test_the_import_accepts_are_what_their_readers_read(tmp_path):
    from accreditation.logbook.csv_template import IMPORT_ACCEPT
    from accreditation.logbook.elogbook import ACCEPT as ELOGBOOK_ACCEPT

    assert set(IMPORT_ACCEPT.split(",")) == {".csv", "text/csv"}
    # The eLogbook reader takes CSV or an .xlsx workbook; never the old binary .xls.
    assert {".csv", ".xlsx"} <= set(ELOGBOOK_ACCEPT.split(",")) and ".xls" not in ELOGBOOK_ACCEPT.split(",")


def test_the_rendered_file_inputs_carry_accept():
    from accreditation.logbook.forms import ELogbookImportForm, ImportForm
    from rastrack.core.uploads import EVIDENCE_ACCEPT

    assert 'accept=".csv,text/csv"' in str(ImportForm()["file"])
    assert 'accept=".csv,.xlsx,' in str(ELogbookImportForm()["file"])
    from accreditation.faculty.forms import ApplicationForm
    assert f'accept="{EVIDENCE_ACCEPT}"' in str(ApplicationForm()["file"])


def _server_limits() -> dict[str, int | None]:
    """Each text field of the product's forms and the limit the server checks on it: the
    model's max_length, or the service's constant where the service owns the rule; None
    where the server sets none (a search box, a filter, a list of lines)."""
    from accreditation.certificates.credentials import MAX_CREDENTIAL_LENGTH
    from accreditation.logbook.models import Case
    from accreditation.logbook.services import MAX_NOTES
    from curriculum.models import Competency, Component, Framework, Module, Pathway, Standard
    from labs.models import LabSession

    def length(model, name):
        return model._meta.get_field(name).max_length

    return {
        "CaseForm.notes": MAX_NOTES,
        "CaseForm.case_reference": length(Case, "case_reference"),
        "CaseForm.supervisor_name": length(Case, "supervisor_name"),
        "CredentialCheckForm.credential": MAX_CREDENTIAL_LENGTH,
        "AnnualReturnForm.narrative": MAX_TEXT,
        "ReviewForm.note": MAX_TEXT,
        "FrameworkCreateForm.code": length(Framework, "code"),
        "FrameworkCreateForm.title": length(Framework, "title"),
        "PathwayCreateForm.code": length(Pathway, "code"),
        "PathwayCreateForm.title": length(Pathway, "title"),
        "StandardForm.code": length(Standard, "code"),
        "StandardForm.title": length(Standard, "title"),
        "CompetencyForm.code": length(Competency, "code"),
        "CompetencyForm.title": length(Competency, "title"),
        "CompetencyForm.key": length(Competency, "key"),
        "ModuleForm.title": length(Module, "title"),
        "ComponentForm.title": length(Component, "title"),
        "InvitationForm.full_name": length(User, "full_name"),
        "AcceptInvitationForm.full_name": length(User, "full_name"),
        "OwnDetailsForm.grade": length(User, "grade"),
        "OwnDetailsForm.training_programme": length(User, "training_programme"),
        "SessionForm.title": length(LabSession, "title"),
    }


def test_text_fields_tell_the_browser_the_servers_limit():
    from django import forms

    from tests.support.product_forms import product_forms

    told: dict[str, int | None] = {}
    for form in product_forms():
        for name, field in form.base_fields.items():
            if isinstance(field, forms.CharField) and not isinstance(field.widget, forms.PasswordInput):
                limit = field.widget.attrs.get("maxlength") or field.max_length
                told[f"{form.__qualname__}.{name}"] = int(limit) if limit else None
    wrong = {key: (told.get(key), limit) for key, limit in _server_limits().items() if told.get(key) != limit}
    assert not wrong, f"form field: (maxlength, server's limit) {wrong}"


# Text fields the server sets no length on: descriptions stored as unbounded text (the PII
# guard still applies), a search box, month pickers and the steps' lines (counted per line).
NO_SERVER_LIMIT = {
    "CompetencyForm.descriptors", "ComponentForm.description", "FrameworkCreateForm.description",
    "ModuleForm.description", "PathwayCreateForm.description", "StandardForm.description",
    "RejectForm.reason", "ResourceSearchForm.search", "CapacityFilterForm.start", "CapacityFilterForm.end",
    "ProcedureForm.steps",
}


def test_every_other_text_field_has_a_maxlength():
    from django import forms

    from tests.support.product_forms import product_forms

    unlimited = {f"{form.__qualname__}.{name}" for form in product_forms() for name, field in form.base_fields.items()
                 if isinstance(field, forms.CharField) and not isinstance(field.widget, forms.PasswordInput)
                 and not (field.widget.attrs.get("maxlength") or field.max_length)}
    assert unlimited == NO_SERVER_LIMIT
