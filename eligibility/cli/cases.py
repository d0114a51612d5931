"""`eligibility test`: run case files against rule packs; per case, pass or each difference."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from eligibility.cli.common import EXIT_BAD_INPUT, LanguageOption, RulesOption, parse_language, user_errors

EXIT_FAILED = 1
DEFAULT_CASES = Path("cases")


def test_cases(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Case files, or directories searched for *.yaml (default: ./cases).", show_default=False),
    ] = None,
    rules: RulesOption = None,
    lang: LanguageOption = None,
) -> None:
    """Run case files against the rule packs: PASS, or each difference (benefit, expected, got).

    A case file holds one case (name, as_of, applicant, expected) or a list of
    them. Exit status 0 when every case passes, 1 when any fails, 2 when a case
    file cannot be read (each problem as file:line: message) or none was found.

    Example:

    \b
        eligibility test cases/
        eligibility test my-rules/guangzhou.cases.yaml --rules my-rules --lang zh
    """
    language = parse_language(lang)
    named = paths or [DEFAULT_CASES]
    with user_errors():
        from eligibility.evaluation.calculator import Calculator
        from eligibility.evaluation.cases import run_cases

        calculator = Calculator.default() if rules is None else Calculator.from_directory(rules)
    from eligibility.presentation.case_results import result_lines, summary_line

    run = run_cases(calculator, named)
    for result in run.results:
        for line in result_lines(result, language):
            typer.echo(line)
    for problem in run.problems:
        typer.echo(f"error: {problem}", err=True)
    if not run.files and not run.problems:
        typer.echo(f"error: {', '.join(map(str, named))}: no case files (*.yaml, *.yml)", err=True)
        raise typer.Exit(code=EXIT_BAD_INPUT)
    typer.echo(summary_line(run, language), err=bool(run.problems))
    if run.problems:
        raise typer.Exit(code=EXIT_BAD_INPUT)
    if run.failed:
        raise typer.Exit(code=EXIT_FAILED)
