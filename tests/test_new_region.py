"""A pack may bring a region the vocabulary does not know: its code, names and aliases are read everywhere a region is."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from eligibility import InputError
from eligibility.batch import BatchOptions, run_batch
from eligibility.evaluation.calculator import Calculator
from eligibility.packs.catalogue import Catalogue
from tests.support import REPO, invoke

PACK = """
region: guangzhou
name: {zh: 广州市, en: Guangzhou}
aliases: [广州]
version: "1"
sources: [{document: s.txt, title: t, publisher: p, date: 2024-01-01}]
rules:
  - id: guangzhou.cash.doctor
    name: {zh: 博士补贴, en: Doctorate allowance}
    kind: cash
    amount: {yuan: 30000}
    when: {field: degree, eq: doctorate}
    source: {document: s.txt, quote: q}
"""


@pytest.fixture
def rules(tmp_path: Path) -> Path:
    directory = tmp_path / "rules"
    directory.mkdir()
    (directory / "guangzhou.yaml").write_text(PACK, encoding="utf-8")
    shutil.copy(REPO / "rules" / "aksu.yaml", directory / "aksu.yaml")
    return directory


def test_a_profile_names_the_new_region_by_its_code_name_or_alias(rules: Path) -> None:
    calculator = Calculator.from_directory(rules)
    for spelling in ("guangzhou", "广州市", "广州", "Guangzhou"):
        report = calculator.evaluate({"region": spelling, "degree": "doctorate"}, as_of=date(2025, 6, 1))
        assert (report.region, report.total_cash_yuan) == ("guangzhou", 30000)


def test_an_unknown_region_is_refused_listing_the_new_one_and_the_vocabularys(rules: Path) -> None:
    with pytest.raises(InputError) as raised:
        Calculator.from_directory(rules).evaluate({"region": "guangzou"})
    message = raised.value.problems[0].message
    assert "did you mean guangzhou (广州市)?" in message
    assert "guangzhou (广州)" in message and "aksu (阿克苏/阿克苏地区)" in message


def test_without_the_pack_the_region_is_unknown(rules: Path) -> None:
    with pytest.raises(InputError):
        Calculator.default().evaluate({"region": "广州"})


def test_a_roster_row_of_the_new_region_is_scored(rules: Path, tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text("编号,地区,学历\nG1,广州,博士\nG2,火星,博士\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    run_batch(BatchOptions(roster, out, date(2025, 6, 1), format="ids"), Catalogue.from_directory(rules))
    rows = pl.read_csv(out, infer_schema=False).to_dicts()
    assert (rows[0]["status"], rows[0]["total_cash_yuan"], rows[0]["granted"]) == (
        "ok",
        "30000",
        "guangzhou.cash.doctor",
    )
    assert rows[1]["status"] == "error" and "guangzhou (广州)" in rows[1]["error"]


def test_the_schema_and_the_rule_listing_know_the_new_region(rules: Path) -> None:
    schema = json.loads(invoke("schema", "applicant", "--rules", str(rules)).stdout)
    assert "guangzhou" in schema["properties"]["region"]["enum"]  # required: a plain string property
    listed = invoke("rules", "list", "--rules", str(rules), "--region", "广州", "--json")
    assert listed.exit_code == 0, listed.output
    assert [entry["id"] for entry in json.loads(listed.stdout)] == ["guangzhou.cash.doctor"]
