"""`eligibility schema`: each schema is valid Draft 2020-12 and describes the real documents."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator
from typer.testing import CliRunner

from eligibility.cli import app
from eligibility.evaluation.calculator import Calculator
from eligibility.presentation.schemas import SCHEMA_NAMES, SchemaName, schema
from tests.support import CASES, REPO

runner = CliRunner()


def as_json(value: Any) -> Any:
    """YAML as a JSON client would send it: dates as ISO text."""
    if isinstance(value, dict):
        return {key: as_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [as_json(item) for item in value]
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def validator(name: SchemaName) -> Draft202012Validator:
    return Draft202012Validator(schema(name), format_checker=Draft202012Validator.FORMAT_CHECKER)


def errors(name: SchemaName, document: Any) -> list[str]:
    return [f"{'/'.join(map(str, error.path))}: {error.message}" for error in validator(name).iter_errors(document)]


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_the_schema_command_prints_a_valid_draft_2020_12_schema(name: SchemaName) -> None:
    result = runner.invoke(app, ["schema", name])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.output)
    assert printed == schema(name)
    assert printed["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(printed)


def test_an_unknown_schema_name_exits_2_listing_the_names() -> None:
    result = runner.invoke(app, ["schema", "salary"])
    assert result.exit_code == 2
    assert "applicant" in result.output and "rules" in result.output


def test_the_sample_applicant_validates_against_the_applicant_schema() -> None:
    sample = as_json(yaml.safe_load((REPO / "examples" / "doctor-aksu.yaml").read_text(encoding="utf-8")))
    assert errors("applicant", sample) == []


def test_the_applicant_schema_rejects_what_the_model_rejects() -> None:
    assert errors("applicant", {"region": "aksu", "degree": "phd"})
    assert errors("applicant", {"region": "aksu", "salary": 9000})
    assert errors("applicant", {"degree": "master"})  # region is required
    assert errors("applicant", {"region": "aksu", "years_served": -1})


def test_the_applicant_schema_names_the_chinese_column_and_values_of_each_field() -> None:
    degree = schema("applicant")["properties"]["degree"]
    assert "学历" in degree["description"] and "博士" in degree["description"]


@pytest.mark.parametrize("path", sorted(CASES.rglob("*.yaml")), ids=lambda path: f"{path.parent.name}__{path.stem}")
def test_a_report_validates_against_the_report_schema(path: Path, calculator: Calculator) -> None:
    case = yaml.safe_load(path.read_text(encoding="utf-8"))
    as_of = case["as_of"]
    report = calculator.evaluate(case["applicant"], as_of=datetime.date.fromisoformat(str(as_of)))
    assert errors("report", report.model_dump(mode="json")) == []


def test_the_report_schema_rejects_a_report_with_a_wrong_status(calculator: Calculator) -> None:
    report = calculator.evaluate({"region": "aksu", "degree": "master"}, as_of=datetime.date(2025, 6, 1))
    document = report.model_dump(mode="json")
    assert document["entitlements"], "the sample needs at least one entitlement"
    document["entitlements"][0]["status"] = "paid"
    assert errors("report", document)


@pytest.mark.parametrize("path", sorted((REPO / "rules").glob("*.yaml")), ids=lambda path: path.stem)
def test_every_shipped_rule_pack_validates_against_the_rules_schema(path: Path) -> None:
    assert errors("rules", as_json(yaml.safe_load(path.read_text(encoding="utf-8")))) == []


def test_the_rules_schema_rejects_an_unknown_field_and_an_unknown_operator() -> None:
    pack = as_json(yaml.safe_load((REPO / "rules" / "aksu.yaml").read_text(encoding="utf-8")))
    pack["rules"][0]["formula"] = "amount * 2"
    assert errors("rules", pack)
    pack = as_json(yaml.safe_load((REPO / "rules" / "aksu.yaml").read_text(encoding="utf-8")))
    pack["rules"][0]["when"] = {"field": "degree", "matches": "doc.*"}
    assert errors("rules", pack)
