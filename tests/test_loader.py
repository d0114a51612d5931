"""Rule packs load strictly: every problem as file:line: message, nothing executed."""

from __future__ import annotations

from pathlib import Path

import pytest

from eligibility.errors import RulePackError
from eligibility.evaluation.calculator import Calculator
from eligibility.packs.loader import load_directory

GOOD_HEADER = """\
region: aksu
name: {zh: 阿克苏地区, en: Aksu}
version: "1"
sources:
  - {document: s.txt, title: t, publisher: p, date: 2024-08-07}
"""
GOOD_RULE = """\
  - id: aksu.test.rule
    name: {zh: 测试, en: Test}
    kind: cash
    amount: {yuan: 10}
    when: {field: degree, eq: doctorate}
    source: {document: s.txt, quote: q}
"""


def write_pack(tmp_path: Path, text: str) -> Path:
    (tmp_path / "aksu.yaml").write_text(text, encoding="utf-8")
    return tmp_path


def problems(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(RulePackError) as caught:
        load_directory(write_pack(tmp_path, text))
    return [str(problem) for problem in caught.value.problems]


def test_a_valid_pack_loads_and_evaluates(tmp_path: Path) -> None:
    calculator = Calculator.from_directory(write_pack(tmp_path, GOOD_HEADER + "rules:\n" + GOOD_RULE))
    report = calculator.evaluate({"region": "aksu", "degree": "doctorate"})
    assert [item.benefit_id for item in report.entitlements] == ["aksu.test.rule"]
    assert report.total_cash_yuan == 10


def test_duplicate_keys_are_rejected_with_their_line(tmp_path: Path) -> None:
    found = problems(tmp_path, GOOD_HEADER + "version: '2'\nrules: []\n")
    assert found == [f"{tmp_path / 'aksu.yaml'}:6: duplicate key 'version' (first at line 3)"]


def test_unknown_fields_are_rejected_with_their_line(tmp_path: Path) -> None:
    found = problems(tmp_path, GOOD_HEADER + "rules:\n" + GOOD_RULE + "    colour: red\n")
    assert found == [f"{tmp_path / 'aksu.yaml'}:13: rules.0.colour: unknown field"]


def test_an_unknown_profile_field_in_a_condition_is_named(tmp_path: Path) -> None:
    found = problems(tmp_path, GOOD_HEADER + "rules:\n" + GOOD_RULE.replace("field: degree", "field: shoe_size"))
    assert len(found) == 1 and ":11: unknown field shoe_size" in found[0]


def test_a_value_outside_the_vocabulary_is_named(tmp_path: Path) -> None:
    found = problems(tmp_path, GOOD_HEADER + "rules:\n" + GOOD_RULE.replace("eq: doctorate", "eq: phd"))
    assert len(found) == 1 and "degree: 'phd' is not a value" in found[0]


def test_an_operator_that_does_not_fit_the_field_is_named(tmp_path: Path) -> None:
    found = problems(tmp_path, GOOD_HEADER + "rules:\n" + GOOD_RULE.replace("eq: doctorate", "gte: 3"))
    assert len(found) == 1 and "operator gte not allowed; use at_least, eq, in" in found[0]


def test_an_undefined_definition_is_named(tmp_path: Path) -> None:
    found = problems(
        tmp_path, GOOD_HEADER + "rules:\n" + GOOD_RULE.replace("{field: degree, eq: doctorate}", "{definition: nobody}")
    )
    assert len(found) == 1 and "undefined definition nobody" in found[0]


def test_a_cash_rule_without_an_amount_is_rejected(tmp_path: Path) -> None:
    found = problems(tmp_path, GOOD_HEADER + "rules:\n" + GOOD_RULE.replace("    amount: {yuan: 10}\n", ""))
    assert len(found) == 1 and "a cash rule needs an amount" in found[0]


def test_duplicate_rule_ids_are_rejected(tmp_path: Path) -> None:
    found = problems(tmp_path, GOOD_HEADER + "rules:\n" + GOOD_RULE + GOOD_RULE)
    assert any("duplicate rule id aksu.test.rule" in problem for problem in found)


def test_yaml_tags_that_would_build_objects_are_refused(tmp_path: Path) -> None:
    found = problems(tmp_path, GOOD_HEADER + "rules: !!python/object/apply:os.system ['echo hacked']\n")
    assert len(found) == 1 and "not valid YAML" in found[0]


def test_an_empty_directory_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(RulePackError, match="no rule packs"):
        load_directory(tmp_path)


def test_an_impossible_date_is_a_problem_at_its_line_not_a_crash(tmp_path: Path) -> None:
    text = GOOD_HEADER.replace("date: 2024-08-07", "date: 2024-02-30") + "rules:\n" + GOOD_RULE
    assert problems(tmp_path, text) == [
        f"{tmp_path / 'aksu.yaml'}:5: not a date: '2024-02-30' (day is out of range for month); write YYYY-MM-DD"
    ]


def test_a_case_file_beside_the_packs_is_not_loaded_as_a_pack(tmp_path: Path) -> None:
    write_pack(tmp_path, GOOD_HEADER + "rules:\n" + GOOD_RULE)
    (tmp_path / "aksu.cases.yaml").write_text("- name: a case, not a pack\n", encoding="utf-8")
    assert [item.path.name for item in load_directory(tmp_path)] == ["aksu.yaml"]
