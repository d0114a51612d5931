"""One applicant in-process: `Calculator.evaluate` against durable-rules alone on the same rules.

The anchor is what the decision engine itself costs: the Aksu housing rules
(the five tiers, `aksu.housing.*`) compiled into one durable ruleset, one rule
each (the "certain" reading of the same normalised conditions), and per
applicant its facts, already derived and encoded, dumped to JSON, asserted,
every action taken, and retracted, by durable's C engine driven directly (the
least durable can be asked to do), and through durable's own Python API
(`durable.engine.Host`: JSON by the standard library, an action called per fired
rule), as a program using durable alone would. Against them, in the same run, interleaved:
`Calculator.evaluate` on a calculator holding only those rules, from the profile
as a caller sends it (a mapping) to the finished report, near misses included
(the default), and without near misses. The profiles are the Aksu case
applicants (cases/aksu), cycled. The whole Aksu pack is timed too, for scale.
The anchor's fact is JSON from pydantic-core's serialiser, the fastest at hand.

Prints medians of interleaved rounds and the ratios; asserts nothing.

    python benchmarks/evaluate.py [--rounds 15] [--profiles 2000]
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
import statistics
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import durable_rules_engine as native
import yaml
from pydantic_core import to_json

from eligibility.conditions.durable import compile_node, encode_facts
from eligibility.evaluation.calculator import Calculator
from eligibility.facts.derive import applicant_facts
from eligibility.facts.profile import parse_profile
from eligibility.packs.catalogue import Catalogue
from eligibility.packs.loader import LoadedPack

CASES = Path(__file__).resolve().parent.parent / "cases" / "aksu"


def aksu_cases() -> list[tuple[dict[str, Any], date]]:
    found = []
    for path in sorted(CASES.rglob("*.yaml")):
        case = yaml.safe_load(path.read_text(encoding="utf-8"))
        found.append((case["applicant"], date.fromisoformat(str(case["as_of"]))))
    return found


def housing_only(full: Catalogue) -> LoadedPack:
    loaded = full.loaded_pack("aksu")
    assert loaded is not None
    kept = [index for index, rule in enumerate(loaded.pack.rules) if rule.id.startswith("aksu.housing.")]
    pack = loaded.pack.model_copy(update={"rules": [loaded.pack.rules[index] for index in kept]})
    return LoadedPack(pack, loaded.path, loaded.digest, tuple(loaded.conditions[index] for index in kept))


class DurableAlone:
    """The housing rules as one durable ruleset, one rule each; a fact asserted, its actions taken, retracted."""

    def __init__(self, loaded: LoadedPack) -> None:
        rules = {
            f"r{index}": {"all": [{"m": compile_node(condition, certain=True)}]}
            for index, condition in enumerate(loaded.conditions)
        }
        self.handle = native.create_ruleset(f"durable_alone_{os.getpid()}", json.dumps(rules))
        self.ids = 0

    def decide(self, fact: dict[str, Any]) -> list[str]:
        self.ids += 1
        text = to_json({**fact, "id": self.ids}).decode()  # the fastest JSON at hand
        code, state = native.assert_fact(self.handle, text)[:2]
        fired: list[str] = []
        if code != 1:  # 1: matched no rule
            message = native.start_action_for_state(self.handle, 0 if code == 3 else state)
            message = message[1] if message else None
            while message:
                fired.append(message[2 : message.index('"', 2)])
                message = native.complete_and_start_action(self.handle, 0 if code == 3 else state)
        native.retract_fact(self.handle, text)
        return fired


class DurableHost:
    """The same ruleset through durable-rules' own Python API (`durable.engine.Host`): how a program
    using durable alone asserts a fact, has each fired rule's action called, and retracts it."""

    def __init__(self, loaded: LoadedPack) -> None:
        from durable.engine import Host, MessageNotHandledException

        self.fired: list[str] = []
        self.not_handled = MessageNotHandledException
        rules = {
            f"r{index}": {"all": [{"m": compile_node(condition, certain=True)}], "run": self._action(f"r{index}")}
            for index, condition in enumerate(loaded.conditions)
        }
        self.name = f"durable_host_{os.getpid()}"
        self.host = Host({self.name: rules})
        self.ids = 0

    def _action(self, name: str) -> Callable[[Any], None]:
        return lambda context: self.fired.append(name)

    def decide(self, fact: dict[str, Any]) -> list[str]:
        self.ids += 1
        self.fired = []
        fact = {**fact, "id": self.ids}
        try:
            self.host.assert_fact(self.name, fact)
        except self.not_handled:
            return []
        self.host.retract_fact(self.name, fact)
        return self.fired


