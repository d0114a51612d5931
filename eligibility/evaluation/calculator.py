"""The calculator: rule packs loaded once, any number of applicants evaluated.

`Calculator.evaluate` asks the durable-rules engine which rules of the
applicant's region hold, then applies the outcome policy (evaluation/outcome.py):
statuses at the as-of date, amounts, exclusivity, the total; then the near
misses, and the explanation when asked for. Everything compiled from the packs
(engines, rule plans) belongs to the calculator and goes with it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from eligibility.conditions.durable import DurableEngine
from eligibility.conditions.form import Memo, Node, Truth
from eligibility.errors import InputError, Problem
from eligibility.evaluation.explanation import explain as explain_report
from eligibility.evaluation.near_misses import RegionNearMisses
from eligibility.evaluation.outcome import (
    Amount,
    fixed_amount,
    granted_cash,
    resolve_exclusivity,
    rule_amount,
    status,
)
from eligibility.evaluation.report import Entitlement, Report, SourceRef
from eligibility.facts.consistency import contradictions
from eligibility.facts.derive import Facts, applicant_facts
from eligibility.facts.profile import ApplicantProfile, Award, parse_profile
from eligibility.facts.spelling import Misspelt, as_date
from eligibility.packs.catalogue import Catalogue
from eligibility.packs.loader import LoadedPack
from eligibility.packs.schema import Rule


def evaluation_date(as_of: date | str | None) -> date:
    """The as-of date: today when not given; a date or a text in any date spelling profiles accept."""
    if as_of is None:
        return date.today()
    try:
        return as_date(as_of)
    except Misspelt as error:
        raise InputError([Problem("as_of", str(error), as_of, error.zh)]) from None


class Calculator:
    """Evaluates applicant profiles against loaded rule packs. Thread-safe."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        self._regions: dict[str, _CompiledRegion] = {}
        self._lock = threading.Lock()

    @classmethod
    def default(cls) -> Calculator:
        """The rule packs shipped with the package."""
        return cls(Catalogue.from_directory())

    @classmethod
    def from_directory(cls, directory: Path | str) -> Calculator:
        """The rule packs of another directory (e.g. a region's draft rules)."""
        return cls(Catalogue.from_directory(directory))

    @property
    def rules_version(self) -> str:
        return self.catalogue.rules_version

    def prepare(self) -> None:
        """Compile every region now rather than on its first applicant (a service does so at start-up)."""
        for region in self.catalogue.regions:
            self._region(region)

    def parse(self, profile: ApplicantProfile | Mapping[str, Any], prefix: str = "") -> ApplicantProfile:
        """A profile validated as this calculator reads it; InputError with every problem (fields after `prefix`).

        Programme codes and regions are those of the vocabulary and the loaded packs:
        a name or an alias becomes its code, an unknown code is a problem (also in a
        profile validated elsewhere).
        """
        catalogue = self.catalogue
        if not isinstance(profile, ApplicantProfile):
            if not isinstance(profile, Mapping):
                raise InputError([Problem(prefix.rstrip(".") or "profile", "a profile is a mapping of keys to values")])
            return parse_profile(profile, catalogue.registries, prefix=prefix)
        problems: list[Problem] = []
        try:
            catalogue.region_codes.resolve(profile.region)
        except Misspelt as error:
            problems.append(Problem(f"{prefix}region", str(error), profile.region, error.zh))
        codes: list[str] = []
        for index, code in enumerate(profile.programmes or ()):
            try:
                codes.append(catalogue.programmes.resolve(code))
            except Misspelt as error:
                problems.append(Problem(f"{prefix}programmes.{index}", str(error), code, error.zh))
        if problems:
            raise InputError(problems)
        if profile.programmes is None or tuple(codes) == profile.programmes:
            return profile
        return profile.model_copy(update={"programmes": tuple(codes)})

    def evaluate(
        self,
        profile: ApplicantProfile | Mapping[str, Any],
        as_of: date | str | None = None,
        *,
        explain: bool = False,
        near_misses: bool = True,
    ) -> Report:
        """The report of one applicant at `as_of` (default: today), with its near misses.

        `explain=True` adds every condition of every rule of the region, evaluated (`Report.explanation`).
        `near_misses=False` leaves `near_misses` empty without looking for them: for a caller that
        does not show them (they are about half the time of an evaluation); nothing else changes.
        """
        profile = self.parse(profile)
        as_of = evaluation_date(as_of)
        contradicting = contradictions(profile, as_of)
        if contradicting:
            raise InputError(contradicting)
        region = self._region(profile.region)
        facts = applicant_facts(profile, as_of)
        truths = region.engine.evaluate(facts)
        memo: Memo = {}  # each definition worked out once for this applicant, however many rules use it
        listed: list[tuple[_RulePlan, dict[str, Any]]] = []
        amounts: list[int | None] = []
        for plan, holds in zip(region.plans, truths, strict=True):
            amount = plan.amount(profile.awards)
            amounts.append(amount.yuan)
            fields = plan.entitlement_fields(holds, amount, facts, as_of, memo)
            if fields is not None:
                listed.append((plan, fields))
        entitlements = resolve_exclusivity([fields for _, fields in listed])
        total, not_summed = granted_cash(entitlements)
        # Validated once, as a whole: one pydantic call instead of one per entitlement.
        report = Report.model_validate(
            {
                "applicant_id": profile.id,
                "region": profile.region,
                "zone": profile.zone,
                "as_of": as_of,
                "rules_version": self.rules_version,
                "entitlements": [plan.entitlement(fields) for plan, fields in listed],
                "total_cash_yuan": total,
                "cash_not_summed": not_summed,
                "near_misses": region.near_misses.find(
                    truths, amounts, facts, profile.service_start_date, as_of, entitlements
                )
                if near_misses
                else (),
            }
        )
        if explain:
            explanation = explain_report(region.loaded, facts, as_of, report.entitlements)
            report = report.model_copy(update={"explanation": explanation})
        return report

    def evaluate_many(
        self,
        profiles: Iterable[ApplicantProfile | Mapping[str, Any]],
        as_of: date | str | None = None,
        *,
        near_misses: bool = True,
    ) -> list[Report]:
        """The reports of many applicants at one date (default: today), in input order.

        Every profile is validated before any is evaluated; an InputError lists
        the problems of all of them, each field prefixed by the profile's index
        (`3.degree`). Evaluation is the one-applicant engine in a loop: typed
        reports need a model per applicant anyway (the columnar evaluator of
        `eligibility batch` is for files).
        """
        as_of = evaluation_date(as_of)
        parsed: list[ApplicantProfile] = []
        problems: list[Problem] = []
        for index, profile in enumerate(profiles):
            try:
                parsed.append(self.parse(profile, prefix=f"{index}."))
            except InputError as error:
                problems.extend(error.problems)
            else:
                problems.extend(contradictions(parsed[-1], as_of, prefix=f"{index}."))
        if problems:
            raise InputError(problems)
        return [self.evaluate(profile, as_of=as_of, near_misses=near_misses) for profile in parsed]

    def _region(self, region: str) -> _CompiledRegion:
        """The compiled rules of one region, built on first use."""
        compiled = self._regions.get(region)
        if compiled is None:
            with self._lock:
                compiled = self._regions.get(region)
                if compiled is None:
                    compiled = self._regions[region] = _CompiledRegion.of(self.catalogue.loaded_pack(region))
        return compiled


