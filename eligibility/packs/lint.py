"""`rules lint`: every problem of a directory of rule packs, each as file:line: message.

The loader's own checks (YAML syntax, duplicate keys, the schema, unknown fields,
undefined definitions, duplicate ids, regions and ids defined twice) are run
file by file so that one broken pack does not hide the others' problems; then,
where the seed documents are available, every quote is looked up in its source
(packs/provenance.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from eligibility.documents import line_of
from eligibility.errors import RuleProblem
from eligibility.packs.loader import LoadedPack, load_pack_files, pack_files, read_yaml
from eligibility.packs.provenance import SourceLibrary


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


def default_sources_directory() -> Path | None:
    """The seed documents next to a checkout (../shared/seeds), when they are there."""
    from eligibility.packs.catalogue import default_rules_directory

    candidate = default_rules_directory().resolve().parent.parent / "shared" / "seeds"
    return candidate if candidate.is_dir() else None


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
