"""Seeded random rosters in columns, and the result `eligibility batch` writes for them: the reference.

Headers alternate between the canonical keys and the Chinese names, values use
every spelling a roster accepts (tests/support/batch_profiles.py), 2% of the
rows have a bad cell, unknown facts are empty cells, and two columns are no
fact (姓名, and 工号 whose values are integers) so that carrying them through is
checked too.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl

from eligibility.batch import BatchOptions, run_batch
from eligibility.facts.vocabulary import FIELDS
from eligibility.packs.catalogue import Catalogue
from tests.support.batch_profiles import random_profiles

AS_OF = date(2025, 6, 1)


def roster(count: int, seed: int, as_of: date = AS_OF) -> pl.DataFrame:
    """`count` applicants as text cells (empty cells null, as a CSV reader gives them), 编号 unique."""
    profiles = list(random_profiles(Catalogue.from_directory(), as_of, count, seed, bad_share=0.02))
    headers = {key: spec.zh if index % 2 else key for index, (key, spec) in enumerate(FIELDS.items())}
    headers["id"] = "编号"
    frame = pl.DataFrame(
        [profile.cells for profile in profiles], schema={key: pl.String for key in FIELDS}, orient="row"
    )
    return (
        frame.with_columns(pl.when(pl.col(key) != "").then(pl.col(key)).alias(key) for key in FIELDS)
        .rename(headers)
        .with_columns(
            pl.format("员工{}", pl.int_range(pl.len())).alias("姓名"),
            (pl.int_range(pl.len(), dtype=pl.Int64) + 100_000).alias("工号"),
        )
    )


def batch_result(roster_csv: Path, tmp_path: Path, as_of: date = AS_OF) -> pl.DataFrame:
    """What `eligibility batch` writes for a roster file (Parquet keeps the types), rows numbered by position.

    A file's `row` is the line a spreadsheet shows (the header is line 1, the first
    roster row line 2); a table's or a frame's is the position (the first row is 1).
    """
    out = tmp_path / f"{roster_csv.stem}-reference.parquet"
    run_batch(BatchOptions(roster_csv, out, as_of), Catalogue.from_directory())
    return pl.read_parquet(out).with_columns(pl.col("row") - 1)
