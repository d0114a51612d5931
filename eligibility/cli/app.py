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


# Each command lives in its own module and registers itself on `app`; help lists
# them in this order: the everyday command first.
from eligibility.cli import check  # noqa: E402,F401, I001
from eligibility.cli import compare  # noqa: E402,F401
from eligibility.cli import batch  # noqa: E402,F401
from eligibility.cli import rules  # noqa: E402,F401
from eligibility.cli import schema  # noqa: E402,F401
from eligibility.cli import serve  # noqa: E402,F401
