"""What near misses and explanations cost per evaluation, measured (never asserted).

Evaluates the applicants of every case in cases/ (cycled to --profiles) with the
default calculator three ways and prints the median per-profile time of each:
`evaluate(near_misses=False)` (the calculator before issue 4), `evaluate` as
shipped (near misses, the default), and `evaluate(explain=True)`.

    python benchmarks/explain.py [--profiles 2000] [--repeats 5]
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from eligibility.evaluation.calculator import Calculator
from eligibility.facts.profile import ApplicantProfile, parse_profile

CASES = Path(__file__).resolve().parent.parent / "cases"


def case_profiles() -> list[tuple[ApplicantProfile, date]]:
    found = []
    for path in sorted(CASES.rglob("*.yaml")):
        case = yaml.safe_load(path.read_text(encoding="utf-8"))
        found.append((parse_profile(case["applicant"]), date.fromisoformat(str(case["as_of"]))))
    return found


def per_profile_microseconds(run: Any, profiles: list[tuple[ApplicantProfile, date]], repeats: int) -> float:
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        for profile, as_of in profiles:
            run(profile, as_of)
        timings.append((time.perf_counter() - start) / len(profiles) * 1e6)
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--profiles", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=5)
    arguments = parser.parse_args()
    calculator = Calculator.default()
    base = case_profiles()
    profiles = (base * (arguments.profiles // len(base) + 1))[: arguments.profiles]
    for profile, as_of in base:  # warm: engines compiled, caches filled
        calculator.evaluate(profile, as_of=as_of, explain=True)

    without = per_profile_microseconds(
        lambda p, d: calculator.evaluate(p, as_of=d, near_misses=False), profiles, arguments.repeats
    )
    with_near = per_profile_microseconds(lambda p, d: calculator.evaluate(p, as_of=d), profiles, arguments.repeats)
    explained = per_profile_microseconds(
        lambda p, d: calculator.evaluate(p, as_of=d, explain=True), profiles, arguments.repeats
    )
    print(f"{len(profiles)} profiles ({len(base)} distinct case applicants), median of {arguments.repeats} runs")
    print(f"evaluate(near_misses=False):      {without:8.1f} µs/profile")
    print(f"evaluate, near misses (shipped):  {with_near:8.1f} µs/profile  (+{with_near - without:.1f})")
    print(f"evaluate(explain=True):           {explained:8.1f} µs/profile  (+{explained - without:.1f})")


if __name__ == "__main__":
    main()
