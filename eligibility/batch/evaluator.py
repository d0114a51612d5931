"""The columnar evaluator: each region's rule pack compiled to polars expressions.

It restates, on whole columns, what the durable-rules path does one applicant at
a time (eligibility/logic.py and eligibility/calculator.py):
- facts: a null cell is an unknown fact; zone null is "outside any zone" (never unknown);
  years served come from the start date (anniversary rule) or the given number;
- conditions: Kleene three-valued logic, which polars' `&`, `|` and `~` follow on
  nullable booleans (null = unknown); the implicit applicant_kind test comes first;
- statuses: a rule not in force at the as-of date is left out; a proposed rule is
  listed only when it certainly holds; an undecided in-force rule is needs_info;
- amounts: fixed, unpublished (null) or matching the awards at given levels;
- exclusivity: per group the granted rule with the highest amount wins (ties to
  the first in pack order; an unknown amount ranks lowest), the others are superseded;
- total: granted cash with a known amount.
Nothing here names a region or a rule: everything comes from the packs.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import reduce
from typing import Final

import polars as pl

from eligibility.logic import rule_condition
from eligibility.rulepack import (
    AllOf,
    AnyOf,
    Condition,
    Definition,
    DefinitionRef,
    FieldTest,
    FixedAmount,
    MatchingAmount,
    NotOf,
    Rule,
    RulePack,
    UnpublishedAmount,
)
from eligibility.vocabulary import FIELDS, FieldKind

# Status codes of one rule for one row (small integers keep the columns cheap).
ABSENT: Final = 0
GRANTED: Final = 1
NEEDS_INFO: Final = 2
PROPOSED: Final = 3
SUPERSEDED: Final = 4
STATUS_NAMES: Final = {GRANTED: "granted", NEEDS_INFO: "needs_info", PROPOSED: "proposed", SUPERSEDED: "superseded"}

YEARS: Final = "__years_served"
_RULES_PER_KEY: Final = 21  # 3 bits per status code in a 64-bit key  # the derived fact rules test as years_served


def years_served(as_of: date) -> pl.Expr:
    """Full years at `as_of`: from service_start_date when known, else years_served.

    A year is reached on its anniversary; a 29 February start has its anniversary
    on 28 February in common years; a start on or after `as_of` is zero years.
    """
    start = pl.col("service_start_date")
    leap = as_of.year % 4 == 0 and (as_of.year % 100 != 0 or as_of.year % 400 == 0)
    day = start.dt.day()
    if not leap:
        day = pl.when((start.dt.month() == 2) & (day == 29)).then(28).otherwise(day)
    anniversary_not_reached = (start.dt.month().cast(pl.Int32) * 100 + day.cast(pl.Int32)) > (
        as_of.month * 100 + as_of.day
    )
    whole = pl.lit(as_of.year, pl.Int32) - start.dt.year().cast(pl.Int32) - anniversary_not_reached.cast(pl.Int32)
    from_date = pl.when(start >= pl.lit(as_of)).then(0).otherwise(whole).cast(pl.Float64)
    return pl.when(start.is_not_null()).then(from_date).otherwise(pl.col("years_served"))


def compile_test(test: FieldTest) -> pl.Expr:
    """One field test as a nullable boolean: null when the fact is unknown."""
    spec = FIELDS[test.field]
    column = pl.col(YEARS if test.field == "years_served" else test.field)
    operator, operand = test.operator, test.operand
    if operator == "eq":
        result = column == pl.lit(operand)
    elif operator == "in":
        result = column.is_in(list(operand))
    elif operator == "at_least":
        values = spec.canonical_values
        result = column.is_in(list(values[values.index(operand) :]))
    elif operator == "gte":
        result = column >= operand
    elif operator == "lte":
        result = column <= operand
    elif operator == "has":
        wanted = list(operand) if isinstance(operand, tuple) else [operand]
        if spec.kind is FieldKind.awards:
            result = column.list.eval(pl.element().struct.field("level").is_in(wanted)).list.any()
        else:  # list.contains is much cheaper than list.eval; null stays null (unknown)
            result = pl.any_horizontal([column.list.contains(code) for code in wanted])
    else:  # pragma: no cover - the schema admits no other operator
        raise AssertionError(f"unreachable operator {operator}")
    if test.field == "zone":
        result = result.fill_null(False)  # no zone is a known fact: outside any zone
    return result


def compile_condition(condition: Condition, definitions: dict[str, Definition]) -> pl.Expr:
    """A condition tree as one nullable boolean expression (Kleene logic)."""
    if isinstance(condition, FieldTest):
        return compile_test(condition)
    if isinstance(condition, DefinitionRef):
        return compile_condition(definitions[condition.definition].when, definitions)
    if isinstance(condition, NotOf):
        return ~compile_condition(condition.not_, definitions)
    if isinstance(condition, AllOf):
        parts = [compile_condition(part, definitions) for part in condition.all]
        return reduce(lambda left, right: left & right, parts) if parts else pl.lit(True)
    if isinstance(condition, AnyOf):
        parts = [compile_condition(part, definitions) for part in condition.any]
        return reduce(lambda left, right: left | right, parts) if parts else pl.lit(False)
    raise AssertionError(f"unreachable condition {condition!r}")  # pragma: no cover


def compile_amount(rule: Rule) -> pl.Expr:
    """The amount in yuan, null when unknown (as calculator.rule_amount)."""
    amount = rule.amount
    if isinstance(amount, FixedAmount):
        return pl.lit(amount.yuan, pl.Int64)
    if isinstance(amount, MatchingAmount):
        levels = list(amount.matching_award_levels)
        level = pl.element().struct.field("level")
        award_amount = pl.element().struct.field("amount_yuan")
        awards = pl.col("awards")
        unknown = awards.list.eval(level.is_in(levels) & award_amount.is_null()).list.any()
        total = awards.list.eval(pl.when(level.is_in(levels)).then(award_amount).otherwise(0)).list.sum()
        matched = (total.cast(pl.Float64) * amount.ratio).round(0, mode="half_to_even").cast(pl.Int64)
        return pl.when(awards.is_not_null() & ~unknown).then(matched)
    if isinstance(amount, UnpublishedAmount) or amount is None:
        return pl.lit(None, pl.Int64)
    raise AssertionError(f"unreachable amount {amount!r}")  # pragma: no cover


@dataclass(frozen=True)
class CompiledPack:
    """One region's rules in force at the as-of date, as status and amount expressions."""

    region: str
    rules: tuple[Rule, ...]
    statuses: tuple[pl.Expr, ...]  # final status code per rule (after exclusivity)
    amounts: tuple[pl.Expr, ...]


