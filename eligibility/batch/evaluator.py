"""The columnar evaluator: every row of a roster against its region's rules, in polars.

Each region's normalised conditions are compiled by the polars backend
(conditions/columnar.py) and the outcome policy's polars renderings
(evaluation/outcome.py) give statuses, amounts, exclusivity and totals; this
module arranges them per region and builds the output columns. Nothing here
names a region or a rule: everything comes from the packs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Final

import polars as pl

from eligibility.conditions.columnar import compile_node
from eligibility.evaluation.outcome import (
    GRANTED,
    NEEDS_INFO,
    STATUS_NAMES,
    amount_column,
    amount_expression,
    amount_is_minimum,
    exclusivity_expressions,
    status_column,
    status_expression,
    total_expression,
)
from eligibility.facts.derive import fact_columns
from eligibility.packs.loader import LoadedPack
from eligibility.packs.schema import Rule

_RULES_PER_KEY: Final = 21  # 3 bits per status code in a 64-bit key


@dataclass(frozen=True)
class CompiledPack:
    """One region's rules in force at the as-of date, as status and amount expressions."""

    region: str
    rules: tuple[Rule, ...]
    statuses: tuple[pl.Expr, ...]  # status code per rule, before exclusivity
    amounts: tuple[pl.Expr, ...]
    minimums: tuple[pl.Expr | None, ...]  # whether the amount is only the known part (matching funds)


def compile_pack(loaded: LoadedPack, as_of: date) -> CompiledPack:
    in_force = [
        (rule, condition)
        for rule, condition in zip(loaded.pack.rules, loaded.conditions, strict=True)
        if rule.effective.covers(as_of)
    ]
    return CompiledPack(
        loaded.pack.region,
        tuple(rule for rule, _ in in_force),
        tuple(status_expression(rule, compile_node(condition)) for rule, condition in in_force),
        tuple(amount_expression(rule) for rule, _ in in_force),
        tuple(amount_is_minimum(rule) for rule, _ in in_force),
    )


def benefit_status(benefit_id: str) -> str:
    """The column of a benefit's status code in a scored chunk (evaluation/outcome.py's codes; null: another region)."""
    return f"__status:{benefit_id}"


def benefit_amount(benefit_id: str) -> str:
    return f"__amount:{benefit_id}"


def benefit_minimum(benefit_id: str) -> str:
    """Whether the benefit's amount is only its known part (at least that much)."""
    return f"__minimum:{benefit_id}"


class ColumnarEvaluator:
    """Every loaded pack compiled once for an as-of date; evaluates typed fact frames."""

    def __init__(self, packs: Iterable[LoadedPack], as_of: date) -> None:
        self.as_of = as_of
        self.packs: dict[str, CompiledPack] = {item.pack.region: compile_pack(item, as_of) for item in packs}
        self.benefits: tuple[Rule, ...] = tuple(rule for pack in self.packs.values() for rule in pack.rules)

    def rule_frame(self, facts: pl.DataFrame, region: str) -> pl.DataFrame:
        """Per-rule final status codes and amounts of rows of one region, in rule order."""
        pack = self.packs.get(region)
        if pack is None:  # a region without a pack: nothing applies
            return facts.select(pl.col("region"))
        amounts = [amount_column(index) for index in range(len(pack.amounts))]
        minimums = {
            benefit_minimum(rule.id): minimum
            for rule, minimum in zip(pack.rules, pack.minimums, strict=True)
            if minimum is not None
        }
        staged = (
            facts.select(  # amounts read the awards themselves; the conditions, the facts derived from them
                *(amount.alias(name) for name, amount in zip(amounts, pack.amounts, strict=True)),
                *(minimum.alias(name) for name, minimum in minimums.items()),
                *fact_columns(self.as_of),  # region among them: it keeps the height when no rule is in force
            )
        ).select(
            pl.col("region"),
            *(status.alias(status_column(index)) for index, status in enumerate(pack.statuses)),
            *amounts,
            *minimums,
        )
        winners, final = exclusivity_expressions(pack.rules)
        if winners:
            staged = staged.with_columns(winners)
        if final:
            staged = staged.with_columns(final)
        return staged.drop(winner.meta.output_name() for winner in winners)

    def benefit_columns(self, rule_frame: pl.DataFrame, region: str) -> list[pl.Expr]:
        """Each benefit's final status code, amount and (matching funds) minimum flag, named by its id."""
        pack = self.packs.get(region)
        columns: list[pl.Expr] = []
        for index, rule in enumerate(pack.rules if pack else ()):
            columns += [
                pl.col(status_column(index)).alias(benefit_status(rule.id)),
                pl.col(amount_column(index)).alias(benefit_amount(rule.id)),
            ]
            if benefit_minimum(rule.id) in rule_frame.columns:
                columns.append(pl.col(benefit_minimum(rule.id)))
        return columns

    def total(self, region: str) -> pl.Expr:
        """Granted cash with a known amount, over a rule frame of `region`."""
        pack = self.packs.get(region)
        return total_expression(pack.rules if pack else ())

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
