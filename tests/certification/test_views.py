"""Verification (page, look-up form, JSON), a trainee's own certificates, revocation."""

from __future__ import annotations

from lms.certification import services
from lms.certification.render import verify_url
from lms.core.roles import Role
from tests.certification.factories import make_passed_candidate
from tests.certification.test_harvesting import qr_path
from tests.conftest import zh
from tests.factories import make_user


def test_the_verification_page_shows_every_material_field_to_the_qr_code(client) -> None:
    candidate = make_passed_candidate()
    certificate = services.issue(candidate)
    page = client.get(qr_path(certificate)).get_data(as_text=True)
    for expected in (
        candidate.staff.name,
        candidate.staff.id_number_masked,
        "保育师",
        "五级/初级工",
        certificate.number,
        certificate.organisation,
        zh("Valid"),
    ):
        assert expected in page, expected
    full_number_tail = candidate.staff.id_number_masked[-4:]
    assert full_number_tail in page and "*" in page


def test_a_revoked_certificate_shows_revoked_with_date_and_reason(client) -> None:
    certificate = services.issue(make_passed_candidate())
    services.revoke(certificate, "考核舞弊，成绩取消")
    page = client.get(qr_path(certificate)).get_data(as_text=True)
    assert zh("Revoked") in page and "考核舞弊，成绩取消" in page
    record = client.get(
        f"/api/v1/certificates/{certificate.number}", query_string={"name": certificate.holder_name}
    ).get_json()
    assert record["status"] == "revoked" and record["revoke_reason"] == "考核舞弊，成绩取消"
    assert record["revoked_at"]
    # The bare number says revoked and when, but not the reason (it may name the holder).
    bare = client.get(f"/api/v1/certificates/{certificate.number}").get_json()
    assert bare["status"] == "revoked" and bare["revoked_at"] and "revoke_reason" not in bare
    bare_page = client.get(f"/verify/{certificate.number}").get_data(as_text=True)
    assert zh("Revoked") in bare_page and "考核舞弊" not in bare_page


def test_look_up_needs_the_matching_name(client) -> None:
    candidate = make_passed_candidate()
    certificate = services.issue(candidate)
    wrong = client.get(
        "/verify", query_string={"number": certificate.number, "name": "张三"}
    ).get_data(as_text=True)
    assert zh("The name does not match this certificate's holder.") in wrong
    assert certificate.organisation in wrong and certificate.id_number_masked not in wrong
    right = client.get(
        "/verify", query_string={"number": certificate.number, "name": candidate.staff.name}
    ).get_data(as_text=True)
    assert certificate.organisation in right and certificate.id_number_masked in right
    unknown = client.get("/verify", query_string={"number": "S000014040001265999999"})
    assert zh("No certificate has this number.") in unknown.get_data(as_text=True)


def test_unknown_numbers_are_not_found(client) -> None:
    assert client.get("/verify/S000014040001265999999").status_code == 404
    assert client.get("/api/v1/certificates/not-a-number").status_code == 404


def test_the_api_gives_the_same_fields(client) -> None:
    candidate = make_passed_candidate()
    certificate = services.issue(candidate)
    record = client.get(
        f"/api/v1/certificates/{certificate.number}", query_string={"name": candidate.staff.name}
    ).get_json()
    assert record["name"] == candidate.staff.name
    assert record["id_number_masked"] == candidate.staff.id_number_masked
    assert record["level"] == 5 and record["status"] == "valid"


def test_a_trainee_downloads_their_own_certificate_only(client) -> None:
    candidate = make_passed_candidate()
    certificate = services.issue(candidate)
    client.login_as(make_user(Role.TRAINEE, staff=candidate.staff))
    assert certificate.number in client.get("/certificates/my").get_data(as_text=True)
    response = client.get(f"/certificates/{certificate.number}.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    other = services.issue(make_passed_candidate())
    assert client.get(f"/certificates/{other.number}.pdf").status_code == 404


def test_the_signed_qr_claims_verify_offline_with_the_published_key(client) -> None:
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    from lms.certification import signing

    certificate = services.issue(make_passed_candidate())
    public_key = load_pem_public_key(client.get("/verify/public-key.pem").data)
    url = verify_url(certificate, signed=True)
    token = url.split("?s=", 1)[1]
    # What an offline checker does: rebuild the claims from the printed fields and check.
    printed = signing.claims(certificate)
    assert printed["n"] == certificate.number and printed["lvl"] == 5
    assert signing.verify(token, public_key, printed)
    assert not signing.verify(token, public_key, {**printed, "lvl": 3})  # an edited level
    genuine = signing.unb64url(token)
    forged = signing.b64url(bytes([genuine[0] ^ 1]) + genuine[1:])
    page = client.get(f"/verify/{certificate.number}", query_string={"s": token})
    assert zh("The QR code's signed data matches this record.") in page.get_data(as_text=True)
    altered = client.get(f"/verify/{certificate.number}", query_string={"s": forged}).get_data(
        as_text=True
    )
    assert (
        zh(
            "The QR code's data does not match this record: the printed certificate may have been "
            "altered."
        )
        in altered
    )
