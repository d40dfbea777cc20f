"""A passed demo candidate's certificate, end to end: the administrator issues certificates
with the button and watches the job's progress bar, downloads a PDF (A4, Chinese text), the QR
code printed on it — read from the rendered page by zbarimg — opens the verification page on a
phone with every field and a matching signature, and after revocation that page says revoked."""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.conftest import zh
from tests.e2e.conftest import DESKTOP, PHONE, ROOT, ServerProcess, shoot, sign_in


@pytest.fixture(scope="module")
def certificate_server(server_env, tmp_path_factory) -> Iterator[tuple[str, str]]:
    """Its own server and database, seeded --with-results; the public URL printed in QR codes
    is this server's."""
    instance = tmp_path_factory.mktemp("e2e-certificates")
    env = {
        **server_env,
        "LMS_INSTANCE_PATH": str(instance),
        "LMS_DATABASE_URL": f"sqlite:///{instance / 'certificates.sqlite3'}",
        "LMS_CERT_FONT_CACHE": str(ROOT / ".cache" / "fonts"),
    }
    lms = [sys.executable, "-m", "lms.cli"]
    subprocess.run([*lms, "db", "upgrade"], env=env, check=True, cwd=ROOT)
    subprocess.run(
        [*lms, "demo", "seed", "--trainees", "120", "--institutions", "30", "--with-results"],
        env=env, check=True, cwd=ROOT, capture_output=True,
    )  # fmt: skip
    server = ServerProcess(env, "e2e-certificate-server")
    env["LMS_PUBLIC_URL"] = server.base
    server.start()
    yield server.base, env["LMS_DATABASE_URL"].removeprefix("sqlite:///")
    server.stop()


def _admin(database: str) -> str:
    with sqlite3.connect(database) as connection:
        (username,) = connection.execute(
            "SELECT username FROM users WHERE role = 'city_admin' ORDER BY id LIMIT 1"
        ).fetchone()
    return str(username)


def _qr_url(pdf: Path) -> str:
    stem = pdf.with_suffix("")
    subprocess.run(
        ["pdftoppm", "-r", "200", "-png", "-singlefile", str(pdf), str(stem)], check=True
    )
    decoded = subprocess.run(
        ["zbarimg", "--quiet", "--raw", str(stem) + ".png"],
        capture_output=True,
        text=True,
        check=True,
    )
    return decoded.stdout.strip()


def test_issue_download_scan_verify_and_revoke(browser, certificate_server, tmp_path) -> None:
    base, database = certificate_server
    admin_context = browser.new_context(
        viewport=DESKTOP, locale="zh-CN", base_url=base, accept_downloads=True
    )
    admin = admin_context.new_page()
    admin.set_default_timeout(20000)
    admin.viewport_name = "desktop"
    sign_in(admin, _admin(database))
    admin.goto("/certificates")
    admin.click(f"button:has-text('{zh('Issue certificates')}')")
    admin.click("[data-testid=confirm-button]")
    expect(admin.locator("[data-testid=job-status]")).to_have_text(zh("Finished"), timeout=120000)
    done = admin.locator("[data-testid=job-done]").inner_text()
    assert int(done) >= 1 and done == admin.locator("[data-testid=job-total]").inner_text()
    shoot(admin, "certificates-job-finished")

    admin.goto("/certificates")
    first = admin.locator("table.list tbody tr").first
    number = first.locator("td").first.inner_text().strip()
    name = first.locator("td").nth(1).inner_text().strip()
    with admin.expect_download() as download:
        first.locator("a", has_text="PDF").click()
    pdf = tmp_path / f"{number}.pdf"
    download.value.save_as(pdf)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    assert re.search(r"Pages:\s+1\n", info) and "595.276 x 841.89" in info  # one A4 page
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    for expected in ("职业技能等级证书", name, number, "保育师", "五级/初级工", "居民身份证"):
        assert expected in text.replace(" ", ""), expected

    scanned = _qr_url(pdf)
    assert scanned.startswith(f"{base}/verify/{number}?s=")
    phone_context = browser.new_context(viewport=PHONE, locale="zh-CN")
    phone = phone_context.new_page()
    phone.viewport_name = "phone"
    phone.goto(scanned)
    fields = phone.locator("[data-testid=certificate-fields]")
    for expected in (name, number, "保育师", "五级/初级工", zh("Valid")):
        expect(fields).to_contain_text(expected)
    expect(phone.locator("[data-testid=signature]")).to_have_text(
        zh("The QR code's signed data matches this record.")
    )
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shoot(phone, "certificate-verified")

    row = admin.locator("table.list tbody tr", has_text=number)
    row.locator("summary", has_text=zh("Revoke")).click()
    row.locator("textarea").fill("证书信息登记有误，予以撤销")
    row.locator("button", has_text=zh("Revoke")).click()
    admin.click("[data-testid=confirm-button]")
    admin.wait_for_load_state()

    phone.goto(scanned)
    expect(phone.locator("[data-testid=certificate-status]")).to_contain_text(zh("Revoked"))
    expect(phone.locator("[data-testid=certificate-status]")).to_contain_text("证书信息登记有误")
    shoot(phone, "certificate-revoked")
    phone_context.close()
    admin_context.close()
