"""Hostile and careless rule packs and profile files are refused by name and line, at once, never run (issue 12's repros)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from eligibility.packs.lint import lint_directory
from tests.support import REPO, invoke

HEAD = """region: aksu
name: {zh: 测, en: t}
version: "1"
sources: [{document: s.txt, title: t, publisher: p, date: 2024-01-01}]
"""
RULE = """rules:
  - id: aksu.x.y
    name: {zh: x, en: x}
    kind: %s
    %s
    when: %s
    source: {document: s.txt, quote: q}
"""


def pack(kind: str = "service", extra: str = "", when: str = "{all: []}") -> str:
    return HEAD + RULE % (kind, extra or "frequency: one_off", when)


def problems(directory: Path) -> list[str]:
    started = time.monotonic()
    result = lint_directory(directory)
    assert time.monotonic() - started < 5, "lint must answer at once"
    return [str(problem) for problem in result.problems]


def write(tmp_path: Path, text: str, name: str = "aksu.yaml") -> Path:
    (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


BILLION_LAUGHS = "".join(
    f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]\n"
    for previous, name in zip("abcdefghi", "bcdefghij", strict=True)
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (HEAD + "unused: &a [x, x, x, x, x, x, x, x, x]\n" + BILLION_LAUGHS, "anchors and aliases"),
        (HEAD + "unused: &r [*r]\n", "anchors and aliases"),
        (HEAD + "unused: " + "[" * 70 + "]" * 70 + "\n", "nested more than 64 levels"),
        (pack(when="{field: degree, in: []}"), "at least 1 item"),
        (pack(when="{field: years_served, gte: .inf}"), "a number greater than or equal to 0 and at most 100"),
        (pack(when="{field: years_served, gte: 1e16}"), "a number greater than or equal to 0 and at most 100"),
        (pack(when="{field: years_served, gte: .nan}"), "a number greater than or equal to 0 and at most 100"),
        (pack(when="{field: years_served, lte: 2.125}"), "at most 2 decimal places"),
        (pack("cash", "amount: {yuan: 1000000000000000000000000000000}"), "less than or equal to 1000000000"),
        (pack("cash", "amount: {matching_award_levels: [national], ratio: 1e308}"), "less than or equal to 100"),
        (pack(extra="effective: {from: 2025-01-01, until: 2024-01-01}"), "must be after from"),
        (pack(extra="effective: {from: 2024-02-30}"), "not a date: '2024-02-30'"),
        (pack(extra="effective: {from: 1066-10-14}"), "outside 1900 to 2200"),
        (
            pack(when="{field: years_served, gte: " + "1" * 5000 + "}"),
            "a number of 5,000 digits; numbers have at most 4,300",
        ),
    ],
    ids=[
        "an alias bomb in an unused key",
        "a structure containing itself",
        "seventy levels of nesting",
        "in with nothing",
        "an infinite bound",
        "a bound of 1e16 years",
        "a bound that is not a number",
        "a bound finer than the years' two decimals",
        "an amount of 10**30 yuan",
        "a ratio of 1e308",
        "a window ending before it starts",
        "a day that does not exist",
        "a year out of range",
        "a number too long for Python to read",
    ],
)
def test_lint_refuses_what_evaluation_could_not_run_naming_the_file_and_line(
    tmp_path: Path, text: str, expected: str
) -> None:
    found = problems(write(tmp_path, text))
    assert found and all(problem.startswith(f"{tmp_path / 'aksu.yaml'}:") for problem in found), found
    assert any(expected in problem for problem in found), found


def test_odd_files_in_a_rules_directory_are_refused_by_name_without_blocking(tmp_path: Path) -> None:
    write(tmp_path, pack(), "aksu.yaml")
    (tmp_path / "loop.yaml").symlink_to(tmp_path / "loop.yaml")
    (tmp_path / "dangling.yaml").symlink_to(tmp_path / "nowhere.yaml")
    os.mkfifo(tmp_path / "fifo.yaml")  # opening it would wait for a writer for ever
    (tmp_path / "folder.yaml").mkdir()
    (tmp_path / "binary.yaml").write_bytes(b"region: \xff\xfe\x00\x00 aksu\n")
    found = problems(tmp_path)
    named = {problem.split(":")[0]: problem for problem in found}
    assert "a link, not a file" in named[str(tmp_path / "loop.yaml")]
    assert "a link, not a file" in named[str(tmp_path / "dangling.yaml")]
    assert "not a regular file" in named[str(tmp_path / "fifo.yaml")]
    assert "a directory, not a file" in named[str(tmp_path / "folder.yaml")]
    assert "not UTF-8 text" in named[str(tmp_path / "binary.yaml")]
    assert str(tmp_path / "aksu.yaml") not in named


def test_check_refuses_a_device_and_an_alias_bomb_as_its_profile_at_once(tmp_path: Path) -> None:
    bomb = write(tmp_path, "region: aksu\na: &a [x, x, x, x, x, x, x, x, x]\n" + BILLION_LAUGHS, "p.yaml") / "p.yaml"
    for path in ("/dev/zero", str(bomb)):
        started = time.monotonic()
        result = invoke("check", path)
        assert result.exit_code == 2 and time.monotonic() - started < 5, result.output
        assert "Traceback" not in result.output
    assert "not a regular file" in invoke("check", "/dev/zero").output
    assert "anchors and aliases" in invoke("check", str(bomb)).output


def test_a_profile_on_standard_input_is_bounded(tmp_path: Path) -> None:
    result = invoke("check", "-", input="region: aksu\n" + "# " + "x" * (2 * 1024 * 1024) + "\n")
    assert result.exit_code == 2 and "more than 1,048,576 bytes" in result.output


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("p.yaml", "region: aksu\nyears_served: " + "1" * 5000 + "\n", "years_served: '111"),  # read as written
        ("p.json", '{"region": "aksu", "years_served": ' + "1" * 5000 + "}", "years_served: '111"),  # as over HTTP
    ],
    ids=["YAML", "JSON"],
)
def test_a_profile_holding_a_number_too_long_for_python_to_read_is_refused_by_check_and_compare(
    tmp_path: Path, name: str, text: str, expected: str
) -> None:
    profile = write(tmp_path, text, name) / name
    for command in ("check", "compare"):
        result = invoke(command, str(profile))
        assert result.exit_code == 2 and expected in result.output, result.output
        assert "Traceback" not in result.output and "set_int_max_str_digits" not in result.output


def definitions(*whens: str) -> str:
    """A pack whose one rule uses d0, and definitions d0, d1, ... with these conditions."""
    written = "".join(
        f"  d{index}:\n    name: {{zh: x, en: x}}\n    when: {when}\n" for index, when in enumerate(whens)
    )
    return HEAD + "definitions:\n" + written + RULE % ("service", "frequency: one_off", "{definition: d0}")


DOCTORATE = "{field: degree, eq: doctorate}"


@pytest.mark.parametrize(
    ("text", "line", "expected"),
    [
        (definitions("{definition: d1}", "{all: [{definition: d0}]}"), 8, "definition cycle: d0 → d1 → d0"),
        (
            definitions(
                *(f"{{all: [{{definition: d{i + 1}}}, {{definition: d{i + 1}}}]}}" for i in range(24)), DOCTORATE
            ),
            8,
            "definitions nested more than 8 deep (d0 → d1 → d2 → … → d8)",
        ),
        (
            definitions(*(f"{{definition: d{i + 1}}}" for i in range(2000)), DOCTORATE),
            8,
            "definitions nested more than 8 deep",
        ),
        (
            definitions(
                *("{any: [" + ", ".join([f"{{definition: d{i + 1}}}"] * 20) + "]}" for i in range(4)), DOCTORATE
            ),
            26,
            "rule aksu.x.y: its condition, definitions written out, has 336,842 parts; at most 1,000",
        ),
    ],
    ids=["a definition cycle", "24 levels of doubled definitions", "a chain of 2,000 definitions", "20 wide, 4 deep"],
)
def test_definitions_that_could_never_be_evaluated_or_would_expand_past_any_policy_fail_lint_and_check_at_once(
    tmp_path: Path, text: str, line: int, expected: str
) -> None:
    where = f"{tmp_path / 'aksu.yaml'}:{line}: "
    found = problems(write(tmp_path, text))
    assert len(found) == 1 and found[0].startswith(where) and expected in found[0], found
    command = [
        sys.executable,
        "-m",
        "eligibility",
        "check",
        "--rules",
        str(tmp_path),
        "--region",
        "aksu",
        "--degree",
        "doctorate",
    ]
    started = time.monotonic()
    checked = subprocess.run(command, capture_output=True, text=True, cwd=REPO, timeout=60)
    assert checked.returncode == 1 and time.monotonic() - started < 30, checked.stderr[-2000:]
    assert where + expected in checked.stderr and "Traceback" not in checked.stderr


@pytest.mark.parametrize("command", ["check", "compare"])
def test_an_alias_bomb_profile_is_refused_at_once_by_check_and_compare_as_processes(
    tmp_path: Path, command: str
) -> None:
    bomb = write(tmp_path, "region: aksu\na: &a [x, x, x, x, x, x, x, x, x]\n" + BILLION_LAUGHS, "p.yaml") / "p.yaml"
    started = time.monotonic()
    process = subprocess.run(
        [sys.executable, "-m", "eligibility", command, str(bomb)], capture_output=True, text=True, cwd=REPO, timeout=60
    )
    assert process.returncode == 2 and time.monotonic() - started < 30, process.stderr[-2000:]
    assert f"{bomb}:2: YAML anchors and aliases (&name, *name) are not allowed" in process.stderr
