"""The typer application and the registration of every command module."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="eligibility",
    help="Which regional talent incentives an applicant is entitled to, how much, and on which policy sentence.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def main() -> None:
    """Regional talent incentives: check one applicant, score a roster, serve HR systems."""


# Each command lives in its own module and registers itself on `app`.
import eligibility.cli.batch  # noqa: E402
import eligibility.cli.compare  # noqa: E402
import eligibility.cli.rules  # noqa: E402
import eligibility.cli.schema  # noqa: E402
import eligibility.cli.serve  # noqa: E402,F401
from eligibility.cli import check  # noqa: E402,F401
