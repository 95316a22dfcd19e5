from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from rastrack.reference.models import Procedure


@login_required
def procedures(request):
    catalogue = Procedure.objects.prefetch_related("steps").order_by("specialty", "name")
    return render(request, "reference/procedures.html", {"procedures": catalogue})
