"""The public Python API: a small surface, typed reports, thread-safe, documented by tested examples."""

from __future__ import annotations

import doctest
import random
import re
import subprocess
import sys
import threading
import typing
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel

import eligibility
from eligibility import ApplicantProfile, Calculator, CompactReport, InputError, Report
from eligibility.evaluation.compact import compact_json
from tests.support import CASES, REPO

PUBLIC = {
    "ApplicantProfile",
    "Award",
    "Calculator",
    "ConditionExplanation",
    "EligibilityError",
    "Entitlement",
    "Explanation",
    "InputError",
    "Names",
    "NearMiss",
    "NearMissWay",
    "Problem",
    "Report",
    "RuleExplanation",
    "RulePackError",
    "CompactReport",
    "SourceRef",
    "UnknownRuleError",
    "score_roster",
}
AS_OF = date(2025, 6, 1)


def case_profiles() -> list[dict[str, Any]]:
    return [yaml.safe_load(path.read_text(encoding="utf-8"))["applicant"] for path in sorted(CASES.rglob("*.yaml"))]


def test_the_public_surface_is_exactly_the_documented_names_and_each_imports() -> None:
    assert set(eligibility.__all__) == PUBLIC
    for name in eligibility.__all__:
        value = getattr(eligibility, name)
        assert value.__name__ == name
    with pytest.raises(AttributeError):
        eligibility.DurableEngine  # noqa: B018 - private names are not reachable from the package


def test_every_model_a_report_holds_is_public() -> None:
    seen: set[str] = set()
    pending: list[type[BaseModel]] = [Report]
    while pending:
        model = pending.pop()
        if model.__name__ in seen:
            continue
        seen.add(model.__name__)
        for field in model.model_fields.values():
            for kind in _types_in(field.annotation):
                if isinstance(kind, type) and issubclass(kind, BaseModel):
                    pending.append(kind)
    assert seen <= set(eligibility.__all__), seen - set(eligibility.__all__)


def _types_in(annotation: Any) -> list[Any]:
    arguments = typing.get_args(annotation)
    return [annotation] if not arguments else [kind for argument in arguments for kind in _types_in(argument)]


def test_importing_the_package_loads_neither_the_engine_nor_the_web_stack() -> None:
    code = (
        "import sys, eligibility, eligibility.cli; "
        "print(sorted(m for m in ('durable', 'fastapi', 'uvicorn', 'polars', 'pyspark', 'pyarrow') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_the_package_ships_its_type_information() -> None:
    assert (Path(eligibility.__file__).parent / "py.typed").is_file()


def test_evaluate_many_gives_the_reports_of_evaluate_in_input_order(calculator: Calculator) -> None:
    profiles = case_profiles()
    reports = calculator.evaluate_many(iter(profiles), as_of=AS_OF)
    assert len(reports) == len(profiles) > 20
    assert all(isinstance(report, Report) for report in reports)
    assert reports == [calculator.evaluate(profile, as_of=AS_OF) for profile in profiles]


def test_without_near_misses_a_report_is_the_same_but_for_its_empty_near_misses(calculator: Calculator) -> None:
    reports = [calculator.evaluate(profile, as_of=AS_OF) for profile in case_profiles()]
    assert sum(bool(report.near_misses) for report in reports) > 10  # the comparison below is not empty
    quick = calculator.evaluate_many(case_profiles(), as_of=AS_OF, near_misses=False)
    assert quick == [report.model_copy(update={"near_misses": ()}) for report in reports]


def test_the_compact_view_keeps_ids_statuses_amounts_and_missing_facts_of_the_report(calculator: Calculator) -> None:
    entitlement_keys = ("benefit_id", "status", "amount_yuan", "amount_state", "superseded_by", "missing_facts")
    near_miss_keys = ("benefit_id", "amount_yuan", "satisfied_by", "status_if_satisfied", "missing_facts")
    for profile in case_profiles():
        report = calculator.evaluate(profile, as_of=AS_OF).model_dump(mode="json")
        compact = CompactReport.model_validate_json(CompactReport.of(Report.model_validate(report)).model_dump_json())
        view = compact.model_dump(mode="json")
        assert view["entitlements"] == [{key: item[key] for key in entitlement_keys} for item in report["entitlements"]]
        assert [{key: item[key] for key in near_miss_keys} for item in view["near_misses"]] == [
            {key: item[key] for key in near_miss_keys} for item in report["near_misses"]
        ]
        assert [item["eligible_from"] for item in view["near_misses"]] == [
            item["eligible_from"] for item in report["near_misses"]
        ]
        assert (
            compact_json(Report.model_validate(report))
            == CompactReport.of(Report.model_validate(report)).model_dump_json().encode()
        )
        same = ("applicant_id", "region", "zone", "as_of", "rules_version", "total_cash_yuan", "cash_not_summed")
        assert {key: view[key] for key in same} == {key: report[key] for key in same}


def test_evaluate_many_accepts_validated_profiles_and_defaults_to_today(calculator: Calculator) -> None:
    profile = ApplicantProfile.model_validate({"region": "aksu", "degree": "master"})
    (report,) = calculator.evaluate_many([profile])
    assert report.as_of == date.today()
    assert report == calculator.evaluate(profile)


def test_evaluate_many_reports_every_bad_profile_by_index_and_evaluates_none(calculator: Calculator) -> None:
    profiles = [{"region": "aksu"}, {"region": "mars"}, "not a profile", {"region": "aksu", "学历": "博士后"}]
    with pytest.raises(InputError) as raised:
        calculator.evaluate_many(profiles)  # type: ignore[list-item]
    fields = [problem.field for problem in raised.value.problems]
    assert fields == ["1.region", "2", "3.degree"]
    assert raised.value.problems[2].value == "博士后"


def test_one_calculator_shared_by_many_threads_gives_the_sequential_reports() -> None:
    profiles = case_profiles()
    work = [profiles[index % len(profiles)] for index in range(320)]
    random.Random(6).shuffle(work)
    alone = Calculator.default()
    sequential = [alone.evaluate(profile, as_of=AS_OF) for profile in work]

    shared = Calculator.default()  # fresh: engines are built lazily, under the threads
    start = threading.Barrier(8)

    def evaluate_share(offset: int) -> list[tuple[int, Report]]:
        start.wait()
        return [(index, shared.evaluate(work[index], as_of=AS_OF)) for index in range(offset, len(work), 8)]

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = [pair for share in pool.map(evaluate_share, range(8)) for pair in share]
    concurrent = [report for _, report in sorted(results, key=lambda pair: pair[0])]
    assert concurrent == sequential


def integrator_section() -> str:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    start = text.index("## For integrators")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else len(text)]


def test_the_readme_python_examples_run_and_print_what_they_show() -> None:
    blocks = re.findall(r"```python\n(.*?)```", integrator_section(), flags=re.DOTALL)
    assert len(blocks) >= 2
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    namespace: dict[str, Any] = {}
    for number, block in enumerate(blocks):
        test = parser.get_doctest(block, namespace, f"README integrators block {number}", "README.md", 0)
        assert test.examples, f"block {number} has no >>> examples"
        runner.run(test, clear_globs=False)
        namespace = test.globs  # later blocks continue where this one stopped
    results = runner.summarize(verbose=False)
    assert results.failed == 0, f"{results.failed} README example(s) failed; see the output above"
    assert results.attempted >= 10


def test_the_package_docstring_example_runs() -> None:
    results = doctest.testmod(eligibility, verbose=False)
    assert results.attempted >= 4 and results.failed == 0
