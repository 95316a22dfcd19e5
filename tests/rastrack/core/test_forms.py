"""`submit_form`: the one web helper for "call the service, then redirect or show the refusal"."""

from __future__ import annotations

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from rastrack.core.exceptions import ApplicationError, Conflict, NotFound, NotPermitted
from rastrack.core.forms import form_status, submit_form


class NoteForm(forms.Form):
    title = forms.CharField()
    note = forms.CharField(required=False)


class Service:
    """Records what it was called with; returns `result` or raises `error`."""

    def __init__(self, result=None, error: ApplicationError | None = None):
        self.result, self.error, self.calls = result, error, []

    def __call__(self, data):
        self.calls.append(dict(data))
        if self.error is not None:
            raise self.error
        return self.result


def _request(method="post", data=None):
    request = getattr(RequestFactory(), method)("/somewhere/", data or {})
    request._messages = CookieStorage(request)
    return request


def _posted(data=None):
    request = _request("post", {"title": "Suturing", "note": "ok"} if data is None else data)
    return request, NoteForm(request.POST)


def _messages(request) -> list[tuple[str, str]]:
    return [(m.level_tag, m.message) for m in get_messages(request)]


def test_a_valid_post_calls_the_service_flashes_and_redirects():
    request, form = _posted()
    service = Service(result="the result")
    response = submit_form(request, form, service, success="Saved.", then="accounts:people")
    assert service.calls == [{"title": "Suturing", "note": "ok"}]
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:people")
    assert _messages(request) == [("success", "Saved.")]


def test_success_and_then_may_be_functions_of_the_result():
    request, form = _posted()
    response = submit_form(request, form, Service(result=7), success=lambda pk: f"Request {pk} sent.",
                           then=lambda pk: ("accreditation:signoff", pk))
    assert response["Location"] == reverse("accreditation:signoff", args=[7])
    assert _messages(request) == [("success", "Request 7 sent.")]


def test_then_may_give_a_url_tuple_or_a_response_of_its_own():
    request, form = _posted()
    response = submit_form(request, form, Service(), success=None, then=("accreditation:signoff", 3))
    assert response["Location"] == reverse("accreditation:signoff", args=[3])
    own = HttpResponse("done")
    request, form = _posted()
    assert submit_form(request, form, Service(), success=None, then=lambda _: own) is own
    assert _messages(request) == []  # success=None: no message


def test_a_get_does_nothing():
    request = _request("get")
    form = NoteForm()
    service = Service()
    assert submit_form(request, form, service, success="Saved.", then="accounts:people") is None
    assert service.calls == []
    assert _messages(request) == []
    assert form_status(request) == 200


def test_an_invalid_post_does_not_call_the_service():
    request, form = _posted({"note": "no title"})
    service = Service()
    assert submit_form(request, form, service, success="Saved.", then="accounts:people") is None
    assert service.calls == []
    assert "title" in form.errors
    assert form_status(request) == 400


def test_a_400_refusal_goes_on_the_form_per_field_and_the_page_answers_400():
    request, form = _posted()
    refusal = ApplicationError(errors={"title": ["Too short."], "elsewhere": ["Not on this form."]})
    assert submit_form(request, form, Service(error=refusal), success="Saved.", then="accounts:people") is None
    assert form.errors["title"] == ["Too short."]
    assert form.non_field_errors() == ["Not on this form."]  # the error summary at the top
    assert _messages(request) == []
    assert form_status(request) == 400


def test_a_refusal_without_fields_goes_in_the_error_summary():
    request, form = _posted()
    submit_form(request, form, Service(error=ApplicationError("Not now.")), success="Saved.", then="x")
    assert form.non_field_errors() == ["Not now."]


def test_a_409_propagates_unless_the_form_shows_409s():
    request, form = _posted()
    with pytest.raises(Conflict):
        submit_form(request, form, Service(error=Conflict("Already done.")), success="Saved.", then="x")
    assert not form.errors
    assert _messages(request) == []

    request, form = _posted()
    response = submit_form(request, form, Service(error=Conflict("Already done.")), success="Saved.", then="x",
                           form_statuses=(400, 409))
    assert response is None
    assert form.non_field_errors() == ["Already done."]


@pytest.mark.parametrize("error", [NotPermitted("No."), NotFound("Gone.")])
def test_403_and_404_reach_the_middleware(error):
    request, form = _posted()
    with pytest.raises(type(error)):
        submit_form(request, form, Service(error=error), success="Saved.", then="x", form_statuses=(400, 409))


def test_show_refusal_replaces_add_errors():
    request, form = _posted()
    shown = []
    submit_form(request, form, Service(error=ApplicationError(errors={"title": ["Bad."]})), success="Saved.",
                then="x", show_refusal=shown.append)
    assert [exc.errors for exc in shown] == [{"title": ["Bad."]}]
    assert not form.errors
