"""The one shape of every error response, and the handlers that give it to every failure.

{"error": {"code": "invalid_profile", "message": "...", "field": "degree",
           "problems": [{"field": "degree", "message": "...", "value": "phd"}]},
 "rules_version": "..."}
"""

from __future__ import annotations

import json
import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from eligibility.errors import Problem

RULES_VERSION_HEADER = "X-Rules-Version"
_ECHO_LIMIT = 200
_logger = logging.getLogger("eligibility.http")


class ProblemOut(BaseModel):
    """One thing wrong with the input: where, what is allowed, and the value given."""

    field: str | None = Field(description="Dotted path, e.g. degree, awards.0.level, or 3.degree in a batch.")
    message: str
    value: Any = None


class ErrorBody(BaseModel):
    code: str = Field(
        description="Stable machine-readable code: malformed_json, invalid_profile, invalid_request, "
        "body_too_large, body_too_slow, too_many_profiles, unknown_rule, unknown_schema, not_found, "
        "method_not_allowed, internal_error."
    )
    message: str = Field(description="A sentence a user can act on (the first problem, and how many more).")
    field: str | None = Field(default=None, description="The field of the first problem; null for the whole body.")
    problems: list[ProblemOut] = Field(default=[], description="Every problem found (422 only).")


class ErrorEnvelope(BaseModel):
    """The one shape of every error response."""

    error: ErrorBody
    rules_version: str


class ApiError(Exception):
    """An error response: HTTP status, code, message, and the problems behind it."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        field: str | None = None,
        problems: list[Problem] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.problems = problems or []
        self.headers = headers or {}


def _abbreviate(text: str, limit: int = 4 * _ECHO_LIMIT) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def _echo(value: Any) -> Any:
    """The value given, as sent when small and flat; otherwise abbreviated text (a client may nest anything)."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return _abbreviate(value, _ECHO_LIMIT)
    try:
        text = json.dumps(value, ensure_ascii=False, default=str)
    except (ValueError, RecursionError):
        return _abbreviate(repr(value), _ECHO_LIMIT)
    return (
        value if len(text) <= _ECHO_LIMIT and text.count("[") + text.count("{") <= 8 else _abbreviate(text, _ECHO_LIMIT)
    )


def error_response(error: ApiError, rules_version: str) -> Response:
    first = _abbreviate(f"{error.problems[0]}" if error.problems else error.message)
    more = len(error.problems) - 1
    envelope = ErrorEnvelope(
        error=ErrorBody(
            code=error.code,
            message=first + (f" (and {more} more problem{'s' if more > 1 else ''})" if more > 0 else ""),
            field=error.problems[0].field if error.problems else error.field,
            problems=[
                ProblemOut(field=item.field, message=item.message, value=_echo(item.value)) for item in error.problems
            ],
        ),
        rules_version=rules_version,
    )
    document = envelope.model_dump(mode="json", fallback=str)
    try:
        body = json.dumps(document, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:  # an echoed value that is not text (e.g. from a path): escape it
        body = json.dumps(document).encode("ascii")
    return Response(
        body,
        status_code=error.status,
        media_type="application/json",
        headers={**error.headers, RULES_VERSION_HEADER: rules_version},
    )


def install_error_handlers(app: FastAPI, rules_version: str) -> None:
    """Every failure, ours or FastAPI's or Starlette's, answered in the envelope."""

    async def api_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, ApiError)
        return error_response(error, rules_version)

    async def invalid_parameter(request: Request, error: Exception) -> Response:
        assert isinstance(error, RequestValidationError)
        problems = []
        for detail in error.errors():
            path = [str(part) for part in detail["loc"] if part not in ("query", "path", "body")]
            problems.append(Problem(".".join(path) or "request", str(detail["msg"]), detail.get("input")))
        return error_response(ApiError(422, "invalid_request", "invalid request", problems=problems), rules_version)

    async def http_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, StarletteHTTPException)
        codes = {404: "not_found", 405: "method_not_allowed"}
        code = codes.get(error.status_code, "http_error")
        message = f"{request.method} {request.url.path}: {error.detail}"
        headers = dict(error.headers or {})  # a 405 says which methods are allowed (Allow)
        return error_response(ApiError(error.status_code, code, message, headers=headers), rules_version)

    async def unexpected(request: Request, error: Exception) -> Response:
        _logger.exception("unexpected error on %s %s", request.method, request.url.path)
        message = "unexpected server error; the server log has the details"
        return error_response(ApiError(500, "internal_error", message), rules_version)

    app.add_exception_handler(ApiError, api_error)
    app.add_exception_handler(RequestValidationError, invalid_parameter)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, unexpected)
