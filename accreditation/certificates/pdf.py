"""The PDF certificate, drawn on the server with ReportLab (pure Python: no system packages).

One A4 landscape page: the holder's name, the pathway, the issue date, the public
verification address (`SITE_URL` + /verify/<code>/) with the code in groups of four, and a
QR code of that address (ReportLab's own QR widget, so no image is involved). A revoked
certificate still downloads, stamped REVOKED with the date, so an old copy cannot be
passed off as current. Text is in the standard Helvetica fonts (Latin-1); every string is
drawn as text, never parsed as markup.

A second page, when there is anything to list, summarises the evidence behind it as the
holder sees their own record (`evidence_summary`): the supervision levels reached, in ISCP
2021 wording, and the blinded video reviews, closed ones only (an open review's ratings are
never printed).
"""

from __future__ import annotations

import io

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from accreditation.certificates.evidence_summary import EvidenceSummary, evidence_summary
from accreditation.certificates.models import Certificate
from accreditation.certificates.services import verification_url

NHS_BLUE = HexColor("#005eb8")
NHS_DARK = HexColor("#212b32")
NHS_GREY = HexColor("#4c6272")
NHS_RED = HexColor("#d5281b")
QR_SIZE = 120


def _fitted(text: str, font: str, size: float, width: float, minimum: float = 12) -> float:
    """The largest font size up to `size` at which `text` fits in `width`."""
    while size > minimum and stringWidth(text, font, size) > width:
        size -= 1
    return size


def _centred(canvas: Canvas, text: str, *, y: float, font: str, size: float, width: float, colour=NHS_DARK):
    """`text` centred on the page, shrunk to fit `width`."""
    canvas.setFillColor(colour)
    canvas.setFont(font, _fitted(text, font, size, width))
    canvas.drawCentredString(landscape(A4)[0] / 2, y, text)


def _qr(canvas: Canvas, data: str, *, x: float, y: float, size: float) -> None:
    widget = QrCodeWidget(data, barLevel="M")
    left, bottom, right, top = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (right - left), 0, 0, size / (top - bottom), 0, 0])
    drawing.add(widget)
    drawing.drawOn(canvas, x, y)


def certificate_pdf(certificate: Certificate) -> bytes:
    """The certificate as PDF bytes."""
    url = verification_url(certificate)
    holder = certificate.trainee.full_name
    pathway = certificate.pathway.title
    buffer = io.BytesIO()
    page = landscape(A4)
    width, height = page
    canvas = Canvas(buffer, pagesize=page, pageCompression=1)
    canvas.setTitle(f"Certificate: {pathway} - {holder}")
    canvas.setAuthor("RASTrack")
    canvas.setSubject(f"Verification code {certificate.verification_code}")
    canvas.setCreator("RASTrack")

    margin = 28
    canvas.setStrokeColor(NHS_BLUE)
    canvas.setLineWidth(6)
    canvas.rect(margin, margin, width - 2 * margin, height - 2 * margin)
    canvas.setLineWidth(1)
    canvas.rect(margin + 10, margin + 10, width - 2 * margin - 20, height - 2 * margin - 20)

    text_width = width - 2 * margin - 80
    _centred(canvas, "RASTrack: robot-assisted surgery training", y=height - 95, font="Helvetica", size=14,
             width=text_width, colour=NHS_BLUE)
    _centred(canvas, "Certificate of completion", y=height - 140, font="Helvetica-Bold", size=34,
             width=text_width, colour=NHS_BLUE)
    _centred(canvas, "This certifies that", y=height - 190, font="Helvetica", size=16, width=text_width)
    _centred(canvas, holder, y=height - 232, font="Helvetica-Bold", size=32, width=text_width)
    _centred(canvas, "has completed the training pathway", y=height - 270, font="Helvetica", size=16,
             width=text_width)
    _centred(canvas, pathway, y=height - 306, font="Helvetica-Bold", size=24, width=text_width)
    _centred(canvas, f"Issued on {certificate.issued_on:%-d %B %Y}", y=height - 344, font="Helvetica", size=16,
             width=text_width)

    if not certificate.is_valid:
        revoked = "REVOKED" + (f" on {certificate.revoked_on:%-d %B %Y}" if certificate.revoked_on else "")
        _centred(canvas, revoked, y=height - 384, font="Helvetica-Bold", size=26, width=text_width,
                 colour=NHS_RED)

    left = margin + 40
    bottom = margin + 40
    qr_x = width - margin - 40 - QR_SIZE
    _qr(canvas, url, x=qr_x, y=bottom, size=QR_SIZE)
    canvas.setFillColor(NHS_GREY)
    canvas.setFont("Helvetica", 11)
    canvas.drawString(left, bottom + 62, "Check this certificate at:")
    canvas.setFillColor(NHS_DARK)
    canvas.setFont("Helvetica", _fitted(url, "Helvetica", 11, qr_x - left - 20, minimum=6))
    canvas.drawString(left, bottom + 46, url)
    canvas.setFillColor(NHS_GREY)
    canvas.setFont("Helvetica", 11)
    canvas.drawString(left, bottom + 22, "Verification code:")
    canvas.setFillColor(NHS_DARK)
    canvas.setFont("Courier-Bold", 14)
    canvas.drawString(left + 100, bottom + 22, certificate.code_display)
    canvas.setFillColor(NHS_GREY)
    canvas.setFont("Helvetica", 9)
    canvas.drawString(left, bottom, "The verification page shows whether the certificate is valid or revoked.")

    canvas.showPage()
    summary = evidence_summary(certificate.trainee, certificate.trainee)
    if summary.levels or summary.reviews or summary.open_reviews:
        _summary_page(canvas, summary, holder=holder, pathway=pathway, page=page)
    canvas.save()
    return buffer.getvalue()


def _summary_page(canvas: Canvas, summary: EvidenceSummary, *, holder: str, pathway: str, page) -> None:
    width, height = page
    left, y, text_width = 56, height - 60, width - 112

    def line(text: str, *, font: str = "Helvetica", size: float = 10, colour=NHS_DARK, gap: float = 14) -> None:
        nonlocal y
        if y < 50:
            canvas.showPage()
            y = height - 60
        canvas.setFillColor(colour)
        canvas.setFont(font, _fitted(text, font, size, text_width, minimum=6))
        canvas.drawString(left, y, text)
        y -= gap

    line(f"Evidence summary: {holder}, {pathway}", font="Helvetica-Bold", size=16, colour=NHS_BLUE, gap=26)
    line("Supervision levels reached (ISCP 2021)", font="Helvetica-Bold", size=12, gap=18)
    if not summary.levels:
        line("None recorded.")
    for row in summary.levels:
        line(f"{row.subject}: best {row.best}; latest {row.latest} ({row.ratings} rated)")
    y -= 8
    line("Blinded video reviews (closed)", font="Helvetica-Bold", size=12, gap=18)
    if not summary.reviews:
        line("None closed.")
    for review in summary.reviews:
        totals = ", ".join(f"{rater} {total}" for rater, total in review.totals)
        line(f"{review.closed_on:%-d %B %Y}: {review.tool}, {review.procedure}. Mean total {review.mean_total}; "
             f"agreement {review.agreement} ({review.agreement_method}). Ratings: {totals}.")
    if summary.open_reviews:
        line(f"{summary.open_reviews} review(s) still open: nothing of their ratings is shown until they close.",
             colour=NHS_GREY)
    canvas.showPage()
