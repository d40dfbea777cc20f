"""Certificates in two layers: a form and each holder's values.

Certificates issued together differ only in a few lines: the holder's name, ID number, level,
certificate number, dates, photo and QR code. Laying out and writing the whole page for each
costs far more than those lines. So, per kind of certificate (the same 证书正文, addresses,
organisation and rows), the page is laid out once as a **form** — every value laid out but
hidden, each in an element ``id="slot-…"`` whose position WeasyPrint reports as an anchor —
and each holder's PDF is a **fill** page with only their values, each placed at its slot,
laid under the form by pikepdf (the form becomes a Form XObject of the holder's PDF).

The result prints exactly like the whole page (tests/certification/test_layers.py compares
them pixel by pixel). A holder's values take one line each in a form; a value too wide for
that (a very long name) is printed on a whole page instead (``fits``)."""

from __future__ import annotations

import io
import threading
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lms.certification.models import Certificate

#: Widest holder's name a form's one-line slot takes, in em of the fill-in face (the slot is
#: 76 mm, 18 em of 12 pt; a narrow character counts 0.6 em, more than a Latin letter takes).
NAME_WIDTH_EM = 16.0
#: Forms kept per process: a handful of kinds of certificate exist at any time.
FORMS_KEPT = 16


@dataclass(frozen=True)
class Form:
    pdf: Any  # pikepdf.Pdf of one page, kept open
    slots: dict[str, tuple[float, float]]  # slot -> (x, y) in CSS px from the page's corner


def width_em(text: str) -> float:
    return sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.6 for c in text)


def fits(certificate: Certificate) -> bool:
    """Whether the holder's values each fit the one line a form gives them."""
    return width_em(certificate.holder_name) <= NAME_WIDTH_EM


def form_key(certificate: Certificate, page: dict[str, Any]) -> tuple[Any, ...]:
    """What a form depends on: everything on the page but the holder's own values, and the
    length of the verification address (it wraps below the look-up addresses)."""
    return (
        page["body"],
        page["lookup_url"],
        page["organisation_url"],
        certificate.organisation,
        certificate.occupation,
        page["expires"] is not None,
        bool(certificate.reissue_count),
        len(page["verify_url"]),
    )


class Forms:
    """The forms of one process, made on first use."""

    def __init__(self) -> None:
        self._forms: dict[tuple[Any, ...], Form] = {}
        self._lock = threading.Lock()

    def get(
        self, key: tuple[Any, ...], make: Callable[[], tuple[bytes, dict[str, Any]] | None]
    ) -> Form | None:
        """The form of ``key``, laid out by ``make`` the first time; None when ``make`` finds
        it unusable (not one page with every slot on it): its certificates get whole pages."""
        with self._lock:
            form = self._forms.get(key)
            if form is None:
                import pikepdf

                made = make()
                if made is None:
                    return None
                pdf, anchors = made  # anchors: id -> (left, top, right, bottom)
                slots = {
                    name.removeprefix("slot-"): (round(box[0], 3), round(box[1], 3))
                    for name, box in anchors.items()
                    if name.startswith("slot-")
                }
                if len(self._forms) >= FORMS_KEPT:
                    self._forms.pop(next(iter(self._forms)))
                form = self._forms[key] = Form(pikepdf.open(io.BytesIO(pdf)), slots)
            return form


def lay_under(fill_pdf: bytes, form: Form) -> bytes:
    """The holder's fill page with the form laid under it, as one PDF."""
    import pikepdf

    with pikepdf.open(io.BytesIO(fill_pdf)) as pdf:
        pdf.pages[0].add_underlay(form.pdf.pages[0], None)  # None: the whole page
        out = io.BytesIO()
        pdf.save(out)
    return out.getvalue()
