"""Certificate and portfolio web pages, and the public verification page.

- `/verify/<code>/` (no sign-in; the MFA middleware exempts `/verify/`): holder name,
  pathway, issue date and status, nothing else; the same 404 page for an unknown or a
  malformed code; `noindex`, never cached; throttled per client address
  (`VERIFY_THROTTLE`, e.g. 30/minute; the address from `login_protection.client_ip`, so
  `TRUSTED_PROXY_COUNT` is respected): the 429 page says when to try again. `/verify/`
  takes a code typed from a printed certificate.
- `/certificates/mine/`: the trainee's own, with the PDF and the verification link.
- `/certificates/`: the certificates in the caller's scope (trainers, leads, admins), with
  revoke for programme admins (`/certificates/<id>/revoke/`, a reason required).
- `/portfolio/`: your own portfolio (trainees) and the trainees you may export;
  `/portfolio/<trainee id>/` a trainee's summary with the CSV and PDF buttons
  (`export.csv`, `export.pdf`). Scoped like the logbook (others: 404).

Same rules as the API: selectors scope (404), `require_role` refuses roles (403), services
decide the rest (400 on the form, 409 through `DomainErrorMiddleware`).
"""

from __future__ import annotations

import json
import time

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from accreditation.certificates import credentials, keys, policies, selectors, services
from accreditation.certificates.forms import (
    CertificateFilterForm,
    CredentialCheckForm,
    RevokeForm,
    TraineeSearchForm,
    VerifyLookupForm,
)
from accreditation.certificates.models import Certificate, CertificateStatus, normalise_code
from accreditation.certificates.pdf import certificate_pdf
from accreditation.certificates.portfolio_export import (
    build_portfolio,
    portfolio_csv,
    portfolio_pdf,
)
from rastrack.accounts.login_protection import client_ip
from rastrack.accounts.roles import Role
from rastrack.accounts.trainee_scope import trainees_visible_to
from rastrack.core.forms import form_status, submit_form
from rastrack.core.permissions import get_visible_or_404, refuse_unless, require_role

READERS = policies.READERS
PAGE_SIZE = 25

# --- The public verification page ------------------------------------------------------------------

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def verify_rate() -> tuple[int, int]:
    """`VERIFY_THROTTLE` ("30/minute") as (requests, seconds); settings checked its form."""
    number, period = settings.VERIFY_THROTTLE.split("/")
    return int(number), _PERIODS[period[0]]


def verify_throttle_wait(request) -> int | None:
    """Count the request against its client address; the seconds to wait when over the
    limit, else None. A fixed window in the cache (shared by every process when the cache
    is Redis), keyed by address and window number."""
    limit, window = verify_rate()
    now = int(time.time())
    key = f"verify-throttle:{client_ip(request) or 'unknown'}:{now // window}"
    if cache.add(key, 1, timeout=window + 1):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=window + 1)
            count = 1
    return window - now % window if count > limit else None


def _public(response: HttpResponse) -> HttpResponse:
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _throttled(request, wait: int) -> HttpResponse:
    response = render(request, "accreditation/certificates/verify_throttled.html", {"wait": wait}, status=429)
    response["Retry-After"] = str(wait)
    return _public(response)


@never_cache
@require_safe
def verify(request, code: str):
    """Anyone (no sign-in): is this certificate genuine and still valid?"""
    wait = verify_throttle_wait(request)
    if wait is not None:
        return _throttled(request, wait)
    certificate = selectors.certificate_for_verification(code)
    if certificate is None:
        return _public(render(request, "accreditation/certificates/verify_unknown.html", status=404))
    # Only these four values reach the template: nothing else about the holder can leak.
    return _public(render(request, "accreditation/certificates/verify.html", {
        "holder": certificate.trainee.full_name,
        "pathway": certificate.pathway.title,
        "issued_on": certificate.issued_on,
        "valid": certificate.status == CertificateStatus.VALID,
    }))


@never_cache
@require_safe
def verify_lookup(request):
    """Type the code from a printed certificate; goes to its verification page."""
    wait = verify_throttle_wait(request)
    if wait is not None:
        return _throttled(request, wait)
    form = VerifyLookupForm(request.GET or None)
    if form.is_valid():
        code = normalise_code(form.cleaned_data["code"])
        if code is not None:
            return redirect("certificate-verify", code=code)
        form.add_error("code", "A verification code has 16 letters and digits, as printed on the certificate.")
    return _public(render(request, "accreditation/certificates/verify_form.html", {"form": form}))


