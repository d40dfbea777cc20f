"""Certificates filled in on a shared form (lms/certification/layers.py) print exactly like the
whole page, carry nothing of the holder whose values laid the form out, and a value too wide
for a form's line gets a whole page."""

from __future__ import annotations

import subprocess
from datetime import date

from PIL import ImageChops

from lms.certification import layers, render, services
from tests.certification.factories import make_passed_candidate
from tests.certification.pdfs import raster


def _text(pdf: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()


def _whole_page(app, certificate) -> bytes:
    engine = render._engine(app.config["CERT_FONT_CACHE"], app.config["CERT_FONT_FILL"])
    return render._whole(engine, [certificate], [render._page(certificate)])[0]


def test_filled_in_certificates_print_like_whole_pages(app, tmp_path) -> None:
    """Three holders in one part, two kinds of form: plain, and reissued with an expiry date
    (two more rows). Each file matches its whole page pixel for pixel at 150 dpi."""
    plain = [services.issue(make_passed_candidate()) for _ in range(2)]
    reissued = services.issue(make_passed_candidate())
    reissued.expires_on = date(2029, 11, 20)
    services.reissue(reissued)
    certificates = [plain[0], reissued, plain[1]]
    assert all(layers.fits(certificate) for certificate in certificates)
    filled_in = render.render_pdfs(certificates)
    for n, (certificate, pdf) in enumerate(zip(certificates, filled_in, strict=True)):
        assert pdf.count(b"/Subtype /Form") == 1  # laid on a form
        ours = raster(pdf, tmp_path, f"filled-{n}")
        whole = raster(_whole_page(app, certificate), tmp_path, f"whole-{n}")
        assert ImageChops.difference(ours, whole).getbbox() is None, certificate.number
        assert certificate.holder_name in _text(pdf)


def test_a_form_carries_nothing_of_the_holder_it_was_laid_out_with(app) -> None:
    first, second = (services.issue(make_passed_candidate()) for _ in range(2))
    render.render_pdfs([first])  # lays out the form with the first holder's values, hidden
    pdf = render.render_pdfs([second])[0]
    text = _text(pdf)
    images = subprocess.run(["pdfimages", "-list", "-"], input=pdf, capture_output=True)
    assert len(images.stdout.decode().splitlines()) == 2 + 2  # the second holder's photo and QR
    id_number = render.decrypt_id_number(first.staff)
    assert first.number not in text and id_number not in text
    assert first.holder_name not in text or first.holder_name == second.holder_name
    assert second.number in text


def test_a_name_too_wide_for_a_form_gets_a_whole_page(app, tmp_path) -> None:
    candidate = make_passed_candidate()
    candidate.staff.name = "阿卜杜热合曼·买买提艾力·吐尔逊托合提"
    certificate = services.issue(candidate)
    assert not layers.fits(certificate)
    pdf = services.stored_pdf(certificate)
    assert b"/Subtype /Form" not in pdf
    assert "".join(candidate.staff.name.split()) in "".join(_text(pdf).split())
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True).stdout.decode()
    assert "Pages:           1" in info


def test_a_form_that_overflows_its_page_leaves_whole_pages(app, monkeypatch) -> None:
    """A 证书正文 configured far too long runs the form's slots off its page: the certificate
    is printed as a whole page — which shows the mistake — rather than failing the batch."""
    monkeypatch.setitem(
        app.config, "CERT_BODY_TEXT", "本证书表明持证人具备相应技能等级水平。" * 120
    )
    certificate = services.issue(make_passed_candidate())
    pdf = render.render_pdfs([certificate])[0]
    assert pdf.startswith(b"%PDF-") and b"/Subtype /Form" not in pdf
    assert "本证书表明持证人具备相应技能等级水平。" in "".join(_text(pdf).split())
