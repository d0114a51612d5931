"""Case files: an applicant, a date and what the packs must give, run against loaded packs.

The format of `cases/` (OpenFisca's YAML tests, Catala's `clerk test`): a file
holds one case, a mapping, or a list of them:

    name: A doctorate with five years and a home in Aksu gets 500,000 once   # a sentence
    as_of: 2025-06-01                                                       # the evaluation date
    applicant: {region: aksu, degree: doctorate, ...}                       # any spelling a profile accepts
    expected:
      total_cash_yuan: 500000
      entitlements:            # exactly these, in any order
        - {benefit_id: aksu.housing.prefecture_high_level, status: granted, amount_yuan: 500000}
        - {benefit_id: ..., status: needs_info, amount_yuan: null, missing_facts: [programmes]}
      near_misses:             # optional; when given, exactly these, in rule order
        - {benefit_id: ..., failing_field: degree, status_if_satisfied: granted}

Reading a file reports every problem as file:line: message (YAML, duplicate keys,
unknown or missing fields, values not allowed, an applicant that does not
validate); running a case compares its report with what it expects and keeps
each difference (benefit, expected, got) for a person to read. The command
line (`eligibility test`) and the repository's own tests run cases through
`run_case_files` and `run_case`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from eligibility.documents import LinePath, line_of
from eligibility.errors import InputError, RuleProblem
from eligibility.evaluation.calculator import Calculator
from eligibility.evaluation.report import Report, Status
from eligibility.facts import spelling
from eligibility.packs.loader import read_yaml

_CASE = ConfigDict(extra="forbid", frozen=True)
CASE_SUFFIXES = (".yaml", ".yml")


class ExpectedEntitlement(BaseModel):
    """One entitlement the report must list, as the case states it."""

    model_config = _CASE
    benefit_id: str = Field(description="The rule's id, e.g. aksu.housing.prefecture_high_level.")
    status: Status
    amount_yuan: int | None = Field(description="The amount in yuan; null when not published or not computable.")
    superseded_by: str | None = None
    missing_facts: tuple[str, ...] = Field(default=(), description="Profile keys still to supply (needs_info).")


class ExpectedNearMiss(BaseModel):
    """One near miss the report must list: the rule, the field whose test fails, what meeting it gives."""

    model_config = _CASE
    benefit_id: str
    failing_field: str = Field(description="The fact of the failing test (or the test's kind when it has none).")
    status_if_satisfied: Literal["granted", "needs_info"]
    missing_facts: tuple[str, ...] = ()
    eligible_from: date | None = None


class Expected(BaseModel):
    """What the report must say: the total, exactly these entitlements, and (when given) exactly these near misses."""

    model_config = _CASE
    total_cash_yuan: int = Field(description="Granted cash with a known amount.")
    entitlements: tuple[ExpectedEntitlement, ...]
    near_misses: tuple[ExpectedNearMiss, ...] | None = Field(
        default=None, description="When given: exactly these, in rule order. Left out: not checked."
    )


class Case(BaseModel):
    """One case: a sentence saying what must hold, an applicant, a date, and what is expected."""

    model_config = _CASE
    name: str = Field(min_length=1, description="A sentence saying what must hold.")
    as_of: date
    applicant: dict[str, Any] = Field(description="A profile, in any spelling a profile accepts.")
    expected: Expected


@dataclass(frozen=True)
class LoadedCase:
    """A case as read from its file: where it is (file, line, position in a list) and where its fields are."""

    case: Case
    path: Path
    line: int
    index: int | None  # the position in a file that holds a list of cases; None for a file of one case
    lines: dict[LinePath, int] = field(repr=False, compare=False)  # the line of every value of the file
    at: LinePath = ()  # the case's own path in the file: () or (index,)

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"

    def line_of(self, *path: str | int) -> int:
        return line_of(self.lines, (*self.at, *path))


@dataclass(frozen=True)
class Difference:
    """One thing the report says otherwise than the case: a benefit, the total, or the near misses.

    `subject` is a benefit id, `total_cash_yuan`, or `near_misses`; `expected` and
    `got` are what the case and the report say (None: not listed).
    """

    subject: str
    expected: ExpectedEntitlement | ExpectedNearMiss | int | tuple[str, ...] | None
    got: ExpectedEntitlement | ExpectedNearMiss | int | tuple[str, ...] | None


@dataclass(frozen=True)
class CaseResult:
    """A case run: its report and every difference from what it expects (none: it passes)."""

    loaded: LoadedCase
    report: Report
    differences: tuple[Difference, ...]

    @property
    def passed(self) -> bool:
        return not self.differences


@dataclass(frozen=True)
class CaseRun:
    """What running case files gave: a result per case that could run, and the problems of those that could not."""

    files: tuple[Path, ...]
    results: tuple[CaseResult, ...]
    problems: tuple[RuleProblem, ...]

    @property
    def failed(self) -> tuple[CaseResult, ...]:
        return tuple(result for result in self.results if not result.passed)

    @property
    def passed(self) -> tuple[CaseResult, ...]:
        return tuple(result for result in self.results if result.passed)


def case_files(paths: Iterable[Path], skip: Iterable[Path] = ()) -> tuple[list[Path], list[RuleProblem]]:
    """The case files named: files as given, directories searched (recursively) for *.yaml and *.yml.

    Files in `skip` (the rule packs under test, when they share a directory with
    their cases) are not cases. A path that does not exist is a problem.
    """
    skipped = {path.resolve() for path in skip}
    files: list[Path] = []
    problems: list[RuleProblem] = []
    for path in paths:
        if path.is_dir():
            found = sorted(item for item in path.rglob("*") if item.suffix in CASE_SUFFIXES and item.is_file())
            files.extend(item for item in found if item.resolve() not in skipped)
        elif path.is_file():
            files.append(path)
        else:
            problems.append(RuleProblem(str(path), 0, "no such case file or directory"))
    return list(dict.fromkeys(files)), problems


def read_case_file(path: Path) -> tuple[list[LoadedCase], list[RuleProblem]]:
    """The cases of one file, and every problem of its structure, each at its line."""
    try:
        data, lines, problems, _ = read_yaml(path)
    except (OSError, UnicodeDecodeError) as error:
        return [], [RuleProblem(str(path), 0, f"cannot read the case file: {error}")]
    if problems:
        return [], problems
    if isinstance(data, dict):
        entries: list[tuple[Any, LinePath, int | None]] = [(data, (), None)]
    elif isinstance(data, list) and data:
        entries = [(item, (index,), index) for index, item in enumerate(data)]
    else:
        shape = "an empty file" if data is None else f"{type(data).__name__} {data!r}"[:80]
        message = (
            f"a case file holds a case (a mapping: name, as_of, applicant, expected) or a list of cases; got {shape}"
        )
        return [], [RuleProblem(str(path), 1, message)]
    cases: list[LoadedCase] = []
    for entry, at, index in entries:
        line = line_of(lines, at)
        if not isinstance(entry, dict):
            message = f"{_dotted(at) or 'case'}: a case is a mapping with name, as_of, applicant, expected"
            problems.append(RuleProblem(str(path), line, message))
            continue
        try:
            case = Case.model_validate(entry)
        except ValidationError as error:
            for detail in error.errors(include_url=False):
                where = (*at, *detail["loc"])
                problems.append(RuleProblem(str(path), line_of(lines, where), _case_message(where, detail)))
            continue
        loaded = LoadedCase(case, path, line, index, lines, at)
        problems.extend(_duplicate_benefits(loaded))
        cases.append(loaded)
    return cases, problems


def run_case(calculator: Calculator, loaded: LoadedCase) -> CaseResult:
    """Evaluate the case's applicant at its date; the differences between the report and what it expects.

    An applicant that does not validate raises InputError (see `applicant_problems`).
    """
    case = loaded.case
    report = calculator.evaluate(case.applicant, as_of=case.as_of)
    return CaseResult(loaded, report, tuple(differences(case.expected, report)))


def applicant_problems(loaded: LoadedCase, error: InputError) -> list[RuleProblem]:
    """An applicant's problems at the lines of its fields (Chinese keys too), as file:line: applicant.field: ..."""
    raw_keys = {spelling.fact_key(key) or str(key): key for key in loaded.case.applicant}
    problems = []
    for problem in error.problems:
        head, _, rest = problem.field.partition(".")
        path: list[str | int] = ["applicant", raw_keys.get(head, head)]
        path.extend(int(part) if part.isdigit() else part for part in rest.split(".") if rest)
        text = f"applicant.{problem}"
        problems.append(RuleProblem(str(loaded.path), loaded.line_of(*path), text))
    return problems


