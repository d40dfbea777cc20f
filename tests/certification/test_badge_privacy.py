"""The Open Badges credential must not give away the holder's ID number in any form.

An ID number is 6 digits of region, 8 of birth date, 3 of sequence (odd for men, even for
women) and a check character. Whoever knows the region, the birth year and the sex (which the
masked number on the certificate and a glance at the holder give away) has 365 × 500 = 182,500
candidates: any unkeyed hash of the number, salted or not, falls to enumerating them. The old
credential carried such a hash (salted with a value derived from the public certificate number);
the credential now identifies the holder by a random subject id and holds nothing derived from
the ID number."""

from __future__ import annotations

import hashlib
import json
import re
import time
import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from functools import cache
from typing import Any

import pytest

from lms.certification import badges, services
from lms.certification.models import Certificate
from lms.core import idnumber
from lms.core.roles import Role
from lms.db import db
from lms.org.services import protect_id_number
from tests.certification.factories import make_passed_candidate
from tests.factories import make_user

REGION, YEAR = "140403", 1990
pytestmark = pytest.mark.usefixtures("app")

HOLDER_ID = idnumber.synthesize(REGION, date(YEAR, 8, 23), 246)  # a woman born in 1990


def _set_id_number(certificate: Certificate, id_number: str) -> None:
    protected = protect_id_number(id_number)
    staff = certificate.staff
    staff.id_number_encrypted = protected.encrypted
    staff.id_number_hash = protected.hash
    staff.id_number_masked = protected.masked
    db.session.flush()


@pytest.fixture
def certificate() -> Certificate:
    candidate = make_passed_candidate()
    protected = protect_id_number(HOLDER_ID)
    staff = candidate.staff
    staff.id_number_encrypted, staff.id_number_hash = protected.encrypted, protected.hash
    staff.id_number_masked = protected.masked
    db.session.flush()
    return services.issue(candidate)


@cache
def _candidates(region: str, year: int, *, female: bool) -> tuple[str, ...]:
    """Every ID number of one region, one birth year and one sex."""
    days = [date(year, 1, 1) + timedelta(days=n) for n in range(366)]
    return tuple(
        idnumber.synthesize(region, day, sequence)
        for day in days
        if day.year == year
        for sequence in range(0 if female else 1, 1000, 2)
    )


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def brute_force(credential: dict[str, Any], region: str, year: int) -> str | None:
    """The attacker's search: every woman's ID number of the region and year, hashed plain
    and with every salt-like value the credential carries, compared with every hash in it."""
    text = json.dumps(credential, ensure_ascii=False)
    hashes = set(re.findall(r"[0-9a-f]{64}|[0-9a-f]{32}", text))
    salts = [""] + [s for s in _strings(credential) if re.fullmatch(r"[0-9a-f]{8,64}", s)]
    candidates = _candidates(region, year, female=True)
    assert len(candidates) == 182_500
    for candidate in candidates:
        if candidate in text:
            return candidate
        for salt in salts:
            if hashlib.sha256((candidate + salt).encode()).hexdigest() in hashes:
                return candidate
        if hashlib.md5(candidate.encode()).hexdigest() in hashes:  # noqa: S324
            return candidate
    return None


def old_credential(certificate: Certificate, id_number: str) -> dict[str, Any]:
    """The credential as it was: the ID number as SHA-256 salted with a value derived from
    the public certificate number."""
    document = badges.credential(certificate)
    salt = hashlib.sha256(f"{certificate.number}:{certificate.reissue_count}".encode())
    salt_text = salt.hexdigest()[:16]
    document["credentialSubject"]["identifier"].append(
        {
            "type": "IdentityObject",
            "identityType": "nationalIdentityNumber",
            "hashed": True,
            "salt": salt_text,
            "identityHash": "sha256$"
            + hashlib.sha256((id_number + salt_text).encode()).hexdigest(),
        }
    )
    return document


def test_the_old_credential_falls_to_enumeration_and_the_new_one_does_not(
    client, certificate
) -> None:
    client.login_as(make_user(Role.TRAINEE, staff=certificate.staff))
    served = json.loads(client.get(f"/certificates/{certificate.number}/badge.json").data)

    started = time.perf_counter()
    assert brute_force(old_credential(certificate, HOLDER_ID), REGION, YEAR) == HOLDER_ID
    assert brute_force(served, REGION, YEAR) is None
    assert time.perf_counter() - started < 60  # the whole year, both searches

    token = client.get(f"/certificates/{certificate.number}/badge.jwt").get_data(as_text=True)
    payload = json.loads(badges.signing.unb64url(token.split(".")[1]))
    assert brute_force(payload, REGION, YEAR) is None


def test_the_credential_holds_nothing_derived_from_the_id_number(certificate) -> None:
    before = badges.credential(certificate)
    _set_id_number(certificate, idnumber.synthesize(REGION, date(YEAR, 2, 1), 100))
    # Another ID number, the same credential: it cannot depend on the ID number at all.
    assert badges.credential(certificate) == before
    subject = before["credentialSubject"]
    assert [i["identityType"] for i in subject["identifier"]] == ["name"]
    assert uuid.UUID(subject["id"].removeprefix("urn:uuid:")).version == 4
    text = json.dumps(before, ensure_ascii=False)
    assert HOLDER_ID not in text and HOLDER_ID[-4:] not in text and "salt" not in text


def test_each_certificate_has_its_own_random_subject_id(certificate) -> None:
    other = services.issue(make_passed_candidate())
    assert certificate.subject_id != other.subject_id
    services.reissue(certificate)
    assert badges.credential(certificate)["credentialSubject"]["id"].endswith(
        certificate.subject_id
    )
