"""Scoring a Spark DataFrame of roster columns (a Hive table, a query) on the executors: the `spark` extra.

    from datetime import date
    from eligibility.spark import score_roster

    scored = score_roster(spark.table("hr.talent_roster"), date(2025, 6, 1))
    scored.write.mode("overwrite").saveAsTable("hr.talent_eligibility")

Each partition is scored with `DataFrame.mapInArrow` by the same code as
`eligibility batch` (eligibility/batch/frames.py), in chunks of Arrow record
batches. The rules travel with the job as the rule packs' text, so the executors
need the package installed but no rule files; a job scores with the rules its
driver loaded, whatever is installed beside the executors.

The result has a declared schema: the batch result columns except `row` (a
partition does not know where it starts in the whole; carry a key column of
your own, such as an employee number, to join back), then every column that is
no fact, exactly as it came (any Spark type).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import TYPE_CHECKING, Any, Final

from eligibility.batch.frames import RESULT_COLUMNS, RosterScorer, arrow_chunks, scorer_for
from eligibility.batch.reading import Headers, map_headers
from eligibility.batch.run import OUTPUT_SCHEMA, ROW

if TYPE_CHECKING:
    import pyarrow
    from pyspark.sql import DataFrame
    from pyspark.sql.types import StructType

    from eligibility.evaluation.calculator import Calculator

CHUNK_ROWS: Final = 100_000  # Spark hands batches of 10,000 rows: scored a few together, the fixed costs are shared

__all__ = ["result_schema", "score_roster"]


def score_roster(
    frame: DataFrame, as_of: date, *, calculator: Calculator | None = None, chunk_rows: int = CHUNK_ROWS
) -> DataFrame:
    """Every row of `frame` scored at `as_of`, on the executors; a lazy Spark DataFrame of `result_schema(frame)`.

    Headers and values in any spelling a roster accepts. A fact given by two
    columns raises InputError here, on the driver, before any job runs; a bad
    cell makes its row an error row. `calculator` chooses the rules (default:
    the shipped packs); they are sent to the executors with the job.
    """
    scorer = scorer_for(calculator, as_of)
    headers = scorer.headers(frame.columns, where="Spark DataFrame")
    return frame.mapInArrow(_PartitionScorer(scorer, headers, chunk_rows), result_schema(frame, headers))


def result_schema(frame: DataFrame, headers: Headers | None = None) -> StructType:
    """The declared schema of `score_roster(frame, ...)`: result columns, then the carried ones with their types."""
    from pyspark.sql.types import LongType, StringType, StructField, StructType

    if headers is None:
        headers = map_headers(frame.columns, "Spark DataFrame", reserved=RESULT_COLUMNS)
    types = {"Int64": LongType(), "String": StringType()}
    fields = [
        StructField(name, types[str(dtype)], nullable=True) for name, dtype in OUTPUT_SCHEMA.items() if name != ROW
    ]
    fields += [
        StructField(name, frame.schema[column].dataType, nullable=True) for column, name in headers.carried.items()
    ]
    return StructType(fields)


class _PartitionScorer:
    """What runs on an executor: a partition's Arrow batches in, its scored batches out, in the same order.

    Pickled with the job: the scorer carries the rules as text and compiles them on first use.
    """

    def __init__(self, scorer: RosterScorer, headers: Headers, chunk_rows: int) -> None:
        self.scorer = scorer
        self.headers = headers
        self.chunk_rows = chunk_rows

    def __call__(self, batches: Iterator[pyarrow.RecordBatch]) -> Iterator[pyarrow.RecordBatch]:
        for table in arrow_chunks(batches, self.chunk_rows):
            scored: Any = self.scorer.score_arrow(table, self.headers, first_row=None)
            yield from scored.to_batches()
