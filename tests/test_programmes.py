"""Programme codes are a closed vocabulary declared by the packs: a name or alias reads as its code, an unknown code is refused everywhere."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import polars as pl
import pytest

from eligibility import InputError
from eligibility.batch import BatchOptions, run_batch
from eligibility.errors import RulePackError
from eligibility.evaluation.calculator import Calculator
from eligibility.evaluation.compare import compare_regions
from eligibility.facts.profile import ApplicantProfile
from eligibility.packs.catalogue import Catalogue
from eligibility.packs.loader import load_directory
from tests.support import REPO, invoke
from tests.support.server import Server

AS_OF = date(2025, 6, 1)
CARD = ("aksu.service.talent_service_card", "aksu.service.talent_card_school_transfer")


def granted(report: dict[str, Any]) -> set[str]:
    return {item["benefit_id"] for item in report["entitlements"] if item["status"] == "granted"}


def check_json(*arguments: str) -> dict[str, Any]:
    result = invoke("check", "--region", "aksu", "--years-served", "1", "--as-of", "2025-06-01", "--json", *arguments)
    assert result.exit_code == 0, result.output
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def test_the_chinese_name_of_a_programme_grants_the_card_benefits_exactly_as_its_code() -> None:
    by_name, by_code = check_json("--programme", "阿克苏人才服务卡"), check_json("--programme", "aksu_talent_card")
    assert set(CARD) <= granted(by_code)
    assert by_name == by_code


def test_a_misspelt_programme_code_exits_2_naming_the_value_and_suggesting_the_code() -> None:
    result = invoke("check", "--region", "aksu", "--programme", "tuofnge", "--as-of", "2025-06-01")
    assert result.exit_code == 2
    assert "'tuofnge'" in result.output and "did you mean tuofeng (托峰英才)?" in result.output
    assert "allowed: tuofeng (托峰英才)" in result.output and "Traceback" not in result.output


def test_a_yaml_profile_names_its_programmes_in_chinese(tmp_path: Path) -> None:
    profile = tmp_path / "单位.yaml"
    profile.write_text("地区: 綦江\n申请人类型: 单位\n人才计划: [科技型企业]\n", encoding="utf-8")
    result = invoke("check", str(profile), "--as-of", "2025-06-01", "--json")
    assert result.exit_code == 0, result.output
    assert "qijiang.organisation.knowledge_value_credit_loan" in granted(json.loads(result.stdout))


def test_the_python_api_refuses_an_unknown_code_in_a_mapping_and_in_a_validated_profile(
    calculator: Calculator,
) -> None:
    with pytest.raises(InputError) as raised:
        calculator.evaluate({"region": "aksu", "programmes": ["tuofeng", "tuofnge"]}, as_of=AS_OF)
    (problem,) = raised.value.problems
    assert (problem.field, problem.value) == ("programmes.1", "tuofnge")
    assert "did you mean tuofeng" in problem.message
    validated = ApplicantProfile.model_validate({"region": "aksu", "programmes": ["tuofnge"]})  # no packs here
    with pytest.raises(InputError):
        calculator.evaluate(validated, as_of=AS_OF)
    named = ApplicantProfile.model_validate({"region": "aksu", "programmes": ["托峰英才培养计划"]})
    assert calculator.evaluate(named, as_of=AS_OF) == calculator.evaluate(
        {"region": "aksu", "programmes": ["tuofeng"]}, as_of=AS_OF
    )


def test_evaluate_many_names_the_profile_and_the_code(calculator: Calculator) -> None:
    with pytest.raises(InputError) as raised:
        calculator.evaluate_many([{"region": "aksu"}, {"region": "aksu", "人才计划": "托峰英才;援疆"}])
    assert [problem.field for problem in raised.value.problems] == ["1.programmes.1"]


def test_http_answers_422_naming_the_code(calculator: Calculator) -> None:
    with Server(calculator) as server:
        response = httpx.post(f"{server.url}/v1/evaluate", json={"region": "aksu", "programmes": ["tuofnge"]})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_profile" and error["field"] == "programmes.0"
    assert "did you mean tuofeng" in error["message"]


def test_a_roster_row_with_an_unknown_programme_is_an_error_row_and_a_name_is_read_as_its_code(
    tmp_path: Path,
) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "编号,地区,人才计划\nA1,阿克苏,阿克苏人才服务卡\nA2,阿克苏,tuofeng;tuofnge\nA3,阿克苏,aksu_talent_card\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.csv"
    summary = run_batch(BatchOptions(roster, out, AS_OF, format="ids"), Catalogue.from_directory())
    rows = pl.read_csv(out, infer_schema=False).to_dicts()
    assert [row["status"] for row in rows] == ["ok", "error", "ok"]
    assert rows[0]["granted"] == rows[2]["granted"] and CARD[0] in rows[0]["granted"]
    assert rows[1]["error"].startswith("人才计划 (programmes): 'tuofeng;tuofnge': 'tuofnge': not a programme code")
    assert "did you mean tuofeng" in rows[1]["error"] and summary.errors == 1


def test_rules_programmes_lists_the_codes_of_a_region_in_chinese_and_as_json() -> None:
    table = invoke("rules", "programmes", "--region", "阿克苏", "--lang", "zh")
    assert table.exit_code == 0, table.output
    assert "tuofeng" in table.output and "托峰英才" in table.output and "tech_enterprise" not in table.output
    listed = json.loads(invoke("rules", "programmes", "--json").stdout)
    public = next(item for item in listed if item["code"] == "public_institution")
    assert public["regions"] == ["aksu", "qijiang", "xiangqiao"]
    assert len(listed) == len(Catalogue.from_directory().programmes.by_code)


def test_the_applicant_schema_carries_the_programme_codes_as_an_enum() -> None:
    schema = json.loads(invoke("schema", "applicant").stdout)
    branches = schema["properties"]["programmes"]["anyOf"]
    items = next(branch["items"] for branch in branches if branch.get("type") == "array")
    assert "tuofeng" in items["enum"] and "tuofnge" not in items["enum"]
    assert "托峰英才" in schema["properties"]["programmes"]["description"]


def test_check_help_names_the_chinese_column_and_the_programme_listing() -> None:
    help_text = invoke("check", "--help").output
    assert "--programme" in help_text and "人才计划" in help_text and "rules programmes" in help_text


def test_compare_and_evaluate_accept_the_same_profile_spellings(calculator: Calculator) -> None:
    profile = {" 地区 ": "aksu", "学历": "博士", "Degree ": None, "人才计划": "阿克苏人才服务卡"}
    profile.pop("Degree ")
    calculator.evaluate(profile, as_of=AS_OF)
    options = compare_regions(calculator, profile, as_of=AS_OF)
    assert {option.region for option in options} == set(calculator.catalogue.regions)
    aksu = next(option for option in options if option.region == "aksu" and option.zone is None)
    assert set(CARD) <= {item.benefit_id for item in aksu.entitlements if item.status == "granted"}


PACK = """
region: aksu
name: {zh: 测, en: t}
version: "1"
sources: [{document: s.txt, title: t, publisher: p, date: 2024-01-01}]
programmes:
  club: {name: {zh: 俱乐部, en: club}, meaning: {zh: 会员, en: a member}}
