"""Reading requests: JSON bodies within a size limit, and query parameters, refused in the error envelope.

Bodies are read here, not by FastAPI, so that size limits are enforced before
parsing (Content-Length first, then a cap while streaming) and every bad input
ends in the same envelope.
"""

from __future__ import annotations

import asyncio
import json
import re
from dataclasses import dataclass
from datetime import date
from typing import Any, Final
from urllib.parse import parse_qsl

from fastapi import Request
from pydantic import TypeAdapter, ValidationError

from eligibility.documents import json_integer
from eligibility.errors import Problem
from eligibility.facts.spelling import DATES_ALLOWED, Misspelt, as_date
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
MAX_DEPTH = 32  # objects and lists within each other; a profile needs 3
BODY_SECONDS = 10.0  # a body not received within this is refused (408): a slow client holds nothing


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


async def read_json(request: Request, limit: int, seconds: float = BODY_SECONDS) -> Any:
    """The body as JSON: refused (413) before parsing when larger than `limit` bytes, (408) when too slow,
    (422) when not UTF-8 JSON or nested more than MAX_DEPTH deep."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise ApiError(413, "body_too_large", f"the body has {int(declared)} bytes; the limit is {limit} bytes")
    try:
        async with asyncio.timeout(seconds):  # a timer on this task: wait_for would start a task per request
            body = await _body(request, limit)
    except TimeoutError:
        raise ApiError(408, "body_too_slow", f"the body did not arrive within {seconds:g} seconds") from None
    if not body.strip():
        raise ApiError(422, "malformed_json", "the body is empty; send JSON")
    try:
        text = body.decode("utf-8")  # strict: a lone surrogate's bytes are not UTF-8
    except UnicodeDecodeError as error:
        raise ApiError(
            422, "malformed_json", f"not valid JSON: not UTF-8 text at byte {error.start} (send JSON in UTF-8)"
        ) from None
    try:
        data = json.loads(
            text, object_pairs_hook=_refuse_duplicate_keys, parse_constant=_refuse_constant, parse_int=json_integer
        )
        if _SURROGATE_ESCAPE.search(body):  # valid JSON, but a lone one is not text: refuse it here, not at output
            json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise ApiError(422, "malformed_json", "a string holds an unpaired UTF-16 surrogate (\\ud800-\\udfff)") from None
    except _DuplicateKeyError as error:
        raise ApiError(422, "malformed_json", f"{error}: each key may appear once", field=error.key) from None
    except RecursionError:
        raise ApiError(422, "malformed_json", f"not valid JSON: nested more than {MAX_DEPTH} levels deep") from None
    except ValueError as error:  # JSONDecodeError, with line and column
        raise ApiError(422, "malformed_json", f"not valid JSON: {error}") from None
    if _depth(data) > MAX_DEPTH:
        raise ApiError(422, "malformed_json", f"not valid JSON: nested more than {MAX_DEPTH} levels deep")
    return data


async def _body(request: Request, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():  # a chunked upload has no Content-Length: count as it arrives
        size += len(chunk)
        if size > limit:
            raise ApiError(413, "body_too_large", f"the body exceeds the limit of {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _depth(data: Any) -> int:
    """How deep objects and lists nest (without recursion: the data is the client's)."""
    deepest = 0
    pending: list[tuple[Any, int]] = [(data, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, dict | list):
            deepest = max(deepest, depth)
            if depth <= MAX_DEPTH:
                pending.extend((item, depth + 1) for item in (value.values() if isinstance(value, dict) else value))
    return deepest


_FLAG: TypeAdapter[bool] = TypeAdapter(bool)

# What FastAPI would document for `as_of: date | None = None, explain: bool = False`.
AS_OF_PARAMETER: dict[str, Any] = {
    "name": "as_of",
    "in": "query",
    "required": False,
    "description": f"Evaluation date (default: today): {DATES_ALLOWED}.",
    "schema": {"anyOf": [{"type": "string", "format": "date"}, {"type": "null"}], "title": "As Of"},
}
VIEWS = ("full", "compact")
EVALUATE_QUERY_PARAMETERS: list[dict[str, Any]] = [
    AS_OF_PARAMETER,
    {
        "name": "explain",
        "in": "query",
        "required": False,
        "schema": {"type": "boolean", "default": False, "title": "Explain"},
    },
    {
        "name": "near_misses",
        "in": "query",
        "required": False,
        "description": "false: near misses are not looked for and `near_misses` is empty (about half the time of "
        "an evaluation, for a caller that does not show them).",
        "schema": {"type": "boolean", "default": True, "title": "Near Misses"},
    },
    {
        "name": "view",
        "in": "query",
        "required": False,
        "description": "compact: ids, statuses, amounts and missing facts only (no names, quotes or assumptions: "
        "GET /v1/rules/{id} serves those), for machines.",
        "schema": {"type": "string", "enum": list(VIEWS), "default": "full", "title": "View"},
    },
]


@dataclass(frozen=True)
class EvaluationQuery:
    """What the query of POST /v1/evaluate asks for."""

    as_of: date | None = None
    explain: bool = False
    near_misses: bool = True
    compact: bool = False


EVALUATION_PARAMETERS: Final = ("as_of", "explain", "near_misses", "view")
_PLAIN: Final = EvaluationQuery()


def query(request: Request, allowed: tuple[str, ...]) -> dict[str, str]:
    """The query's parameters, each given at most once and each one of `allowed`; 422 listing every problem."""
    problems: list[Problem] = []
    given: dict[str, str] = {}
    # As Starlette's QueryParams reads it (latin-1, blank values kept), without building one.
    for name, value in parse_qsl(request.scope["query_string"].decode("latin-1"), keep_blank_values=True):
        if name not in allowed:
            problems.append(Problem(name, f"unknown query parameter; allowed: {', '.join(allowed)}", value))
        elif name in given:
            problems.append(Problem(name, "given more than once; give it once", value))
        else:
            given[name] = value
    if problems:
        raise ApiError(422, "invalid_request", "invalid request", problems=problems)
    return given


def evaluation_query(request: Request, allowed: tuple[str, ...] = EVALUATION_PARAMETERS) -> EvaluationQuery:
    """`as_of` (any date spelling a profile accepts), `explain`, `near_misses` and `view` from the query,
    before the body is read.

    Read here rather than declared as FastAPI parameters: FastAPI's dependency
    solving cost more per request than a whole /healthz request.
    """
    given = query(request, allowed)
    if not given:
        return _PLAIN
    problems: list[Problem] = []
    as_of: date | None = None
    if "as_of" in given:
        try:
            as_of = as_date(given["as_of"])
        except Misspelt as error:
            problems.append(Problem("as_of", str(error), given["as_of"]))
    flags = {"explain": False, "near_misses": True}
    for name in flags:
        if name in given:
            try:
                flags[name] = _FLAG.validate_python(given[name])
            except ValidationError:
                problems.append(Problem(name, "not a yes/no value; allowed: true/false, 1/0", given[name]))
    view = given.get("view", "full")
    if view not in VIEWS:
        problems.append(Problem("view", f"allowed: {', '.join(VIEWS)}", view))
    if problems:
        raise ApiError(422, "invalid_request", "invalid request", problems=problems)
    return EvaluationQuery(as_of, flags["explain"], flags["near_misses"], view == "compact")
