"""The OpenAPI 3 document of /api/v1, built from the same declarations that register the
routes (``Operation``), so the two cannot drift apart; a test checks every /api/v1 rule of the
app is documented and every documented path is a rule."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l

from lms.core import params

VERSION = "1.0.0"


#: Query and path values never hold a NUL character (every request with one is refused, 400).
NO_NUL = "^[^\\u0000]*$"
#: YYYY-MM-DD with a year from 2000 to 2100 (lms.core.params bounds every date to that range).
DATE_PATTERN = "^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
_INTEGER = re.compile(r"-?[0-9]+")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


@dataclass(frozen=True)
class Param:
    """A parameter as the document declares it and as every request is checked against it
    (``problem``): the API accepts exactly the values the document allows."""

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

    def problem(self, raw: str) -> Any:
        """Why ``raw`` is not a value of this parameter, or None when it is one."""
        schema = self.schema
        try:
            if schema.get("type") == "integer":
                if not _INTEGER.fullmatch(raw):
                    raise params.BadParameter(_l("%(name)s: not a whole number", name=self.name))
                value: Any = params.whole_number(
                    raw, self.name, schema.get("minimum", -(2**63)), schema.get("maximum", 2**63)
                )
            elif schema.get("format") == "date":
                if not _DATE.fullmatch(raw):
                    raise params.BadParameter(
                        _l("%(name)s: not a date (use YYYY-MM-DD)", name=self.name)
                    )
                value = params.a_date(raw, self.name)
            else:
                if "pattern" in schema and not re.search(schema["pattern"], raw):
                    # The only pattern of a plain string parameter is NO_NUL.
                    raise params.BadParameter(
                        _l("%(name)s: contains a NUL character", name=self.name)
                    )
                value = raw
        except params.BadParameter as error:
            return error.message
        if "enum" in schema and value not in schema["enum"]:
            return _l(
                "%(name)s: one of %(values)s",
                name=self.name,
                values=", ".join(str(v) for v in schema["enum"]),
            )
        return None


def _response(description: str, schema: dict[str, Any], **headers: str) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": description,
        "content": {"application/json": {"schema": schema}},
    }
    if headers:
        response["headers"] = {
            name: {"description": text, "required": True, "schema": {"type": "string"}}
            for name, text in headers.items()
        }
    return response


@dataclass(frozen=True)
class Operation:
    path: str  # OpenAPI form, e.g. /certificates/{number}
    summary: str
    response: dict[str, Any]  # the 200 schema
    params: tuple[Param, ...] = ()
    public: bool = False
    tags: tuple[str, ...] = field(default=())
    #: Answers 404 for a value of a parameter that names nothing (a district code, a number).
    not_found: bool = False
    #: Answers 403 for a district outside the token's scope.
    forbidden: bool = False
    #: Rate-limited per client address (429 with Retry-After).
    limited: bool = False

    def document(self) -> dict[str, Any]:
        ref = {"$ref": "#/components/responses/Error"}
        responses: dict[str, Any] = {"200": _response("OK", self.response)}
        if self.params:
            responses["400"] = {"$ref": "#/components/responses/BadParameter"}
        if not self.public:
            responses["401"] = {"$ref": "#/components/responses/Unauthorized"}
        if self.forbidden:
            responses["403"] = ref
        if self.not_found:
            responses["404"] = ref
        responses["405"] = {"$ref": "#/components/responses/MethodNotAllowed"}
        if self.limited:
            responses["429"] = {"$ref": "#/components/responses/TooManyRequests"}
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


def operation_at(path: str) -> Operation:
    """The declared operation of ``path`` (OpenAPI form)."""
    return next(operation for operation in OPERATIONS if operation.path == path)


def parameter_problem(operation: Operation, args: Mapping[str, str]) -> Any:
    """Why the query ``args`` are not what ``operation`` declares (an unknown name, or a value
    outside its parameter's schema), or None when they are."""
    declared = {param.name: param for param in operation.params if param.location == "query"}
    for name in args:
        if name not in declared:
            return _l("%(name)s: not a parameter of this operation", name=name[:40])
    for name, param in declared.items():
        raw = args.get(name)
        if raw is not None:
            problem = param.problem(raw)
            if problem is not None:
                return problem
    return None


PAGE_PARAMS = (
    Param(
        "page",
        "Page number, from 1 (a page past the end is empty)",
        {"type": "integer", "minimum": 1, "maximum": params.MAX_PAGE, "default": 1},
    ),
    Param(
        "per_page",
        "Items per page",
        {"type": "integer", "minimum": 1, "maximum": 500, "default": 100},
    ),
)
DATE_PARAM = Param(
    "date",
    "The day counted (YYYY-MM-DD, Changzhi time, 2000-01-01 to 2100-12-31); today by default",
    {"type": "string", "format": "date", "pattern": DATE_PATTERN},
)
DISTRICT_PARAM = Param(
    "district",
    "Only this district (GB/T 2260 code); 404 for an unknown code, 403 outside the token's "
    "district",
    {"type": "string", "pattern": NO_NUL},
)


def obj(**properties: Any) -> dict[str, Any]:
    """An object with exactly these properties, all present."""
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


def obj_with_optional(required: dict[str, Any], optional: dict[str, Any]) -> dict[str, Any]:
    """An object with the ``required`` properties and possibly the ``optional`` ones."""
    return {**obj(**required), "properties": {**required, **optional}}


STRING = {"type": "string"}
NULLABLE_STRING = {"type": ["string", "null"]}
INTEGER = {"type": "integer"}
COUNT_OF_ITEMS = {"type": "integer", "minimum": 0}
DATE = {"type": "string", "format": "date"}
NULLABLE_DATE = {"type": ["string", "null"], "format": "date"}
RATE = {
    "type": ["number", "null"],
    "minimum": 0,
    "maximum": 1,
    "description": "certified ÷ in_post; null without staff",
}
COUNT = obj(in_post=COUNT_OF_ITEMS, certified=COUNT_OF_ITEMS, uncertified=COUNT_OF_ITEMS, rate=RATE)
PAGE_FIELDS = {
    "page": {"type": "integer", "minimum": 1},
    "per_page": {"type": "integer", "minimum": 1, "maximum": 500},
    "pages": {"type": "integer", "minimum": 1},
}


def page_of(item: dict[str, Any]) -> dict[str, Any]:
    return obj(items={"type": "array", "items": item}, total=COUNT_OF_ITEMS, **PAGE_FIELDS)


ERROR = obj(error=obj(code=STRING, message=STRING))


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
                "or district administrator as `Authorization: Bearer <token>`; a token reads "
                "with its creator's current rights (a district token sees its district only, "
                "and a token stops when its creator is deactivated or loses the right). ID "
                "numbers are always masked. Errors are "
                '`{"error": {"code": ..., "message": ...}}`; a parameter outside its declared '
                "range is refused with 400 `invalid_parameter`. Lists are paginated."
            ),
        },
        "servers": [{"url": server_url.rstrip("/") + "/api/v1"}],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "responses": {
                "Error": _response("An error", ERROR),
                "BadParameter": _response(
                    "A parameter is not of its kind or outside its range (code "
                    "`invalid_parameter`; the message starts with the parameter's name)",
                    ERROR,
                ),
                "Unauthorized": _response(
                    "No valid API token (missing, unknown, expired or revoked, or its creator "
                    "may no longer use it)",
                    ERROR,
                    **{"WWW-Authenticate": "Bearer"},
                ),
                "MethodNotAllowed": _response(
                    "Only GET (and HEAD) are supported",
                    ERROR,
                    Allow="The methods this path supports",
                ),
                "TooManyRequests": _response(
                    "Too many requests from this address; try again later",
                    ERROR,
                    **{"Retry-After": "Seconds to wait"},
                ),
            },
        },
    }