# --- Portable credentials (Open Badges 3.0): the issuer's keys, status lists, the public check ---------


@never_cache
@require_safe
def did_document(request):
    """/.well-known/did.json: the issuer's DID document, with every credential key (did:web)."""
    response = JsonResponse(keys.did_document(), content_type="application/did+json")
    response["Access-Control-Allow-Origin"] = "*"
    return response


@never_cache
@require_safe
def status_list(request, number: int):
    """/credentials/status/<n>/: the signed revocation list (BitstringStatusListCredential)."""
    response = HttpResponse(credentials.status_list_credential(number), content_type="application/vc+jwt")
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _submitted_credential(request) -> str:
    """The credential from a JSON body, a pasted form field or an uploaded file (the file may
    hold the bare credential or the API's JSON answer)."""
    if request.content_type == "application/json":
        try:
            body = json.loads(request.body or b"{}")
        except ValueError:
            return ""
        value = body.get("credential") if isinstance(body, dict) else None
        return value if isinstance(value, str) else ""
    upload = request.FILES.get("file")
    if upload is not None:
        text = upload.read(credentials.MAX_CREDENTIAL_LENGTH + 1).decode("utf-8", "replace").strip()
        if text.startswith("{"):
            try:
                value = json.loads(text).get("credential")
            except (ValueError, AttributeError):
                return text
            return value if isinstance(value, str) else ""
        return text
    return request.POST.get("credential", "")


def _wants_page(request) -> bool:
    return "text/html" in request.headers.get("Accept", "") and request.content_type != "application/json"


@csrf_exempt  # public and read-only: it changes nothing, so there is nothing to forge
@never_cache
@require_http_methods(["GET", "POST"])
def verify_credential(request):
    """Anyone: is this Open Badges credential ours, untouched and still valid? JSON in, JSON out
    (`{"status": "valid"|"revoked"|"invalid", "detail"}`), or the page with its form."""
    wait = verify_throttle_wait(request)
    if wait is not None:
        if _wants_page(request) or request.method == "GET":
            return _throttled(request, wait)
        response = JsonResponse({"detail": f"Too many checks: try again in {wait} seconds."}, status=429)
        response["Retry-After"] = str(wait)
        return _public(response)
    if request.method == "GET":
        return _public(render(request, "accreditation/certificates/verify_credential.html",
                              {"form": CredentialCheckForm()}))
    result = credentials.credential_verify(_submitted_credential(request))
    if not _wants_page(request):
        return _public(JsonResponse({"status": result.status, "detail": result.detail}))
    return _public(render(request, "accreditation/certificates/verify_credential.html",
                          {"form": CredentialCheckForm(), "result": result}))


# --- Certificates -----------------------------------------------------------------------------------


def _qr_svg(url: str) -> str:
    import segno

    # segno writes presentation attributes only (no style=): fine under the CSP.
    return segno.make(url, error="m").svg_inline(scale=3, light="#fff", title="QR code of the verification page",
                                                 svgclass="rastrack-qr")


@login_required
def certificates_mine(request):
    """The trainee's own certificates: the PDF and the public verification link of each."""
    require_role(request.user, Role.TRAINEE)
    certificates = list(selectors.certificates_of(request.user))
    return render(request, "accreditation/certificates/mine.html", {
        "certificates": [(c, services.verification_url(c)) for c in certificates],
    })


@login_required
def certificate_list(request):
    """Certificates in the caller's scope; programme admins revoke from here."""
    require_role(request.user, *READERS)
    form = CertificateFilterForm(request.GET or None)
    qs = selectors.certificates_visible_to(request.user)
    if form.is_valid():
        if form.cleaned_data["q"]:
            qs = qs.filter(trainee__full_name__icontains=form.cleaned_data["q"])
        if form.cleaned_data["status"]:
            qs = qs.filter(status=form.cleaned_data["status"])
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = "&".join(f"{k}={v}" for k, v in request.GET.items() if k != "page" and v)
    return render(request, "accreditation/certificates/list.html", {
        "page": page, "form": form, "query": query,
        "can_revoke": policies.can_revoke(request.user),
    })


