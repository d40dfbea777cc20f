"""Request size limits per endpoint: MAX_CONTENT_LENGTH for every request, and a larger limit
for the few uploads that need one (UPLOAD_LIMITS: endpoint → bytes), so that a limit a feature
checks inside an upload (e.g. a ZIP's expanded size) can be reached at all. It must be known
before the body is first read, which CSRF protection does before any view runs: hence here,
from the matched route, rather than set by the view."""

from __future__ import annotations

from flask import Request, current_app


class LimitedRequest(Request):
    @property
    def max_content_length(self) -> int | None:
        if self._max_content_length is None and current_app and self.url_rule is not None:
            limits = current_app.config.get("UPLOAD_LIMITS") or {}
            if self.url_rule.endpoint in limits:
                return int(limits[self.url_rule.endpoint])
        return super().max_content_length

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value


def limit_of(endpoint: str) -> int:
    """The upload limit of ``endpoint``, in bytes."""
    limits = current_app.config.get("UPLOAD_LIMITS") or {}
    return int(limits.get(endpoint, current_app.config["MAX_CONTENT_LENGTH"]))
