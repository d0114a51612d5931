"""`eligibility schema`: the JSON Schema of an applicant profile, a report or a rule pack."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated

import typer


class SchemaChoice(StrEnum):
    applicant = "applicant"
    report = "report"
    rules = "rules"


def schema_command(
    name: Annotated[
        SchemaChoice, typer.Argument(help="applicant (a profile), report (an evaluation) or rules (a rule-pack file).")
    ],
) -> None:
    """Print a JSON Schema (Draft 2020-12), for validating documents in other systems.

    Example:

        eligibility schema applicant > applicant.schema.json
    """
    from eligibility.presentation.schemas import schema

    typer.echo(json.dumps(schema(name.value), ensure_ascii=False, indent=2))
