"""`rules lint` finds every kind of broken pack, each problem as file:line: message."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from eligibility.packs.catalogue import default_rules_directory
from eligibility.packs.lint import lint_directory
from tests.support import SEEDS, needs_seeds

SOURCE_TEXT = "地区对全职引进的博士研究生,经认定后给予一次性50万元购房补助;硕士研究生给予一次性40万元购房补助。"

GOOD_PACK = """\
region: aksu
name: {zh: 阿克苏地区, en: Aksu}
version: "test"
sources:
  - {document: seed.txt, title: T, publisher: P, date: 2024-08-07}
definitions:
  doctor:
    name: {zh: 博士, en: Doctorate}
    when: {field: degree, eq: doctorate}
rules:
  - id: aksu.test.doctor
    name: {zh: 博士购房补助, en: Doctorate home subsidy}
    kind: cash
    amount: {yuan: 500000}
    when:
      all:
        - {definition: doctor}
    source:
      document: seed.txt
      quote: "经认定后给予一次性50万元购房补助"
  - id: aksu.test.master
    name: {zh: 硕士购房补助, en: Master's home subsidy}
    kind: cash
    amount: {yuan: 400000}
    when: {field: degree, eq: master}
    source:
      document: seed.txt
      quote: "硕士研究生给予一次性40万元购房补助"
"""


def write_pack(directory: Path, text: str, name: str = "aksu.yaml") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.fixture
def sources(tmp_path: Path) -> Path:
    directory = tmp_path / "seeds"
    directory.mkdir()
    (directory / "seed.txt").write_text(SOURCE_TEXT, encoding="utf-8")
    return directory


def line_containing(path: Path, needle: str, occurrence: int = 1) -> int:
    """The 1-based line of the `occurrence`-th line of `path` that contains `needle`."""
    lines = [number for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line]
    return lines[occurrence - 1]


def problems_of(directory: Path, sources: Path | None) -> list[str]:
    return [str(problem) for problem in lint_directory(directory, sources).problems]


def test_a_good_pack_has_no_problem_and_a_summary_that_says_ok(tmp_path: Path, sources: Path) -> None:
    write_pack(tmp_path / "rules", GOOD_PACK)
    result = lint_directory(tmp_path / "rules", sources)
    assert result.problems == ()
    assert result.summary() == f"ok: 1 pack file(s), 2 rule(s); 2 quote(s) verified against {sources}"


def test_without_sources_the_summary_says_quotes_were_not_checked(tmp_path: Path) -> None:
    write_pack(tmp_path / "rules", GOOD_PACK)
    result = lint_directory(tmp_path / "rules", None)
    assert result.ok
    assert "quotes not checked" in result.summary()


def test_a_quote_that_is_not_in_its_source_is_reported_at_the_quote_line(tmp_path: Path, sources: Path) -> None:
    path = write_pack(tmp_path / "rules", GOOD_PACK.replace("一次性40万元", "一次性45万元"))
    [problem] = problems_of(tmp_path / "rules", sources)
    line = line_containing(path, "一次性45万元")
    assert problem.startswith(
        f"{path}:{line}: rule aksu.test.master: quote does not occur in seed.txt after normalisation"
    )


def test_a_missing_source_document_is_reported(tmp_path: Path, sources: Path) -> None:
    (sources / "seed.txt").rename(sources / "other.txt")
    path = write_pack(tmp_path / "rules", GOOD_PACK)
    problems = problems_of(tmp_path / "rules", sources)
    first, second = line_containing(path, "quote:", 1), line_containing(path, "quote:", 2)
    assert problems == [
        f"{path}:{first}: rule aksu.test.doctor: source document seed.txt not found in {sources}",
        f"{path}:{second}: rule aksu.test.master: source document seed.txt not found in {sources}",
    ]


def test_a_rule_without_a_quote_is_reported(tmp_path: Path, sources: Path) -> None:
    path = write_pack(tmp_path / "rules", GOOD_PACK.replace('      quote: "硕士研究生给予一次性40万元购房补助"\n', ""))
    line = line_containing(path, "source:", 2)
    assert problems_of(tmp_path / "rules", sources) == [f"{path}:{line}: rules.1.source.quote: Field required"]


def test_duplicate_rule_ids_are_reported(tmp_path: Path, sources: Path) -> None:
    path = write_pack(tmp_path / "rules", GOOD_PACK.replace("aksu.test.master", "aksu.test.doctor"))
    line = line_containing(path, "id: aksu.test.doctor", 2)
    assert problems_of(tmp_path / "rules", sources) == [f"{path}:{line}: duplicate rule id aksu.test.doctor"]


def test_a_region_and_its_rule_ids_defined_in_two_files_are_reported(tmp_path: Path, sources: Path) -> None:
    first = write_pack(tmp_path / "rules", GOOD_PACK)
    second = write_pack(tmp_path / "rules", GOOD_PACK, "aksu_copy.yaml")
    assert problems_of(tmp_path / "rules", sources) == [
        f"{second}:1: region aksu already defined in {first}",
        f"{second}:1: rule id aksu.test.doctor also defined in {first}",
        f"{second}:1: rule id aksu.test.master also defined in {first}",
    ]


def test_an_unknown_profile_field_is_reported(tmp_path: Path, sources: Path) -> None:
    path = write_pack(
        tmp_path / "rules", GOOD_PACK.replace("{field: degree, eq: master}", "{field: salary, eq: master}")
    )
    [problem] = problems_of(tmp_path / "rules", sources)
    assert problem.startswith(f"{path}:{line_containing(path, 'salary')}: unknown field salary; allowed: ")


def test_an_unknown_key_in_a_rule_is_reported(tmp_path: Path, sources: Path) -> None:
    path = write_pack(
        tmp_path / "rules",
        GOOD_PACK.replace(
            "    kind: cash\n    amount: {yuan: 400000}", "    kind: cash\n    bonus: 1\n    amount: {yuan: 400000}"
        ),
    )
    line = line_containing(path, "bonus:")
    assert problems_of(tmp_path / "rules", sources) == [f"{path}:{line}: rules.1.bonus: unknown field"]


def test_an_undefined_definition_is_reported(tmp_path: Path, sources: Path) -> None:
    path = write_pack(tmp_path / "rules", GOOD_PACK.replace("{definition: doctor}", "{definition: doctorr}"))
    line = line_containing(path, "doctorr")
    assert problems_of(tmp_path / "rules", sources) == [f"{path}:{line}: undefined definition doctorr; defined: doctor"]


def test_a_duplicate_yaml_key_is_reported(tmp_path: Path, sources: Path) -> None:
    path = write_pack(
        tmp_path / "rules",
        GOOD_PACK.replace(
            "    kind: cash\n    amount: {yuan: 400000}",
            "    kind: cash\n    kind: service\n    amount: {yuan: 400000}",
        ),
    )
    line, first = line_containing(path, "kind: service"), line_containing(path, "kind: cash", 2)
    assert problems_of(tmp_path / "rules", sources) == [f"{path}:{line}: duplicate key 'kind' (first at line {first})"]


def test_every_broken_file_is_reported_not_only_the_first(tmp_path: Path, sources: Path) -> None:
    first = write_pack(tmp_path / "rules", GOOD_PACK.replace("{definition: doctor}", "{definition: nobody}"))
    other = GOOD_PACK.replace("region: aksu", "region: linhe").replace("aksu.test", "linhe.test")
    second = write_pack(tmp_path / "rules", other.replace("一次性40万元", "一次性45万元"), "linhe.yaml")
    problems = problems_of(tmp_path / "rules", sources)
    assert [problem.split(":")[0] for problem in problems] == [str(first), str(second)]


def test_an_empty_directory_is_a_problem(tmp_path: Path) -> None:
    (tmp_path / "rules").mkdir()
    assert problems_of(tmp_path / "rules", None) == [
        f"{tmp_path / 'rules'}:0: no rule packs (*.yaml) in this directory"
    ]


@needs_seeds
def test_the_shipped_packs_lint_clean_against_the_seeds() -> None:
    result = lint_directory(default_rules_directory(), SEEDS)
    assert result.problems == ()
    assert result.quotes_verified == result.rules > 0