def _visible(request, pk: int) -> Certificate:
    require_role(request.user, *READERS)
    return get_visible_or_404(selectors.certificates_visible_to(request.user), pk)


@login_required
def certificate_detail(request, pk: int):
    certificate = _visible(request, pk)
    url = services.verification_url(certificate)
    return render(request, "accreditation/certificates/detail.html", {
        "certificate": certificate, "verification_url": url,
        "qr_svg": mark_safe(_qr_svg(url)),  # noqa: S308 - segno's own SVG markup
        "can_revoke": policies.can_revoke(request.user, certificate),
        "own": certificate.trainee_id == request.user.pk,
    })


@login_required
@require_safe
def certificate_download(request, pk: int):
    certificate = _visible(request, pk)
    response = HttpResponse(certificate_pdf(certificate), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificate-{certificate.verification_code}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_safe
def certificate_credential(request, pk: int):
    """The certificate as an Open Badges 3.0 credential file, for the holder's wallet."""
    certificate = _visible(request, pk)
    token, _payload = credentials.credential_issue(certificate)
    response = HttpResponse(token, content_type="application/vc+jwt")
    response["Content-Disposition"] = f'attachment; filename="credential-{certificate.verification_code}.jwt"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def certificate_revoke(request, pk: int):
    """A programme admin revokes with a reason (others: 403; outside the scope: 404)."""
    refuse_unless(policies.refusal_to_revoke(request.user))
    certificate = get_visible_or_404(selectors.certificates_visible_to(request.user), pk)
    form = RevokeForm(request.POST or None)
    response = submit_form(
        request, form,
        lambda data: services.certificate_revoke(certificate=certificate, actor=request.user, reason=data["reason"]),
        success=f"The certificate of {certificate.trainee.full_name} is revoked; they are told "
                "and the verification page shows it.",
        then=("accreditation:certificate", certificate.pk))
    if response:
        return response
    return render(request, "accreditation/certificates/revoke.html", {"certificate": certificate, "form": form},
                  status=form_status(request))


# --- Portfolio ------------------------------------------------------------------------------------


def _trainees_for(user, query: str):
    qs = (trainees_visible_to(user).filter(groups__name=Role.TRAINEE, is_active=True).exclude(pk=user.pk)
          .select_related("region").order_by("full_name", "id").distinct())
    return qs.filter(full_name__icontains=query) if query else qs


def _export_urls(trainee) -> dict[str, str]:
    return {"csv": reverse("accreditation:portfolio-export-csv", args=[trainee.pk]),
            "pdf": reverse("accreditation:portfolio-export-pdf", args=[trainee.pk])}


@login_required
def portfolio(request):
    """Your own portfolio (trainees) and the trainees whose portfolio you may export."""
    user = request.user
    require_role(user, *READERS)
    own = build_portfolio(viewer=user, trainee=user) if user.has_role(Role.TRAINEE) else None
    others = None
    form = TraineeSearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    if user.has_role(Role.TRAINER, Role.REGIONAL_LEAD, Role.PROGRAMME_ADMIN):
        others = Paginator(_trainees_for(user, query), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "accreditation/certificates/portfolio.html", {
        "portfolio": own, "export": _export_urls(user) if own else None, "page": others, "form": form,
        "query": f"q={query}" if query else "",
    })


def _subject(request, trainee_id: int):
    require_role(request.user, *READERS)
    return get_visible_or_404(trainees_visible_to(request.user), trainee_id)


@login_required
def portfolio_trainee(request, trainee_id: int):
    trainee = _subject(request, trainee_id)
    return render(request, "accreditation/certificates/portfolio_trainee.html", {
        "portfolio": build_portfolio(viewer=request.user, trainee=trainee), "export": _export_urls(trainee),
        "own": trainee.pk == request.user.pk,
    })


@login_required
@require_safe
def portfolio_export(request, trainee_id: int, kind: str):
    trainee = _subject(request, trainee_id)
    data = build_portfolio(viewer=request.user, trainee=trainee)
    if kind == "pdf":
        response = HttpResponse(portfolio_pdf(data), content_type="application/pdf")
    else:
        response = HttpResponse(portfolio_csv(data), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{data.filename(kind)}"'
    response["Cache-Control"] = "private, no-store"
    return response
