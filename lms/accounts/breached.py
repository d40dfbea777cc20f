"""Offline check of a password against corpora of passwords seen in breaches.

Two corpora, both read without any network access:

* the bundled list (``data/breached-passwords.txt.gz``): the 20,000 passwords seen most often in
  breaches (Royce Williams' list, as shipped by Django), compared case-insensitively;
* optionally ``LMS_BREACHED_PASSWORDS_FILE``: Have I Been Pwned's "SHA-1, ordered by hash" file
  (``HASH:COUNT`` lines, ~40 GB for every breached password), searched by bisection in place, so
  operators can refuse every known breached password without sending anything anywhere.
"""

from __future__ import annotations

import gzip
import hashlib
import mmap
from functools import cache
from pathlib import Path

BUNDLED_CORPUS = Path(__file__).with_name("data") / "breached-passwords.txt.gz"
SHA1_HEX_LENGTH = 40


@cache
def _bundled() -> frozenset[str]:
    with gzip.open(BUNDLED_CORPUS, "rt", encoding="utf-8", errors="replace") as lines:
        return frozenset(line.strip().lower() for line in lines if line.strip())


def in_bundled_corpus(password: str) -> bool:
    return password.lower() in _bundled()


def in_sha1_corpus(password: str, corpus: Path) -> bool:
    """Whether the SHA-1 of ``password`` is in a file of lines sorted by upper-case SHA-1 hex."""
    wanted = hashlib.sha1(password.encode("utf-8"), usedforsecurity=False).hexdigest().upper()
    wanted_bytes = wanted.encode("ascii")
    with corpus.open("rb") as handle:
        if corpus.stat().st_size == 0:
            return False
        with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
            low, high = 0, len(data)
            # Invariant: the line holding `wanted`, if any, starts in [low, high).
            while low < high:
                middle = (low + high) // 2
                start = data.rfind(b"\n", 0, middle) + 1
                key = data[start : start + SHA1_HEX_LENGTH].upper()
                if key == wanted_bytes:
                    return True
                if key < wanted_bytes:
                    end = data.find(b"\n", start)
                    low = len(data) if end == -1 else end + 1
                else:
                    high = start
    return False


def is_breached(password: str, *, sha1_corpus: str | None = None) -> bool:
    if in_bundled_corpus(password):
        return True
    return sha1_corpus is not None and in_sha1_corpus(password, Path(sha1_corpus))
