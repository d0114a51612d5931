"""`eligibility test`: case files run against packs; per case pass, or each difference (benefit, expected, got)."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from eligibility.evaluation.calculator import Calculator
from eligibility.evaluation.cases import ExpectedEntitlement, read_case_file, run_case, run_cases
from tests.support import CASES, REPO, invoke

DOCTOR = CASES / "aksu" / "doctor_five_years_home.yaml"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def broken_doctor_case(tmp_path: Path) -> Path:
    """The doctorate case with the amount and total it expects changed from 500,000 to 400,000."""
    text = DOCTOR.read_text(encoding="utf-8")
    assert text.count("500000") == 2
    return write(tmp_path / "broken.yaml", text.replace("500000", "400000"))


def test_the_repositorys_cases_all_pass_and_exit_0() -> None:
    result = invoke("test", str(CASES), "--lang", "en")
    assert result.exit_code == 0, result.output
    count = len(list(CASES.rglob("*.yaml")))
    assert result.stdout.count("PASS  ") == count
    assert result.stdout.rstrip().endswith(f"{count} passed, 0 failed ({count} case(s) run)")


def test_a_deliberately_broken_case_shows_the_benefit_what_was_expected_and_what_was_got(tmp_path: Path) -> None:
    result = invoke("test", str(broken_doctor_case(tmp_path)), "--lang", "en")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"FAIL  {tmp_path / 'broken.yaml'}:1  A doctorate recruited full-time")
    assert lines[1:7] == [
        "    aksu.housing.prefecture_high_level",
        "        expected: granted, 400,000 yuan",
        "        got:      granted, 500,000 yuan",
        "    Total known cash",
        "        expected: 400,000 yuan",
        "        got:      500,000 yuan",
    ]
    assert lines[-1] == "0 passed, 1 failed (1 case(s) run)"


def test_the_difference_reads_in_chinese(tmp_path: Path) -> None:
    result = invoke("test", str(broken_doctor_case(tmp_path)), "--lang", "zh")
    assert result.exit_code == 1
    assert "未通过" in result.stdout
    assert "        预期：可享受，40万元\n        实际：可享受，50万元" in result.stdout
    assert result.stdout.rstrip().endswith("通过 0 例，未通过 1 例（共运行 1 例）")


def test_a_benefit_missing_from_the_case_and_one_the_report_lacks_are_both_named(tmp_path: Path) -> None:
    text = DOCTOR.read_text(encoding="utf-8").replace("aksu.practice.mentoring", "aksu.practice.mentorship")
    result = invoke("test", str(write(tmp_path / "renamed.yaml", text)), "--lang", "en")
    assert result.exit_code == 1
    assert (
        "    aksu.practice.mentoring\n        expected: not listed\n        got:      needs information"
        in result.stdout
    )
    assert "    aksu.practice.mentorship\n        expected: needs information, no amount, to supply: programmes\n" in (
        result.stdout
    )
    assert "        got:      not listed" in result.stdout


def test_a_near_miss_that_differs_is_shown_with_its_failing_condition(tmp_path: Path) -> None:
    case = CASES / "explain" / "master_one_title_away_from_higher_tier.yaml"
    text = case.read_text(encoding="utf-8").replace("failing_field: degree", "failing_field: title")
    result = invoke("test", str(write(tmp_path / "near.yaml", text)), "--lang", "en")
    assert result.exit_code == 1
    assert (
        "    near miss: aksu.housing.prefecture_high_level\n"
        "        expected: failing condition: title, if met: granted\n"
        "        got:      failing condition: degree, if met: granted"
    ) in result.stdout


def test_one_failing_case_among_passing_ones_fails_the_run(tmp_path: Path) -> None:
    shutil.copy(DOCTOR, tmp_path / "good.yaml")
    broken_doctor_case(tmp_path)
    result = invoke("test", str(tmp_path), "--lang", "en")
    assert result.exit_code == 1
    assert result.stdout.count("PASS  ") == 1 and result.stdout.count("FAIL  ") == 1


def test_a_file_may_hold_a_list_of_cases_each_run_and_located_by_its_line(tmp_path: Path) -> None:
    path = write(
        tmp_path / "two.yaml",
        """\
        - name: An organisation in Tongchuan gets none of its personal benefits
          as_of: 2025-06-01
          applicant: {region: tongchuan, applicant_kind: organisation}
          expected: {total_cash_yuan: 0, entitlements: []}
        - name: Before 2023 no Tongchuan rule is in force
          as_of: 2022-12-31
          applicant: {region: tongchuan, introduction: full_time}
          expected: {total_cash_yuan: 0, entitlements: []}
        """,
    )
    cases, problems = read_case_file(path)
    assert problems == []
    assert [(loaded.index, loaded.line) for loaded in cases] == [(0, 1), (1, 5)]
    result = invoke("test", str(path), "--lang", "en")
    assert result.exit_code == 0, result.output
    assert f"PASS  {path}:5  Before 2023" in result.stdout


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("name: x\nas_of: 2025-13-01\n", ":2: not a date: '2025-13-01'"),
        ("name: x\nname: y\n", ":2: duplicate key 'name' (first at line 1)"),
        ("[1, 2\n", ":2: not valid YAML: did not find expected ',' or ']'"),
        ("", ":1: a case file holds a case (a mapping: name, as_of, applicant, expected) or a list of cases"),
        (
            "name: x\nas_of: 2025-06-01\napplicant: {region: aksu}\nexpected:\n  total_cash_yuan: 0\n"
            "  entitlements:\n    - {benefit_id: a.b, status: grant, amount_yuan: null}\n",
            ":7: expected.entitlements.0.status: 'grant': Input should be 'granted', 'superseded', 'proposed' or"
            " 'needs_info'",
        ),
        (
            "name: x\nas_of: 2025-06-01\napplicant: {region: aksu}\nexpected:\n  total: 0\n  entitlements: []\n",
            ":5: expected.total: unknown field; allowed: total_cash_yuan, entitlements, near_misses",
        ),
        ("name: x\nas_of: 2025-06-01\napplicant: {region: aksu}\n", ":1: expected: required"),
        (
            "name: x\nas_of: 2025-06-01\napplicant:\n  region: aksu\n  学历: phd\n"
            "expected: {total_cash_yuan: 0, entitlements: []}\n",
            ":5: applicant.degree: 'phd': not an allowed value",
        ),
        (
            "name: x\nas_of: 2025-06-01\napplicant: {region: aksu}\nexpected:\n  total_cash_yuan: 0\n"
            "  entitlements:\n    - {benefit_id: a.b, status: granted, amount_yuan: null}\n"
            "    - {benefit_id: a.b, status: granted, amount_yuan: null}\n",
            ":8: expected.entitlements.1.benefit_id: 'a.b': listed twice; list a benefit once",
        ),
    ],
    ids=[
        "an impossible date",
        "a key given twice",
        "broken YAML",
        "an empty file",
        "a status not allowed",
        "an unknown field",
        "a missing section",
        "an applicant value not allowed",
        "a benefit listed twice",
    ],
)
def test_a_case_file_that_cannot_be_read_exits_2_naming_file_line_and_field(
    tmp_path: Path, text: str, expected: str
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    result = invoke("test", str(path), "--lang", "en")
    assert result.exit_code == 2, result.output
    assert f"error: {path}{expected}" in result.stderr
    assert "Traceback" not in result.output


def test_a_path_that_does_not_exist_and_a_directory_without_cases_exit_2(tmp_path: Path) -> None:
    missing = invoke("test", str(tmp_path / "nowhere.yaml"))
    assert missing.exit_code == 2 and "nowhere.yaml:0: no such case file or directory" in missing.stderr
    empty = invoke("test", str(tmp_path))
    assert empty.exit_code == 2 and "no case files (*.yaml, *.yml)" in empty.stderr


def test_a_broken_rule_pack_exits_1_with_its_problems(tmp_path: Path) -> None:
    write(tmp_path / "rules" / "aksu.yaml", "region: aksu\n")
    result = invoke("test", str(DOCTOR), "--rules", str(tmp_path / "rules"))
    assert result.exit_code == 1
    assert f"error: {tmp_path / 'rules' / 'aksu.yaml'}:1: name: Field required" in result.stderr


def test_cases_beside_their_packs_run_against_them_and_the_packs_are_not_taken_for_cases(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    shutil.copy(REPO / "rules" / "aksu.yaml", rules / "aksu.yaml")
    shutil.copy(DOCTOR, rules / "aksu.cases.yaml")
    run = run_cases(Calculator.from_directory(rules), [rules])
    assert [loaded.loaded.path.name for loaded in run.results] == ["aksu.cases.yaml"]
    assert run.problems == () and not run.failed


def test_the_runner_reports_a_changed_amount_as_one_difference_on_that_benefit(
    tmp_path: Path, calculator: Calculator
) -> None:
    [loaded], _ = read_case_file(broken_doctor_case(tmp_path))
    result = run_case(calculator, loaded)
    assert not result.passed
    first = result.differences[0]
    assert first.subject == "aksu.housing.prefecture_high_level"
    assert isinstance(first.expected, ExpectedEntitlement) and first.expected.amount_yuan == 400000
    assert isinstance(first.got, ExpectedEntitlement) and first.got.amount_yuan == 500000
    assert [difference.subject for difference in result.differences] == [
        "aksu.housing.prefecture_high_level",
        "total_cash_yuan",
    ]
