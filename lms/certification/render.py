"""The certificate as an A4 PDF: the Jinja template in certificates/, filled and laid out by
WeasyPrint, with a QR code to the public verification page.

Each process parses the stylesheet and loads the (pre-subset, see fonts.py) face once and
reuses both for every certificate, with the forms certificates are filled in on (layers.py);
WeasyPrint documents are not shared between threads, so a process renders one part at a
time."""

from __future__ import annotations

import base64
import io
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache, partial
from pathlib import Path
from typing import Any

import segno
from flask import current_app
from jinja2 import Environment, FileSystemLoader, select_autoescape
from PIL import Image

from lms.certification import fonts, layers, photos, signing
from lms.certification.models import Certificate
from lms.config import PROJECT_ROOT
from lms.core.levels import level_label
from lms.org.services import decrypt_id_number

TEMPLATES = PROJECT_ROOT / "certificates"


@cache
def _environment() -> Environment:
    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))


def verify_url(certificate: Certificate, *, signed: bool = False) -> str:
    """The verification page's address; ``signed`` adds the Ed25519-signed claims (QR code)."""
    base = current_app.config["PUBLIC_URL"].rstrip("/")
    values = {"s": signing.sign(certificate)} if signed else {}
    # Built from the URL map rather than url_for: background jobs and the CLI render too,
    # outside any request.
    path = current_app.url_map.bind("localhost").build(
        "certificates.verify", {"number": certificate.number, **values}
    )
    return base + path


def chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _page(certificate: Certificate) -> dict[str, Any]:
    """What one certificate's page shows."""
    return {
        "c": certificate,
        "id_number": decrypt_id_number(certificate.staff),
        "level": level_label(certificate.level),
        "issued": chinese_date(certificate.issued_on),
        "expires": chinese_date(certificate.expires_on) if certificate.expires_on else None,
        "qr": qr_png_uri(verify_url(certificate, signed=True)),
        "verify_url": verify_url(certificate),
        "lookup_url": current_app.config["CERT_LOOKUP_URL"],
        "organisation_url": current_app.config["CERT_ORGANISATION_URL"],
        "body": current_app.config["CERT_BODY_TEXT"],
        "photo": _photo_uri(certificate),
        "slots": None,  # where a fill page puts the values (layers.py)
    }


def certificate_html(*certificates: Certificate) -> str:
    """One HTML document with a whole page per certificate."""
    return _html([_page(certificate) for certificate in certificates], "whole")


def _html(pages: Sequence[dict[str, Any]], layer: str) -> str:
    return _environment().get_template("certificate.html").render(pages=pages, layer=layer)


def _photo_uri(certificate: Certificate) -> str | None:
    jpeg = photos.jpeg_of(certificate.staff_id)
    return "data:image/jpeg;base64," + base64.b64encode(jpeg).decode() if jpeg else None


QR_PIXELS_PER_MODULE = 4
#: Light modules around the code; the page around it is white too.
QR_BORDER = 2
_LIGHT, _DARK = 255, 0  # greyscale values of a light and a dark module


def qr_png_uri(text: str) -> str:
    """The QR code as a greyscale PNG of a few pixels per module. PDF viewers and printer
    drivers may smooth an image while scaling it whatever the PDF asks (poppler does), which
    blurs a one-pixel-per-module code past reading; so the modules are drawn one pixel each
    from segno's matrix and Pillow enlarges them without smoothing. Greyscale ("L"), not
    bilevel: WeasyPrint converts a bilevel image to RGB and encodes it once more, three times
    the pixels, before embedding it; a greyscale one it embeds as greyscale. Mask 0 is fixed:
    choosing the best mask costs more than the whole page layout, and any mask scans."""
    code = segno.make(text, error="m", mask=0)
    size = len(code.matrix) + 2 * QR_BORDER
    pixels = bytearray([_LIGHT]) * (size * size)
    for y, row in enumerate(code.matrix, start=QR_BORDER):
        start = y * size + QR_BORDER
        pixels[start : start + len(row)] = bytes(_DARK if module else _LIGHT for module in row)
    modules = Image.frombytes("L", (size, size), bytes(pixels))
    enlarged = modules.resize(
        (size * QR_PIXELS_PER_MODULE, size * QR_PIXELS_PER_MODULE), Image.Resampling.NEAREST
    )
    png = io.BytesIO()
    enlarged.save(png, format="PNG")
    return "data:image/png;base64," + base64.b64encode(png.getvalue()).decode()


@dataclass(frozen=True)
class _Engine:
    font_config: Any
    stylesheet: Any
    document_class: Any  # weasyprint.HTML with the certificate's user-agent stylesheet
    forms: layers.Forms  # laid out with this engine's faces
    lock: threading.RLock  # re-entered when a part falls back to one certificate at a time


def fill_face_css(family: str) -> str:
    """The fill-ins' face: the configured family (a FangSong where one is licensed and
    installed) before the certificate's own; a name that is not a plain family name is ignored."""
    if not family or not re.fullmatch(r"[\w \-]+", family):
        return ""
    families = f'"{family}", "{fonts.FAMILY}", "{fonts.SYSTEM_FAMILY}", serif'
    return f".fill {{ font-family: {families}; }}\n"


