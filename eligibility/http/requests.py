"""Reading requests: JSON bodies within a size limit, and query parameters, refused in the error envelope.

Bodies are read here, not by FastAPI, so that size limits are enforced before
parsing (Content-Length first, then a cap while streaming) and every bad input
ends in the same envelope.
"""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

from fastapi import Request
from pydantic import TypeAdapter, ValidationError

from eligibility.errors import Problem
from eligibility.http.errors import ApiError


class _DuplicateKeyError(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(f"duplicate key {key!r}")
        self.key = key


def _refuse_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKeyError(key)
        result[key] = value
    return result


_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


async def read_json(request: Request, limit: int) -> Any:
    """The body as JSON, refused (413) before parsing when larger than `limit` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise ApiError(413, "body_too_large", f"the body has {int(declared)} bytes; the limit is {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():  # a chunked upload has no Content-Length: count as it arrives
        size += len(chunk)
        if size > limit:
            raise ApiError(413, "body_too_large", f"the body exceeds the limit of {limit} bytes")
        chunks.append(chunk)
    body = b"".join(chunks)
    if not body.strip():
        raise ApiError(422, "malformed_json", "the body is empty; send JSON")
    try:
        data = json.loads(body, object_pairs_hook=_refuse_duplicate_keys, parse_constant=_refuse_constant)
        if _SURROGATE_ESCAPE.search(body):  # valid JSON, but a lone one is not text: refuse it here, not at output
            json.dumps(data, ensure_ascii=False).encode("utf-8")
        return data
    except UnicodeEncodeError:
        raise ApiError(422, "malformed_json", "a string holds an unpaired UTF-16 surrogate (\\ud800-\\udfff)") from None
    except _DuplicateKeyError as error:
        raise ApiError(422, "malformed_json", f"{error}: each key may appear once", field=error.key) from None
    except RecursionError:
        raise ApiError(422, "malformed_json", "not valid JSON: nested too deeply") from None
    except ValueError as error:  # JSONDecodeError (with line and column) and UnicodeDecodeError
        raise ApiError(422, "malformed_json", f"not valid JSON: {error}") from None


_AS_OF: TypeAdapter[date | None] = TypeAdapter(date | None)
_FLAG: TypeAdapter[bool] = TypeAdapter(bool)

# What FastAPI would document for `as_of: date | None = None, explain: bool = False`.
EVALUATE_QUERY_PARAMETERS: list[dict[str, Any]] = [
    {
        "name": "as_of",
        "in": "query",
        "required": False,
        "schema": {"anyOf": [{"type": "string", "format": "date"}, {"type": "null"}], "title": "As Of"},
    },
    {
        "name": "explain",
        "in": "query",
        "required": False,
        "schema": {"type": "boolean", "default": False, "title": "Explain"},
    },
]


def evaluate_query(request: Request) -> tuple[date | None, bool]:
    """`as_of` and `explain` from the query, validated as FastAPI validates them (the same pydantic types).

    Every bad parameter is reported at once (422 invalid_request), before the body is read. The
    query is read here rather than declared as FastAPI parameters: FastAPI's dependency
    solving cost more per request than a whole /healthz request.
    """
    problems: list[Problem] = []
    query = request.query_params
    as_of: date | None = _query_value(query.get("as_of"), "as_of", _AS_OF, None, problems)
    explain: bool = _query_value(query.get("explain"), "explain", _FLAG, False, problems)
    if problems:
        raise ApiError(422, "invalid_request", "invalid request", problems=problems)
    return as_of, explain


def _query_value(raw: str | None, name: str, adapter: TypeAdapter[Any], default: Any, problems: list[Problem]) -> Any:
    if raw is None:
        return default
    try:
        return adapter.validate_python(raw)
    except ValidationError as error:
        problems.extend(Problem(name, str(detail["msg"]), detail.get("input")) for detail in error.errors())
        return default
