from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.shortcuts import render

from rastrack.core.forms import form_status, submit_form
from rastrack.core.permissions import get_visible_or_404, require
from rastrack.reference import services
from rastrack.reference.forms import ProcedureForm
from rastrack.reference.models import Procedure, with_current_steps

ONLY_ADMINS = "Only programme admins maintain the procedure catalogue."


@login_required
def procedures(request):
    catalogue = with_current_steps(Procedure.objects.order_by("specialty", "name"))
    return render(request, "reference/procedures.html", {"procedures": catalogue})


@login_required
def catalogue(request):
    """Programme admins' list: each procedure with its codes, version and number of current steps."""
    require(services.can_maintain_catalogue(request.user), ONLY_ADMINS)
    rows = Procedure.objects.annotate(
        step_count=Count("steps", filter=Q(steps__retired_in__isnull=True))).order_by("specialty", "subspecialty", "name")
    return render(request, "reference/catalogue.html", {"procedures": rows})


@login_required
def procedure_edit(request, pk: int):
    require(services.can_maintain_catalogue(request.user), ONLY_ADMINS)
    procedure = get_visible_or_404(with_current_steps(Procedure.objects.all()), pk)
    form = ProcedureForm(request.POST or None, initial=ProcedureForm.initial_for(procedure))
    response = submit_form(
        request, form,
        lambda _data: services.procedure_update(actor=request.user, procedure=procedure,
                                                **form.service_arguments(procedure)),
        success=lambda changed: f"{changed.name} is now at version {changed.version}.",
        then=("reference:procedure-edit", procedure.pk))
    if response:
        return response
    return render(request, "reference/procedure_edit.html",
                  {"procedure": procedure, "form": form, "versions": services.procedure_versions(procedure)},
                  status=form_status(request))