def _certificate_document_class(user_agent_stylesheet: Any) -> Any:
    from weasyprint import HTML

    class CertificateHTML(HTML):
        """An HTML document styled with the certificate's own browser defaults
        (certificates/user-agent.css) rather than the whole HTML5 user-agent stylesheet."""

        def _ua_stylesheets(self, forms: bool = False) -> list[Any]:
            return [user_agent_stylesheet]

    return CertificateHTML


@cache
def _engine(font_cache: str, fill_family: str = "") -> _Engine:
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    face = fonts.prepared_face(Path(font_cache))
    font_config = FontConfiguration()
    stylesheet = CSS(
        string=fonts.font_face_css(face)
        + (TEMPLATES / "certificate.css").read_text("utf-8")
        + fill_face_css(fill_family),
        base_url=str(TEMPLATES),
        font_config=font_config,
    )
    user_agent = CSS(filename=str(TEMPLATES / "user-agent.css"))
    return _Engine(
        font_config,
        stylesheet,
        _certificate_document_class(user_agent),
        layers.Forms(),
        threading.RLock(),
    )


def prepare() -> None:
    """Build the font subsets and parse the stylesheet now rather than on the first render."""
    _engine(current_app.config["CERT_FONT_CACHE"], current_app.config["CERT_FONT_FILL"])


def render_pdf(certificate: Certificate) -> bytes:
    return render_pdfs([certificate])[0]


def render_pdfs(certificates: Sequence[Certificate]) -> list[bytes]:
    """A PDF file per certificate. Certificates whose values fit a form are filled in on it
    (layers.py); the others get a whole page. Either way several are laid out as one document
    and written page by page, which shares parsing and styling between them."""
    if not certificates:
        return []
    engine = _engine(current_app.config["CERT_FONT_CACHE"], current_app.config["CERT_FONT_FILL"])
    pages = [_page(certificate) for certificate in certificates]
    with engine.lock:
        files = _filled_in(engine, certificates, pages)
        rest = [i for i in range(len(certificates)) if i not in files]
        whole = _whole(engine, [certificates[i] for i in rest], [pages[i] for i in rest])
        files.update(zip(rest, whole, strict=True))
    return [files[i] for i in range(len(certificates))]


def _filled_in(
    engine: _Engine, certificates: Sequence[Certificate], pages: Sequence[dict[str, Any]]
) -> dict[int, bytes]:
    """By position, the certificates that fit a form, filled in and laid on it; the caller
    makes whole pages for the others."""
    form_of: dict[int, layers.Form] = {}
    for position, certificate in enumerate(certificates):
        if layers.fits(certificate):
            key = layers.form_key(certificate, pages[position])
            form = engine.forms.get(key, partial(_form, engine, pages[position]))
            if form is not None:
                form_of[position] = form
                pages[position]["slots"] = form.slots
    if not form_of:
        return {}
    document = _render(engine, _html([pages[position] for position in form_of], "fill"))
    if len(document.pages) != len(form_of):
        return {}
    written = _write_each(document, [certificates[position] for position in form_of])
    return {
        position: layers.lay_under(pdf, form)
        for (position, form), pdf in zip(form_of.items(), written, strict=True)
    }


def _form(engine: _Engine, page: dict[str, Any]) -> tuple[bytes, dict[str, Any]] | None:
    """A form laid out with ``page``'s values hidden, and its anchors; None when it is not one
    page with every slot on it (a 证书正文 configured far too long, say)."""
    html = _html([page], "form")
    document = _render(engine, html)
    if len(document.pages) != 1:
        return None
    anchors = document.pages[0].anchors
    if not set(re.findall(r'id="(slot-[\w-]+)"', html)) <= set(anchors):
        return None
    return bytes(document.write_pdf()), anchors


def _whole(
    engine: _Engine, certificates: Sequence[Certificate], pages: Sequence[dict[str, Any]]
) -> list[bytes]:
    if not certificates:
        return []
    document = _render(engine, _html(pages, "whole"))
    if len(document.pages) != len(certificates):
        # A certificate that does not fit its page must not shift the others: alone, the
        # overflow shows in its own file.
        if len(certificates) > 1:
            alone = zip(certificates, pages, strict=True)
            return [pdf for c, p in alone for pdf in _whole(engine, [c], [p])]
        return [bytes(document.write_pdf())]
    return _write_each(document, certificates)


def _render(engine: _Engine, html: str) -> Any:
    return engine.document_class(string=html, base_url=str(TEMPLATES)).render(
        stylesheets=[engine.stylesheet], font_config=engine.font_config
    )


def _write_each(document: Any, certificates: Sequence[Certificate]) -> list[bytes]:
    """A PDF file for each page of ``document``, titled with its certificate's number."""
    from weasyprint.pdf.metadata import DocumentMetadata

    files = []
    for certificate, page in zip(certificates, document.pages, strict=True):
        single = document.copy([page])
        single.metadata = DocumentMetadata(
            title=f"职业技能等级证书 {certificate.number}", lang="zh-CN"
        )
        files.append(bytes(single.write_pdf()))
    return files