def run_cases(calculator: Calculator, paths: Iterable[Path]) -> CaseRun:
    """Find (`case_files`), read and run every case under `paths` against the calculator's packs.

    The packs' own files are not taken for cases; a file's problems do not stop the others.
    """
    files, problems = case_files(paths, skip=[item.path for item in calculator.catalogue.loaded])
    return run_case_files(calculator, files, problems)


def run_case_files(calculator: Calculator, files: Sequence[Path], problems: Iterable[RuleProblem] = ()) -> CaseRun:
    """Read and run every case of `files`; a file's problems do not stop the others."""
    results: list[CaseResult] = []
    problems = list(problems)
    for path in files:
        cases, found = read_case_file(path)
        problems.extend(found)
        for loaded in cases:
            try:
                results.append(run_case(calculator, loaded))
            except InputError as error:
                problems.extend(applicant_problems(loaded, error))
    return CaseRun(tuple(files), tuple(results), tuple(problems))


def differences(expected: Expected, report: Report) -> list[Difference]:
    """Every way `report` differs from `expected`: per benefit (in the report's order, then the case's), total, near misses."""
    got = {item.benefit_id: observed(item) for item in report.entitlements}
    wanted = {item.benefit_id: item for item in expected.entitlements}
    found: list[Difference] = []
    for benefit_id in dict.fromkeys((*got, *wanted)):
        if got.get(benefit_id) != wanted.get(benefit_id):
            found.append(Difference(benefit_id, wanted.get(benefit_id), got.get(benefit_id)))
    if report.total_cash_yuan != expected.total_cash_yuan:
        found.append(Difference("total_cash_yuan", expected.total_cash_yuan, report.total_cash_yuan))
    if expected.near_misses is not None:
        found.extend(_near_miss_differences(expected.near_misses, report))
    return found