def compile_pack(pack: RulePack, as_of: date) -> CompiledPack:
    rules = tuple(rule for rule in pack.rules if rule.effective.covers(as_of))
    statuses: list[pl.Expr] = []
    for rule in rules:
        holds = compile_condition(rule_condition(rule), pack.definitions)
        if rule.status == "proposed":  # listed only to those who certainly meet it
            status = pl.when(holds).then(PROPOSED).otherwise(ABSENT)
        else:
            status = pl.when(holds).then(GRANTED).when(holds.is_null()).then(NEEDS_INFO).otherwise(ABSENT)
        statuses.append(status.cast(pl.UInt8))
    amounts = [compile_amount(rule) for rule in rules]
    return CompiledPack(pack.region, rules, tuple(statuses), tuple(amounts))


def status_column(index: int) -> str:
    return f"__status_{index}"


def amount_column(index: int) -> str:
    return f"__amount_{index}"


def static_rank(rule: Rule) -> int | None:
    """The amount rank of a rule when it does not depend on the applicant (-1: unknown amount)."""
    if isinstance(rule.amount, FixedAmount):
        return rule.amount.yuan
    if isinstance(rule.amount, MatchingAmount):
        return None
    return -1


def exclusivity(rules: Sequence[Rule]) -> tuple[list[pl.Expr], list[pl.Expr]]:
    """Final statuses: in each group the highest granted amount stays granted, the rest superseded.

    Two stages (the winner of each group, then every status), so polars computes
    each group's winner once instead of once per member.
    """
    groups: dict[str, list[int]] = {}
    for index, rule in enumerate(rules):
        if rule.exclusivity_group is not None:
            groups.setdefault(rule.exclusivity_group, []).append(index)
    winners: list[pl.Expr] = []
    final: dict[int, pl.Expr] = {}
    for number, members in enumerate(groups.values()):
        ranks = [static_rank(rules[index]) for index in members]
        if all(rank is not None for rank in ranks):
            # amounts known in advance: the order of preference is fixed, so a granted
            # rule is superseded exactly when a rule ahead of it is granted too
            preferred = sorted(zip(members, ranks, strict=True), key=lambda item: (-(item[1] or 0), item[0]))
            ahead: list[pl.Expr] = []
            for index, _ in preferred:
                is_granted = pl.col(status_column(index)) == GRANTED
                if ahead:
                    final[index] = (
                        pl.when(is_granted & pl.any_horizontal(ahead))
                        .then(pl.lit(SUPERSEDED, pl.UInt8))
                        .otherwise(pl.col(status_column(index)))
                        .alias(status_column(index))
                    )
                ahead.append(is_granted)
            continue
        granted = {index: pl.col(status_column(index)) == GRANTED for index in members}
        rank = {index: pl.col(amount_column(index)).fill_null(-1) for index in members}
        best = pl.max_horizontal([pl.when(granted[index]).then(rank[index]) for index in members])
        # the first granted rule (pack order) with the best amount wins ties
        winner_name = f"__winner_{number}"
        winners.append(
            pl.coalesce(
                [pl.when(granted[index] & (rank[index] == best)).then(pl.lit(index, pl.Int32)) for index in members]
            ).alias(winner_name)
        )
        for index in members:
            superseded = granted[index] & (pl.col(winner_name) != index)
            final[index] = (
                pl.when(superseded)
                .then(pl.lit(SUPERSEDED, pl.UInt8))
                .otherwise(pl.col(status_column(index)))
                .alias(status_column(index))
            )
    return winners, list(final.values())


