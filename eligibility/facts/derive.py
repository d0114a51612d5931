"""The facts rules test, derived from what is known of an applicant at an as-of date.

Service time is tested as `years_served`, counted from `service_start_date` when
known; `started_work` is false only for a start after the as-of date; awards
are tested by their levels; a fact whose absence has a meaning (no zone: outside
any zone) takes it; every other unknown fact is left out.
Written once for one profile and, beside it, for a column frame of profiles.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from eligibility.facts.profile import ApplicantProfile
from eligibility.facts.service_time import full_years_column
from eligibility.facts.vocabulary import FACTS, TESTABLE_FIELDS, FieldKind

if TYPE_CHECKING:
    import polars as pl

Facts = dict[str, Any]


def applicant_facts(profile: ApplicantProfile, as_of: date) -> Facts:
    """The testable facts of a profile at `as_of`; unknown facts are left out."""
    facts: Facts = {}
    for key in TESTABLE_FIELDS:
        spec = FACTS[key]
        if key == "started_work":
            value: Any = profile.service_start_date is None or profile.service_start_date <= as_of
        else:
            value = getattr(profile, key)
        if key == "years_served":
            value = profile.years_served_on(as_of)
        elif value is not None and spec.kind is FieldKind.awards:
            value = tuple(award.level for award in value)
        if value is None and spec.when_absent is not None:
            value = spec.when_absent.code
        if value is not None:
            facts[key] = value
    return facts


def fact_columns(as_of: date) -> list[pl.Expr]:
    """`applicant_facts` over a frame of validated profile columns: the tested columns replaced by their facts."""
    import polars as pl

    columns = []
    for key in sorted(TESTABLE_FIELDS):
        spec = FACTS[key]
        column = pl.col(key)
        if key == "started_work":
            start = pl.col("service_start_date")
            column = start.is_null() | (start <= pl.lit(as_of))
        elif key == "years_served":
            from_start = full_years_column(pl.col("service_start_date"), as_of).cast(pl.Float64)
            column = pl.when(pl.col("service_start_date").is_not_null()).then(from_start).otherwise(column)
        elif spec.kind is FieldKind.awards:
            column = column.list.eval(pl.element().struct.field("level"))
        if spec.when_absent is not None:
            column = column.cast(pl.String).fill_null(spec.when_absent.code)
        columns.append(column.alias(key))
    return columns
