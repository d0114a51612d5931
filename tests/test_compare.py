"""Compare regions: the same person in every region and zone, ranked by total known cash."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from eligibility.cli import app
from eligibility.evaluation.calculator import Calculator
from eligibility.evaluation.compare import compare_regions, zones_of
from tests.support import REPO

AS_OF = date(2025, 6, 1)
ZONE = "aksu_alar_hitech_zone"
DOCTOR: dict[str, Any] = {
    "region": "tongchuan",  # where they work today does not matter: every region is tried
    "degree": "doctorate",
    "introduction": "full_time",
    "service_start_date": "2020-03-01",
    "bought_home_in_region": True,
}


@pytest.fixture(scope="module")
def aksu_only(tmp_path_factory: pytest.TempPathFactory) -> Calculator:
    """Only the Aksu pack: snapshots that do not move when another region's rules change."""
    directory = tmp_path_factory.mktemp("aksu_rules")
    shutil.copy(REPO / "rules" / "aksu.yaml", directory / "aksu.yaml")
    return Calculator.from_directory(directory)


def invoke(*args: str) -> Any:
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})


def test_a_doctorate_ranks_the_aksu_high_tech_zone_first(calculator: Calculator) -> None:
    options = compare_regions(calculator, DOCTOR, as_of=AS_OF)
    best = options[0]
    assert (best.region, best.zone, best.total_cash_yuan) == ("aksu", ZONE, 700000)


def test_every_loaded_region_is_tried_without_a_zone_and_aksu_also_in_its_zone(calculator: Calculator) -> None:
    places = {(option.region, option.zone) for option in compare_regions(calculator, DOCTOR, as_of=AS_OF)}
    assert {(region, None) for region in calculator.catalogue.regions} <= places
    assert ("aksu", ZONE) in places
    assert len(places) == len(calculator.catalogue.regions) + sum(
        len(zones_of(loaded)) for loaded in calculator.catalogue.loaded
    )


def test_options_are_ranked_by_known_cash_then_by_the_number_of_granted_benefits_then_region_name(
    calculator: Calculator,
) -> None:
    options = compare_regions(calculator, DOCTOR, as_of=AS_OF)
    keys = [
        (
            -option.total_cash_yuan,
            -sum(item.status == "granted" for item in option.entitlements),
            option.region,
            option.zone or "",
        )
        for option in options
    ]
    assert keys == sorted(keys)
    tied = [key for key in keys if key[0] == 0]
    assert len({key[1] for key in tied}) > 1  # the tie on cash is really broken by the benefits granted


def test_each_option_is_the_calculators_report_for_that_place(calculator: Calculator) -> None:
    for option in compare_regions(calculator, DOCTOR, as_of=AS_OF):
        placed = {**DOCTOR, "region": option.region}
        if option.zone:
            placed["zone"] = option.zone
        report = calculator.evaluate(placed, as_of=AS_OF)
        assert option.entitlements == report.entitlements
        assert option.total_cash_yuan == report.total_cash_yuan
        granted_unpriced = [
            item.benefit_id for item in report.entitlements if item.status == "granted" and item.amount_yuan is None
        ]
        assert list(option.unpriced_benefits) == granted_unpriced


def test_a_profile_without_a_region_can_be_compared(calculator: Calculator) -> None:
    profile = {key: value for key, value in DOCTOR.items() if key != "region"}
    assert compare_regions(calculator, profile, as_of=AS_OF)[0].zone == ZONE


def test_the_aksu_comparison_of_a_doctorate_matches_the_snapshot(aksu_only: Calculator, data_regression: Any) -> None:
    options = compare_regions(aksu_only, DOCTOR, as_of=AS_OF)
    data_regression.check(
        [
            {
                "region": option.region,
                "zone": option.zone,
                "total_cash_yuan": option.total_cash_yuan,
                "unpriced_benefits": list(option.unpriced_benefits),
                "entitlements": [[item.benefit_id, item.status, item.amount_yuan] for item in option.entitlements],
            }
            for option in options
        ]
    )


def test_compare_json_is_a_list_of_places_best_first(tmp_path: Path) -> None:
    profile = tmp_path / "doctor.yaml"
    profile.write_text(yaml.safe_dump(DOCTOR), encoding="utf-8")
    result = invoke("compare", str(profile), "--as-of", "2025-06-01", "--json")
    assert result.exit_code == 0, result.output
    options = json.loads(result.stdout)
    assert {"region", "zone", "total_cash_yuan", "entitlements"} <= set(options[0])
    assert (options[0]["region"], options[0]["zone"]) == ("aksu", ZONE)
    totals = [option["total_cash_yuan"] for option in options]
    assert totals == sorted(totals, reverse=True)


@pytest.mark.parametrize(
    "lang,words",
    [
        ("zh", ["各地区对比", "阿克苏地区", "阿克苏阿拉尔高新区"]),
        ("en", ["Regions compared", "Aksu Prefecture", "Aksu–Alar high-tech zone"]),
    ],
)
def test_compare_prints_a_ranked_table_in_chinese_and_english(tmp_path: Path, lang: str, words: list[str]) -> None:
    profile = tmp_path / "doctor.yaml"
    profile.write_text(yaml.safe_dump(DOCTOR), encoding="utf-8")
    result = invoke("compare", str(profile), "--as-of", "2025-06-01", "--lang", lang)
    assert result.exit_code == 0, result.output
    for word in words:
        assert word in result.output


def test_compare_with_a_bad_profile_exits_2_naming_the_field(tmp_path: Path) -> None:
    profile = tmp_path / "bad.yaml"
    profile.write_text("degree: professor\n", encoding="utf-8")
    result = invoke("compare", str(profile))
    assert result.exit_code == 2
    assert "degree" in result.output and "Traceback" not in result.output
