"""The OpenAPI 3 document of /api/v1, built from the same declarations that register the
routes (``Operation``), so the two cannot drift apart; a test checks every /api/v1 rule of the
app is documented and every documented path is a rule."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

VERSION = "1.0.0"


@dataclass(frozen=True)
class Param:
    name: str
    description: str
    schema: dict[str, Any]
    location: str = "query"
    required: bool = False

    def document(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "in": self.location,
            "required": self.required or self.location == "path",
            "description": self.description,
            "schema": self.schema,
        }


@dataclass(frozen=True)
class Operation:
    path: str  # OpenAPI form, e.g. /certificates/{number}
    summary: str
    response: dict[str, Any]  # the 200 schema
    params: tuple[Param, ...] = ()
    public: bool = False
    tags: tuple[str, ...] = field(default=())

    def document(self) -> dict[str, Any]:
        responses: dict[str, Any] = {
            "200": {
                "description": "OK",
                "content": {"application/json": {"schema": self.response}},
            },
            "400": {"$ref": "#/components/responses/Error"},
            "404": {"$ref": "#/components/responses/Error"},
        }
        if not self.public:
            responses["401"] = {"$ref": "#/components/responses/Error"}
            responses["403"] = {"$ref": "#/components/responses/Error"}
        operation: dict[str, Any] = {
            "summary": self.summary,
            "operationId": self.path.strip("/").replace("/", "_").replace("{", "").replace("}", ""),
            "parameters": [param.document() for param in self.params],
            "responses": responses,
            "tags": list(self.tags),
        }
        if self.public:
            operation["security"] = []
        return operation


OPERATIONS: list[Operation] = []

PAGE_PARAMS = (
    Param("page", "Page number, from 1", {"type": "integer", "minimum": 1, "default": 1}),
    Param(
        "per_page",
        "Items per page",
        {"type": "integer", "minimum": 1, "maximum": 500, "default": 100},
    ),
)
DATE_PARAM = Param(
    "date",
    "The day counted (YYYY-MM-DD, Changzhi time); today by default",
    {"type": "string", "format": "date"},
)


def page_of(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["items", "page", "per_page", "total", "pages"],
        "properties": {
            "items": {"type": "array", "items": item},
            "page": {"type": "integer"},
            "per_page": {"type": "integer"},
            "total": {"type": "integer"},
            "pages": {"type": "integer"},
        },
    }


def obj(**properties: Any) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": list(properties)}


STRING = {"type": "string"}
NULLABLE_STRING = {"type": ["string", "null"]}
INTEGER = {"type": "integer"}
DATE = {"type": "string", "format": "date"}
NULLABLE_DATE = {"type": ["string", "null"], "format": "date"}
RATE = {"type": ["number", "null"], "description": "certified ÷ in_post; null without staff"}
COUNT = obj(in_post=INTEGER, certified=INTEGER, uncertified=INTEGER, rate=RATE)


def document(server_url: str) -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for operation in OPERATIONS:
        paths.setdefault(operation.path, {})["get"] = operation.document()
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "长治市保育人员培训与持证 API",
            "version": VERSION,
            "description": (
                "For the city's smart-childcare platform. Send an API token created by a city "
                "or district administrator as `Authorization: Bearer <token>`; a district "
                "token sees its district only. ID numbers are always masked. Errors are "
                '`{"error": {"code": ..., "message": ...}}`. Lists are paginated.'
            ),
        },
        "servers": [{"url": server_url.rstrip("/") + "/api/v1"}],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "responses": {
                "Error": {
                    "description": "An error",
                    "content": {
                        "application/json": {"schema": obj(error=obj(code=STRING, message=STRING))}
                    },
                }
            },
        },
    }