rules:
  - id: aksu.x.y
    name: {zh: x, en: x}
    kind: service
    when: {field: programmes, has: clubb}
    source: {document: s.txt, quote: q}
"""


def test_a_pack_that_tests_a_code_it_does_not_declare_is_refused_at_the_test_line(tmp_path: Path) -> None:
    (tmp_path / "aksu.yaml").write_text(PACK, encoding="utf-8")
    with pytest.raises(RulePackError) as raised:
        load_directory(tmp_path)
    assert [str(problem) for problem in raised.value.problems] == [
        f"{tmp_path / 'aksu.yaml'}:12: programme code 'clubb' is not declared under the pack's programmes; "
        "declared: club"
    ]


def qijiang_pack(declaration: str, code: str) -> str:
    pack = PACK.replace("region: aksu", "region: qijiang").replace("aksu.x.y", "qijiang.x.y")
    return pack.replace("club: {name: {zh: 俱乐部, en: club}", declaration).replace("clubb", code)


def test_two_packs_that_name_one_code_differently_are_refused(tmp_path: Path) -> None:
    (tmp_path / "aksu.yaml").write_text(PACK.replace("clubb", "club"), encoding="utf-8")
    (tmp_path / "qijiang.yaml").write_text(qijiang_pack("club: {name: {zh: 俱乐部二, en: club}", "club"), "utf-8")
    with pytest.raises(RulePackError) as raised:
        load_directory(tmp_path)
    (problem,) = raised.value.problems
    assert problem.message.startswith("programme club is named 俱乐部二 / club here but 俱乐部 / club in ")


def test_a_name_of_one_code_given_to_another_is_refused(tmp_path: Path) -> None:
    (tmp_path / "aksu.yaml").write_text(PACK.replace("clubb", "club"), encoding="utf-8")
    (tmp_path / "qijiang.yaml").write_text(qijiang_pack("guild: {name: {zh: 俱乐部, en: guild}", "guild"), "utf-8")
    with pytest.raises(RulePackError) as raised:
        load_directory(tmp_path)
    (problem,) = raised.value.problems
    assert problem.message.startswith("programme guild: '俱乐部' already names programme club in ")


def test_every_code_the_shipped_rules_test_is_declared_with_a_chinese_and_english_name() -> None:
    catalogue = Catalogue.from_directory(REPO / "rules")
    for programme in catalogue.programmes.in_region():
        assert programme.name.zh and programme.name.en and programme.meanings, programme.code
