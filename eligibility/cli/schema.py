"""`eligibility schema`: the JSON Schema of an applicant profile, a report or a rule pack."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated

import typer

from eligibility.cli.common import RulesOption, user_errors


class SchemaChoice(StrEnum):
    applicant = "applicant"
    report = "report"
    rules = "rules"
    cases = "cases"


def schema_command(
    name: Annotated[
        SchemaChoice,
        typer.Argument(
            help="applicant (a profile), report (an evaluation), rules (a rule-pack file) or cases (a case file)."
        ),
    ],
    rules: RulesOption = None,
) -> None:
    """Print a JSON Schema (Draft 2020-12), for validating documents in other systems.

    The applicant schema lists the programme codes of the rule packs (--rules for others).

    Example:

    \b
        eligibility schema applicant > applicant.schema.json
    """
    with user_errors():
        from eligibility.packs.catalogue import Catalogue
        from eligibility.presentation.schemas import schema

        document = schema(name.value, Catalogue.from_directory(rules))
    typer.echo(json.dumps(document, ensure_ascii=False, indent=2))
