import pytest

from lms.core.crypto import DecryptionError, FieldCipher


def test_round_trip_and_fresh_nonce_each_time():
    cipher = FieldCipher("a-data-key-for-tests-000")
    first = cipher.encrypt("140402199001011234", "staff.id_number")
    second = cipher.encrypt("140402199001011234", "staff.id_number")
    assert first != second
    assert b"140402" not in first
    assert cipher.decrypt(first, "staff.id_number") == "140402199001011234"


def test_tampered_ciphertext_is_refused():
    cipher = FieldCipher("a-data-key-for-tests-000")
    blob = bytearray(cipher.encrypt("140402199001011234", "staff.id_number"))
    blob[-1] ^= 1
    with pytest.raises(DecryptionError):
        cipher.decrypt(bytes(blob), "staff.id_number")


def test_ciphertext_cannot_be_moved_to_another_purpose():
    cipher = FieldCipher("a-data-key-for-tests-000")
    blob = cipher.encrypt("secret", "staff.id_number")
    with pytest.raises(DecryptionError):
        cipher.decrypt(blob, "roster.upload")


def test_other_key_cannot_decrypt_or_link_hashes():
    ours, theirs = FieldCipher("a-data-key-for-tests-000"), FieldCipher("another-key-0000000000")
    blob = ours.encrypt("secret", "p")
    with pytest.raises(DecryptionError):
        theirs.decrypt(blob, "p")
    assert ours.blind_index("x", "p") == ours.blind_index("x", "p")
    assert ours.blind_index("x", "p") != theirs.blind_index("x", "p")
    assert ours.blind_index("x", "p") != ours.blind_index("x", "q")


def test_short_keys_are_refused():
    with pytest.raises(ValueError):
        FieldCipher("short")
