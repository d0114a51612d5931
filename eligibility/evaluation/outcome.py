"""The outcome policy: from a rule's truth to a status, an amount, exclusivity and a total.

Written once for one applicant and, beside each part, for columns (polars):

- status: a rule not in force at the as-of date gives nothing; a proposed rule
  is listed only when it certainly holds; an in-force rule that holds is
  granted, one that unknown facts decide needs information;
- amount: fixed, not published (never guessed, never summed), or matching funds
  (the ratio times the applicant's awards at the matched levels, each award
  matched on its own: while one award's amount is unknown the others' matching is
  certain, so the amount is at least theirs; not computable while the awards, or
  every matched award's amount, are unknown);
- exclusivity: in each group one granted benefit, the highest amount; the others
  are superseded. Ties go to the rule written first; an unknown amount ranks lowest;
- total: granted cash with a known amount.

Nothing here names a region or a rule: everything comes from the packs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Final

from eligibility.conditions.form import Truth
from eligibility.evaluation.report import Status
from eligibility.facts.profile import Award
from eligibility.facts.vocabulary import AWARD_LEVELS
from eligibility.packs.schema import FixedAmount, MatchingAmount, Rule, UnpublishedAmount

if TYPE_CHECKING:
    import polars as pl


class AmountState(StrEnum):
    """What is known of an amount (the report's `amount_state`)."""

    none = "none"  # not a cash benefit
    fixed = "fixed"  # published in the source
    not_published = "not_published"  # cash whose amount the source does not publish
    matched = "matched"  # matching funds, computed from the applicant's awards
    at_least = "at_least"  # matching funds of the awards with an amount; others' amounts unknown
    not_computable = "not_computable"  # matching funds whose awards, or every matched amount, are unknown


@dataclass(frozen=True)
class Amount:
    """An amount in yuan (None when unknown), what is known of it, and the note a report carries."""

    yuan: int | None
    state: AmountState
    note: str | None = None
    note_zh: str | None = None  # the note in Chinese (a pack's note without one falls back to the English)


NO_AMOUNT: Final = Amount(None, AmountState.none)
UNKNOWN_AMOUNT_RANK: Final = -1


def fixed_amount(rule: Rule) -> Amount | None:
    """The rule's amount when it does not depend on the applicant; None for matching funds."""
    amount = rule.amount
    if amount is None:
        return NO_AMOUNT
    if isinstance(amount, FixedAmount):
        return Amount(amount.yuan, AmountState.fixed)
    if isinstance(amount, UnpublishedAmount):
        return Amount(
            None, AmountState.not_published, f"amount not published: {amount.note}", amount.note_zh or amount.note
        )
    return None


def rule_amount(rule: Rule, awards: Sequence[Award] | None) -> Amount:
    """The rule's amount for an applicant with these awards (None: awards unknown)."""
    known = fixed_amount(rule)
    if known is not None:
        return known
    assert isinstance(rule.amount, MatchingAmount)
    return matching_amount(rule.amount, awards)


def matching_amount(amount: MatchingAmount, awards: Sequence[Award] | None) -> Amount:
    """Matching funds: the ratio times the amounts of the awards at the matched levels."""
    levels = ", ".join(amount.matching_award_levels)
    levels_zh = "、".join(_level_zh(level) for level in amount.matching_award_levels)
    ratio = f"{amount.ratio:g}"
    if awards is None:
        note = f"awards unknown: matches {ratio}x the awards at levels {levels}"
        note_zh = f"奖项未知：按{levels_zh}奖项金额的{ratio}倍配套"
        return Amount(None, AmountState.not_computable, note, note_zh)
    matched = [award for award in awards if award.level in amount.matching_award_levels]
    unknown = [award for award in matched if award.amount_yuan is None]
    if unknown and len(unknown) == len(matched):
        note = f"no award at levels {levels} has an amount: matching cannot be computed"
        note_zh = f"{levels_zh}奖项均无金额：无法计算配套金额"
        return Amount(None, AmountState.not_computable, note, note_zh)
    total = sum(award.amount_yuan or 0 for award in matched)
    yuan = round(total * amount.ratio)
    if unknown:
        names = ", ".join(award.name or f"the {award.level} award" for award in unknown)
        names_zh = "、".join(award.name or f"{_level_zh(award.level)}奖项" for award in unknown)
        note = (
            f"at least {yuan} yuan: {ratio}x the awards with an amount at levels {levels} ({total} yuan); "
            f"the matching of {names} is not computable without its amount"
        )
        note_zh = f"至少{yuan}元：{levels_zh}有金额奖项（{total}元）的{ratio}倍；{names_zh}未填金额，其配套无法计算"
        return Amount(yuan, AmountState.at_least, note, note_zh)
    note = f"{ratio}x the awards at levels {levels}: {total} yuan"
    note_zh = f"{levels_zh}奖项金额{total}元的{ratio}倍"
    return Amount(yuan, AmountState.matched, note, note_zh)


def _level_zh(level: str) -> str:
    declared = next((item for item in AWARD_LEVELS if item.code == level), None)
    return declared.names.zh if declared is not None else level


def status(rule: Rule, holds: Truth, as_of: date) -> Status | None:
    """The status of a rule whose condition has this truth at `as_of`; None when it gives nothing."""
    if holds is False or not rule.effective.covers(as_of):
        return None
    if rule.status == "proposed":
        return "proposed" if holds else None  # a planned benefit is listed only to those who would meet it
    return "granted" if holds else "needs_info"


def amount_rank(yuan: int | None) -> int:
    """How exclusivity ranks an amount: an unknown amount lowest."""
    return UNKNOWN_AMOUNT_RANK if yuan is None else yuan


def resolve_exclusivity(entitlements: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One granted benefit per exclusivity group, the highest amount; the rest superseded (in place).

    Works on the entitlements' fields (benefit_id, status, amount_yuan,
    exclusivity_group), in pack order, before they are validated into a report.
    """
    winners: dict[str, dict[str, Any]] = {}
    for item in entitlements:
        group = item["exclusivity_group"]
        if item["status"] != "granted" or group is None:
            continue
        best = winners.get(group)
        if best is None or amount_rank(item["amount_yuan"]) > amount_rank(best["amount_yuan"]):
            winners[group] = item
    for item in entitlements:
        winner = winners.get(item["exclusivity_group"] or "")
        if item["status"] == "granted" and winner is not None and winner["benefit_id"] != item["benefit_id"]:
            item["status"], item["superseded_by"] = "superseded", winner["benefit_id"]
    return entitlements


def granted_cash(entitlements: Iterable[Mapping[str, Any]]) -> tuple[int, tuple[str, ...]]:
    """The total of granted cash with a known amount, and the granted cash benefits left out of it."""
    granted = [item for item in entitlements if item["status"] == "granted" and item["kind"] == "cash"]
    total = sum(item["amount_yuan"] for item in granted if item["amount_yuan"] is not None)
    return total, tuple(item["benefit_id"] for item in granted if item["amount_yuan"] is None)


# The same policy over columns: one status code and one amount column per rule, one row per applicant.

ABSENT: Final = 0
GRANTED: Final = 1
NEEDS_INFO: Final = 2
PROPOSED: Final = 3
SUPERSEDED: Final = 4
STATUS_NAMES: Final[dict[int, Status]] = {
    GRANTED: "granted",
    NEEDS_INFO: "needs_info",
    PROPOSED: "proposed",
    SUPERSEDED: "superseded",
}


def status_column(index: int) -> str:
    return f"__status_{index}"


def amount_column(index: int) -> str:
    return f"__amount_{index}"


def status_expression(rule: Rule, holds: pl.Expr) -> pl.Expr:
    """`status` of a rule in force, as a status code, from its condition's nullable truth."""
    import polars as pl

    if rule.status == "proposed":
        expression = pl.when(holds).then(PROPOSED).otherwise(ABSENT)
    else:
        expression = pl.when(holds).then(GRANTED).when(holds.is_null()).then(NEEDS_INFO).otherwise(ABSENT)
    return expression.cast(pl.UInt8)


def amount_expression(rule: Rule) -> pl.Expr:
    """`rule_amount` over the `awards` column of validated profiles (null when unknown)."""
    import polars as pl

    known = fixed_amount(rule)
    if known is not None:
        return pl.lit(known.yuan, pl.Int64)
    assert isinstance(rule.amount, MatchingAmount)
    matched_awards, unknown, total = _matching_columns(rule.amount)
    matched = (total.cast(pl.Float64) * rule.amount.ratio).round(0, mode="half_to_even").cast(pl.Int64)
    computable = (unknown == 0) | (unknown < matched_awards)
    return pl.when(pl.col("awards").is_not_null() & computable).then(matched)


def amount_is_minimum(rule: Rule) -> pl.Expr | None:
    """Whether `amount_expression` gives only the known part (AmountState.at_least); None when it never does."""
    if not isinstance(rule.amount, MatchingAmount):
        return None
    matched_awards, unknown, _ = _matching_columns(rule.amount)
    return ((unknown > 0) & (unknown < matched_awards)).fill_null(False)


def _matching_columns(amount: MatchingAmount) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """Over the `awards` column: the awards at the matched levels, those of them without an amount, their total."""
    import polars as pl

    levels = list(amount.matching_award_levels)
    level = pl.element().struct.field("level")
    award_amount = pl.element().struct.field("amount_yuan")
    awards = pl.col("awards")
    matched_awards = awards.list.eval(level.is_in(levels)).list.sum()
    unknown = awards.list.eval(level.is_in(levels) & award_amount.is_null()).list.sum()
    total = awards.list.eval(pl.when(level.is_in(levels)).then(award_amount).otherwise(0)).list.sum()
    return matched_awards, unknown, total


def exclusivity_expressions(rules: Sequence[Rule]) -> tuple[list[pl.Expr], list[pl.Expr]]:
    """`resolve_exclusivity` over the status and amount columns: the winners, then the final statuses.

    Two stages (each group's winner, then every status), so polars computes each
    group's winner once instead of once per member.
    """
    import polars as pl

    groups: dict[str, list[int]] = {}
    for index, rule in enumerate(rules):
        if rule.exclusivity_group is not None:
            groups.setdefault(rule.exclusivity_group, []).append(index)
    winners: list[pl.Expr] = []
    final: dict[int, pl.Expr] = {}

    def superseded_when(index: int, superseded: pl.Expr) -> pl.Expr:
        current = pl.col(status_column(index))
        return pl.when(superseded).then(pl.lit(SUPERSEDED, pl.UInt8)).otherwise(current).alias(status_column(index))

    for number, members in enumerate(groups.values()):
        known = [fixed_amount(rules[index]) for index in members]
        if all(amount is not None for amount in known):
            # Amounts known in advance: the order of preference is fixed, so a granted
            # rule is superseded exactly when a rule ahead of it is granted too.
            ranks = [amount_rank(amount.yuan) for amount in known if amount is not None]
            preferred = sorted(zip(members, ranks, strict=True), key=lambda item: (-item[1], item[0]))
            ahead: list[pl.Expr] = []
            for index, _ in preferred:
                is_granted = pl.col(status_column(index)) == GRANTED
                if ahead:
                    final[index] = superseded_when(index, is_granted & pl.any_horizontal(ahead))
                ahead.append(is_granted)
            continue
        granted = {index: pl.col(status_column(index)) == GRANTED for index in members}
        rank = {index: pl.col(amount_column(index)).fill_null(UNKNOWN_AMOUNT_RANK) for index in members}
        best = pl.max_horizontal([pl.when(granted[index]).then(rank[index]) for index in members])
        winner = f"__winner_{number}"  # the first granted rule (pack order) with the best amount
        winners.append(
            pl.coalesce(
                [pl.when(granted[index] & (rank[index] == best)).then(pl.lit(index, pl.Int32)) for index in members]
            ).alias(winner)
        )
        for index in members:
            final[index] = superseded_when(index, granted[index] & (pl.col(winner) != index))
    return winners, list(final.values())


def total_expression(rules: Sequence[Rule]) -> pl.Expr:
    """`granted_cash`'s total over the status and amount columns."""
    import polars as pl

    cash = [
        pl.when(pl.col(status_column(index)) == GRANTED).then(pl.col(amount_column(index))).fill_null(0)
        for index, rule in enumerate(rules)
        if rule.kind == "cash"
    ]
    return pl.sum_horizontal(cash).cast(pl.Int64) if cash else pl.lit(0, pl.Int64)
