"""`eligibility rules new`: a new region's pack skeleton, its case file and the schemas an editor checks them with."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

from eligibility.packs.lint import lint_directory
from eligibility.packs.loader import load_directory
from eligibility.presentation.schemas import cases_schema, rules_schema
from tests.support import invoke

CJK = re.compile(r"[\u3400-\u9fff]")
FILES = ["guangzhou.yaml", "guangzhou.cases.yaml", "rule-pack.schema.json", "case-file.schema.json"]


def as_json(data: Any) -> Any:
    """YAML data as a YAML editor sees it: dates are strings."""
    if isinstance(data, date):
        return data.isoformat()
    if isinstance(data, dict):
        return {key: as_json(value) for key, value in data.items()}
    if isinstance(data, list):
        return [as_json(value) for value in data]
    return data


@pytest.fixture
def skeleton(tmp_path: Path) -> Path:
    directory = tmp_path / "my-rules"
    result = invoke("rules", "new", "guangzhou", "--dir", str(directory), "--lang", "en")
    assert result.exit_code == 0, result.output
    return directory


def test_rules_new_writes_the_pack_its_case_file_and_both_schemas_and_says_what_to_do_next(skeleton: Path) -> None:
    assert sorted(path.name for path in skeleton.iterdir()) == sorted(FILES)
    output = invoke("rules", "new", "shenzhen", "--dir", str(skeleton), "--lang", "en").stdout
    assert f"wrote {skeleton / 'shenzhen.yaml'}" in output and "rule-pack.schema.json" not in output
    assert f"eligibility test {skeleton / 'shenzhen.cases.yaml'} --rules {skeleton}" in output
    chinese = invoke("rules", "new", "xiamen", "--dir", str(skeleton), "--lang", "zh").stdout
    assert "已写入" in chinese and "下一步" in chinese


def test_the_pack_and_the_case_file_name_the_schema_written_beside_them_in_a_modeline(skeleton: Path) -> None:
    pack_lines = (skeleton / "guangzhou.yaml").read_text(encoding="utf-8").splitlines()
    case_lines = (skeleton / "guangzhou.cases.yaml").read_text(encoding="utf-8").splitlines()
    assert pack_lines[0] == "# yaml-language-server: $schema=rule-pack.schema.json"
    assert case_lines[0] == "# yaml-language-server: $schema=case-file.schema.json"
    assert json.loads((skeleton / "rule-pack.schema.json").read_text(encoding="utf-8")) == rules_schema()
    assert json.loads((skeleton / "case-file.schema.json").read_text(encoding="utf-8")) == cases_schema()


def test_the_skeleton_and_its_case_validate_against_those_schemas_and_a_mistake_does_not(skeleton: Path) -> None:
    pack = as_json(yaml.safe_load((skeleton / "guangzhou.yaml").read_text(encoding="utf-8")))
    cases = as_json(yaml.safe_load((skeleton / "guangzhou.cases.yaml").read_text(encoding="utf-8")))
    pack_validator = Draft202012Validator(json.loads((skeleton / "rule-pack.schema.json").read_text(encoding="utf-8")))
    case_validator = Draft202012Validator(json.loads((skeleton / "case-file.schema.json").read_text(encoding="utf-8")))
    assert list(pack_validator.iter_errors(pack)) == []
    assert list(case_validator.iter_errors(cases)) == []
    pack["rules"][0]["kind"] = "money"
    cases[0]["expected"]["entitlements"][0]["status"] = "given"
    assert not pack_validator.is_valid(pack) and not case_validator.is_valid(cases)


def test_every_section_of_the_skeleton_is_explained_in_chinese_and_english(skeleton: Path) -> None:
    lines = (skeleton / "guangzhou.yaml").read_text(encoding="utf-8").splitlines()
    sections = [index for index, line in enumerate(lines) if re.match(r"^[a-z_]+:", line)]
    assert [lines[index].split(":")[0] for index in sections] == [
        "region",
        "name",
        "aliases",
        "version",
        "sources",
        "programmes",
        "definitions",
        "rules",
    ]
    rule_keys = ["name", "kind", "applicant", "amount", "frequency", "status", "effective", "when", "source"]
    rule_fields = [
        next(index for index, line in enumerate(lines) if line.startswith(f"    {key}:")) for key in rule_keys
    ]
    for index in [*sections, *rule_fields]:  # the sections, and each field of the example rule
        comment = []
        for line in reversed(lines[:index]):
            if not line.lstrip().startswith("#"):
                break
            comment.append(line)
        text = " ".join(comment)
        assert CJK.search(text) and len(re.findall(r"\b[A-Za-z]{2,}\b", text)) >= 4, lines[index]


def test_the_skeleton_loads_as_written_and_its_case_passes_against_it(skeleton: Path) -> None:
    [loaded] = load_directory(skeleton)  # the case file beside it is not taken for a pack
    assert loaded.pack.region == "guangzhou"
    result = invoke("test", str(skeleton / "guangzhou.cases.yaml"), "--rules", str(skeleton), "--lang", "en")
    assert result.exit_code == 0, result.output


def test_rules_lint_names_every_placeholder_left_at_its_line(skeleton: Path) -> None:
    result = lint_directory(skeleton)
    messages = [problem.message for problem in result.problems]
    assert messages and all("a placeholder of the skeleton is left; replace it" in message for message in messages)
    assert "version: 'TODO': a placeholder of the skeleton is left; replace it" in messages
    pack_lines = (skeleton / "guangzhou.yaml").read_text(encoding="utf-8").splitlines()
    for problem in result.problems:
        assert "TODO" in pack_lines[problem.line - 1], problem
    placeholders = sum(line.split("#")[0].count("TODO") for line in pack_lines)
    assert len(result.problems) == placeholders
    cli = invoke("rules", "lint", str(skeleton))
    assert cli.exit_code == 1 and "guangzhou.yaml:" in cli.stdout


def test_rules_new_never_overwrites_and_writes_nothing_when_a_file_is_there(skeleton: Path) -> None:
    (skeleton / "guangzhou.yaml").write_text("# mine\n", encoding="utf-8")
    (skeleton / "guangzhou.cases.yaml").unlink()
    result = invoke("rules", "new", "guangzhou", "--dir", str(skeleton))
    assert result.exit_code == 2
    assert f"error: {skeleton / 'guangzhou.yaml'}: already exists; nothing was written" in result.stderr
    assert (skeleton / "guangzhou.yaml").read_text(encoding="utf-8") == "# mine\n"
    assert not (skeleton / "guangzhou.cases.yaml").exists()


def test_a_schema_file_that_differs_is_refused_not_replaced(tmp_path: Path) -> None:
    (tmp_path / "rule-pack.schema.json").write_text("{}\n", encoding="utf-8")
    result = invoke("rules", "new", "guangzhou", "--dir", str(tmp_path))
    assert result.exit_code == 2
    assert "rule-pack.schema.json: exists and differs from this version's schema" in result.stderr
    assert sorted(path.name for path in tmp_path.iterdir()) == ["rule-pack.schema.json"]


def test_a_region_the_vocabulary_knows_gets_its_names_and_a_code_that_cannot_be_one_exits_2(tmp_path: Path) -> None:
    assert invoke("rules", "new", "阿克苏", "--dir", str(tmp_path)).exit_code == 0
    pack = yaml.safe_load((tmp_path / "aksu.yaml").read_text(encoding="utf-8"))
    assert (pack["region"], pack["name"], pack["aliases"]) == (
        "aksu",
        {"zh": "阿克苏地区", "en": "Aksu Prefecture"},
        [],
    )
    result = invoke("rules", "new", "广州", "--dir", str(tmp_path))
    assert result.exit_code == 2
    assert result.stderr.startswith("error: REGION: '广州': a new region's code is lower-case Latin letters")
    assert "Traceback" not in result.output
