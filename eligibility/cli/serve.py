"""`eligibility serve`: the HTTP service for HR systems (FastAPI on uvicorn)."""

from __future__ import annotations

from typing import Annotated

import typer

from eligibility.cli.common import RulesOption, user_errors


def serve(
    host: Annotated[
        str,
        typer.Option(help="Address to bind. The default answers this machine only; 0.0.0.0 opens it to the network."),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.", min=1, max=65535)] = 8000,
    rules: RulesOption = None,
    access_log: Annotated[bool, typer.Option(help="Log one line per request.")] = True,
) -> None:
    """Serve the calculator over HTTP: POST /v1/evaluate, /v1/evaluate/batch; GET /v1/rules, /docs.

    The rule packs are loaded once at start-up and cannot be changed over HTTP.
    Slow clients are cut off (a request's head within 10 s, its body within 10 s),
    idle connections after 5 s, and at most 256 connections are served at once.

    Example:

    \b
        eligibility serve --port 8000

    \b
        curl -s localhost:8000/v1/evaluate -d '{"region": "aksu", "degree": "master"}'
    """
    with user_errors():
        from eligibility.evaluation.calculator import Calculator
        from eligibility.http.app import create_app

        calculator = Calculator.from_directory(rules) if rules else Calculator.default()
        application = create_app(calculator)

    import uvicorn

    from eligibility.http.server import server_config, settle_memory

    server = uvicorn.Server(server_config(application, host, port, access_log=access_log))
    settle_memory()
    server.run()
