"""Loading rule packs from YAML: safe, strict, and every problem as file:line: message.

A pack is read as documents.py reads every document (a regular file of bounded
size, strict UTF-8, the safe YAML loader: no tags, no code, no aliases, no
duplicate keys), and each value's line is remembered so that schema errors point
at the file.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from eligibility.conditions.form import Group
from eligibility.documents import DocumentError, LinePath, line_of, parse_yaml, read_text
from eligibility.errors import RulePackError, RuleProblem
from eligibility.packs.normalise import definition_problems, rule_conditions
from eligibility.packs.programmes import programme_problems
from eligibility.packs.schema import RulePack, check_pack

MAX_PACK_BYTES = 4 * 1024 * 1024  # a region of 500 rules is about 1 MiB


@dataclass(frozen=True)
class LoadedPack:
    """A validated pack, the file it came from, and each rule's condition in the normalised form (pack order)."""

    pack: RulePack
    path: Path
    digest: str
    conditions: tuple[Group, ...]


def read_yaml(path: Path) -> tuple[Any, dict[LinePath, int], list[RuleProblem], bytes]:
    """Read and parse one pack file safely (documents.py); data, the line of each path, problems, and its bytes."""
    try:
        text = read_text(path, MAX_PACK_BYTES)
        data, lines = parse_yaml(text)
    except DocumentError as error:
        return None, {}, [RuleProblem(str(path), line, message) for line, message in error.problems], b""
    return data, lines, [], text.encode("utf-8")


def _yaml_path(loc: tuple[str | int, ...]) -> LinePath:
    """A pydantic error location as a path in the YAML (dropping union tags)."""
    aliases = {"in_": "in", "not_": "not", "from_": "from"}
    tags = {
        "AllOf",
        "AnyOf",
        "NotOf",
        "DefinitionRef",
        "FieldTest",
        "FixedAmount",
        "UnpublishedAmount",
        "MatchingAmount",
    }
    return tuple(aliases.get(str(part), part) for part in loc if part not in tags)


def load_pack_file(path: Path) -> LoadedPack:
    """Load and check one pack; raise RulePackError with every problem found."""
    data, lines, problems, content = read_yaml(path)
    if problems:
        raise RulePackError(problems)
    if not isinstance(data, dict):
        raise RulePackError(
            [RuleProblem(str(path), 1, "a rule pack is a mapping with region, name, version, sources, rules")]
        )
    try:
        pack = RulePack.model_validate(data)
    except ValidationError as error:
        raise RulePackError(
            [
                RuleProblem(str(path), line_of(lines, _yaml_path(detail["loc"])), _schema_message(detail))
                for detail in error.errors(include_url=False)
            ]
        ) from None
    semantic = [RuleProblem(str(path), line_of(lines, where), message) for where, message in check_pack(pack)]
    if not semantic:  # cycles and sizes are worked out once every definition a rule names exists
        semantic = [
            RuleProblem(str(path), line_of(lines, where), message) for where, message in definition_problems(pack)
        ]
    if semantic:
        raise RulePackError(semantic)
    digest = hashlib.sha256(content).hexdigest()
    return LoadedPack(pack=pack, path=path, digest=digest, conditions=rule_conditions(pack))


def _schema_message(detail: Any) -> str:
    where = ".".join(str(part) for part in _yaml_path(detail["loc"]))
    if detail["type"] == "extra_forbidden":
        return f"{where}: unknown field"
    return f"{where}: {detail['msg']}" if where else str(detail["msg"])


CASE_FILE_SUFFIX = ".cases"  # REGION.cases.yaml: the cases of a pack, kept beside it


def pack_files(directory: Path) -> list[Path]:
    """The pack files of a directory, in name order; case files beside them (*.cases.yaml) are not packs."""
    return sorted(
        path
        for path in directory.glob("*.y*ml")
        if path.suffix in (".yaml", ".yml") and not path.stem.endswith(CASE_FILE_SUFFIX)
    )


def load_directory(directory: Path) -> list[LoadedPack]:
    """Load every pack in `directory`; all problems of all files in one RulePackError."""
    if not directory.is_dir():
        raise RulePackError([RuleProblem(str(directory), 0, "no such rules directory")])
    files = pack_files(directory)
    if not files:
        raise RulePackError([RuleProblem(str(directory), 0, "no rule packs (*.yaml) in this directory")])
    from eligibility.packs import cache

    stored = cache.load(files)
    if stored is not None:  # validated before, from exactly these files and this code: checked then, not again
        return [
            LoadedPack(pack=pack, path=path, digest=digest, conditions=rule_conditions(pack))
            for path, (pack, digest) in zip(files, stored, strict=True)
        ]
    loaded, problems = load_pack_files(files)
    if problems:
        raise RulePackError(problems)
    cache.store(files, [item.pack for item in loaded])
    return loaded


def load_pack_files(files: Iterable[Path]) -> tuple[list[LoadedPack], list[RuleProblem]]:
    """Load each file; gather every problem of every file, and those across packs."""
    loaded: list[LoadedPack] = []
    problems: list[RuleProblem] = []
    for path in files:
        try:
            loaded.append(load_pack_file(path))
        except RulePackError as error:
            problems.extend(error.problems)
    problems.extend(cross_pack_problems(loaded))
    return loaded, problems


def cross_pack_problems(loaded: list[LoadedPack]) -> list[RuleProblem]:
    """Problems between packs: a region defined twice, a rule id used in two files, programmes that disagree."""
    problems = []
    regions: dict[str, Path] = {}
    owners: dict[str, Path] = {}
    for item in loaded:
        if item.pack.region in regions:
            problems.append(
                RuleProblem(
                    str(item.path), 1, f"region {item.pack.region} already defined in {regions[item.pack.region]}"
                )
            )
        regions[item.pack.region] = item.path
        for rule in item.pack.rules:
            if rule.id in owners and owners[rule.id] != item.path:
                problems.append(RuleProblem(str(item.path), 1, f"rule id {rule.id} also defined in {owners[rule.id]}"))
            owners[rule.id] = item.path
    return problems + programme_problems(loaded)
