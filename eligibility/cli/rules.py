"""`eligibility rules list | show | programmes | lint | new`: the rule catalogue, its checks, a new pack."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from eligibility.cli.common import (
    EXIT_BAD_RULES,
    JsonOption,
    LanguageOption,
    RulesOption,
    fail,
    parse_language,
    user_errors,
)
from eligibility.errors import Problem

if TYPE_CHECKING:
    from eligibility.packs.catalogue import Catalogue

rules_app = typer.Typer(
    name="rules",
    help="The rule catalogue: list and show rules with their sources; lint rule packs; start a new region's pack.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


def _region(value: str | None, catalogue: Catalogue) -> str | None:
    """A region in any spelling a profile accepts (the vocabulary's and the packs'), as its code."""
    from eligibility.facts.spelling import Misspelt

    if value is None:
        return None
    try:
        return catalogue.region_codes.resolve(value)
    except Misspelt as error:
        fail([Problem("--region", str(error), value, error.zh)])


@rules_app.command("list")
def list_rules(
    region: Annotated[
        str | None, typer.Option("--region", help="Only this region (its code or Chinese name, e.g. aksu, 阿克苏).")
    ] = None,
    json_output: JsonOption = False,
    lang: LanguageOption = None,
    rules: RulesOption = None,
) -> None:
    """List every rule: region, benefit, kind, amount, status, source and quote.

    Example:

    \b
        eligibility rules list --region qijiang --lang en
        eligibility rules list --json
    """
    language = parse_language(lang)
    with user_errors():
        from eligibility.packs.catalogue import Catalogue
        from eligibility.presentation.rule_entries import rule_entries

        catalogue = Catalogue.from_directory(rules)
    entries = rule_entries(catalogue, _region(region, catalogue))
    if json_output:
        import json

        typer.echo(json.dumps([entry.model_dump(mode="json") for entry in entries], ensure_ascii=False, indent=2))
        return
    from rich.console import Console

    from eligibility.presentation.terminal import print_rule_table

    print_rule_table(entries, Console(), language)


@rules_app.command("show")
def show_rule(
    rule_id: Annotated[str, typer.Argument(help="The rule's id, e.g. qijiang.cash.award_matching.")],
    json_output: JsonOption = False,
    lang: LanguageOption = None,
    rules: RulesOption = None,
) -> None:
    """Show one rule in full: amount, dates, condition, source, quote, assumptions.

    Example:

    \b
        eligibility rules show aksu.housing.prefecture_high_level --lang zh
    """
    language = parse_language(lang)
    with user_errors():
        from eligibility.packs.catalogue import Catalogue
        from eligibility.presentation.rule_entries import rule_entry

        catalogue = Catalogue.from_directory(rules)
        entry = rule_entry(*catalogue.rule(rule_id))
    if json_output:
        typer.echo(entry.model_dump_json(indent=2))
        return
    from rich.console import Console

    from eligibility.presentation.terminal import print_rule_detail

    print_rule_detail(entry, catalogue.condition(rule_id), Console(), language)


@rules_app.command("programmes")
def list_programmes(
    region: Annotated[
        str | None, typer.Option("--region", help="Only this region's (its code or Chinese name, e.g. aksu, 阿克苏).")
    ] = None,
    json_output: JsonOption = False,
    lang: LanguageOption = None,
    rules: RulesOption = None,
) -> None:
    """List the programme codes a profile's programmes (人才计划) may hold: code, name, regions, meaning, aliases.

    A profile may give the code, its name or an alias; the packs declare them.

    Example:

    \b
        eligibility rules programmes --region aksu --lang zh
    """
    language = parse_language(lang)
    with user_errors():
        from eligibility.packs.catalogue import Catalogue

        catalogue = Catalogue.from_directory(rules)
    programmes = catalogue.programmes.in_region(_region(region, catalogue))
    if json_output:
        import json

        documents = [
            {
                "code": item.code,
                "name": item.name.model_dump(),
                "regions": list(item.regions),
                "meanings": {region: meaning.model_dump() for region, meaning in item.meanings},
                "aliases": list(item.aliases),
            }
            for item in programmes
        ]
        typer.echo(json.dumps(documents, ensure_ascii=False, indent=2))
        return
    from rich.console import Console

    from eligibility.presentation.terminal import print_programmes

    print_programmes(programmes, catalogue, Console(), language)


@rules_app.command("lint")
def lint_rules(
    directory: Annotated[
        Path | None, typer.Argument(help="Directory of rule packs (default: the installed ones).", show_default=False)
    ] = None,
    sources: Annotated[
        Path | None,
        typer.Option(
            "--sources",
            help="Directory of the source documents the rules quote: every quote is checked against its "
            "document there (without it, quotes are not checked, and the summary says so).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Check rule packs: YAML, schema, duplicate ids, unknown fields, undefined definitions, placeholders, quotes.

    Each problem is printed as file:line: message; the exit status is 1 when
    there is any, 0 (with a one-line summary) when there is none.

    Example:

    \b
        eligibility rules lint my-rules/ --sources my-sources/
    """
    from eligibility.packs.catalogue import default_rules_directory
    from eligibility.packs.lint import lint_directory

    result = lint_directory(directory or default_rules_directory(), sources)
    for problem in result.problems:
        typer.echo(str(problem))
    typer.echo(result.summary(), err=not result.ok)
    if not result.ok:
        raise typer.Exit(code=EXIT_BAD_RULES)


@rules_app.command("new")
def new_rules(
    region: Annotated[
        str,
        typer.Argument(
            help="The region's code (a new one such as guangzhou, or one the vocabulary knows).", show_default=False
        ),
    ],
    directory: Annotated[
        Path, typer.Option("--dir", help="Directory to write into (created when absent; default: the current one).")
    ] = Path(),
    lang: LanguageOption = None,
) -> None:
    """Write a new region's pack skeleton, every section explained, with a case file and the schemas beside it.

    Writes REGION.yaml, REGION.cases.yaml, rule-pack.schema.json and
    case-file.schema.json; the pack and the case file name their schema in a
    yaml-language-server modeline, so an editor completes and checks them.
    Never overwrites a file: nothing is written when the pack or its case file exists.

    Example:

    \b
        eligibility rules new guangzhou --dir my-rules
    """
    language = parse_language(lang)
    with user_errors({"region": "REGION"}):
        from eligibility.presentation.skeleton import new_pack, write_new_pack

        new = new_pack(region, directory)
        written = write_new_pack(new)
    from eligibility.presentation.labels import label

    for path in written:
        typer.echo(f"{label('wrote', language)} {path}")
    typer.echo(
        label("new_pack_next", language).format(
            pack=new.pack, directory=new.pack.parent, cases=new.cases, placeholder="TODO"
        )
    )
