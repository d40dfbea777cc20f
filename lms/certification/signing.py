"""The signature in a certificate's QR code, for checking a printed certificate offline.

The QR carries only an Ed25519 signature (64 bytes, 86 characters of base64url) in the ``s``
parameter of the verification URL. What it signs is the certificate's material fields as
canonical compact JSON (``claims``): the page recomputes them from the record and checks the
signature against them, and an offline checker does the same from the printed fields with the
public key published at ``/verify/public-key.pem``. Carrying the claims themselves (as before)
made a URL of ~400 characters, a QR code of version 15 that needed a 150-dpi scan; the signature
alone gives version 8 (49 modules), which decodes from a 100-dpi scan
(tests/certification/test_document.py). The number is in the URL's path, so a signature of
another certificate never matches. The signing key is derived from ``LMS_DATA_KEY`` (HKDF, its
own purpose), so every web process signs alike without another secret to distribute."""

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


def claims_bytes(claims: dict[str, Any]) -> bytes:
    """The canonical form that is signed: compact JSON, keys in the order ``claims`` gives."""
    return json.dumps(claims, ensure_ascii=False, separators=(",", ":")).encode()


def sign(certificate: Certificate) -> str:
    return b64url(signing_key().sign(claims_bytes(claims(certificate))))


def verify(token: str, public_key: Ed25519PublicKey, claims: dict[str, Any]) -> bool:
    """Whether ``token`` is the signature of ``claims`` (rebuilt from the record, or from the
    printed certificate by an offline checker)."""
    try:
        signature = unb64url(token)
    except ValueError:
        return False
    if len(signature) != 64:
        return False
    try:
        public_key.verify(signature, claims_bytes(claims))
    except InvalidSignature:
        return False
    return True
