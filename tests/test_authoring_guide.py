"""The authoring guide's worked example, end to end: `rules new`, filled from the guide, passes lint and its cases.

The pack, the cases, the transcript and the failure shown in docs/authoring.md are
read from the guide itself, so the guide cannot drift from what the tools do.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

from tests.support import REPO, SEEDS, invoke, needs_seeds

GUIDE = REPO / "docs" / "authoring.md"
GUIDE_ZH = REPO / "docs" / "authoring.zh.md"
SOURCE = "001_be59150bd1526eb2.txt"


def blocks(path: Path) -> dict[str, str]:
    """The guide's worked-example blocks, by the name in the comment above each."""
    text = path.read_text(encoding="utf-8")
    found = re.findall(r"<!-- worked-example: (.+?) -->\n```[a-z]*\n(.*?)```", text, flags=re.DOTALL)
    return dict(found)


def as_json(data: Any) -> Any:
    """YAML data as an editor's YAML language server sees it: dates are strings."""
    if isinstance(data, date):
        return data.isoformat()
    if isinstance(data, dict):
        return {key: as_json(value) for key, value in data.items()}
    if isinstance(data, list):
        return [as_json(value) for value in data]
    return data


@pytest.fixture
def draft(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """`eligibility rules new aksu --dir draft`, run where the guide runs it, filled from the guide."""
    monkeypatch.chdir(tmp_path)
    made = invoke("rules", "new", "aksu", "--dir", "draft", "--lang", "en")
    assert made.exit_code == 0, made.output
    guide = blocks(GUIDE)
    for name in ("aksu.yaml", "aksu.cases.yaml"):
        skeleton = (tmp_path / "draft" / name).read_text(encoding="utf-8")
        # the guide's files keep the skeleton's modeline: the editor still checks them
        assert guide[name].splitlines()[0] == skeleton.splitlines()[0]
        (tmp_path / "draft" / name).write_text(guide[name], encoding="utf-8")
    return tmp_path / "draft"


def test_the_guide_has_its_worked_example_in_english_and_the_same_in_chinese() -> None:
    english = blocks(GUIDE)
    assert set(english) == {
        "aksu.yaml",
        "aksu.cases.yaml",
        "transcript",
        "failure without the exclusivity group",
    }
    assert blocks(GUIDE_ZH) == english


def test_the_readme_links_the_guide() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "(docs/authoring.md)" in readme and "(docs/authoring.zh.md)" in readme


def test_the_filled_pack_and_cases_validate_against_the_schemas_rules_new_wrote(draft: Path) -> None:
    for name, schema in (("aksu.yaml", "rule-pack.schema.json"), ("aksu.cases.yaml", "case-file.schema.json")):
        validator = Draft202012Validator(json.loads((draft / schema).read_text(encoding="utf-8")))
        document = as_json(yaml.safe_load((draft / name).read_text(encoding="utf-8")))
        assert [error.message for error in validator.iter_errors(document)] == [], name


@needs_seeds
def test_the_worked_example_passes_rules_lint_against_its_source_and_every_case_as_the_transcript_shows(
    draft: Path,
) -> None:
    sources = draft.parent / "sources"
    sources.mkdir()
    shutil.copy(SEEDS / SOURCE, sources / SOURCE)
    transcript = blocks(GUIDE)["transcript"].splitlines()
    commands = [index for index, line in enumerate(transcript) if line.startswith("$ ")]
    assert len(commands) == 2
    for number, start in enumerate(commands):
        end = commands[number + 1] if number + 1 < len(commands) else len(transcript)
        program, *arguments = shlex.split(transcript[start].removeprefix("$ "))
        assert program == "eligibility"
        result = invoke(*arguments)
        assert result.exit_code == 0, result.output
        assert result.stdout.splitlines() == transcript[start + 1 : end]


def test_the_failure_the_guide_shows_is_what_the_runner_prints_without_the_exclusivity_group(draft: Path) -> None:
    pack = draft / "aksu.yaml"
    text = pack.read_text(encoding="utf-8")
    master = text.index("  - id: aksu.housing.prefecture_master")
    group = text.index("    exclusivity_group: aksu.housing_subsidy\n", master)
    pack.write_text(text[:group] + text[group + len("    exclusivity_group: aksu.housing_subsidy\n") :], "utf-8")
    result = invoke("test", "draft/aksu.cases.yaml", "--rules", "draft", "--lang", "en")
    assert result.exit_code == 1
    shown = blocks(GUIDE)["failure without the exclusivity group"].splitlines()
    lines = result.stdout.splitlines()
    start = lines.index(shown[0])
    assert lines[start : start + len(shown)] == shown


def test_an_unfilled_skeleton_does_not_pass_lint(tmp_path: Path) -> None:
    made = invoke("rules", "new", "aksu", "--dir", str(tmp_path / "draft"))
    assert made.exit_code == 0, made.output
    result = invoke("rules", "lint", str(tmp_path / "draft"))
    assert result.exit_code == 1 and "a placeholder of the skeleton is left" in result.stdout
