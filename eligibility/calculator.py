"""The calculator: rule packs loaded once, any number of applicants evaluated.

`Calculator.evaluate` asks the durable-rules engine which rules of the
applicant's region hold, then applies what the packs say around the rules:
effective dates, proposed status, amounts, and exclusivity groups (one benefit
of a group, the highest amount: 就高不重复).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from eligibility.catalogue import Catalogue
from eligibility.compiled_conditions import Memo, rule_check
from eligibility.engine import CompiledRule, DurableEngine
from eligibility.errors import InputError, Problem
from eligibility.explain import explain as explain_report
from eligibility.explain import near_misses
from eligibility.logic import Truth, applicant_facts
from eligibility.profile import ApplicantProfile, parse_profile, problems_from_validation
from eligibility.report import Entitlement, Report, SourceRef
from eligibility.rulepack import Definition, FixedAmount, MatchingAmount, Rule, UnpublishedAmount

AMOUNT_NOT_PUBLISHED = "amount not published"


class Calculator:
    """Evaluates applicant profiles against loaded rule packs. Thread-safe."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        self._engines: dict[str, DurableEngine] = {}
        self._rule_plans: dict[str, tuple[_RulePlan, ...]] = {}
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

    def engine(self, region: str) -> DurableEngine:
        """The compiled engine of one region, built on first use."""
        with self._lock:
            if region not in self._engines:
                pack = self.catalogue.pack(region)
                rules = pack.rules if pack else ()
                definitions = pack.definitions if pack else {}
                self._engines[region] = DurableEngine([CompiledRule(rule, definitions) for rule in rules])
            return self._engines[region]

    def _plans(self, region: str) -> tuple[_RulePlan, ...]:
        """Each rule of a region's pack, planned once (in pack order, as the engine answers)."""
        plans = self._rule_plans.get(region)
        if plans is None:
            pack = self.catalogue.pack(region)
            plans = tuple(_RulePlan(pack.region, rule, pack.definitions) for rule in pack.rules) if pack else ()
            self._rule_plans[region] = plans  # built twice at worst by two threads: equal plans
        return plans

    def evaluate(
        self, profile: ApplicantProfile | Mapping[str, Any], as_of: date | None = None, *, explain: bool = False
    ) -> Report:
        """The report of one applicant at `as_of` (default: today), with its near misses.

        `explain=True` adds every condition of every rule of the region, evaluated (`Report.explanation`).
        """
        if not isinstance(profile, ApplicantProfile):
            profile = parse_profile(profile)
        as_of = as_of or date.today()
        pack = self.catalogue.pack(profile.region)
        facts = applicant_facts(profile, as_of)
        truths = self.engine(profile.region).evaluate(facts)
        listed: list[tuple[_RulePlan, dict[str, Any]]] = []
        memo: Memo = {}  # each definition worked out once for this applicant, however many rules use it
        for plan, holds in zip(self._plans(profile.region), truths, strict=True):
            fields = plan.entitlement_fields(holds, profile, facts, as_of, memo)
            if fields is not None:
                listed.append((plan, fields))
        entitlements = resolve_exclusivity([fields for _, fields in listed])
        granted_cash = [item for item in entitlements if item["status"] == "granted" and item["kind"] == "cash"]
        # Validated once, as a whole: one pydantic call instead of one per entitlement.
        report = Report.model_validate(
            {
                "applicant_id": profile.id,
                "region": profile.region,
                "zone": profile.zone,
                "as_of": as_of,
                "rules_version": self.rules_version,
                "entitlements": [plan.entitlement(fields) for plan, fields in listed],
                "total_cash_yuan": sum(item["amount_yuan"] for item in granted_cash if item["amount_yuan"] is not None),
                "cash_not_summed": tuple(item["benefit_id"] for item in granted_cash if item["amount_yuan"] is None),
                "near_misses": near_misses(
                    pack, profile, facts, as_of, entitlements, lambda rule: rule_amount(rule, profile)[0], truths
                ),
            }
        )
        if explain:
            explanation = explain_report(pack, facts, as_of, report.entitlements)
            report = report.model_copy(update={"explanation": explanation})
        return report

    def evaluate_many(
        self, profiles: Iterable[ApplicantProfile | Mapping[str, Any]], as_of: date | None = None
    ) -> list[Report]:
        """The reports of many applicants at one date (default: today), in input order.

        Every profile is validated before any is evaluated; an InputError lists
        the problems of all of them, each field prefixed by the profile's index
        (`3.degree`). Evaluation is the one-applicant engine in a loop: typed
        reports need a model per applicant anyway (the columnar evaluator of
        `eligibility batch` is for files).
        """
        as_of = as_of or date.today()
        parsed: list[ApplicantProfile] = []
        problems: list[Problem] = []
        for index, profile in enumerate(profiles):
            if isinstance(profile, ApplicantProfile):
                parsed.append(profile)
                continue
            try:
                parsed.append(ApplicantProfile.model_validate(profile))
            except ValidationError as error:
                problems.extend(problems_from_validation(error, prefix=f"{index}."))
        if problems:
            raise InputError(problems)
        return [self.evaluate(profile, as_of=as_of) for profile in parsed]


