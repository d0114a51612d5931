"""`eligibility rules list | show | lint`: the catalogue in zh and en, as tables and JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from eligibility.cli import app
from eligibility.packs.catalogue import Catalogue
from tests.support import CASES, SEEDS, needs_seeds

REGIONS = ["aksu", "linhe", "qijiang", "tongchuan", "xiangqiao"]


def run(*args: str) -> Result:
    # Wide enough that no table cell wraps, so whole phrases can be looked for.
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "1000"})


def listed(*args: str) -> list[dict[str, Any]]:
    result = run("rules", "list", "--json", *args)
    assert result.exit_code == 0, result.output
    entries: list[dict[str, Any]] = json.loads(result.stdout)
    return entries


def test_rules_list_json_covers_all_five_regions_and_every_rule() -> None:
    entries = listed()
    assert sorted({entry["region"] for entry in entries}) == REGIONS
    assert len(entries) == sum(len(pack.rules) for pack in Catalogue.from_directory().packs)


def test_every_listed_rule_carries_its_source_document_and_quote() -> None:
    for entry in listed():
        assert entry["source"]["document"].endswith(".txt"), entry["id"]
        assert entry["source"]["quote"], entry["id"]


def test_rules_list_region_filter_accepts_the_chinese_name() -> None:
    assert {entry["region"] for entry in listed("--region", "綦江")} == {"qijiang"}


def test_an_unknown_region_is_refused_with_the_allowed_ones() -> None:
    result = run("rules", "list", "--region", "mars")
    assert result.exit_code == 2
    assert "--region: 'mars': not an allowed value; allowed: aksu (阿克苏/阿克苏地区), tongchuan" in result.stderr


def test_unpublished_amounts_are_null_in_json_and_say_so_in_both_languages() -> None:
    unpublished = [entry for entry in listed() if entry["amount"] and entry["amount"].get("published") is False]
    assert unpublished, "the sources publish few amounts; some rule must say so"
    for entry in unpublished:
        assert entry["amount_yuan"] is None
        assert entry["amount_text"] == {"zh": "金额未公布", "en": "amount not published"}
        assert entry["amount"]["note"]


def test_the_table_in_chinese_shows_amount_not_published_and_proposed() -> None:
    result = run("rules", "list", "--region", "qijiang", "--lang", "zh")
    assert result.exit_code == 0, result.output
    assert "金额未公布" in result.stdout
    assert "拟设立（未生效）" in result.stdout
    assert "对于获得国家或市级各类人才称号、表彰和奖励的给予1:1资金配套" in result.stdout


def test_the_table_in_english_shows_the_matching_formula() -> None:
    result = run("rules", "list", "--region", "qijiang", "--lang", "en")
    assert result.exit_code == 0, result.output
    assert "1:1 match of the national, municipal award amounts" in result.stdout
    assert "amount not published" in result.stdout


def test_rules_show_json_gives_the_rule_with_its_definitions_expanded() -> None:
    result = run("rules", "show", "linhe.high_level.green_channel", "--json")
    assert result.exit_code == 0, result.output
    entry = json.loads(result.stdout)
    assert entry["region"] == "linhe"
    assert entry["effective_from"] is None  # the Linhe source is undated
    assert entry["when"] == {"all": [{"definition": "introduced_high_level_talent"}]}
    assert "introduced_high_level_talent" in entry["definitions"]
    assert entry["source"]["quote"].startswith("對引進的高層次人才開通")


def test_rules_show_prints_source_quote_and_assumptions_in_english() -> None:
    result = run("rules", "show", "aksu.housing.prefecture_high_level", "--lang", "en")
    assert result.exit_code == 0, result.output
    assert "500,000 yuan" in result.stdout
    assert "Quote: “地区对全职引进的博士研究生" in result.stdout
    assert "Assumptions: " in result.stdout


def test_rules_show_of_an_unknown_id_is_a_clear_error() -> None:
    result = run("rules", "show", "aksu.no_such_rule")
    assert result.exit_code == 2
    assert result.stderr.strip() == "error: no rule with id aksu.no_such_rule"


def test_rules_lint_prints_each_problem_as_file_line_message_and_exits_1(tmp_path: Path) -> None:
    (tmp_path / "aksu.yaml").write_text(
        "region: aksu\nname: {zh: 阿克苏, en: Aksu}\nversion: x\nsources: []\nbogus: 1\n"
    )
    result = run("rules", "lint", str(tmp_path))
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{tmp_path / 'aksu.yaml'}:4: sources: Tuple should have at least 1 item after validation, not 0",
        f"{tmp_path / 'aksu.yaml'}:5: bogus: unknown field",
    ]


@needs_seeds
def test_rules_lint_of_the_shipped_packs_says_ok_and_counts_the_verified_quotes() -> None:
    result = run("rules", "lint", "--sources", str(SEEDS))
    assert result.exit_code == 0, result.output
    rules = sum(len(pack.rules) for pack in Catalogue.from_directory().packs)
    assert result.stdout.strip() == f"ok: 5 pack file(s), {rules} rule(s); {rules} quote(s) verified against {SEEDS}"


@pytest.mark.parametrize("region", REGIONS)
def test_every_region_has_at_least_five_cases(region: str) -> None:
    assert len(list((CASES / region).glob("*.yaml"))) >= 5
