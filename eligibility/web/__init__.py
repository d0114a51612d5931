"""The web application at `/` of `eligibility serve`: check an applicant, score a roster, browse the rules.

Server-rendered pages (Jinja2, everything escaped) with a little JavaScript, in
Chinese or English; every asset, the API docs' included, ships in the package and
is served from `/static`, so the pages work on an intranet without a CDN. A
Content-Security-Policy without inline script covers every page. `mount` adds it
all to the HTTP service; this module imports nothing heavy until it is called, so
`python -m eligibility.web.worker` (the roster scorer) starts light.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from fastapi import FastAPI

    from eligibility.evaluation.calculator import Calculator
    from eligibility.web.roster import RosterJobs

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

CONTENT_SECURITY_POLICY: Final = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS: Final = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),  # the profile lives in the URL: never send it elsewhere
    (b"x-frame-options", b"DENY"),
)
PAGE_PATHS: Final = ("/", "/rules", "/roster", "/docs")
STATIC_CACHE: Final = (b"cache-control", b"public, max-age=86400")  # asset URLs carry their content's digest


class _WebResponses:
    """The web pages and their assets: security headers, and gzip when the browser takes it (the API is left as it is)."""

    def __init__(self, app: ASGIApp) -> None:
        from starlette.middleware.gzip import GZipMiddleware

        self.app = app
        self.compressed = GZipMiddleware(app, minimum_size=1024)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        static = path.startswith("/static/")
        if not (static or path in PAGE_PATHS or path.startswith("/roster/")):
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [*message.get("headers", []), *SECURITY_HEADERS]
                if static and message.get("status") == 200:
                    headers.append(STATIC_CACHE)
                message["headers"] = headers
            await send(message)

        await self.compressed(scope, receive, send_with_headers)


def mount(app: FastAPI, calculator: Calculator, jobs: RosterJobs | None = None) -> None:
    """Serve the web pages, their assets and the API docs (`/docs`) on `app`, over `calculator`.

    `jobs` holds the rosters being scored (default: the limits of web/roster.py, rule
    packs read from the directory the calculator's came from).
    """
    from fastapi.staticfiles import StaticFiles

    from eligibility.web.pages import STATIC, Pages, swagger_assets
    from eligibility.web.roster import RosterJobs

    if jobs is None:
        directories = {loaded.path.parent for loaded in calculator.catalogue.loaded}
        jobs = RosterJobs(directories.pop() if len(directories) == 1 else None, calculator.rules_version)
    pages = Pages(calculator, jobs)
    for path, handler, method in (
        ("/", pages.check, "GET"),
        ("/rules", pages.rules, "GET"),
        ("/roster", pages.roster, "GET"),
        ("/roster/jobs", pages.upload, "POST"),
        ("/roster/jobs/{job}", pages.job, "GET"),
        ("/roster/jobs/{job}/status", pages.job_status, "GET"),
        ("/roster/jobs/{job}/download", pages.download, "GET"),
        ("/docs", pages.docs, "GET"),
    ):
        app.add_route(path, handler, methods=[method], include_in_schema=False)  # plain Starlette routes
    app.mount("/static/swagger-ui", StaticFiles(directory=swagger_assets()), name="swagger-ui")
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(_WebResponses)

    lifespan = app.router.lifespan_context

    @asynccontextmanager
    async def with_jobs(application: Any) -> AsyncIterator[Any]:
        try:
            async with lifespan(application) as state:
                yield state
        finally:
            jobs.close()  # stop every worker, delete every file

    app.router.lifespan_context = with_jobs