class ColumnarEvaluator:
    """Every loaded pack compiled once for an as-of date; evaluates typed fact frames."""

    def __init__(self, packs: Iterable[RulePack], as_of: date) -> None:
        self.as_of = as_of
        self.packs: dict[str, CompiledPack] = {pack.region: compile_pack(pack, as_of) for pack in packs}
        self.benefits: tuple[Rule, ...] = tuple(rule for pack in self.packs.values() for rule in pack.rules)

    def rule_frame(self, facts: pl.DataFrame, region: str) -> pl.DataFrame:
        """Per-rule final status codes and amounts of rows of one region, in rule order."""
        pack = self.packs.get(region)
        if pack is None:  # a region without a pack: nothing applies
            return facts.select(pl.col("region"))
        staged = facts.with_columns(years_served(self.as_of).alias(YEARS)).select(
            pl.col("region"),  # keeps the height when no rule is in force
            *(status.alias(status_column(index)) for index, status in enumerate(pack.statuses)),
            *(amount.alias(amount_column(index)) for index, amount in enumerate(pack.amounts)),
        )
        winners, final = exclusivity(pack.rules)
        if winners:
            staged = staged.with_columns(winners)
        if final:
            staged = staged.with_columns(final)
        return staged.drop(winner.meta.output_name() for winner in winners)

    def total(self, region: str) -> pl.Expr:
        """Granted cash with a known amount, over a rule frame of `region`."""
        pack = self.packs.get(region)
        rules = pack.rules if pack else ()
        cash = [
            pl.when(pl.col(status_column(index)) == GRANTED).then(pl.col(amount_column(index))).fill_null(0)
            for index, rule in enumerate(rules)
            if rule.kind == "cash"
        ]
        return pl.sum_horizontal(cash).cast(pl.Int64) if cash else pl.lit(0, pl.Int64)

    def outcome(self, rule_frame: pl.DataFrame, region: str) -> pl.DataFrame:
        """Output columns of one region's rows: total, and benefit ids per status.

        Rows share few combinations of statuses: the id lists are built once per
        distinct combination (packed losslessly into integer keys, 3 bits per
        rule) and joined back, instead of concatenating strings on every row.
        """
        pack = self.packs.get(region)
        rules = pack.rules if pack else ()
        total = self.total(region)
        if not rules:
            return rule_frame.with_columns(
                total.alias("total_cash_yuan"), *(pl.lit("").alias(name) for name in STATUS_NAMES.values())
            ).select("total_cash_yuan", *STATUS_NAMES.values())
        keys = []
        for word, first in enumerate(range(0, len(rules), _RULES_PER_KEY)):
            members = range(first, min(first + _RULES_PER_KEY, len(rules)))
            packed = pl.sum_horizontal(
                [pl.col(status_column(index)).cast(pl.Int64) * (8 ** (index - first)) for index in members]
            )
            keys.append(packed.alias(f"__key_{word}"))
        keyed = rule_frame.select(total.alias("total_cash_yuan"), *keys)
        key_names = [key.meta.output_name() for key in keys]
        combinations = keyed.select(key_names).unique()
        decoded = [
            ((pl.col(f"__key_{index // _RULES_PER_KEY}") // (8 ** (index % _RULES_PER_KEY))) % 8).alias(
                status_column(index)
            )
            for index in range(len(rules))
        ]
        lists = {}
        for code, name in STATUS_NAMES.items():
            ids = [
                pl.when(pl.col(status_column(index)) == code).then(pl.lit(rule.id)) for index, rule in enumerate(rules)
            ]
            lists[name] = pl.concat_str(ids, separator=";", ignore_nulls=True).fill_null("").alias(name)
        table = combinations.with_columns(decoded).select(*key_names, *lists.values())
        joined = keyed.join(table, on=key_names, how="left", maintain_order="left")
        return joined.select("total_cash_yuan", *STATUS_NAMES.values())

    def tallies(self, rule_frame: pl.DataFrame, region: str) -> dict[str, tuple[int, int, int]]:
        """Per benefit id: (granted count, granted cash with known amount, needs_info count)."""
        pack = self.packs.get(region)
        if pack is None or not pack.rules or rule_frame.height == 0:
            return {}
        expressions = []
        for index in range(len(pack.rules)):
            granted = pl.col(status_column(index)) == GRANTED
            expressions += [
                granted.sum().alias(f"g{index}"),
                pl.when(granted).then(pl.col(amount_column(index))).sum().alias(f"c{index}"),
                (pl.col(status_column(index)) == NEEDS_INFO).sum().alias(f"n{index}"),
            ]
        row = rule_frame.select(expressions).row(0)
        return {
            rule.id: (int(row[3 * index] or 0), int(row[3 * index + 1] or 0), int(row[3 * index + 2] or 0))
            for index, rule in enumerate(pack.rules)
        }
