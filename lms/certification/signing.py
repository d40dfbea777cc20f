"""The signed payload in a certificate's QR code, for checking a printed certificate offline.

The payload is the certificate's material fields as compact JSON, signed with Ed25519; the QR
carries ``<payload>.<signature>`` (both base64url) in the ``s`` parameter of the verification
URL. The signing key is derived from ``LMS_DATA_KEY`` (HKDF, its own purpose), so every web
process signs alike without another secret to distribute; the public key is published at
``/verify/public-key.pem``."""

from __future__ import annotations

import base64
import json
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from flask import current_app

from lms.certification.models import Certificate
from lms.core.crypto import _derive


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def signing_key() -> Ed25519PrivateKey:
    seed = _derive(current_app.config["DATA_KEY"].encode(), b"lms certificate signing v1")
    return Ed25519PrivateKey.from_private_bytes(seed)


def public_key_pem() -> str:
    return (
        signing_key()
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def claims(certificate: Certificate) -> dict[str, Any]:
    """What a printed certificate asserts: number, holder, masked ID, occupation, level,
    organisation, date."""
    return {
        "n": certificate.number,
        "name": certificate.holder_name,
        "id": certificate.id_number_masked,
        "occ": certificate.occupation,
        "lvl": certificate.level,
        "org": certificate.organisation,
        "date": certificate.issued_on.isoformat(),
        "re": certificate.reissue_count,
    }


def sign(certificate: Certificate) -> str:
    payload = json.dumps(claims(certificate), ensure_ascii=False, separators=(",", ":")).encode()
    return f"{b64url(payload)}.{b64url(signing_key().sign(payload))}"


def verify(token: str, public_key: Ed25519PublicKey) -> dict[str, Any] | None:
    """The claims of a signed token, or None when the signature does not hold."""
    payload_text, _, signature_text = token.partition(".")
    try:
        payload = unb64url(payload_text)
        public_key.verify(unb64url(signature_text), payload)
        return dict(json.loads(payload))
    except (InvalidSignature, ValueError):
        return None
