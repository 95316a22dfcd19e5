from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from django import forms
from django.contrib import messages as flash
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import redirect

from rastrack.core.exceptions import ApplicationError


def add_errors(form: forms.Form, exc: ApplicationError) -> None:
    """Show a service's refusal on the form, per field where the service named one."""
    if not exc.errors:
        form.add_error(None, exc.message)
        return
    for field, messages in exc.errors.items():
        target = field if field in form.fields else None
        for message in messages:
            form.add_error(target, message)


def submit_form(
    request: HttpRequest,
    form,
    call: Callable[[dict], Any],
    *,
    success: str | Callable[[Any], str] | None,
    then: Any,
    form_statuses: Collection[int] = (400,),
    show_refusal: Callable[[ApplicationError], None] | None = None,
) -> HttpResponseBase | None:
    """Handle a form's POST: call the service, then redirect, or keep the refusal on the form.

    Does nothing (returns None) unless the request is a POST and `form.is_valid()`. Then:

    - `call(form.cleaned_data)` runs the service; what it returns is the *result*.
    - On success: `success` (a message, or a function of the result; None for no message)
      is flashed, and the response of `then` is returned: `then` is a URL or a URL name
      (`"labs:session"`), a tuple of a URL name and its arguments (`("labs:session", pk)`),
      or a function of the result that returns either of those or a response of its own.
    - A refusal (`ApplicationError`) whose `status_code` is in `form_statuses` goes onto the
      form: `show_refusal(exc)` when given, else `add_errors(form, exc)` (per field where the
      service named one, otherwise the error summary at the top of the page). Returns None.
    - Any other refusal propagates: `DomainErrorMiddleware` answers it with the error page
      (403 `NotPermitted`, 404 `NotFound`, 409 `Conflict`, 400 otherwise), so views never
      catch `NotPermitted` themselves.

    None means "render the form page again"; after a POST it now shows why the submission
    failed (its own validation or the service's refusal), and the page answers
    `form_status(request)`, 400::

        response = submit_form(request, form, lambda data: services.thing_create(actor=request.user, **data),
                               success="Saved.", then=lambda thing: ("app:thing", thing.pk))
        if response:
            return response
        return render(request, "app/thing_form.html", {"form": form}, status=form_status(request))

    `form` may be a formset (anything with `is_valid()` and `cleaned_data`) when
    `show_refusal` puts the refusal on it.
    """
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        result = call(form.cleaned_data)
    except ApplicationError as exc:
        if exc.status_code not in form_statuses:
            raise
        if show_refusal is not None:
            show_refusal(exc)
        else:
            add_errors(form, exc)
        return None
    message = success(result) if callable(success) else success
    if message:
        flash.success(request, message)
    target = then(result) if callable(then) else then
    if isinstance(target, HttpResponseBase):
        return target
    if isinstance(target, tuple):
        return redirect(*target)
    return redirect(target)


def file_field(*, accept: str, **kwargs) -> forms.FileField:
    """A file input that offers only the files the server takes: `accept` is the server's
    constant beside its check (for example `rastrack.core.uploads.EVIDENCE_ACCEPT`)."""
    return forms.FileField(widget=forms.ClearableFileInput(attrs={"accept": accept}), **kwargs)


def form_status(request: HttpRequest) -> int:
    """The status of a page that shows a form again: 400 after a POST (the submission
    failed, and the form says why), 200 for the first GET."""
    return 400 if request.method == "POST" else 200


_WIDGET_CLASSES = {
    forms.Select: "nhsuk-select",
    forms.Textarea: "nhsuk-textarea",
    forms.CheckboxInput: "nhsuk-checkboxes__input",
    forms.CheckboxSelectMultiple: "",
    forms.RadioSelect: "",
    forms.widgets.Input: "nhsuk-input",
}


_DJANGO_EMPTY_LABEL = "---------"


class NHSUKFormMixin:
    """Gives each widget the NHS.UK design system's class and error state."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            for widget_type, css in _WIDGET_CLASSES.items():
                if isinstance(field.widget, widget_type):
                    if css:
                        field.widget.attrs["class"] = (field.widget.attrs.get("class", "") + " " + css).strip()
                    break
            if field.help_text:
                field.widget.attrs.setdefault("aria-describedby", f"id_{name}-hint")
            # Django's empty choice reads "---------": say what choosing nothing means.
            if isinstance(field, forms.ModelChoiceField) and field.empty_label == _DJANGO_EMPTY_LABEL:
                field.empty_label = "None" if not field.required else "Choose one"
            # Long text gets a live count of what is left (static/js/character-count.js); Django
            # already renders `maxlength` from the same max_length the server checks.
            # A field whose limit is the service's alone carries it as the widget's `maxlength`.
            limit = field.max_length if isinstance(field, forms.CharField) else None
            limit = limit or field.widget.attrs.get("maxlength")
            if limit and isinstance(field.widget, forms.Textarea):
                field.widget.attrs["data-character-count"] = str(limit)

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields and not isinstance(
                self.fields[name].widget, forms.CheckboxSelectMultiple | forms.RadioSelect
            ):
                widget = self.fields[name].widget
                widget.attrs["class"] = widget.attrs.get("class", "") + " " + _error_class(widget)


def _error_class(widget) -> str:
    if isinstance(widget, forms.Select):
        return "nhsuk-select--error"
    if isinstance(widget, forms.Textarea):
        return "nhsuk-textarea--error"
    return "nhsuk-input--error"
