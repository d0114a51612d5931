"""The HTTP service: one shared Calculator behind a small, stable JSON API (FastAPI).

Read-only by design: the rule packs are loaded at start-up and no route can
upload or change them. Every response carries the rules version in the
`X-Rules-Version` header, and every JSON body of /v1 and /healthz carries it too.

Request bodies are read by this module, not by FastAPI, so that size limits are
enforced before parsing (Content-Length first, then a cap while streaming) and
every bad input ends in the same error envelope:

    {"error": {"code": "invalid_profile", "message": "...", "field": "degree",
               "problems": [{"field": "degree", "message": "...", "value": "phd"}]},
     "rules_version": "..."}
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Awaitable, Callable, MutableMapping
from datetime import date
from typing import Any, Literal

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import Response
from pydantic import BaseModel, Field, TypeAdapter, ValidationError
from pydantic.json_schema import models_json_schema
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from eligibility.calculator import Calculator
from eligibility.errors import InputError, Problem, UnknownRuleError
from eligibility.profile import ApplicantProfile
from eligibility.report import Report
from eligibility.rulepack import Rule
from eligibility.schemas import SCHEMA_NAMES, schema

API_VERSION = "1"
RULES_VERSION_HEADER = "X-Rules-Version"
MAX_PROFILE_BYTES = 64 * 1024
MAX_BATCH_PROFILES = 1_000
MAX_BATCH_BYTES = 2 * 1024 * 1024

_logger = logging.getLogger("eligibility.service")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class ProblemOut(BaseModel):
    """One thing wrong with the input: where, what is allowed, and the value given."""

    field: str | None = Field(description="Dotted path, e.g. degree, awards.0.level, or 3.degree in a batch.")
    message: str
    value: Any = None


class ErrorBody(BaseModel):
    code: str = Field(
        description="Stable machine-readable code: malformed_json, invalid_profile, invalid_request, "
        "body_too_large, too_many_profiles, unknown_rule, unknown_schema, not_found, method_not_allowed, "
        "internal_error."
    )
    message: str = Field(description="A sentence a user can act on (the first problem, and how many more).")
    field: str | None = Field(default=None, description="The field of the first problem; null for the whole body.")
    problems: list[ProblemOut] = Field(default=[], description="Every problem found (422 only).")


class ErrorEnvelope(BaseModel):
    """The one shape of every error response."""

    error: ErrorBody
    rules_version: str


class BatchReports(BaseModel):
    """The reports of a batch, in the order of the profiles sent."""

    rules_version: str
    as_of: date
    count: int
    reports: tuple[Report, ...]


# The same bytes as model_dump_json(), without decoding them to str for Response to encode
# again: for a report of 10 KB, mostly Chinese, that round trip cost a third of the dump.
_REPORT_JSON: TypeAdapter[Report] = TypeAdapter(Report)
_BATCH_JSON: TypeAdapter[BatchReports] = TypeAdapter(BatchReports)


class ApiError(Exception):
    """An error response: HTTP status, code, message, and the problems behind it."""

    def __init__(
        self, status: int, code: str, message: str, field: str | None = None, problems: list[Problem] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.problems = problems or []


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

    Every bad parameter is reported at once (422 invalid_request), before the body is read.
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


_ECHO_LIMIT = 200


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
        headers={RULES_VERSION_HEADER: rules_version},
    )


class _RulesVersionHeader:
    """Adds X-Rules-Version to every response (errors set it themselves)."""

    def __init__(self, app: ASGIApp, rules_version: str) -> None:
        self.app = app
        self.header = (RULES_VERSION_HEADER.lower().encode(), rules_version.encode())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_version(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if all(name != self.header[0] for name, _ in headers):
                    headers.append(self.header)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_version)


def _rule_data(rule: Rule) -> dict[str, Any]:
    """A rule as its pack writes it, but with the assumptions as this API has always given them.

    Packs write each assumption as {zh, en}; the response keeps `assumptions` a list of
    English strings (fields are added, never changed) and adds the Chinese, same order.
    """
    data = rule.model_dump(mode="json", by_alias=True)
    data["assumptions"] = [assumption.en for assumption in rule.assumptions]
    data["assumptions_zh"] = [assumption.zh for assumption in rule.assumptions]
    return data


def _json(content: Any) -> Response:
    return Response(json.dumps(content, ensure_ascii=False), media_type="application/json")


_ERRORS: dict[int | str, dict[str, Any]] = {
    413: {"model": ErrorEnvelope, "description": "Body too large (or too many profiles)."},
    422: {"model": ErrorEnvelope, "description": "Malformed JSON or an invalid profile: every problem listed."},
}


def create_app(calculator: Calculator | None = None) -> FastAPI:
    """The FastAPI application over `calculator` (default: the installed rule packs)."""
    calculator = calculator or Calculator.default()
    for region in calculator.catalogue.regions:
        calculator.engine(region)  # compile every engine before the first request
    rules_version = calculator.rules_version

    app = FastAPI(
        title="eligibility",
        version=API_VERSION,
        description="Which Chinese regional talent incentives an applicant is entitled to, how much, and on "
        f"which policy sentence. Read-only: the rule packs (version {rules_version}) cannot be changed over HTTP. "
        f"Limits: one profile {MAX_PROFILE_BYTES} bytes; a batch {MAX_BATCH_PROFILES} profiles and "
        f"{MAX_BATCH_BYTES} bytes.",
    )
    app.add_middleware(_RulesVersionHeader, rules_version=rules_version)

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, error: ApiError) -> Response:
        return error_response(error, rules_version)

    @app.exception_handler(RequestValidationError)
    async def _invalid_parameter(request: Request, error: RequestValidationError) -> Response:
        problems = []
        for detail in error.errors():
            path = [str(part) for part in detail["loc"] if part not in ("query", "path", "body")]
            problems.append(Problem(".".join(path) or "request", str(detail["msg"]), detail.get("input")))
        return error_response(ApiError(422, "invalid_request", "invalid request", problems=problems), rules_version)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, error: StarletteHTTPException) -> Response:
        codes = {404: "not_found", 405: "method_not_allowed"}
        code = codes.get(error.status_code, "http_error")
        message = f"{request.method} {request.url.path}: {error.detail}"
        return error_response(ApiError(error.status_code, code, message), rules_version)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, error: Exception) -> Response:
        _logger.exception("unexpected error on %s %s", request.method, request.url.path)
        message = "unexpected server error; the server log has the details"
        return error_response(ApiError(500, "internal_error", message), rules_version)

    async def evaluate(request: Request) -> Response:
        """One applicant's report. The body is one profile (canonical or Chinese keys and values).

        `explain=true` adds `explanation`: every condition of every rule of the region, evaluated.
        """
        # The query is read here rather than declared as FastAPI parameters: FastAPI's
        # dependency solving cost more per request than a whole /healthz request.
        as_of, explain = evaluate_query(request)
        data = await read_json(request, MAX_PROFILE_BYTES)
        try:
            report = calculator.evaluate(data, as_of=as_of, explain=explain)  # inline: cheaper than a thread hop
        except InputError as error:
            raise ApiError(422, "invalid_profile", str(error), problems=error.problems) from None
        return Response(_REPORT_JSON.dump_json(report), media_type="application/json")

    async def evaluate_batch(request: Request, as_of: date | None = None) -> Response:
        """The reports of a JSON list of profiles, in order; all are validated before any is evaluated."""
        data = await read_json(request, MAX_BATCH_BYTES)
        if not isinstance(data, list):
            raise ApiError(422, "invalid_request", f"a batch is a JSON list of profiles, not {type(data).__name__}")
        if len(data) > MAX_BATCH_PROFILES:
            message = f"{len(data)} profiles; a batch holds at most {MAX_BATCH_PROFILES}: split it"
            raise ApiError(413, "too_many_profiles", message)
        day = as_of or date.today()
        try:
            reports = await run_in_threadpool(calculator.evaluate_many, data, day)
        except InputError as error:
            raise ApiError(422, "invalid_profile", str(error), problems=error.problems) from None
        batch = BatchReports(rules_version=rules_version, as_of=day, count=len(reports), reports=tuple(reports))
        return Response(_BATCH_JSON.dump_json(batch), media_type="application/json")

    packs = [
        {"region": pack.region, "name": pack.name.model_dump(), "version": pack.version}
        for pack in calculator.catalogue.packs
    ]
    summaries = [
        {
            "id": rule.id,
            "region": pack.region,
            "name": rule.name.model_dump(),
            "kind": rule.kind,
            "applicant": rule.applicant,
            "status": rule.status,
            "exclusivity_group": rule.exclusivity_group,
        }
        for pack, rule in calculator.catalogue.rules()
    ]
    rules_listing = {"rules_version": rules_version, "packs": packs, "rules": summaries}

    async def list_rules() -> Response:
        """Every loaded rule pack and a summary of each rule (GET /v1/rules/{id} for the whole rule)."""
        return _json(rules_listing)

    async def show_rule(rule_id: str) -> Response:
        """One rule as its pack defines it: conditions, amount, dates, source quote, assumptions."""
        try:
            pack, rule = calculator.catalogue.rule(rule_id)
        except UnknownRuleError as error:
            raise ApiError(404, "unknown_rule", f"{error}; GET /v1/rules lists them", field="rule_id") from None
        return _json(
            {
                "rules_version": rules_version,
                "region": pack.region,
                "pack_version": pack.version,
                "rule": _rule_data(rule),
            }
        )

    schemas = {name: schema(name) | {"rules_version": rules_version} for name in SCHEMA_NAMES}

    async def show_schema(name: str) -> Response:
        """The JSON Schema (Draft 2020-12) of `applicant`, `report` or `rules` (rules_version is an annotation)."""
        if name not in schemas:
            message = f"no schema named {name!r}; allowed: {', '.join(SCHEMA_NAMES)}"
            raise ApiError(404, "unknown_schema", message, field="name")
        return _json(schemas[name])

    health = {"status": "ok", "rules_version": rules_version}

    async def healthz() -> Response:
        """Liveness: the service is up and the rule packs are loaded."""
        return _json(health)

    body_of = {
        "evaluate": {"$ref": "#/components/schemas/ApplicantProfile"},
        "batch": {
            "type": "array",
            "maxItems": MAX_BATCH_PROFILES,
            "items": {"$ref": "#/components/schemas/ApplicantProfile"},
        },
    }

    def request_body(kind: Literal["evaluate", "batch"]) -> dict[str, Any]:
        return {"requestBody": {"required": True, "content": {"application/json": {"schema": body_of[kind]}}}}

    app.add_api_route(
        "/v1/evaluate",
        evaluate,
        methods=["POST"],
        responses={200: {"model": Report}, **_ERRORS},
        openapi_extra=request_body("evaluate") | {"parameters": EVALUATE_QUERY_PARAMETERS},
    )
    app.add_api_route(
        "/v1/evaluate/batch",
        evaluate_batch,
        methods=["POST"],
        responses={200: {"model": BatchReports}, **_ERRORS},
        openapi_extra=request_body("batch"),
    )
    not_found: dict[int | str, dict[str, Any]] = {404: {"model": ErrorEnvelope}, 422: _ERRORS[422]}
    app.add_api_route("/v1/rules", list_rules, methods=["GET"])
    app.add_api_route("/v1/rules/{rule_id}", show_rule, methods=["GET"], responses=not_found)
    app.add_api_route("/v1/schema/{name}", show_schema, methods=["GET"], responses=not_found)
    app.add_api_route("/healthz", healthz, methods=["GET"])

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
            _, definitions = models_json_schema(
                [(ApplicantProfile, "validation")], ref_template="#/components/schemas/{model}"
            )
            document.setdefault("components", {}).setdefault("schemas", {}).update(definitions["$defs"])
            document["info"]["x-rules-version"] = rules_version
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app
