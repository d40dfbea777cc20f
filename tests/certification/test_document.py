"""The printed certificate as the notice 人社鉴发〔2021〕1号 describes it: every field, the
证书正文, the two national look-up addresses, and a QR code that reads from a 100-dpi scan."""

from __future__ import annotations

import io
import re
import subprocess
import zlib
from datetime import date
from pathlib import Path

from fontTools.ttLib import TTFont
from PIL import ImageChops

from lms.certification import render, services
from lms.certification.render import verify_url
from tests.certification.factories import make_passed_candidate
from tests.certification.pdfs import raster


def _pdf(tmp_path: Path, **issue_args) -> tuple[Path, object, object]:
    candidate = make_passed_candidate()
    certificate = services.issue(candidate, **issue_args)
    path = tmp_path / "certificate.pdf"
    path.write_bytes(services.stored_pdf(certificate))
    return path, candidate, certificate


def _text(path: Path) -> str:
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    return "".join(out.split())


def test_the_qr_code_decodes_from_a_100_dpi_scan(app, tmp_path) -> None:
    path, _, certificate = _pdf(tmp_path)
    subprocess.run(
        ["pdftoppm", "-r", "100", "-png", "-singlefile", str(path), str(tmp_path / "scan")],
        check=True,
    )
    decoded = subprocess.run(
        ["zbarimg", "--quiet", "--raw", str(tmp_path / "scan.png")],
        capture_output=True,
        text=True,
    ).stdout.strip()
    assert decoded == verify_url(certificate, signed=True)
    assert len(decoded) < 160  # the signature alone, not the claims: a version-8 code


def test_the_page_prints_every_field_of_the_notice(app, tmp_path) -> None:
    path, candidate, certificate = _pdf(tmp_path, on=date(2026, 11, 20))
    text = _text(path)
    id_number = render.decrypt_id_number(certificate.staff)
    for expected in (
        "职业技能等级证书",
        app.config["CERT_BODY_TEXT"],  # 证书正文
        "姓名", candidate.staff.name,
        "证件类型", "居民身份证",
        "证件号码", id_number,
        "职业名称", "保育师",
        "工种/职业方向", "--",
        "职业技能等级", "五级/初级工",
        "证书编号", certificate.number,
        "评价机构名称", certificate.organisation,
        "发证日期", "2026年11月20日",
        "证书信息查询网址：http://jndj.osta.org.cn",
        "机构信息查询网址：http://pjjg.osta.org.cn",
    ):  # fmt: skip
        assert "".join(expected.split()) in text, expected


def test_the_look_up_addresses_and_the_body_are_configurable(app, tmp_path, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "CERT_LOOKUP_URL", "http://rsj.example.cn/zscx")
    monkeypatch.setitem(app.config, "CERT_ORGANISATION_URL", "http://rsj.example.cn/jgcx")
    monkeypatch.setitem(app.config, "CERT_BODY_TEXT", "经考核合格，特发此证。")
    text = _text(_pdf(tmp_path)[0])
    assert "证书信息查询网址：http://rsj.example.cn/zscx" in text
    assert "机构信息查询网址：http://rsj.example.cn/jgcx" in text
    assert "经考核合格，特发此证。" in text and "jndj.osta.org.cn" not in text


def test_the_fill_in_face_is_configurable(app, tmp_path, monkeypatch) -> None:
    """Where a licensed FangSong is installed, LMS_CERT_FONT_FILL names it; a sans face
    stands for it here (none is packaged freely)."""
    monkeypatch.setitem(app.config, "CERT_FONT_FILL", "Noto Sans CJK SC")
    path = _pdf(tmp_path)[0]
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
    assert re.search(r"Noto-Sans-CJK-SC", fonts), fonts
    assert render.fill_face_css('x"; } body { color: red') == ""  # not a family name


def test_the_certificates_own_browser_defaults_print_the_same_page(app, tmp_path) -> None:
    """certificates/user-agent.css keeps only the default rules the template's elements need:
    the page must come out as with WeasyPrint's whole HTML5 stylesheet, pixel for pixel — a
    reissued certificate with an expiry date, so every row of the template is there."""
    from weasyprint import HTML

    candidate = make_passed_candidate()
    certificate = services.issue(candidate)
    services.reissue(certificate)
    certificate.expires_on = date(2029, 11, 20)
    engine = render._engine(app.config["CERT_FONT_CACHE"], app.config["CERT_FONT_FILL"])
    html = render.certificate_html(certificate)
    pages = {}
    for name, document_class in (("ours", engine.document_class), ("weasyprint", HTML)):
        document = document_class(string=html, base_url=str(render.TEMPLATES)).render(
            stylesheets=[engine.stylesheet], font_config=engine.font_config
        )
        pages[name] = raster(document.write_pdf(), tmp_path, name)
    assert document_class is HTML and engine.document_class is not HTML
    assert ImageChops.difference(pages["ours"], pages["weasyprint"]).getbbox() is None


def _embedded_faces(pdf: bytes) -> list[bytes]:
    """The font programs embedded in the PDF: the streams with a /Length1 (an embedded font
    program's decompressed length), decompressed."""
    faces = []
    for found in re.finditer(rb"<<[^>]*/Length1 (\d+)[^>]*>>\s*stream\r?\n", pdf):
        program = zlib.decompressobj().decompress(pdf[found.end() :])
        assert len(program) == int(found.group(1))
        faces.append(program)
    return faces


def test_the_embedded_face_is_small_whatever_the_holders_name(app, tmp_path) -> None:
    """The face embedded in each PDF keeps its glyph numbers: those every certificate prints
    and the common hanzi come first, so a holder named with common characters costs a face of
    under 5,000 glyph slots (the whole face numbers 13,000), and the PDF stays small."""
    candidate = make_passed_candidate()
    candidate.staff.name = "王秀英"
    certificate = services.issue(candidate)
    pdf = services.stored_pdf(certificate)
    (tmp_path / "certificate.pdf").write_bytes(pdf)
    assert "王秀英" in _text(tmp_path / "certificate.pdf")
    faces = [TTFont(io.BytesIO(face)) for face in _embedded_faces(pdf)]
    assert faces and all(face["maxp"].numGlyphs < 5000 for face in faces)
    assert len(pdf) < 45_000


def test_make_run_prints_the_address_it_serves() -> None:
    """`make run PORT=5077` serves on 5077, and certificates it issues point there too."""
    database = subprocess.run(
        ["make", "-n", "-p", "run", "PORT=5077"],
        capture_output=True,
        text=True,
        cwd=Path(__file__).parents[2],
    ).stdout
    assert "run: LMS_PUBLIC_URL = http://127.0.0.1:$(PORT)" in database
    assert "--port 5077" in database
