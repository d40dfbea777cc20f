"""What a public verification of a certificate reveals: the one rule used by the verification
page, the look-up form and the JSON endpoint.

Certificate numbers are sequential (the national numbering rule), so anyone can walk through
them. A bare number therefore confirms only what the certificate is: its status, occupation,
level, issuing organisation and dates. Who holds it (name, masked ID number, and the revocation
reason, which may name them) is shown only to a visitor who already knows it: one who types the
holder's name (as the national look-up asks for number and name), or one who scanned the QR code
printed on the certificate, whose ``s`` parameter carries the claims signed for this very
certificate (lms.certification.signing)."""

from __future__ import annotations

import hmac
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from lms.certification import signing
from lms.certification.models import Certificate
from lms.core.levels import level_label


def _normalised(name: str) -> str:
    """A typed name as compared: NFKC (full-width letters), no spaces anywhere."""
    return "".join(unicodedata.normalize("NFKC", name).split())


def name_matches(certificate: Certificate, typed: str | None) -> bool:
    if not typed or not typed.strip():
        return False
    return hmac.compare_digest(
        _normalised(typed).encode(), _normalised(certificate.holder_name).encode()
    )


def signature_matches(certificate: Certificate, token: str | None) -> bool | None:
    """Whether a QR code's signed claims hold and are this certificate's current ones (a
    reissue changes them); None when no claims were sent."""
    if not token:
        return None
    return signing.verify(token, signing.signing_key().public_key(), signing.claims(certificate))


@dataclass(frozen=True)
class Verification:
    """A certificate as one visitor may see it."""

    certificate: Certificate
    #: The visitor showed they know the holder (matching name, or the QR code's claims).
    holder_shown: bool
    #: The QR code's claims: True when they match, False when sent but not matching, else None.
    signature_ok: bool | None
    #: A name was typed and did not match (the page says so; it reveals nothing more).
    name_mismatch: bool

    def record(self) -> dict[str, Any]:
        """The fields the visitor may see, as the page shows them (dates as dates)."""
        certificate = self.certificate
        record: dict[str, Any] = {
            "number": certificate.number,
            "status": certificate.current_status,
            "revoked_at": certificate.revoked_at,
            "occupation": certificate.occupation,
            "level": certificate.level,
            "level_label": str(level_label(certificate.level)),
            "organisation": certificate.organisation,
            "issued_on": certificate.issued_on,
            "expires_on": certificate.expires_on,
            "holder_shown": self.holder_shown,
        }
        if self.holder_shown:
            record.update(
                name=certificate.holder_name,
                id_type="居民身份证",
                id_number_masked=certificate.id_number_masked,
                revoke_reason=certificate.revoke_reason or None,
                reissue_count=certificate.reissue_count,
            )
        return record

    def json(self) -> dict[str, Any]:
        """The same fields as the API returns them (ISO 8601 dates)."""
        return {
            key: value.isoformat() if isinstance(value, date | datetime) else value
            for key, value in self.record().items()
        }


def verify(
    certificate: Certificate, *, name: str | None = None, signed: str | None = None
) -> Verification:
    """What a visitor who typed ``name`` and/or brought the QR code's ``signed`` claims may see
    of ``certificate``."""
    signature_ok = signature_matches(certificate, signed)
    name_ok = name_matches(certificate, name)
    return Verification(
        certificate=certificate,
        holder_shown=bool(signature_ok) or name_ok,
        signature_ok=signature_ok,
        name_mismatch=bool(name and name.strip()) and not name_ok,
    )
