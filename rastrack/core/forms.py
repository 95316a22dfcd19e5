from django import forms

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


_WIDGET_CLASSES = {
    forms.Select: "nhsuk-select",
    forms.Textarea: "nhsuk-textarea",
    forms.CheckboxInput: "nhsuk-checkboxes__input",
    forms.CheckboxSelectMultiple: "",
    forms.RadioSelect: "",
    forms.widgets.Input: "nhsuk-input",
}


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
