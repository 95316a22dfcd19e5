"""The one-tap decision page that reminder e-mails link to."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from accreditation.signoff_workflows import LinkRefused, decision_link_open, decision_link_use
from rastrack.core.exceptions import ApplicationError


@login_required
def decide(request, token: str):
    """Confirm a decision on one sign-off request. A link that is invalid, expired, used, or
    opened by another account does nothing but say why."""
    try:
        link = decision_link_open(token=token, user=request.user)
    except LinkRefused as refused:
        return render(request, "accreditation/signoff/decide_refused.html", {"reason": str(refused)}, status=403)
    error = None
    if request.method == "POST":
        decision = request.POST.get("decision", "")
        try:
            decided = decision_link_use(token=token, user=request.user, decision=decision,
                                        feedback=request.POST.get("feedback", ""))
        except LinkRefused as refused:
            return render(request, "accreditation/signoff/decide_refused.html", {"reason": str(refused)},
                          status=403)
        except ApplicationError as exc:
            error = exc.message or "; ".join(m for ms in exc.errors.values() for m in ms)
        else:
            messages.success(request, f"Request {decided.get_status_display().lower()}.")
            return redirect("accreditation:signoff", pk=decided.pk)
    return render(request, "accreditation/signoff/decide.html",
                  {"link": link, "signoff_request": link.signoff_request, "error": error})
