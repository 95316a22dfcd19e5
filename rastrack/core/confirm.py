"""The check-your-answers step (NHS.UK pattern) before a decision its maker cannot undo.

A page's form posts as usual; the view asks `confirmation_page(...)` first. Without
`confirmed=yes` in the POST it answers with a page that shows what will happen and sends the
same fields again with `confirmed=yes` (a "Confirm" button) or goes back (a link). The view
then does what it did before. Nothing changes until the person confirms; the API is not asked
(a client confirms in its own way).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

CONFIRMED = "confirmed"


@dataclass(frozen=True)
class Answer:
    label: str
    value: str


def is_confirmed(request: HttpRequest) -> bool:
    return request.POST.get(CONFIRMED) == "yes"


def confirmation_page(request: HttpRequest, *, heading: str, answers: list[Answer], button: str,
                      back_url: str, warning: str = "", caption: str = "") -> HttpResponse | None:
    """None when the person has confirmed; otherwise the page that asks them to."""
    if is_confirmed(request):
        return None
    fields = [(name, value) for name, values in request.POST.lists()
              if name not in ("csrfmiddlewaretoken", CONFIRMED) for value in values]
    return render(request, "core/confirm.html", {
        "heading": heading, "answers": answers, "button": button, "back_url": back_url,
        "warning": warning, "caption": caption, "fields": fields, "action": request.get_full_path(),
    })
