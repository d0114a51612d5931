"""Service time: full years of continuous service, reached on the anniversary.

A 29 February start reaches its anniversary on 28 February in common years (the
month-end rule of the Civil Code, art. 202); a start on or after the as-of date
is a future hire with zero years. Written once for one applicant and once, beside
it, for a column of start dates.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import polars as pl


def anniversary(start: date, years: int) -> date:
    """The date `years` full years after `start`."""
    try:
        return start.replace(year=start.year + years)
    except ValueError:  # 29 February in a common year
        return date(start.year + years, 2, 28)


def full_years_between(start: date, as_of: date) -> int:
    """Whole years from `start` to `as_of`, reached on the anniversary; 0 if not started."""
    if as_of <= start:
        return 0
    years = as_of.year - start.year
    if anniversary(start, years) > as_of:
        years -= 1
    return years


def full_years_column(start: pl.Expr, as_of: date) -> pl.Expr:
    """`full_years_between` over a column of start dates (null stays null)."""
    import polars as pl

    leap = as_of.year % 4 == 0 and (as_of.year % 100 != 0 or as_of.year % 400 == 0)
    day = start.dt.day()
    if not leap:  # the anniversary of a 29 February start is 28 February
        day = pl.when((start.dt.month() == 2) & (day == 29)).then(28).otherwise(day)
    anniversary_not_reached = (start.dt.month().cast(pl.Int32) * 100 + day.cast(pl.Int32)) > (
        as_of.month * 100 + as_of.day
    )
    whole = pl.lit(as_of.year, pl.Int32) - start.dt.year().cast(pl.Int32) - anniversary_not_reached.cast(pl.Int32)
    return pl.when(start >= pl.lit(as_of)).then(0).otherwise(whole)