def observed(item: Any) -> ExpectedEntitlement:
    """A report's entitlement in the terms a case states it."""
    return ExpectedEntitlement(
        benefit_id=item.benefit_id,
        status=item.status,
        amount_yuan=item.amount_yuan,
        superseded_by=item.superseded_by,
        missing_facts=tuple(item.missing_facts),
    )


def observed_near_miss(item: Any) -> ExpectedNearMiss:
    """A report's near miss in the terms a case states it."""
    return ExpectedNearMiss(
        benefit_id=item.benefit_id,
        failing_field=item.failing_condition.field or item.failing_condition.kind,
        status_if_satisfied=item.status_if_satisfied,
        missing_facts=tuple(item.missing_facts),
        eligible_from=item.eligible_from,
    )


def _near_miss_differences(expected: Sequence[ExpectedNearMiss], report: Report) -> list[Difference]:
    got_list = [observed_near_miss(item) for item in report.near_misses]
    got = {item.benefit_id: item for item in got_list}
    wanted = {item.benefit_id: item for item in expected}
    found = [
        Difference(benefit_id, wanted.get(benefit_id), got.get(benefit_id))
        for benefit_id in dict.fromkeys((*got, *wanted))
        if got.get(benefit_id) != wanted.get(benefit_id)
    ]
    if not found and got_list != list(expected):  # the same near misses in another order
        order_expected = tuple(item.benefit_id for item in expected)
        found.append(Difference("near_misses", order_expected, tuple(item.benefit_id for item in got_list)))
    return found


def _duplicate_benefits(loaded: LoadedCase) -> list[RuleProblem]:
    problems = []
    for key in ("entitlements", "near_misses"):
        seen: set[str] = set()
        for index, item in enumerate(getattr(loaded.case.expected, key) or ()):
            if item.benefit_id in seen:
                line = loaded.line_of("expected", key, index, "benefit_id")
                message = f"expected.{key}.{index}.benefit_id: {item.benefit_id!r}: listed twice; list a benefit once"
                problems.append(RuleProblem(str(loaded.path), line, message))
            seen.add(item.benefit_id)
    return problems


def _dotted(path: Iterable[Any]) -> str:
    return ".".join(str(part) for part in path)


def _case_message(where: tuple[Any, ...], detail: Any) -> str:
    """One schema problem for a person: the field, the value given, what is allowed."""
    field = _dotted(where) or "case"
    kind = detail["type"]
    if kind == "extra_forbidden":
        allowed = _allowed_keys(where[:-1])
        return f"{field}: unknown field; allowed: {allowed}"
    if kind == "missing":
        return f"{field}: required"
    return f"{field}: {detail.get('input')!r}: {detail['msg']}"


def _allowed_keys(parent: tuple[Any, ...]) -> str:
    named = [part for part in parent if isinstance(part, str)]
    model: type[BaseModel] = Case
    if named[-1:] == ["expected"]:
        model = Expected
    elif named[-1:] == ["entitlements"]:
        model = ExpectedEntitlement
    elif named[-1:] == ["near_misses"]:
        model = ExpectedNearMiss
    return ", ".join(model.model_fields)