class _RulePlan:
    """What an evaluation needs of one rule, worked out once per pack rather than per applicant.

    The Entitlement fields that do not depend on the applicant, the compiled condition
    (for the missing facts of an undecided rule), and one immutable Entitlement per
    outcome, shared by every report with that outcome.
    """

    __slots__ = ("_shared", "check", "matching", "rule", "template")

    def __init__(self, region: str, rule: Rule, definitions: Mapping[str, Definition]) -> None:
        self.rule = rule
        self.check = rule_check(rule, definitions)
        # Matching funds are the only amount that depends on the applicant (their awards).
        self.matching = rule.amount if isinstance(rule.amount, MatchingAmount) else None
        amount, note = (None, None) if self.matching else rule_amount(rule, None)
        self.template: dict[str, Any] = {
            "benefit_id": rule.id,
            "region": region,
            "name": rule.name,
            "kind": rule.kind,
            "applicant": rule.applicant,
            "amount_yuan": amount,
            "amount_note": note,
            "frequency": rule.frequency,
            "exclusivity_group": rule.exclusivity_group,
            "source": SourceRef(document=rule.source.document, quote=rule.source.quote),
            "assumptions": tuple(assumption.en for assumption in rule.assumptions),
            "assumptions_zh": tuple(assumption.zh for assumption in rule.assumptions),
        }
        self._shared: dict[tuple[str, tuple[str, ...], str | None], Entitlement] = {}

    def entitlement_fields(
        self, holds: Truth, profile: ApplicantProfile, facts: dict[str, Any], as_of: date, memo: Memo
    ) -> dict[str, Any] | None:
        """What the rule means for the applicant, as the fields of an Entitlement; None when it does not apply."""
        rule = self.rule
        if holds is False or not rule.effective.covers(as_of):
            return None
        if holds is None:
            if rule.status == "proposed":
                return None  # a planned benefit is listed only to those who would meet it
            status = "needs_info"
            missing = self.check(facts, memo)[1]
        else:
            status = "proposed" if rule.status == "proposed" else "granted"
            missing = ()
        fields = {**self.template, "status": status, "missing_facts": missing}
        if self.matching is not None:
            fields["amount_yuan"], fields["amount_note"] = matching_amount(self.matching, profile)
        return fields

    def entitlement(self, fields: dict[str, Any]) -> Entitlement | dict[str, Any]:
        """The shared Entitlement of this outcome (after exclusivity), or the fields for matching funds.

        Unless its amount is matching funds, a rule's Entitlement is fixed by its outcome
        (status, missing facts, superseded by), whoever the applicant: a few outcomes per
        rule however many applicants (missing facts are a subset of the rule's facts, in
        rule order). Validating it anew on every evaluation was a fifth of an evaluation.
        Matching funds depend on the awards: those fields are validated with the report.
        """
        if self.matching is not None:
            return fields
        outcome = (fields["status"], fields["missing_facts"], fields.get("superseded_by"))
        entitlement = self._shared.get(outcome)
        if entitlement is None:  # two threads may both validate it: equal models, either is kept
            entitlement = self._shared[outcome] = Entitlement.model_validate(fields)
        return entitlement


def rule_amount(rule: Rule, profile: ApplicantProfile | None) -> tuple[int | None, str | None]:
    """The amount in yuan (None when unknown) and a note saying why or how.

    Only matching funds depend on the applicant; without a profile they are not asked for.
    """
    amount = rule.amount
    if amount is None:
        return None, None
    if isinstance(amount, FixedAmount):
        return amount.yuan, None
    if isinstance(amount, UnpublishedAmount):
        return None, f"{AMOUNT_NOT_PUBLISHED}: {amount.note}"
    if isinstance(amount, MatchingAmount) and profile is not None:
        return matching_amount(amount, profile)
    raise AssertionError(f"unreachable amount {amount!r}")


def matching_amount(amount: MatchingAmount, profile: ApplicantProfile) -> tuple[int | None, str | None]:
    """Matching funds: the ratio times the amounts of the awards at the matched levels."""
    levels = ", ".join(amount.matching_award_levels)
    if profile.awards is None:
        return None, f"awards unknown: matches {amount.ratio:g}x the awards at levels {levels}"
    matched = [award for award in profile.awards if award.level in amount.matching_award_levels]
    if any(award.amount_yuan is None for award in matched):
        return None, f"an award at levels {levels} has no amount: matching cannot be computed"
    total = sum(award.amount_yuan or 0 for award in matched)
    return round(total * amount.ratio), f"{amount.ratio:g}x the awards at levels {levels}: {total} yuan"


def resolve_exclusivity(entitlements: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One granted benefit per exclusivity group, the highest amount; the rest superseded (in place).

    Ties go to the rule written first in its pack. An unknown amount ranks lowest.
    Works on the entitlements' fields, before they are validated into the report.
    """
    winners: dict[str, dict[str, Any]] = {}
    for item in entitlements:
        group = item["exclusivity_group"]
        if item["status"] != "granted" or group is None:
            continue
        best = winners.get(group)
        if best is None or _rank(item) > _rank(best):
            winners[group] = item
    for item in entitlements:
        winner = winners.get(item["exclusivity_group"] or "")
        if item["status"] == "granted" and winner is not None and winner["benefit_id"] != item["benefit_id"]:
            item["status"], item["superseded_by"] = "superseded", winner["benefit_id"]
    return entitlements


def _rank(item: Mapping[str, Any]) -> int:
    amount: int | None = item["amount_yuan"]
    return -1 if amount is None else amount
