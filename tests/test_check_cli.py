"""`eligibility check` end to end: real exit statuses, messages on stderr, no tracebacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support import REPO, invoke

SAMPLE = REPO / "examples" / "doctor-aksu.yaml"


@dataclass(frozen=True)
class Run:
    returncode: int
    stdout: str
    stderr: str


def run(*args: str, stdin: str | None = None, lang: str = "en_US.UTF-8") -> Run:
    """`eligibility check ARGS` in-process, in a locale, as a user runs it; a traceback is never an answer."""
    result = invoke("check", *args, input=stdin, env={"LANG": lang, "LC_ALL": "", "LC_MESSAGES": ""})
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"check raised {result.exception!r}")
    return Run(result.exit_code, result.stdout, result.stderr)


def test_the_installed_module_runs_as_a_process_and_prints_the_report() -> None:
    env = {**os.environ, "LANG": "en_US.UTF-8", "COLUMNS": "200"}
    command = [sys.executable, "-m", "eligibility", "check", str(SAMPLE), "--as-of", "2025-06-01", "--json"]
    result = subprocess.run(command, capture_output=True, text=True, env=env, cwd=REPO, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["total_cash_yuan"] == 500000


def test_json_report_has_the_contract_keys_and_the_granted_subsidy() -> None:
    result = run(str(SAMPLE), "--as-of", "2025-06-01", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert {"applicant_id", "as_of", "rules_version", "entitlements", "total_cash_yuan"} <= set(report)
    housing = next(
        item for item in report["entitlements"] if item["benefit_id"] == "aksu.housing.prefecture_high_level"
    )
    assert {"benefit_id", "region", "kind", "status", "amount_yuan", "source", "assumptions"} <= set(housing)
    assert housing["status"] == "granted" and housing["amount_yuan"] == 500000
    assert set(housing["source"]) == {"document", "quote"}
    assert report["as_of"] == "2025-06-01" and report["applicant_id"] == "sample-001"


def test_flags_named_after_the_keys_reach_every_aksu_tier() -> None:
    zone = ["--zone", "aksu_alar_hitech_zone", "--bought-home-in-region", "--title", "none", "--skill-level", "none"]
    prefecture = ["--introduction", "full_time", "--years-served", "5", "--bought-home-in-region"]
    expectations = {
        ("--degree", "doctorate", *prefecture): 500000,
        ("--degree", "master", "--title", "none", "--skill-level", "none", *prefecture): 400000,
        ("--degree", "doctorate", *zone): 700000,
        ("--degree", "master", "--scarce-skill", *zone): 400000,
        ("--degree", "bachelor", "--no-scarce-skill", *zone): 100000,
    }
    for flags, total in expectations.items():
        result = run("--region", "aksu", *flags, "--as-of", "2025-06-01", "--json")
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout)["total_cash_yuan"] == total, flags


def test_flags_override_the_keys_of_a_profile_file() -> None:
    result = run(str(SAMPLE), "--no-bought-home-in-region", "--as-of", "2025-06-01", "--json")
    assert json.loads(result.stdout)["total_cash_yuan"] == 0


def test_a_profile_can_come_from_standard_input_as_json() -> None:
    profile = json.dumps({"地区": "阿克苏", "学历": "硕士", "园区": "阿克苏阿拉尔高新区", "是否在本地购房": "是"})
    result = run("-", "--json", "--as-of", "2025-06-01", stdin=profile)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["total_cash_yuan"] == 400000


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--region", "aksu", "--degree", "phd"], "degree: 'phd': not an allowed value; allowed: none (无)"),
        (
            ["--region", "aksu", "--years-served", "-2"],
            "years_served: '-2': out of range; allowed: a number greater than or equal to 0",
        ),
        (["--region", "aksu", "--service-start-date", "2023-02-30"], "service_start_date: '2023-02-30'"),
        (["--region", "atlantis"], "region: 'atlantis': not an allowed value"),
        (["--region", "aksu", "--as-of", "2025-13-01"], "--as-of: '2025-13-01': not a date"),
        (["--region", "aksu", "--lang", "fr"], "--lang: 'fr': allowed: zh, en"),
        (["missing-file.yaml"], "missing-file.yaml: no such file"),
        (["--region", "aksu", "--award", "national"], "--award: 'national': use level:amount[:name]"),
        ([], "give a profile file or at least --region"),
    ],
    ids=[
        "unknown degree",
        "negative years",
        "a date that does not exist",
        "unknown region",
        "bad as-of",
        "unknown language",
        "missing file",
        "malformed award",
        "nothing given",
    ],
)
def test_bad_input_exits_2_with_a_message_naming_the_field_and_no_traceback(args: list[str], expected: str) -> None:
    result = run(*args)
    assert result.returncode == 2
    assert expected in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_a_profile_that_is_not_a_mapping_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "list.yaml"
    path.write_text("- 1\n- 2\n", encoding="utf-8")
    result = run(str(path))
    assert result.returncode == 2 and "a profile is a mapping" in result.stderr


def test_a_broken_rules_directory_exits_1_with_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "aksu.yaml").write_text("region: aksu\nregion: aksu\n", encoding="utf-8")
    result = run("--region", "aksu", "--rules", str(tmp_path))
    assert result.returncode == 1
    assert f"{tmp_path / 'aksu.yaml'}:2: duplicate key 'region'" in result.stderr


def test_the_table_speaks_english_or_chinese_with_amounts_in_wan_yuan_in_chinese() -> None:
    english = run(str(SAMPLE), "--as-of", "2025-06-01", "--lang", "en")
    chinese = run(str(SAMPLE), "--as-of", "2025-06-01", "--lang", "zh")
    assert "Total known cash: 500,000 yuan" in english.stdout
    assert "已知现金合计: 50万元" in chinese.stdout
    assert "地区高层次人才购房补助" in chinese.stdout and "阿克苏地区" in chinese.stdout


def test_what_is_granted_comes_first_and_what_needs_information_is_gathered_apart_naming_the_programme() -> None:
    chinese = run("--region", "aksu", "--degree", "doctorate", "--as-of", "2025-06-01", "--lang", "zh").stdout
    granted, needs = chinese.index("可享受的待遇"), chinese.index("可能还可享受（需补充信息）")
    assert granted < chinese.index("人才服务专员") < chinese.index("已知现金合计: 0元") < needs
    asked = chinese[needs:]
    assert "需补充: 人才计划（programmes）：是否为托峰英才\n    地区党政领导联系服务托峰英才" in asked
    assert "地区高层次人才购房补助 (aksu.housing.prefecture_high_level) — 50万元" in asked
    assert "\naksu.service.talent_service_officer — 人才服务专员\n  依据:" in chinese  # the source of what is granted
    assert "\naksu.contact.tuofeng_prefecture_leaders — " not in chinese  # not of each question
    english = run("--region", "aksu", "--degree", "doctorate", "--as-of", "2025-06-01", "--lang", "en").stdout
    assert "Supply: programmes: whether in Tuofeng talent\n" in english


def test_the_language_defaults_to_the_locale() -> None:
    assert "已知现金合计" in run(str(SAMPLE), "--as-of", "2025-06-01", lang="zh_CN.UTF-8").stdout
    assert "Total known cash" in run(str(SAMPLE), "--as-of", "2025-06-01", lang="en_US.UTF-8").stdout


def test_a_flag_overrides_the_same_fact_given_in_chinese_in_the_file(tmp_path: Path) -> None:
    path = tmp_path / "profile.yaml"
    path.write_text(
        "地区: 阿克苏\n学历: 硕士\n引进方式: 全职引进\n本地工作年限: 5\n是否在本地购房: 是\n", encoding="utf-8"
    )
    result = run(str(path), "--degree", "doctorate", "--as-of", "2025-06-01", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["total_cash_yuan"] == 500000


@pytest.mark.parametrize(
    ("arguments", "error"),
    [
        (["serve", "--port", "abc"], "Error: Invalid value for '--port'"),
        (["check", "--nonsense"], "Error: No such option: --nonsense"),
        (["batch", "r.csv", "--out", "o.csv", "--header-row", "x"], "Error: Invalid value for '--header-row'"),
    ],
)
def test_a_bad_option_is_one_error_line_under_the_usage_never_a_drawn_box(arguments: list[str], error: str) -> None:
    result = invoke(*arguments)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith("Usage: eligibility") and lines[-1].startswith(error)
    assert not any(mark in result.stderr for mark in "╭╰│")


def test_an_argument_that_is_not_utf8_is_refused_naming_its_field_not_a_traceback() -> None:
    # Linux hands Python such bytes as lone surrogates (surrogateescape); a report holding one cannot be printed.
    for arguments in ([b"--id", b"\xff"], [b"--id", b"\xff", b"--json"]):
        process = subprocess.run(
            [sys.executable, "-m", "eligibility", "check", b"--region", b"aksu", *arguments],
            capture_output=True, cwd=REPO, timeout=60, env={**os.environ, "LANG": "C.UTF-8"},
        )  # fmt: skip
        errors = process.stderr.decode("utf-8", "replace")
        assert process.returncode == 2 and "Traceback" not in errors, errors
        assert "error: id: '\\udcff': not text: holds an unpaired UTF-16 surrogate" in errors
