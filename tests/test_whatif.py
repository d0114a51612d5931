"""What if: `check --set KEY=VALUE` re-evaluates with changed facts and says what changed."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from typer.testing import CliRunner

from eligibility.cli import app
from eligibility.cli.check import parse_assignments
from eligibility.errors import InputError
from eligibility.evaluation.calculator import Calculator
from eligibility.evaluation.whatif import what_if

AS_OF = date(2025, 6, 1)
PREFECTURE = "aksu.housing.prefecture_high_level"
MASTER_TIER = "aksu.housing.prefecture_master"
MASTER: dict[str, Any] = {
    "id": "W1",
    "region": "aksu",
    "degree": "master",
    "title": "intermediate",
    "skill_level": "none",
    "introduction": "full_time",
    "years_served": 5,
    "bought_home_in_region": True,
}


def invoke(*args: str) -> Any:
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})


def test_an_associate_senior_title_lifts_a_master_from_400000_to_500000(calculator: Calculator) -> None:
    result = what_if(calculator, MASTER, parse_assignments(["title=associate_senior"]), as_of=AS_OF)
    assert [(change.key, change.before, change.after) for change in result.changed_facts] == [
        ("title", "intermediate", "associate_senior")
    ]
    assert [(item.benefit_id, item.after_status, item.after_amount_yuan) for item in result.gained] == [
        (PREFECTURE, "granted", 500000)
    ]
    assert [(item.benefit_id, item.before_status, item.after_status) for item in result.changed] == [
        (MASTER_TIER, "granted", "superseded")
    ]
    assert result.lost == ()
    assert result.original.total_cash_yuan == 400000 and result.report.total_cash_yuan == 500000
    assert result.total_cash_delta_yuan == 100000


def test_keys_and_values_accept_the_profile_spellings_chinese_included(calculator: Calculator) -> None:
    assert parse_assignments(["职称=副高级", "zone=阿克苏阿拉尔高新区"]) == {
        "title": "副高级",
        "zone": "阿克苏阿拉尔高新区",
    }
    result = what_if(calculator, MASTER, parse_assignments(["职称=副高级"]), as_of=AS_OF)
    assert result.report.total_cash_yuan == 500000


def test_an_empty_value_makes_the_fact_unknown_and_the_benefit_needs_information(calculator: Calculator) -> None:
    result = what_if(calculator, MASTER, parse_assignments(["bought_home_in_region="]), as_of=AS_OF)
    assert [(change.key, change.before, change.after) for change in result.changed_facts] == [
        ("bought_home_in_region", True, None)
    ]
    changed = {item.benefit_id: item for item in result.changed}
    assert changed[MASTER_TIER].after_status == "needs_info"
    assert result.total_cash_delta_yuan == -400000


def test_no_change_of_consequence_gives_empty_differences_and_zero_delta(calculator: Calculator) -> None:
    result = what_if(calculator, MASTER, parse_assignments(["id=W2"]), as_of=AS_OF)
    assert result.gained == result.lost == result.changed == ()
    assert result.total_cash_delta_yuan == 0


def test_a_new_start_date_replaces_the_years_served(calculator: Calculator) -> None:
    result = what_if(calculator, MASTER, parse_assignments(["service_start_date=2024-01-01"]), as_of=AS_OF)
    keys = {change.key: (change.before, change.after) for change in result.changed_facts}
    assert keys == {"service_start_date": (None, "2024-01-01"), "years_served": (5, None)}
    assert result.report.total_cash_yuan == 0


@pytest.mark.parametrize(
    "texts,field,words",
    [
        (["rank=senior"], "--set", "unknown key; allowed:"),
        (["title"], "--set", "use KEY=VALUE"),
        (["awards=national"], "--set", "cannot be set"),
    ],
)
def test_a_bad_assignment_is_an_input_error_naming_the_option(texts: list[str], field: str, words: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_assignments(texts)
    assert caught.value.problems[0].field == field
    assert words in caught.value.problems[0].message


def test_a_bad_value_is_an_input_error_naming_the_key_and_the_allowed_values(calculator: Calculator) -> None:
    with pytest.raises(InputError) as caught:
        what_if(calculator, MASTER, {"title": "professor"}, as_of=AS_OF)
    problem = caught.value.problems[0]
    assert problem.field == "changes.title" and problem.value == "professor"
    assert "associate_senior" in problem.message


def test_check_set_prints_the_changed_facts_and_the_delta_in_chinese_and_english() -> None:
    flags = ["check", "--region", "aksu", "--degree", "master", "--title", "intermediate", "--skill-level", "none"]
    flags += ["--introduction", "full_time", "--years-served", "5", "--bought-home-in-region", "--as-of", "2025-06-01"]
    english = invoke(*flags, "--set", "title=associate_senior", "--lang", "en")
    assert english.exit_code == 0, english.output
    assert "title: intermediate → associate senior" in english.output
    assert "Change in total known cash: +100,000 yuan (400,000 yuan → 500,000 yuan)" in english.output
    chinese = invoke(*flags, "--set", "职称=副高级", "--lang", "zh")
    assert chinese.exit_code == 0, chinese.output
    assert "职称: 中级 → 副高级" in chinese.output
    assert "已知现金合计变化: +10万元 (40万元 → 50万元)" in chinese.output


def test_check_set_json_has_the_changed_report_and_the_differences() -> None:
    flags = ["check", "--region", "aksu", "--degree", "master", "--title", "intermediate", "--skill-level", "none"]
    flags += ["--introduction", "full_time", "--years-served", "5", "--bought-home-in-region", "--as-of", "2025-06-01"]
    result = invoke(*flags, "--set", "title=associate_senior", "--set", "degree=doctorate", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert {change["key"] for change in data["changed_facts"]} == {"title", "degree"}
    assert data["report"]["total_cash_yuan"] == 500000 and data["original"]["total_cash_yuan"] == 400000
    assert data["total_cash_delta_yuan"] == 100000


@pytest.mark.parametrize("assignment", ["rank=senior", "title=professor", "years_served=-1"])
def test_check_set_with_a_bad_key_or_value_exits_2_with_one_line_and_no_traceback(assignment: str) -> None:
    result = invoke("check", "--region", "aksu", "--set", assignment)
    assert result.exit_code == 2
    assert result.output.startswith("error: --set")
    assert "Traceback" not in result.output


def test_the_differences_of_a_what_if_match_the_snapshot(calculator: Calculator, data_regression: Any) -> None:
    result = what_if(
        calculator, MASTER, parse_assignments(["title=associate_senior", "zone=aksu_alar_hitech_zone"]), as_of=AS_OF
    )
    data_regression.check(result.model_dump(mode="json", exclude={"report", "original"}))