def durable_fact(calculator: Calculator, facts: dict[str, Any]) -> dict[str, Any]:
    """The facts as the calculator's engine encodes them for durable (known flags, values, membership flags)."""
    engine: Any = calculator._region("aksu").engine
    if hasattr(engine, "_fields"):
        return encode_facts(facts, engine._fields, engine._memberships)
    return encode_facts(facts, engine._memberships)  # type: ignore[call-arg]  # the code before issue 15


def per_call_microseconds(run: Callable[[Any], object], inputs: list[Any]) -> float:
    start = time.perf_counter()
    for item in inputs:
        run(item)
    return (time.perf_counter() - start) / len(inputs) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15, help="interleaved rounds (medians are printed)")
    parser.add_argument("--profiles", type=int, default=2000, help="evaluations per round and way")
    arguments = parser.parse_args()

    full = Catalogue.from_directory()
    housing = housing_only(full)
    calculator = Calculator(Catalogue([housing]))
    whole = Calculator(full)
    durable = DurableAlone(housing)
    host = DurableHost(housing)

    base = aksu_cases()
    cycled = (base * (arguments.profiles // len(base) + 1))[: arguments.profiles]
    facts = [durable_fact(calculator, applicant_facts(parse_profile(profile), as_of)) for profile, as_of in cycled]
    for profile, as_of in base:  # warm: engines compiled, caches filled
        calculator.evaluate(profile, as_of=as_of)
        whole.evaluate(profile, as_of=as_of)

    ways: dict[str, Callable[[], float]] = {
        "durable alone, housing rules": lambda: per_call_microseconds(durable.decide, facts),
        "durable's Python API, housing rules": lambda: per_call_microseconds(host.decide, facts),
        "evaluate, housing rules": lambda: per_call_microseconds(
            lambda case: calculator.evaluate(case[0], as_of=case[1]), cycled
        ),
        "evaluate, housing, no near misses": lambda: per_call_microseconds(
            lambda case: calculator.evaluate(case[0], as_of=case[1], near_misses=False), cycled
        ),
        "evaluate, whole Aksu pack": lambda: per_call_microseconds(
            lambda case: whole.evaluate(case[0], as_of=case[1]), cycled
        ),
    }
    if "near_misses" not in inspect.signature(Calculator.evaluate).parameters:  # older code: no such flag
        del ways["evaluate, housing, no near misses"]
    timings: dict[str, list[float]] = {name: [] for name in ways}
    ratios: dict[str, list[float]] = {name: [] for name in ways}
    api_ratios: dict[str, list[float]] = {name: [] for name in ways}
    for _ in range(arguments.rounds):
        round_times = {name: way() for name, way in ways.items()}
        for name, value in round_times.items():
            timings[name].append(value)
            ratios[name].append(value / round_times["durable alone, housing rules"])
            api_ratios[name].append(value / round_times["durable's Python API, housing rules"])

    load = os.getloadavg()[0]
    print(f"{len(base)} Aksu case applicants cycled to {len(cycled)}; {arguments.rounds} interleaved rounds, medians")
    print(f"load average (1 min) at the end: {load:.2f}")
    for name in ways:
        median = statistics.median(timings[name])
        ratio = statistics.median(ratios[name])
        api_ratio = statistics.median(api_ratios[name])
        print(f"{name:<36} {median:8.1f} µs/applicant  {ratio:6.2f}x durable alone  {api_ratio:5.2f}x durable's API")
    print("goal: evaluate (housing rules) <= 2x durable alone")


if __name__ == "__main__":
    main()
