"""The FastAPI application: the routes of http/routes.py, the error envelope, the rules version on every response.

Read-only by design: the rule packs are loaded at start-up and no route can
upload or change them. Every response carries the rules version in the
`X-Rules-Version` header, and every JSON body of /v1 and /healthz carries it too.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine, MutableMapping
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute
from pydantic.json_schema import models_json_schema

from eligibility import web
from eligibility.evaluation.calculator import Calculator
from eligibility.evaluation.compact import CompactReport
from eligibility.evaluation.report import Report
from eligibility.facts.profile import ApplicantProfile
from eligibility.http.errors import RULES_VERSION_HEADER, ErrorEnvelope, install_error_handlers
from eligibility.http.requests import AS_OF_PARAMETER, BODY_SECONDS, EVALUATE_QUERY_PARAMETERS
from eligibility.http.routes import MAX_BATCH_BYTES, MAX_BATCH_PROFILES, MAX_PROFILE_BYTES, BatchReports, Routes

API_VERSION = "1"

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_ERRORS: dict[int | str, dict[str, Any]] = {
    413: {"model": ErrorEnvelope, "description": "Body too large (or too many profiles)."},
    422: {"model": ErrorEnvelope, "description": "Malformed JSON or an invalid profile: every problem listed."},
}
_NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": ErrorEnvelope}, 422: _ERRORS[422]}


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


class _PlainRoute(APIRoute):
    """A route OpenAPI documents like any other, whose handler is called as it is: no dependency solving.

    Every handler of this API takes the request (and the path's parameters as text)
    and reads its query and body itself (http/requests.py), so FastAPI's per-request
    parameter solving would only cost time: on /healthz, about as much as the rest.
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        endpoint = self.endpoint

        async def handle(request: Request) -> Response:
            response: Response = await endpoint(request, **request.path_params)
            return response

        return handle


def _request_body(schema: dict[str, Any]) -> dict[str, Any]:
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


def create_app(calculator: Calculator | None = None, *, body_seconds: float = BODY_SECONDS) -> FastAPI:
    """The FastAPI application over `calculator` (default: the installed rule packs).

    `body_seconds`: how long a request's body may take to arrive (408 after).
    """
    calculator = calculator or Calculator.default()
    calculator.prepare()  # every region compiled before the first request
    rules_version = calculator.rules_version
    routes = Routes(calculator, body_seconds)
    app = FastAPI(
        docs_url=None,  # served by the web application, with local assets
        redoc_url=None,
        title="eligibility",
        version=API_VERSION,
        description="Which Chinese regional talent incentives an applicant is entitled to, how much, and on "
        f"which policy sentence. Read-only: the rule packs (version {rules_version}) cannot be changed over HTTP. "
        f"Limits: one profile {MAX_PROFILE_BYTES} bytes; a batch {MAX_BATCH_PROFILES} profiles and "
        f"{MAX_BATCH_BYTES} bytes.",
        redirect_slashes=False,  # /v1/schema/..%2f is a 404, not a redirect
    )
    app.router.route_class = _PlainRoute
    app.add_middleware(_RulesVersionHeader, rules_version=rules_version)
    install_error_handlers(app, rules_version)

    profile = {"$ref": "#/components/schemas/ApplicantProfile"}
    batch = {"type": "array", "maxItems": MAX_BATCH_PROFILES, "items": profile}
    app.add_api_route(
        "/v1/evaluate",
        routes.evaluate,
        methods=["POST"],
        # view=compact answers the compact view: the document must say so, or a client validating it fails
        responses={
            200: {"model": Report | CompactReport, "description": "The report (view=compact: CompactReport)"},
            **_ERRORS,
        },
        openapi_extra=_request_body(profile) | {"parameters": EVALUATE_QUERY_PARAMETERS},
    )
    app.add_api_route(
        "/v1/evaluate/batch",
        routes.evaluate_batch,
        methods=["POST"],
        responses={200: {"model": BatchReports}, **_ERRORS},
        openapi_extra=_request_body(batch) | {"parameters": [AS_OF_PARAMETER]},
    )
    app.add_api_route("/v1/rules", routes.list_rules, methods=["GET"])
    app.add_api_route("/v1/rules/{rule_id}", routes.show_rule, methods=["GET"], responses=_NOT_FOUND)
    app.add_api_route("/v1/schema/{name}", routes.show_schema, methods=["GET"], responses=_NOT_FOUND)
    app.add_api_route("/healthz", routes.healthz, methods=["GET"])
    web.mount(app, calculator)  # the pages at /, their assets, and /docs

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
