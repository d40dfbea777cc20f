"""GET /api/v1/openapi.json: the OpenAPI document of every declared operation (public)."""

from __future__ import annotations

from typing import Any

from flask import current_app, jsonify

from lms.api import openapi
from lms.api.blueprint import api_get
from lms.api.openapi import Operation


@api_get(
    Operation(
        "/openapi.json",
        "This document",
        {"type": "object"},
        public=True,
        tags=("meta",),
    )
)
def openapi_document() -> Any:
    return jsonify(openapi.document(current_app.config["PUBLIC_URL"]))
