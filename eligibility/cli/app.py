"""The `eligibility` typer application: every command registered here, in the order help lists them.

Each command is a plain function in its own module; none imports this one.
"""

from __future__ import annotations

import typer

from eligibility.cli import batch, cases, check, compare, rules, schema, serve

app = typer.Typer(
    name="eligibility",
    help="Which regional talent incentives an applicant is entitled to, how much, and on which policy sentence.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # a bad option is the one line "Error: ..." (with usage above it), not a drawn box
)


@app.callback()
def main() -> None:
    """Regional talent incentives: check one applicant, score a roster, serve HR systems."""


app.command()(check.check)  # the everyday command first
app.command()(compare.compare)
app.command()(batch.batch)
app.command("test")(cases.test_cases)
app.add_typer(rules.rules_app, name="rules")
app.command("schema")(schema.schema_command)
app.command()(serve.serve)
