"""`eligibility check`: one applicant, from a file or from flags named after the keys."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from eligibility.cli.app import app
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


def _flag(help_text: str) -> Any:
    return typer.Option(help=help_text, show_default=False)


def parse_award(text: str) -> dict[str, Any]:
    """LEVEL:AMOUNT[:NAME], e.g. national:200000:国家科技进步奖."""
    parts = text.split(":", 2)
    if len(parts) < 2:
        fail([Problem("--award", "use LEVEL:AMOUNT[:NAME], e.g. national:200000:国家科技进步奖", text)])
    award: dict[str, Any] = {"level": parts[0], "amount_yuan": parts[1] or None}
    if len(parts) == 3:
        award["name"] = parts[2]
    return award


@app.command()
def check(
    profile: Annotated[
        Path | None, typer.Argument(help="Applicant profile, YAML or JSON ('-' for stdin). Flags override its keys.")
    ] = None,
    id: Annotated[str | None, _flag("Applicant identifier (编号).")] = None,
    region: Annotated[str | None, _flag("aksu, tongchuan, linhe, qijiang or xiangqiao (地区).")] = None,
    zone: Annotated[str | None, _flag("aksu_alar_hitech_zone; leave out for no zone (园区).")] = None,
    degree: Annotated[str | None, _flag("none, associate, bachelor, master, doctorate (学历).")] = None,
    title: Annotated[str | None, _flag("none, junior, intermediate, associate_senior, senior (职称).")] = None,
    skill_level: Annotated[
        str | None,
        _flag(
            "none, junior_worker, intermediate_worker, senior_worker, technician, senior_technician, chief_technician (技能等级)."
        ),
    ] = None,
    introduction: Annotated[str | None, _flag("none, full_time, flexible (引进方式).")] = None,
    service_start_date: Annotated[str | None, _flag("Start of continuous service in the region, YYYY-MM-DD.")] = None,
    years_served: Annotated[
        float | None, _flag("Full years served in the region, when no start date is known.")
    ] = None,
    bought_home_in_region: Annotated[bool | None, _flag("Bought a home in the region (是否在本地购房).")] = None,
    scarce_skill: Annotated[bool | None, _flag("On the scarce-skills list (是否急需紧缺).")] = None,
    certified_high_level_talent: Annotated[
        bool | None, _flag("Certified high-level talent (是否认定高层次人才).")
    ] = None,
    applicant_kind: Annotated[str | None, _flag("person (default) or organisation.")] = None,
    programme: Annotated[list[str] | None, _flag("Talent programme code, repeatable (e.g. tuofeng).")] = None,
    award: Annotated[list[str] | None, _flag("Award as LEVEL:AMOUNT[:NAME], repeatable.")] = None,
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
            "--set",
            help="What if: KEY=VALUE changes a fact (repeatable; profile spellings, 中文 too; KEY= makes it unknown).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Check one applicant: the entitlements, amounts, sources, assumptions and near misses.

    Example:

        eligibility check --region aksu --degree doctorate --introduction full_time
        --years-served 5 --bought-home-in-region --lang en

        eligibility check examples/doctor-aksu.yaml --as-of 2025-06-01 --explain

        eligibility check examples/doctor-aksu.yaml --set title=associate_senior --set zone=aksu_alar_hitech_zone
    """
    language = parse_language(lang)
    evaluation_date = parse_as_of(as_of)
    data: dict[str, Any] = {}
    if profile is not None:
        document = read_document(profile)
        if not isinstance(document, dict):
            fail([Problem(str(profile), "a profile is a mapping of keys to values")])
        from eligibility.profile import canonical_key

        data.update({canonical_key(key): value for key, value in document.items()})  # so flags override 学历 too
    flags: dict[str, Any] = {
        "id": id,
        "region": region,
        "zone": zone,
        "degree": degree,
        "title": title,
        "skill_level": skill_level,
        "introduction": introduction,
        "service_start_date": service_start_date,
        "years_served": years_served,
        "bought_home_in_region": bought_home_in_region,
        "scarce_skill": scarce_skill,
        "certified_high_level_talent": certified_high_level_talent,
        "applicant_kind": applicant_kind,
        "programmes": programme or None,
        "awards": [parse_award(text) for text in award] if award else None,
    }
    data.update({key: value for key, value in flags.items() if value is not None})
    if not data:
        fail([Problem("profile", "give a profile file or at least --region")])

    with user_errors():
        from eligibility.calculator import Calculator

        calculator = Calculator.from_directory(rules) if rules else Calculator.default()
        if set_fact:
            from eligibility.whatif import parse_assignments, what_if

            result = what_if(calculator, data, parse_assignments(set_fact), as_of=evaluation_date, explain=explain)
        else:
            report = calculator.evaluate(data, as_of=evaluation_date, explain=explain)

    output = result if set_fact else report
    if json_output:
        typer.echo(output.model_dump_json(indent=2))
        return
    from rich.console import Console

    from eligibility.render import print_report, print_what_if

    if set_fact:
        print_what_if(result, Console(), language)
    else:
        print_report(report, Console(), language)