@dataclass(frozen=True)
class _CompiledRegion:
    """One region's pack compiled: its durable engine, a plan per rule (pack order) and the near-miss search."""

    loaded: LoadedPack | None
    engine: DurableEngine
    plans: tuple[_RulePlan, ...]
    near_misses: RegionNearMisses

    @classmethod
    def of(cls, loaded: LoadedPack | None) -> _CompiledRegion:
        if loaded is None:  # a region without a pack: nothing applies
            return cls(None, DurableEngine(()), (), RegionNearMisses.of((), ()))
        plans = tuple(
            _RulePlan(loaded.pack.region, rule, condition)
            for rule, condition in zip(loaded.pack.rules, loaded.conditions, strict=True)
        )
        searches = RegionNearMisses.of(loaded.pack.rules, loaded.conditions)
        return cls(loaded, DurableEngine(loaded.conditions), plans, searches)


class _RulePlan:
    """What an evaluation needs of one rule, worked out once rather than per applicant.

    The Entitlement fields that do not depend on the applicant, the condition (for
    the missing facts of an undecided rule), and one immutable Entitlement per
    outcome, shared by every report with that outcome.
    """

    __slots__ = ("_shared", "condition", "known_amount", "rule", "template")

    def __init__(self, region: str, rule: Rule, condition: Node) -> None:
        self.rule = rule
        self.condition = condition
        self.known_amount = fixed_amount(rule)  # None: matching funds, which depend on the awards
        amount = self.known_amount
        self.template: dict[str, Any] = {
            "benefit_id": rule.id,
            "region": region,
            "name": rule.name,
            "kind": rule.kind,
            "applicant": rule.applicant,
            "amount_yuan": amount.yuan if amount else None,
            "amount_note": amount.note if amount else None,
            "amount_note_zh": amount.note_zh if amount else None,
            "amount_state": amount.state.value if amount else None,
            "frequency": rule.frequency,
            "exclusivity_group": rule.exclusivity_group,
            "source": SourceRef(document=rule.source.document, quote=rule.source.quote),
            "assumptions": tuple(assumption.en for assumption in rule.assumptions),
            "assumptions_zh": tuple(assumption.zh for assumption in rule.assumptions),
        }
        self._shared: dict[tuple[str, tuple[str, ...], str | None], Entitlement] = {}

    def amount(self, awards: Sequence[Award] | None) -> Amount:
        return self.known_amount if self.known_amount is not None else rule_amount(self.rule, awards)

    def entitlement_fields(
        self, holds: Truth, amount: Amount, facts: Facts, as_of: date, memo: Memo
    ) -> dict[str, Any] | None:
        """What the rule means for the applicant, as fields of an Entitlement; None when it does not apply.

        Those that exclusivity, the total and the near misses read, and the outcome;
        all of them only for matching funds (validated with the report): the others'
        Entitlement is shared (`entitlement`).
        """
        outcome = status(self.rule, holds, as_of)
        if outcome is None:
            return None
        missing = self.condition.outcome(facts, memo)[1] if outcome == "needs_info" else ()
        if self.known_amount is None:
            fields = {**self.template, "status": outcome, "missing_facts": missing}
            fields["amount_yuan"], fields["amount_note"], fields["amount_note_zh"], fields["amount_state"] = (
                amount.yuan,
                amount.note,
                amount.note_zh,
                amount.state.value,
            )
            return fields
        template = self.template
        return {
            "benefit_id": template["benefit_id"],
            "kind": template["kind"],
            "amount_yuan": template["amount_yuan"],
            "exclusivity_group": template["exclusivity_group"],
            "status": outcome,
            "missing_facts": missing,
        }

    def entitlement(self, fields: dict[str, Any]) -> Entitlement | dict[str, Any]:
        """The shared Entitlement of this outcome (after exclusivity), or the fields for matching funds.

        Unless its amount is matching funds, a rule's Entitlement is fixed by its outcome
        (status, missing facts, superseded by), whoever the applicant: a few outcomes per
        rule however many applicants. Matching funds depend on the awards: those fields
        are validated with the report.
        """
        if self.known_amount is None:
            return fields
        outcome = (fields["status"], fields["missing_facts"], fields.get("superseded_by"))
        entitlement = self._shared.get(outcome)
        if entitlement is None:  # two threads may both validate it: equal models, either is kept
            entitlement = self._shared[outcome] = Entitlement.model_validate({**self.template, **fields})
        return entitlement
