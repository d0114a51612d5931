"""`eligibility compare`: the same person as if working in each region (and zone), best first."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from eligibility.cli.common import (
    AsOfOption,
    JsonOption,
    LanguageOption,
    RulesOption,
    fail,
    parse_as_of,
    parse_language,
    read_document,
    user_errors,
)
from eligibility.errors import Problem


def compare(
    profile: Annotated[
        Path, typer.Argument(help="Applicant profile, YAML or JSON ('-' for stdin); its region is ignored.")
    ],
    as_of: AsOfOption = None,
    lang: LanguageOption = None,
    json_output: JsonOption = False,
    rules: RulesOption = None,
) -> None:
    """Compare regions: the applicant in each region and zone, ranked by total known cash.

    Every fact is carried over as given (service years, a home bought in the region).

    Example:

    \b
        eligibility compare examples/doctor-aksu.yaml --as-of 2025-06-01 --lang en
    """
    language = parse_language(lang)
    evaluation_date = parse_as_of(as_of)
    document = read_document(profile)
    if not isinstance(document, dict):
        fail([Problem(str(profile), "a profile is a mapping of keys to values")])
    with user_errors(language=language):
        from eligibility.evaluation.calculator import Calculator
        from eligibility.evaluation.compare import compare_regions

        calculator = Calculator.from_directory(rules) if rules else Calculator.default()
        options = compare_regions(calculator, document, as_of=evaluation_date)

    if json_output:
        import json

        typer.echo(json.dumps([option.model_dump(mode="json") for option in options], ensure_ascii=False, indent=2))
        return
    from rich.console import Console

    from eligibility.presentation.terminal import print_comparison

    print_comparison(options, calculator.catalogue, Console(), language)
