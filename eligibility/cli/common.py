"""What every command shares: options, input reading, and the library's errors as messages."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from eligibility.errors import EligibilityError, InputError, Problem, RulePackError, UnknownRuleError
from eligibility.facts import spelling
from eligibility.presentation.labels import Language, default_language

EXIT_BAD_INPUT = 2
EXIT_BAD_RULES = 1

LanguageOption = Annotated[
    str | None, typer.Option("--lang", help="Output language: zh or en (default: from the locale).")
]
RulesOption = Annotated[
    Path | None, typer.Option("--rules", help="Directory of rule packs to use instead of the installed ones.")
]
AsOfOption = Annotated[
    str | None, typer.Option("--as-of", help=f"Evaluation date: {spelling.DATES_ALLOWED} (default: today).")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def fail(problems: list[Problem] | list[str], code: int = EXIT_BAD_INPUT) -> NoReturn:
    """Print each problem on its own stderr line and exit with `code`."""
    for problem in problems:
        typer.echo(f"error: {problem}", err=True)
    raise typer.Exit(code=code)


@contextmanager
def user_errors(flags: Mapping[str, str] | None = None) -> Iterator[None]:
    """Turn the library's errors into messages and exit statuses; never a traceback.

    `flags` names the option behind a library parameter (`output` -> `--out`), so a
    problem the library reports by its parameter's name reads as the option typed.
    """
    try:
        yield
    except InputError as error:
        fail([_as_typed(problem, flags or {}) for problem in error.problems], EXIT_BAD_INPUT)
    except RulePackError as error:
        fail([str(problem) for problem in error.problems], EXIT_BAD_RULES)
    except UnknownRuleError as error:
        fail([str(error)], EXIT_BAD_INPUT)
    except EligibilityError as error:
        fail([str(error)], EXIT_BAD_INPUT)


def _as_typed(problem: Problem, flags: Mapping[str, str]) -> Problem:
    head, dot, rest = problem.field.partition(".")
    if head not in flags:
        return problem
    return Problem(f"{flags[head]} {rest}" if dot else flags[head], problem.message, problem.value)


def parse_language(value: str | None) -> Language:
    if value is None:
        return default_language()
    if value not in ("zh", "en"):
        fail([Problem("--lang", "allowed: zh, en", value)])
    return "zh" if value == "zh" else "en"


def parse_as_of(value: str | None) -> date:
    """The evaluation date in any spelling a profile's dates accept; today when not given."""
    if value is None:
        return date.today()
    try:
        return spelling.as_date(value)
    except spelling.Misspelt as error:
        fail([Problem("--as-of", str(error), value)])


def read_document(path: Path) -> Any:
    """A YAML or JSON file (or '-' for standard input), parsed safely."""
    import yaml

    try:
        text = sys.stdin.read() if str(path) == "-" else path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        fail([Problem(str(path), "no such file")])
    except (OSError, UnicodeDecodeError) as error:
        fail([Problem(str(path), f"cannot read: {error}")])
    try:
        if path.suffix.lower() == ".json":
            return json.loads(text)
        return yaml.safe_load(text)
    except (yaml.YAMLError, json.JSONDecodeError) as error:
        fail([Problem(str(path), f"not valid {'JSON' if path.suffix.lower() == '.json' else 'YAML or JSON'}: {error}")])
