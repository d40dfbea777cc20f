"""The certificate as an Open Badges 3.0 credential (an OpenBadgeCredential in the Verifiable
Credentials 2.0 data model), signed as a VC-JWT (OB 3.0 §8.2: the JWT payload is the credential
itself, validFrom as nbf; EdDSA with the certificate signing key, whose public JWK travels in
the JOSE header and is published at /verify/jwks.json).

The holder is named, and identified by the certificate's random subject id
(``urn:uuid:…``, stored with the certificate). The credential holds nothing derived from the ID
number, not even a salted hash: an ID number has little entropy (region, birth date, sequence,
check digit — a few hundred thousand candidates once region, birth year and sex are known), so
any unkeyed hash of it is reversed by enumeration, and a salt printed next to the hash does not
slow that down. A random identifier (rather than a keyed HMAC of the ID number) also survives
a change of server keys and cannot be linked across a person's certificates."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time
from typing import Any

from cryptography.hazmat.primitives import serialization
from flask import current_app

from lms.certification import signing
from lms.certification.models import Certificate
from lms.core.levels import level_label
from lms.core.localtime import from_local

CONTEXT = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]


def _site() -> str:
    return str(current_app.config["PUBLIC_URL"]).rstrip("/")


def _instant(day: Any) -> str:
    """Midnight of a Changzhi calendar day, as an RFC 3339 UTC instant."""
    moment = from_local(datetime.combine(day, time()))
    return moment.replace(tzinfo=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def credential(certificate: Certificate) -> dict[str, Any]:
    site = _site()
    level = level_label(certificate.level)
    document: dict[str, Any] = {
        "@context": CONTEXT,
        "id": f"{site}/verify/{certificate.number}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": f"职业技能等级证书 {certificate.occupation}（{level}）",
        "issuer": {
            "id": site + "/",
            "type": ["Profile"],
            "name": certificate.organisation,
            "url": current_app.config["CERT_ORGANISATION_URL"],
        },
        "validFrom": _instant(certificate.issued_on),
        "credentialSubject": {
            "id": f"urn:uuid:{certificate.subject_id}",
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityType": "name",
                    "hashed": False,
                    "identityHash": certificate.holder_name,
                },
            ],
            "achievement": {
                "id": f"{site}/achievements/baoyushi-{certificate.level}",
                "type": ["Achievement"],
                "achievementType": "Certificate",
                "name": f"{certificate.occupation}（{level}）",
                "description": f"{certificate.occupation}职业技能等级证书（{level}），"
                "依据《保育师国家职业技能标准（2021年版）》评价。",
                "criteria": {"narrative": "理论知识考试与技能考核均达到60分及以上（满分100分）。"},
                "humanCode": certificate.number,
                "inLanguage": "zh-CN",
            },
        },
    }
    if certificate.expires_on is not None:
        document["validUntil"] = _instant(certificate.expires_on)
    return document


def public_jwk() -> dict[str, str]:
    raw = (
        signing.signing_key()
        .public_key()
        .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    )
    return {
        "kty": "OKP",
        "crv": "Ed25519",
        "x": signing.b64url(raw),
        "kid": _site() + "/verify/jwks.json#certificates",
    }


def signed_jwt(certificate: Certificate) -> str:
    """The credential as a compact JWS (VC-JWT): header.payload.signature."""
    document = credential(certificate)
    payload = {
        **document,
        "iss": document["issuer"]["id"],
        "jti": document["id"],
        "nbf": int(datetime.fromisoformat(document["validFrom"]).timestamp()),
    }
    if "validUntil" in document:
        payload["exp"] = int(datetime.fromisoformat(document["validUntil"]).timestamp())
    jwk = public_jwk()
    header = {"alg": "EdDSA", "typ": "vc+jwt", "kid": jwk["kid"], "jwk": jwk}
    signing_input = ".".join(
        signing.b64url(json.dumps(part, ensure_ascii=False, separators=(",", ":")).encode())
        for part in (header, payload)
    )
    signature = signing.signing_key().sign(signing_input.encode())
    return f"{signing_input}.{signing.b64url(signature)}"


def verify_jwt(token: str) -> dict[str, Any] | None:
    """The payload of a credential JWT signed with our key, or None."""
    header_text, _, rest = token.partition(".")
    payload_text, _, signature_text = rest.partition(".")
    try:
        signing.signing_key().public_key().verify(
            signing.unb64url(signature_text), f"{header_text}.{payload_text}".encode()
        )
        return dict(json.loads(signing.unb64url(payload_text)))
    except Exception:
        return None
