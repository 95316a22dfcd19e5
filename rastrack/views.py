"""The home page: a link to each part of the service the user may use."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from rastrack.navigation import links_for


@login_required
def home(request):
    links = [link for link in links_for(request.user) if link.url_name != "home"]
    return render(request, "core/home.html", {"links": links})
