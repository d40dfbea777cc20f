"""The certificate as an A4 PDF: the Jinja template in certificates/, filled and laid out by
WeasyPrint, with a QR code to the public verification page."""

from __future__ import annotations

import base64
from functools import cache

import segno
from flask import current_app, url_for
from jinja2 import Environment, FileSystemLoader, select_autoescape

from lms.certification import photos, signing
from lms.certification.models import Certificate
from lms.config import PROJECT_ROOT
from lms.core.crypto import cipher
from lms.core.levels import level_label
from lms.org.services import ID_PURPOSE

TEMPLATES = PROJECT_ROOT / "certificates"


@cache
def _environment() -> Environment:
    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))


def verify_url(certificate: Certificate, *, signed: bool = False) -> str:
    """The verification page's address; ``signed`` adds the Ed25519-signed claims (QR code)."""
    base = current_app.config["PUBLIC_URL"].rstrip("/")
    values = {"s": signing.sign(certificate)} if signed else {}
    return base + url_for(
        "certificates.verify", number=certificate.number, _external=False, **values
    )


def certificate_html(certificate: Certificate) -> str:
    issued = certificate.issued_on
    return (
        _environment()
        .get_template("certificate.html")
        .render(
            c=certificate,
            css=(TEMPLATES / "certificate.css").read_text("utf-8"),
            id_number=cipher().decrypt(certificate.staff.id_number_encrypted, ID_PURPOSE),
            level=level_label(certificate.level),
            issued=f"{issued.year}年{issued.month}月{issued.day}日",
            qr=segno.make(verify_url(certificate, signed=True), error="m").svg_data_uri(
                scale=4, border=1
            ),
            verify_url=verify_url(certificate),
            organisation_url=current_app.config["CERT_ORGANISATION_URL"],
            photo=_photo_uri(certificate),
        )
    )


def _photo_uri(certificate: Certificate) -> str | None:
    jpeg = photos.jpeg_of(certificate.staff_id)
    return "data:image/jpeg;base64," + base64.b64encode(jpeg).decode() if jpeg else None


def render_pdf(certificate: Certificate) -> bytes:
    from weasyprint import HTML

    return HTML(string=certificate_html(certificate), base_url=str(TEMPLATES)).write_pdf()
