"""How passwords are stored: Argon2id, never the password itself."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from zxcvbn import zxcvbn

from lms.accounts.breached import in_sha1_corpus
from lms.accounts.passwords import (
    MIN_STRENGTH,
    WeakPassword,
    check_policy,
    hash_password,
    verify_password,
)
from tests.conftest import zh


def test_passwords_are_stored_as_argon2id_and_verify(app):
    stored = hash_password("Tuesday-Orchard-Lamp-58")
    assert stored.startswith("$argon2id$") and "Tuesday" not in stored
    assert verify_password(stored, "Tuesday-Orchard-Lamp-58")
    assert not verify_password(stored, "Tuesday-Orchard-Lamp-59")


BREACHED = zh("This password has appeared in a data breach; choose another")


def test_passwords_shorter_than_twelve_characters_are_refused(app):
    with pytest.raises(WeakPassword):
        check_policy("Kq7#vZ2!pLx", user_inputs=[])  # 11 characters, otherwise strong
    check_policy("Kq7#vZ2!pLxw", user_inputs=[])


def test_passwords_from_the_bundled_breach_corpus_are_refused_even_when_they_look_strong(app):
    # Random-looking, so the strength estimate alone lets it through; it is in the breach list.
    breached = "pe#5gz29ptzmse"
    assert zxcvbn(breached)["score"] >= MIN_STRENGTH
    with pytest.raises(WeakPassword, match=BREACHED):
        check_policy(breached, user_inputs=[])
    with pytest.raises(WeakPassword, match=BREACHED):
        check_policy(breached.upper(), user_inputs=[])


def _hibp_file(path: Path, passwords: list[str], padding: int) -> Path:
    """A file shaped like Have I Been Pwned's: `SHA1:COUNT` lines sorted by hash, CRLF ends."""
    everything = [*passwords, *(f"filler-{n}" for n in range(padding))]
    hashes = {
        hashlib.sha1(p.encode(), usedforsecurity=False).hexdigest().upper() for p in everything
    }
    path.write_bytes(
        b"".join(f"{h}:{n % 977 + 1}\r\n".encode() for n, h in enumerate(sorted(hashes)))
    )
    return path


def test_the_operators_hibp_file_is_searched_offline(app, tmp_path, monkeypatch):
    corpus = _hibp_file(tmp_path / "pwned.txt", ["Correct-Stapler-Quartz-91"], padding=5000)
    monkeypatch.setitem(app.config, "BREACHED_PASSWORDS_FILE", str(corpus))
    with pytest.raises(WeakPassword, match=BREACHED):
        check_policy("Correct-Stapler-Quartz-91", user_inputs=[])
    check_policy("Correct-Stapler-Quartz-92", user_inputs=[])


@pytest.mark.parametrize("padding", [0, 1, 2, 3, 10, 257])
def test_bisection_finds_every_entry_and_nothing_else(tmp_path, padding):
    listed = [f"listed-{n}" for n in range(7)]
    corpus = _hibp_file(tmp_path / "pwned.txt", listed, padding)
    assert all(in_sha1_corpus(p, corpus) for p in listed)
    assert not any(in_sha1_corpus(f"absent-{n}", corpus) for n in range(50))
    assert all(in_sha1_corpus(f"filler-{n}", corpus) for n in range(padding))
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    assert not in_sha1_corpus("listed-0", empty)
