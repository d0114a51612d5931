"""Every rule's assumptions in Chinese and English: the packs, the loader, the report, the front ends."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from eligibility.cli import app
from eligibility.errors import RulePackError
from eligibility.evaluation.calculator import Calculator
from eligibility.packs.loader import load_directory
from eligibility.packs.schema import Rule
from tests.support import REPO

CJK = re.compile(r"[\u3400-\u9fff]")
# Chinese terms quoted in the English (就高不重复, 托峰英才, 未来该区将…搭建), programme codes and dates.
QUOTED_CHINESE = re.compile(r"[\u3400-\u9fff][\u3400-\u9fff…/0-9]*")
CODES_AND_DATES = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b|\btuofeng\b|\b\d{4}-\d\d-\d\d\b")

PACK_HEAD = """\
region: aksu
name: {zh: 阿克苏地区, en: Aksu}
version: "1"
sources:
  - {document: s.txt, title: t, publisher: p, date: 2024-08-07}
rules:
  - id: aksu.test.rule
    name: {zh: 测试, en: Test}
    kind: cash
    amount: {yuan: 10}
    when: {field: degree, eq: doctorate}
    source: {document: s.txt, quote: q}
    assumptions:
"""


def shipped_rules() -> list[Rule]:
    return [rule for _, rule in Calculator.default().catalogue.rules()]


def test_the_shipped_packs_have_assumptions_to_check() -> None:
    assert sum(len(rule.assumptions) for rule in shipped_rules()) >= 100


@pytest.mark.parametrize("rule", shipped_rules(), ids=lambda rule: rule.id)
def test_every_assumption_has_a_chinese_text_that_is_not_a_copy_of_the_english(rule: Rule) -> None:
    for assumption in rule.assumptions:
        assert assumption.en.strip() and assumption.zh.strip()
        assert assumption.zh != assumption.en
        chinese_characters = len(CJK.findall(assumption.zh))
        assert chinese_characters >= len(assumption.zh) // 3, (
            assumption.zh
        )  # written in Chinese, not English with a term


@pytest.mark.parametrize("rule", shipped_rules(), ids=lambda rule: rule.id)
def test_quoted_policy_terms_programme_codes_and_dates_are_carried_into_the_chinese_verbatim(rule: Rule) -> None:
    for assumption in rule.assumptions:
        for term in QUOTED_CHINESE.findall(assumption.en) + CODES_AND_DATES.findall(assumption.en):
            assert term in assumption.zh, (term, assumption.zh)


def loader_problems(tmp_path: Path, assumptions: str) -> list[str]:
    (tmp_path / "aksu.yaml").write_text(PACK_HEAD + assumptions, encoding="utf-8")
    with pytest.raises(RulePackError) as caught:
        load_directory(tmp_path)
    return [str(problem) for problem in caught.value.problems]


@pytest.mark.parametrize(
    ("assumptions", "expected"),
    [
        (
            '      - "English only."\n',
            "rules.0.assumptions.0: Value error, an assumption is {zh: ..., en: ...} with both languages;"
            " got only the text 'English only.'",
        ),
        ('      - {en: "English only."}\n', "rules.0.assumptions.0.zh: Field required"),
        ('      - {zh: "只有中文"}\n', "rules.0.assumptions.0.en: Field required"),
        ('      - {zh: "", en: "x"}\n', "rules.0.assumptions.0.zh: String should have at least 1 character"),
        ('      - {zh: "中文", en: "x", fr: "y"}\n', "rules.0.assumptions.0.fr: unknown field"),
    ],
)
def test_the_loader_refuses_an_assumption_without_both_languages_naming_the_field(
    tmp_path: Path, assumptions: str, expected: str
) -> None:
    assert loader_problems(tmp_path, assumptions) == [f"{tmp_path / 'aksu.yaml'}:14: {expected}"]


def test_the_report_carries_english_and_chinese_assumptions_in_the_same_order(calculator: Calculator) -> None:
    report = calculator.evaluate(
        {"region": "aksu", "degree": "doctorate", "introduction": "full_time", "years_served": 5}
    )
    assert report.entitlements
    rules = {rule.id: rule for _, rule in calculator.catalogue.rules()}
    for item in report.entitlements:
        rule = rules[item.benefit_id]
        assert item.assumptions == tuple(assumption.en for assumption in rule.assumptions)
        assert item.assumptions_zh == tuple(assumption.zh for assumption in rule.assumptions)


SAMPLE = REPO / "examples" / "doctor-aksu.yaml"
RULE_ID = "aksu.housing.prefecture_high_level"


def first_assumption() -> tuple[str, str]:
    _, rule = Calculator.default().catalogue.rule(RULE_ID)
    return rule.assumptions[0].zh, rule.assumptions[0].en


def run(*args: str) -> str:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "1000"})
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize("language", ["zh", "en"])
def test_check_prints_the_assumptions_in_the_language_asked_for(language: str) -> None:
    chinese, english = first_assumption()
    printed = run("check", str(SAMPLE), "--as-of", "2025-06-01", "--lang", language)
    heading, shown, hidden = ("解读假设", chinese, english) if language == "zh" else ("Assumptions", english, chinese)
    assert f"{heading}: {shown}" in printed
    assert hidden not in printed


@pytest.mark.parametrize("language", ["zh", "en"])
def test_rules_show_prints_the_assumptions_in_the_language_asked_for(language: str) -> None:
    chinese, english = first_assumption()
    printed = run("rules", "show", RULE_ID, "--lang", language)
    shown, hidden = (chinese, english) if language == "zh" else (english, chinese)
    assert shown in printed
    assert hidden not in printed
