"""`eligibility check`: one applicant, from a file or from options named after the facts.

The fact options (`--degree`, `--bought-home-in-region`, `--programme` ...) are
made from the vocabulary: one per fact, its help naming the Chinese column and
the allowed values. Their values go through the same spelling rules as a profile.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Annotated, Any

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
from eligibility.errors import InputError, Problem
from eligibility.facts import spelling
from eligibility.facts.vocabulary import FIELDS, FieldKind, FieldSpec

SET = "--set"
# Awards are records (level, name, amount): they do not fit in one KEY=VALUE.
NOT_SETTABLE = frozenset(key for key, spec in FIELDS.items() if spec.kind is FieldKind.awards)


def option_name(spec: FieldSpec) -> str:
    """The option of a fact: `--degree`, `--skill-level`; one item of a list fact: `--programme`."""
    return "--" + (spec.item or spec.key).replace("_", "-")


def _help(spec: FieldSpec) -> str:
    words = f"{spec.zh}: {spec.description.rstrip('.')}"
    if spec.kind in (FieldKind.ordered, FieldKind.choice):
        words += f"; one of {', '.join(spec.codes)} (or the Chinese: {', '.join(v.names.zh for v in spec.values)})"
    elif spec.kind is FieldKind.date:
        words += f"; {spelling.DATES_ALLOWED}"
    elif spec.kind is FieldKind.codes:
        words += "; a code or its name, repeatable (eligibility rules programmes lists them)"
    elif spec.kind is FieldKind.awards:
        words += f"; {spelling.AWARD_FORM.removesuffix(';...')}, repeatable, e.g. national:200000:国家科技进步奖"
    if spec.when_absent is not None:
        words += f"; left out: {spec.when_absent.names.en}"
    return words + "."


def fact_parameters() -> list[inspect.Parameter]:
    """One keyword parameter per fact, declared for typer as an option."""
    parameters = []
    for key, spec in FIELDS.items():
        kind: Any = str | None
        if spec.kind is FieldKind.boolean:
            kind = bool | None  # --bought-home-in-region / --no-bought-home-in-region
        elif spec.kind in (FieldKind.codes, FieldKind.awards):
            kind = list[str] | None
        name = option_name(spec)
        if spec.kind is FieldKind.boolean:
            name += f"/--no-{name.removeprefix('--')}"
        option = typer.Option(name, help=_help(spec), show_default=False)
        parameters.append(
            inspect.Parameter(key, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=Annotated[kind, option])
        )
    return parameters


def with_fact_options(command: Callable[..., None]) -> Callable[..., None]:
    """`command` with an option per fact added to what typer sees; it receives them as keyword arguments."""
    signature = inspect.signature(command, eval_str=True)
    own = [parameter for parameter in signature.parameters.values() if parameter.kind is not parameter.VAR_KEYWORD]
    command.__signature__ = signature.replace(parameters=[*own, *fact_parameters()])  # type: ignore[attr-defined]
    return command


def parse_assignments(texts: Iterable[str]) -> dict[str, Any]:
    """`--set KEY=VALUE` texts to canonical keys and raw values; every bad one reported at once."""
    changes: dict[str, Any] = {}
    problems: list[Problem] = []
    settable = [key for key in FIELDS if key not in NOT_SETTABLE]
    for text in texts:
        raw_key, equals, value = text.partition("=")
        key = spelling.fact_key(raw_key)
        if not equals or not raw_key.strip():
            problems.append(Problem(SET, "use KEY=VALUE, e.g. title=associate_senior", text))
        elif key in NOT_SETTABLE:
            problems.append(Problem(SET, f"{key} cannot be set as KEY=VALUE; give it in the profile", text))
        elif key is None:
            problems.append(Problem(SET, "unknown key; allowed: " + ", ".join(settable), text))
        else:
            changes[key] = value.strip() or None
    if problems:
        raise InputError(problems)
    return changes


def _given_facts(facts: dict[str, Any]) -> dict[str, Any]:
    """The fact options given, as profile values (list options: their items; awards in the flat form)."""
    given: dict[str, Any] = {}
    for key, value in facts.items():
        if value is None or value == []:
            continue
        if FIELDS[key].kind is FieldKind.awards:
            for text in value:  # each --award on its own, so a bad one is named as typed
                try:
                    spelling.awards(FIELDS[key], text)
                except spelling.Misspelt as error:  # the message quotes the item
                    fail([Problem(option_name(FIELDS[key]), str(error))])
            value = ";".join(value)
        given[key] = value
    return given


@with_fact_options
def check(
    profile: Annotated[
        Path | None,
        typer.Argument(help="Applicant profile, YAML or JSON ('-' for stdin). Options override its keys."),
    ] = None,
    as_of: AsOfOption = None,
    lang: LanguageOption = None,
    json_output: JsonOption = False,
    rules: RulesOption = None,
    explain: Annotated[
        bool, typer.Option("--explain", help="Show why: every condition with the applicant's value, and what failed.")
    ] = False,
    set_fact: Annotated[
        list[str] | None,
        typer.Option(
            SET,
            help="What if: KEY=VALUE changes a fact (repeatable; profile spellings, 中文 too; KEY= makes it unknown).",
            show_default=False,
        ),
    ] = None,
    **facts: Any,
) -> None:
    """Check one applicant: the entitlements, amounts, sources, assumptions and near misses.

    Example:

    \b
        eligibility check --region aksu --degree doctorate --introduction full_time
        --years-served 5 --bought-home-in-region --lang en

    \b
        eligibility check examples/doctor-aksu.yaml --as-of 2025-06-01 --explain

    \b
        eligibility check examples/doctor-aksu.yaml --set title=associate_senior --set zone=aksu_alar_hitech_zone
    """
    language = parse_language(lang)
    evaluation_date = parse_as_of(as_of)
    data: dict[str, Any] = {}
    if profile is not None:
        document = read_document(profile)
        if not isinstance(document, dict):
            fail([Problem(str(profile), "a profile is a mapping of keys to values")])
        # canonical keys, so that an option overrides 学历 as well as degree
        data.update({spelling.fact_key(key) or key: value for key, value in document.items()})
    data.update(_given_facts(facts))
    if not data:
        fail([Problem("profile", "give a profile file or at least --region")])

    with user_errors(flags={"changes": SET}, language=language):
        from eligibility.evaluation.calculator import Calculator

        calculator = Calculator.from_directory(rules) if rules else Calculator.default()
        if set_fact:
            from eligibility.evaluation.whatif import what_if

            result = what_if(calculator, data, parse_assignments(set_fact), as_of=evaluation_date, explain=explain)
        else:
            report = calculator.evaluate(data, as_of=evaluation_date, explain=explain)

    output = result if set_fact else report
    if json_output:
        typer.echo(output.model_dump_json(indent=2))
        return
    from rich.console import Console

    from eligibility.presentation.terminal import print_report, print_what_if

    if set_fact:
        print_what_if(result, calculator.catalogue, Console(), language)
    else:
        print_report(report, calculator.catalogue, Console(), language)
