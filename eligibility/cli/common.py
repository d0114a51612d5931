"""What every command shares: options, input reading, and the library's errors as messages."""

from __future__ import annotations

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


def fail(problems: list[Problem] | list[str], code: int = EXIT_BAD_INPUT, language: Language = "en") -> NoReturn:
    """Print each problem on its own stderr line, in `language`, and exit with `code`."""
    prefix = "错误：" if language == "zh" else "error: "
    for problem in problems:
        typer.echo(f"{prefix}{problem.text(language) if isinstance(problem, Problem) else problem}", err=True)
    raise typer.Exit(code=code)


@contextmanager
def user_errors(flags: Mapping[str, str] | None = None, language: Language = "en") -> Iterator[None]:
    """Turn the library's errors into messages and exit statuses, in `language`; never a traceback.

    `flags` names the option behind a library parameter (`output` -> `--out`), so a
    problem the library reports by its parameter's name reads as the option typed.
    """
    try:
        yield
    except InputError as error:
        fail([_as_typed(problem, flags or {}) for problem in error.problems], EXIT_BAD_INPUT, language)
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
    return Problem(f"{flags[head]} {rest}" if dot else flags[head], problem.message, problem.value, problem.message_zh)


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
        fail([Problem("--as-of", str(error), value, error.zh)])


MAX_PROFILE_BYTES = 1024 * 1024


def read_document(path: Path) -> Any:
    """A YAML or JSON profile (or '-' for standard input), read as documents.py reads every document."""
    from eligibility.documents import DocumentError, decode, parse_json, parse_yaml, read_text

    try:
        if str(path) == "-":
            data = sys.stdin.buffer.read(MAX_PROFILE_BYTES + 1)
            if len(data) > MAX_PROFILE_BYTES:
                raise DocumentError([(0, f"more than {MAX_PROFILE_BYTES:,} bytes on standard input")])
            text = decode(data)
        else:
            text = read_text(path, MAX_PROFILE_BYTES)
        if path.suffix.lower() == ".json":
            return parse_json(text)
        return parse_yaml(text, as_written=_as_written)[0]
    except DocumentError as error:
        fail([f"{path}:{line}: {message}" if line else f"{path}: {message}" for line, message in error.problems])


def _as_written(key: str) -> bool:
    """Keys whose values the spelling module reads from the text written, not YAML's number: an id 001 stays
    001, and years 010 are 10 (YAML 1.1 would read 1, and 8 for 010, an octal number)."""
    return key in ("amount_yuan", "金额") or spelling.fact_key(key) in ("id", "years_served")
