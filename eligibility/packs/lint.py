"""`rules lint`: every problem of a directory of rule packs, each as file:line: message.

The loader's own checks (YAML syntax, duplicate keys, the schema, unknown fields,
undefined definitions, duplicate ids, regions and ids defined twice) are run
file by file so that one broken pack does not hide the others' problems; then
every placeholder a new pack's skeleton left (a value holding PLACEHOLDER) is
named; then, when the author names the directory of the source documents,
every quote is looked up in its source (packs/provenance.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from eligibility.documents import LinePath, line_of
from eligibility.errors import RuleProblem
from eligibility.packs.loader import LoadedPack, load_pack_files, pack_files, read_yaml
from eligibility.packs.provenance import SourceLibrary

PLACEHOLDER: Final = "TODO"  # what a new pack's skeleton (eligibility rules new) leaves to fill in


@dataclass(frozen=True)
class LintResult:
    """What `lint_directory` found: the files and rules read, the quotes verified, the problems."""

    directory: Path
    files: tuple[Path, ...]
    rules: int
    sources: Path | None  # None: quotes were not checked
    quotes_verified: int
    problems: tuple[RuleProblem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        """One line for a person: what was checked, and whether quotes were."""
        checked = f"{len(self.files)} pack file(s), {self.rules} rule(s)"
        if self.sources is None:
            quotes = "quotes not checked: no sources directory was named"
        else:
            quotes = f"{self.quotes_verified} quote(s) verified against {self.sources}"
        if self.ok:
            return f"ok: {checked}; {quotes}"
        return f"{len(self.problems)} problem(s) in {checked}; {quotes}"


def lint_directory(directory: Path, sources: Path | None = None) -> LintResult:
    """Check every pack of `directory`, and every quote against `sources` when given."""
    if not directory.is_dir():
        problem = RuleProblem(str(directory), 0, "no such rules directory")
        return LintResult(directory, (), 0, sources, 0, (problem,))
    files = tuple(pack_files(directory))
    problems: list[RuleProblem] = []
    if not files:
        problems.append(RuleProblem(str(directory), 0, "no rule packs (*.yaml) in this directory"))
    if sources is not None and not sources.is_dir():
        problems.append(RuleProblem(str(sources), 0, "no such sources directory"))
        sources = None
    loaded, load_problems = load_pack_files(files)
    problems.extend(load_problems)
    for item in loaded:
        problems.extend(placeholder_problems(item.path))
    verified = 0
    if sources is not None:
        library = SourceLibrary(sources)
        for item in loaded:
            found = quote_problems(item, library)
            problems.extend(found)
            verified += len(item.pack.rules) - len(found)
    rules = sum(len(item.pack.rules) for item in loaded)
    return LintResult(directory, files, rules, sources, verified, tuple(problems))


def quote_problems(item: LoadedPack, library: SourceLibrary) -> list[RuleProblem]:
    """The rules of one loaded pack whose quote does not occur in its source, at the quote's line."""
    _, lines, _, _ = read_yaml(item.path)
    problems = []
    for index, rule in enumerate(item.pack.rules):
        message = library.quote_problem(rule.source.document, rule.source.quote)
        if message is not None:
            line = line_of(lines, ("rules", index, "source", "quote"))
            problems.append(RuleProblem(str(item.path), line, f"rule {rule.id}: {message}"))
    return problems


def placeholder_problems(path: Path) -> list[RuleProblem]:
    """Every value of a pack file still holding the skeleton's placeholder, at its line."""
    data, lines, _, _ = read_yaml(path)
    return [
        RuleProblem(
            str(path),
            line_of(lines, where),
            f"{'.'.join(map(str, where))}: {value!r}: a placeholder of the skeleton is left; replace it",
        )
        for where, value in _strings(data, ())
        if PLACEHOLDER in value
    ]


def _strings(data: Any, at: LinePath) -> Iterator[tuple[LinePath, str]]:
    if isinstance(data, str):
        yield at, data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from _strings(value, (*at, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _strings(value, (*at, index))
