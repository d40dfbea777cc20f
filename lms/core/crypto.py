"""Encryption of personal data at rest.

Sensitive values (resident ID numbers) are stored as AES-256-GCM ciphertext, with an HMAC-SHA256
"blind index" beside them for exact look-up and uniqueness. Both keys are derived from the single
``LMS_DATA_KEY`` with HKDF, each bound to its purpose, so that a ciphertext cannot be moved to a
column of another purpose and still decrypt.
"""

from __future__ import annotations

import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

#: First byte of every ciphertext: the format (and key generation) it was written with.
FORMAT_V1 = b"\x01"
NONCE_BYTES = 12


class DecryptionError(RuntimeError):
    """A ciphertext was tampered with or written under another key."""


def _derive(master: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(master)


class FieldCipher:
    """Authenticated encryption and keyed hashing of short text values."""

    def __init__(self, master_key: str) -> None:
        if len(master_key) < 16:
            raise ValueError("the data key must be at least 16 characters")
        master = master_key.encode()
        self._aead = AESGCM(_derive(master, b"lms field encryption v1"))
        self._hmac_key = _derive(master, b"lms blind index v1")

    def encrypt_bytes(self, plaintext: bytes, purpose: str) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, plaintext, purpose.encode())
        return FORMAT_V1 + nonce + sealed

    def decrypt_bytes(self, blob: bytes, purpose: str) -> bytes:
        if blob[:1] != FORMAT_V1:
            raise DecryptionError("unknown ciphertext format")
        nonce, sealed = blob[1 : 1 + NONCE_BYTES], blob[1 + NONCE_BYTES :]
        try:
            return self._aead.decrypt(nonce, sealed, purpose.encode())
        except InvalidTag as exc:
            raise DecryptionError("ciphertext failed authentication") from exc

    def encrypt(self, plaintext: str, purpose: str) -> bytes:
        return self.encrypt_bytes(plaintext.encode(), purpose)

    def decrypt(self, blob: bytes, purpose: str) -> str:
        return self.decrypt_bytes(blob, purpose).decode()

    def blind_index(self, value: str, purpose: str) -> str:
        message = purpose.encode() + b"\x00" + value.encode()
        return hmac.new(self._hmac_key, message, hashlib.sha256).hexdigest()


def cipher() -> FieldCipher:
    """The application's cipher."""
    return current_app.extensions["lms_cipher"]
