"""Cross-cutting pieces: roles and access checks, errors, audit log, PII crypto, validators."""
