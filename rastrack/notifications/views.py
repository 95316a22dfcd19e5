from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from rastrack.core.permissions import get_visible_or_404
from rastrack.notifications import selectors, services


@login_required
def inbox(request):
    page = Paginator(selectors.notifications_visible_to(request.user), 25).get_page(request.GET.get("page"))
    return render(request, "notifications/inbox.html", {"page": page})


@login_required
@require_POST
def mark_read(request, pk: int):
    notification = get_visible_or_404(selectors.notifications_visible_to(request.user), pk)
    services.notification_mark_read(notification=notification)
    return redirect(notification.link or "notifications:inbox")


@login_required
@require_POST
def mark_all_read(request):
    services.notifications_mark_all_read(user=request.user)
    return redirect("notifications:inbox")
