"""How passwords are stored: Argon2id, never the password itself."""

from __future__ import annotations

from lms.accounts.passwords import hash_password, verify_password


def test_passwords_are_stored_as_argon2id_and_verify(app):
    stored = hash_password("Tuesday-Orchard-Lamp-58")
    assert stored.startswith("$argon2id$") and "Tuesday" not in stored
    assert verify_password(stored, "Tuesday-Orchard-Lamp-58")
    assert not verify_password(stored, "Tuesday-Orchard-Lamp-59")
