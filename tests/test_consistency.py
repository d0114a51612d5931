"""Facts that contradict each other are refused on every surface, saying which two and why; ids stay as written."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import httpx
import polars as pl
import pytest

from eligibility import Calculator, InputError
from eligibility.batch import BatchOptions, run_batch
from eligibility.packs.catalogue import Catalogue
from tests.support import invoke
from tests.support.server import Server

AS_OF = date(2025, 6, 1)
FOUR_YEARS_IN = {"region": "aksu", "degree": "doctorate", "service_start_date": "2020-06-02", "years_served": 5}
ZONE_ELSEWHERE = {"region": "qijiang", "zone": "aksu_alar_hitech_zone", "degree": "doctorate"}


def test_five_years_beside_a_start_date_that_gives_four_is_an_input_error_naming_both(calculator: Calculator) -> None:
    with pytest.raises(InputError) as raised:
        calculator.evaluate(FOUR_YEARS_IN, as_of=AS_OF)
    (problem,) = raised.value.problems
    assert problem.field == "years_served" and problem.value == 5
    assert problem.message == (
        "disagrees with service_start_date 2020-06-02, which gives 4 full years at 2025-06-01; "
        "give one of the two, or make them agree"
    )
    assert problem.message_zh is not None and "截至 2025-06-01 满 4 年" in problem.message_zh


def test_years_that_agree_with_the_start_date_in_their_whole_part_are_accepted(calculator: Calculator) -> None:
    for years in (4, 4.5, 4.99):
        report = calculator.evaluate({**FOUR_YEARS_IN, "years_served": years}, as_of=AS_OF)
        assert report.region == "aksu"
    a_day_later = calculator.evaluate(FOUR_YEARS_IN, as_of=date(2025, 6, 2))  # the fifth anniversary
    assert a_day_later.region == "aksu"


def test_a_zone_of_another_region_is_an_input_error_naming_both_places(calculator: Calculator) -> None:
    with pytest.raises(InputError) as raised:
        calculator.evaluate(ZONE_ELSEWHERE, as_of=AS_OF)
    (problem,) = raised.value.problems
    assert (problem.field, problem.value) == ("zone", "aksu_alar_hitech_zone")
    assert problem.message.startswith("Aksu–Alar high-tech zone is in Aksu Prefecture, not in Qijiang District")
    assert problem.message_zh == "阿克苏阿拉尔高新区属于阿克苏地区，不在綦江区；请填写工作地区内的园区，或不填"


def test_evaluate_many_names_the_profile_that_contradicts_itself(calculator: Calculator) -> None:
    with pytest.raises(InputError) as raised:
        calculator.evaluate_many([{"region": "aksu"}, FOUR_YEARS_IN, ZONE_ELSEWHERE], as_of=AS_OF)
    assert [problem.field for problem in raised.value.problems] == ["1.years_served", "2.zone"]


def test_http_answers_422_for_contradicting_facts(calculator: Calculator) -> None:
    with Server(calculator) as server:
        response = httpx.post(f"{server.url}/v1/evaluate?as_of=2025-06-01", json=FOUR_YEARS_IN, timeout=10)
    assert response.status_code == 422
    assert "disagrees with service_start_date 2020-06-02" in response.text


def test_a_roster_row_with_contradicting_facts_is_an_error_row_named_by_its_columns(tmp_path: Path) -> None:
    roster = tmp_path / "r.csv"
    roster.write_text(
        "编号,地区,园区,学历,本地工作起始日期,本地工作年限\n"
        "A1,綦江,阿克苏阿拉尔高新区,博士,,\n"
        "A2,阿克苏,,博士,2020-06-02,5\n"
        "A3,阿克苏,,博士,2020-06-02,4.5\n",
        encoding="utf-8",
    )
    out = tmp_path / "o.jsonl"
    run_batch(BatchOptions(roster, out, AS_OF), Catalogue.from_directory())
    rows = pl.read_ndjson(out).to_dicts()
    assert [row["status"] for row in rows] == ["error", "error", "ok"]
    assert rows[0]["error"] == (
        "园区 (zone): 'aksu_alar_hitech_zone': Aksu–Alar high-tech zone is in Aksu Prefecture, not in Qijiang "
        "District; give the zone of the region of work, or none"
    )
    assert rows[0]["error_zh"] == (
        "园区（zone）：'aksu_alar_hitech_zone'：阿克苏阿拉尔高新区属于阿克苏地区，不在綦江区；请填写工作地区内的园区，或不填"
    )
    assert rows[1]["error"].startswith("本地工作年限 (years_served): '5': disagrees with service_start_date 2020-06-02")


def test_an_id_and_numbers_in_a_yaml_profile_are_read_as_written_not_as_yaml_numbers(tmp_path: Path) -> None:
    profile = tmp_path / "p.yaml"
    profile.write_text(
        "编号: 001\nregion: qijiang\nyears_served: 010\nawards:\n  - {level: national, amount_yuan: 0100000}\n",
        encoding="utf-8",
    )
    result = invoke("check", str(profile), "--json", "--as-of", "2025-06-01")
    assert result.exit_code == 0, result.output
    assert '"applicant_id": "001"' in result.stdout  # YAML alone reads 1
    assert '"total_cash_yuan": 100000' in result.stdout  # YAML alone reads 0100000 as the octal 32768
