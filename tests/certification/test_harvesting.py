"""Certificate numbers are sequential, so walking through them must not list who holds them:
a bare number confirms what a certificate is; the holder's name and masked ID number appear
only with the holder's name typed in or with the QR code's signed claims, on the page, the
look-up form and the JSON endpoint alike (lms.certification.verification)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from lms.certification import services, signing
from lms.certification.models import Certificate
from lms.certification.render import verify_url
from lms.extensions import limiter
from tests.certification.factories import make_passed_candidate
from tests.conftest import zh


def qr_path(certificate: Certificate) -> str:
    """The address the QR code printed on the certificate carries, without the host."""
    url = urlsplit(verify_url(certificate, signed=True))
    return f"{url.path}?{url.query}"


def _holder_leaks(certificate: Certificate, text: str) -> list[str]:
    return [
        value for value in (certificate.holder_name, certificate.id_number_masked) if value in text
    ]


def _page(client, certificate: Certificate, **query: str) -> str:
    response = client.get(f"/verify/{certificate.number}", query_string=query)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _api(client, certificate: Certificate, **query: str) -> dict:
    response = client.get(f"/api/v1/certificates/{certificate.number}", query_string=query)
    assert response.status_code == 200
    return response.get_json()


def _lookup(client, certificate: Certificate, **query: str) -> str:
    response = client.get("/verify", query_string={"number": certificate.number, **query})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _fields(page: str) -> str:
    found = re.search(r'<dl class="facts" data-testid="certificate-fields">.*?</dl>', page, re.S)
    assert found is not None
    return found.group(0)


@pytest.fixture
def certificate() -> Certificate:
    return services.issue(make_passed_candidate())


def test_a_bare_number_confirms_the_certificate_but_not_its_holder(client, certificate) -> None:
    page = _page(client, certificate)
    assert _holder_leaks(certificate, page) == []
    for shown in (
        certificate.number,
        certificate.organisation,
        "保育师",
        "五级/初级工",
        zh("Valid"),
    ):
        assert shown in page, shown
    assert 'data-testid="holder-form"' in page  # the question for the holder's name

    record = _api(client, certificate)
    assert _holder_leaks(certificate, str(record)) == []
    assert set(record) == {
        "number",
        "status",
        "revoked_at",
        "occupation",
        "level",
        "level_label",
        "organisation",
        "issued_on",
        "expires_on",
        "holder_shown",
    }
    assert record["status"] == "valid" and record["holder_shown"] is False

    lookup = _lookup(client, certificate)
    assert _holder_leaks(certificate, lookup) == [] and certificate.organisation in lookup


def test_the_holders_name_typed_in_shows_the_full_record(client, certificate) -> None:
    name = certificate.holder_name
    for typed in (name, f" {name} ", " ".join(name)):  # spaces do not matter
        page = _page(client, certificate, name=typed)
        assert certificate.id_number_masked in page and name in _fields(page), typed
        record = _api(client, certificate, name=typed)
        assert record["name"] == name and record["holder_shown"] is True
        assert record["id_number_masked"] == certificate.id_number_masked
        assert certificate.id_number_masked in _lookup(client, certificate, name=typed)


def test_a_wrong_name_gets_the_same_answer_as_a_bare_number(client, certificate) -> None:
    for wrong in ("张三", certificate.holder_name[:-1], certificate.holder_name + "某", " "):
        assert _api(client, certificate, name=wrong) == _api(client, certificate), wrong
        page = _page(client, certificate, name=wrong)
        assert _holder_leaks(certificate, page) == []
        assert _fields(page) == _fields(_page(client, certificate))
        assert _holder_leaks(certificate, _lookup(client, certificate, name=wrong)) == []
    assert zh("The name does not match this certificate's holder.") in _page(
        client, certificate, name="张三"
    )


def test_the_qr_codes_signed_claims_show_the_full_record(client, certificate) -> None:
    response = client.get(qr_path(certificate))
    page = response.get_data(as_text=True)
    assert certificate.id_number_masked in page and certificate.holder_name in _fields(page)
    token = urlsplit(verify_url(certificate, signed=True)).query.removeprefix("s=")
    record = _api(client, certificate, s=token)
    assert record["name"] == certificate.holder_name and record["holder_shown"] is True


def test_another_certificates_or_a_forged_qr_code_shows_nothing_more(client, certificate) -> None:
    other = services.issue(make_passed_candidate())
    others_token = signing.sign(other)  # genuine, but for another certificate
    genuine = signing.unb64url(signing.sign(certificate))
    forged = signing.b64url(genuine[:-1] + bytes([genuine[-1] ^ 1]))  # this one's, altered
    for token in (others_token, forged, "garbage", signing.b64url(genuine[:32]), "é"):
        page = _page(client, certificate, s=token)
        assert _holder_leaks(certificate, page) == [], token
        assert _api(client, certificate, s=token) == _api(client, certificate)
    assert zh(
        "The QR code's data does not match this record: the printed certificate may have been "
        "altered."
    ) in _page(client, certificate, s=others_token)


def test_a_reissue_retires_the_old_qr_codes_claims(client, certificate) -> None:
    old = qr_path(certificate)
    services.reissue(certificate)
    assert _holder_leaks(certificate, client.get(old).get_data(as_text=True)) == []
    assert certificate.id_number_masked in client.get(qr_path(certificate)).get_data(as_text=True)


def test_walking_through_sequential_numbers_lists_no_holder(client) -> None:
    issued = [services.issue(make_passed_candidate()) for _ in range(3)]
    assert [c.serial for c in issued] == list(range(issued[0].serial, issued[0].serial + 3))
    for certificate in issued:
        number = certificate.number
        for response in (
            client.get(f"/verify/{number}"),
            client.get(f"/api/v1/certificates/{number}"),
            client.get("/verify", query_string={"number": number}),
        ):
            assert response.status_code == 200
            assert _holder_leaks(certificate, response.get_data(as_text=True)) == []


def test_guessing_names_or_numbers_is_rate_limited(client, certificate) -> None:
    """The page, the look-up and the API share one budget per address: each answers a name
    guess, so three budgets would triple the guesses."""
    limiter.enabled = True
    limiter.reset()
    urls = (
        f"/verify/{certificate.number}?name=张三",
        f"/api/v1/certificates/{certificate.number}?name=张三",
        f"/verify?number={certificate.number}&name=张三",
    )
    try:
        responses = [client.get(urls[i % 3]) for i in range(30)]
        assert [r.status_code for r in responses] == [200] * 30
        for url in urls:
            refused = client.get(url)
            assert refused.status_code == 429, url
            assert int(refused.headers["Retry-After"]) > 0  # as the API document says
    finally:
        limiter.enabled = False
