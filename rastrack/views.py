"""The home page: a link to each part of the service the user may use."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views.decorators.http import require_safe

from rastrack.navigation import links_for


@login_required
def home(request):
    links = [link for link in links_for(request.user) if link.url_name != "home"]
    return render(request, "core/home.html", {"links": links})


@require_safe
def favicon(request):
    """/favicon.ico, which browsers ask for where no page names an icon (a PDF, a CSV, the
    API's JSON): the NHS.UK icon every page's <head> links to."""
    return redirect(static("vendor/nhsuk/assets/images/favicon.ico"), permanent=True)
