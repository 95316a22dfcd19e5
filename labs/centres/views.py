"""Web pages of the centres, under /labs/centres/: the register, a centre (its
accreditations, courses, annual returns and feedback in aggregate, for those who may read
them) and an annual return (the centre's leads submit it, a programme admin reviews it)."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import render
from django.utils import timezone

from labs.centres import policies, selectors, services
from labs.centres.criteria import criteria_check
from labs.centres.feedback import centre_feedback_summary
from labs.centres.models import AnnualReturnStatus, ReturnFigure
from rastrack.core.forms import NHSUKFormMixin, form_status, submit_form
from rastrack.core.free_text import MAX_TEXT
from rastrack.core.permissions import get_visible_or_404


@login_required
def centre_list(request):
    centres = list(selectors.centres_visible_to(request.user))
    today = timezone.localdate()
    for centre in centres:
        centre.current = [a for a in centre.accreditations.all() if a.is_current_on(today)]
    return render(request, "labs/centres/list.html", {"centres": centres})


@login_required
def centre_detail(request, pk: int):
    centre = get_visible_or_404(selectors.centres_visible_to(request.user), pk)
    reports = policies.can_read_centre_reports(request.user, centre)
    returns = (selectors.annual_returns_visible_to(request.user)
               .filter(Q(accreditation__centre=centre) | Q(accreditation__course__centre=centre)) if reports else [])
    return render(request, "labs/centres/detail.html", {
        "centre": centre, "today": timezone.localdate(), "returns": returns,
        "feedback": centre_feedback_summary(viewer=request.user, centre=centre) if reports else None,
        "courses": selectors.courses_visible_to(request.user).filter(centre=centre),
    })


class AnnualReturnForm(NHSUKFormMixin, forms.Form):
    narrative = forms.CharField(label="What happened this year", required=False,
                                widget=forms.Textarea(attrs={"maxlength": MAX_TEXT}))

    def __init__(self, *args, figures=(), required=(), **kwargs):
        super().__init__(*args, **kwargs)
        for code in figures:
            self.fields[code] = forms.IntegerField(label=ReturnFigure(code).label, min_value=0,
                                                   max_value=services.MAX_FIGURE, required=code in required)
        self.order_fields([*figures, "narrative"])


class ReviewForm(NHSUKFormMixin, forms.Form):
    decision = forms.ChoiceField(choices=[(AnnualReturnStatus.ACCEPTED, "Accept"),
                                          (AnnualReturnStatus.RETURNED, "Return for changes")],
                                 widget=forms.RadioSelect)
    note = forms.CharField(label="Note to the centre", required=False,
                           widget=forms.Textarea(attrs={"maxlength": MAX_TEXT}))


@login_required
def annual_return(request, pk: int):
    annual = get_visible_or_404(selectors.annual_returns_visible_to(request.user), pk)
    accreditation = annual.accreditation
    centre = accreditation.holder_centre
    asked = [c.figure for c in accreditation.scheme.criteria.all()]
    figures = list(dict.fromkeys(asked + list(ReturnFigure.values)))
    may_submit = (policies.refusal_to_submit_return(request.user, centre) is None
                  and annual.status in (AnnualReturnStatus.DUE, AnnualReturnStatus.RETURNED))
    may_review = policies.is_programme_admin(request.user) and annual.status == AnnualReturnStatus.SUBMITTED
    posted = request.POST if request.method == "POST" else None
    form = AnnualReturnForm(posted if may_submit else None, figures=figures, required=asked,
                            initial={**annual.figures, "narrative": annual.narrative})
    review = ReviewForm(posted if may_review else None)
    if may_submit:
        response = submit_form(request, form, lambda data: services.annual_return_submit(
            actor=request.user, annual_return=annual, narrative=data.pop("narrative", ""),
            figures={k: v for k, v in data.items() if v is not None}),
            success="Annual return submitted.", then=("labs:annual-return", annual.pk))
    elif may_review:
        response = submit_form(request, review, lambda data: services.annual_return_review(
            actor=request.user, annual_return=annual, **data),
            success="Review recorded.", then=("labs:annual-return", annual.pk))
    else:
        response = None
    if response:
        return response
    return render(request, "labs/centres/annual_return.html", {
        "annual": annual, "centre": centre, "criteria": criteria_check(accreditation.scheme, annual.figures or {}),
        "form": form if may_submit else None, "review": review if may_review else None,
    }, status=form_status(request))
