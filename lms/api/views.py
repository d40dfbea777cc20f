"""/api/v1: read-only JSON for the city's smart-childcare platform, with bearer tokens.

One module per resource, each with its queries in SQL (the figures come from the same queries
as the dashboards, so the API and the pages agree); ``lms.api.blueprint`` holds what they
share. Every operation is declared once (``api_get``): the declaration registers the route and
is the operation's entry in the OpenAPI document. The blueprint is taken from here, so that
every resource is declared before it is registered, in the document's order."""

from __future__ import annotations

from lms.api import certificates, meta, organisations, rates, results, training
from lms.api.blueprint import bp

RESOURCES = (meta, rates, organisations, training, results, certificates)

__all__ = ["RESOURCES", "bp"]
