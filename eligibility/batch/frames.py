"""Scoring a frame of roster columns, whatever engine holds it: polars, Arrow, and through them Spark.

The one scoring path of `eligibility batch` (columns.validate, then
run.score_chunk) applied to columns already in memory: headers and values in
any spelling a roster accepts, typed columns (dates, numbers, booleans, lists
of programme codes) read as a roster file would show them. Each row is scored
on its own cells alone, so scoring a roster whole or in any split gives the
same rows (the `row` numbers follow `first_row`, the rows before the part).

`RosterScorer` carries its rules as the pack files' text: pickled, it rebuilds
the same catalogue wherever it is unpickled (a Spark executor), and checks that
the rules version is the one it left with.
"""

from __future__ import annotations

import hashlib
import tempfile
import warnings
from collections.abc import Iterable, Iterator
from datetime import date
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, TypeVar

import polars as pl

from eligibility.batch.columns import CheckedSpellings, validate
from eligibility.batch.evaluator import ColumnarEvaluator
from eligibility.batch.reading import Headers, map_headers
from eligibility.batch.run import OUTPUT_SCHEMA, ROW, score_chunk
from eligibility.errors import InputError, Problem
from eligibility.facts.spelling import closest_key
from eligibility.facts.vocabulary import FIELDS, FieldKind
from eligibility.packs.catalogue import Catalogue

if TYPE_CHECKING:
    import pyarrow

    from eligibility.evaluation.calculator import Calculator

Roster = TypeVar("Roster", pl.DataFrame, "pyarrow.Table", "pyarrow.RecordBatch")
RESULT_COLUMNS: Final = tuple(OUTPUT_SCHEMA)
_TEMPORAL: Final = (pl.Date, pl.Datetime)


class RosterScorer:
    """A catalogue's rules at one as-of date, scoring frames of roster columns. Picklable; thread-safe.

    The compiled expressions and the spellings checked so far stay where they
    were made: an unpickled scorer compiles its own on first use.
    """

    def __init__(self, catalogue: Catalogue, as_of: date) -> None:
        self.catalogue = catalogue
        self.as_of = as_of
        self._evaluator: ColumnarEvaluator | None = None
        self._remembered: CheckedSpellings | None = None

    @property
    def evaluator(self) -> ColumnarEvaluator:
        if self._evaluator is None:
            self._evaluator = ColumnarEvaluator(self.catalogue.loaded, self.as_of)
        return self._evaluator

    @property
    def remembered(self) -> CheckedSpellings:
        if self._remembered is None:
            self._remembered = CheckedSpellings(self.catalogue.registries)
        return self._remembered

    def __getstate__(self) -> dict[str, Any]:
        packs = {}
        for item in self.catalogue.loaded:
            text = item.path.read_bytes()
            if hashlib.sha256(text).hexdigest() != item.digest:  # never ship rules other than those loaded
                raise InputError([Problem(str(item.path), "the rule pack changed on disk since it was loaded")])
            packs[item.path.name] = text
        return {"packs": packs, "as_of": self.as_of, "rules_version": self.catalogue.rules_version}

    def __setstate__(self, state: dict[str, Any]) -> None:
        with tempfile.TemporaryDirectory(prefix="eligibility-rules-") as scratch:
            for name, text in state["packs"].items():
                (Path(scratch) / name).write_bytes(text)
            catalogue = Catalogue.from_directory(scratch)
        if catalogue.rules_version != state["rules_version"]:
            raise RuntimeError(f"rules version {catalogue.rules_version} where {state['rules_version']} was sent")
        self.__init__(catalogue, state["as_of"])  # type: ignore[misc]

    def headers(self, columns: Iterable[str], where: str = "roster") -> Headers:
        """Which column is which fact (any spelling of a header), and which are carried through.

        A fact given by two columns is an InputError. A column that looks like a
        misspelt fact is warned about: its values are not used for scoring.
        """
        headers = map_headers(list(columns), where, reserved=RESULT_COLUMNS)
        for column in headers.carried:
            guess = closest_key(column)
            if guess is not None:
                warnings.warn(
                    f"{where}: column {column!r} is not a known fact (did you mean {guess}?); "
                    "its values are not used for scoring, only copied to the result",
                    UserWarning,
                    stacklevel=3,
                )
        return headers

    def score_facts(self, facts: pl.DataFrame, headers: Headers, first_row: int = 0) -> pl.DataFrame:
        """The result columns of rows whose fact columns are named by key (other columns ignored)."""
        # Selecting no column gives no rows: a frame of no fact keeps its height (each row is an error row).
        raw = as_text(facts.select(*headers.facts) if headers.facts else pl.DataFrame(height=facts.height), headers)
        scored, _ = score_chunk(self.evaluator, validate(raw, headers.facts, self.as_of, self.remembered), first_row)
        return scored.select(RESULT_COLUMNS)  # the ids layout: the readable layouts' columns stay behind

    def score_polars(self, frame: pl.DataFrame, first_row: int = 0) -> pl.DataFrame:
        headers = self.headers(frame.columns)
        facts = frame.select(pl.col(header).alias(key) for key, header in headers.facts.items())
        if not headers.facts:  # selecting no column gives no rows: keep the frame's
            facts = pl.DataFrame(height=frame.height)
        scored = self.score_facts(facts, headers, first_row)
        return scored.hstack(frame.select(pl.col(column).alias(name) for column, name in headers.carried.items()))

    def score_arrow(self, table: pyarrow.Table, headers: Headers, first_row: int | None = 0) -> pyarrow.Table:
        """The result columns of an Arrow table, then its carried columns as they came (any Arrow type).

        `first_row=None` leaves out the `row` column (a Spark partition does not know where it starts).
        """
        import pyarrow as pa

        facts = pl.DataFrame([arrow_column(table.column(header), key, header) for key, header in headers.facts.items()])
        if not headers.facts:
            facts = pl.DataFrame(height=table.num_rows)
        scored = self.score_facts(facts, headers, first_row or 0)
        schema = result_arrow_schema(with_row=first_row is not None)
        if first_row is None:
            scored = scored.drop(ROW)
        result = scored.to_arrow(compat_level=pl.CompatLevel.oldest()).cast(schema)
        columns = [*result.columns, *(table.column(column) for column in headers.carried)]
        names = [*schema.names, *headers.carried.values()]
        return pa.Table.from_arrays(columns, names=names)


def result_arrow_schema(with_row: bool = True) -> pyarrow.Schema:
    """The result columns as Arrow types: 64-bit integers and UTF-8 strings."""
    import pyarrow as pa

    types = {pl.Int64(): pa.int64(), pl.String(): pa.string()}
    return pa.schema([pa.field(name, types[dtype]) for name, dtype in OUTPUT_SCHEMA.items() if with_row or name != ROW])


def as_text(facts: pl.DataFrame, headers: Headers) -> pl.DataFrame:
    """Typed fact columns as the text a roster file would show; InputError for a type no fact is read from.

    Dates (and date-times) as 2020-03-01, whole floats as integers (5.0 -> 5),
    booleans as true/false, a list of programme codes joined by `;`.
    """
    converted: list[pl.Expr] = []
    problems: list[Problem] = []
    for key, dtype in facts.schema.items():
        column = pl.col(key)
        if dtype == pl.String:
            continue
        if isinstance(dtype, _TEMPORAL):
            converted.append(column.dt.strftime("%Y-%m-%d"))
        elif dtype.is_float():
            whole = column.is_finite() & (column == column.floor())
            as_integer = column.cast(pl.Int64, strict=False).cast(pl.String)
            converted.append(pl.when(whole).then(as_integer).otherwise(column.cast(pl.String)).alias(key))
        elif dtype.is_numeric() or dtype in (pl.Boolean, pl.Categorical, pl.Null) or isinstance(dtype, pl.Enum):
            converted.append(column.cast(pl.String))
        elif isinstance(dtype, pl.List) and FIELDS[key].kind is FieldKind.codes and dtype.inner in (pl.String, pl.Null):
            converted.append(
                pl.when(column.list.len() == 0).then(pl.lit("无")).otherwise(column.list.join(";")).alias(key)
            )
        else:
            codes = " (or a list of codes)" if FIELDS[key].kind is FieldKind.codes else ""
            problems.append(
                Problem(
                    f"column {headers.facts[key]!r} ({key})",
                    f"values of type {dtype} cannot be read as this fact; give text, numbers, dates or yes/no values{codes}",
                )
            )
    if problems:
        raise InputError(problems)
    return facts.with_columns(converted) if converted else facts


def arrow_column(column: Any, key: str, header: str) -> pl.Series:
    """One Arrow column as a polars series named `key`; an extension type as its storage.

    PostgreSQL's numeric, for one, arrives as an extension type stored as text ('5.0').
    """
    import pyarrow as pa

    if isinstance(column.type, pa.BaseExtensionType):
        chunks = column.chunks if isinstance(column, pa.ChunkedArray) else [column]
        column = pa.chunked_array([chunk.storage for chunk in chunks], type=column.type.storage_type)
    try:
        series = pl.from_arrow(column)
    except Exception as error:  # polars refuses some Arrow types
        raise InputError(
            [Problem(f"column {header!r} ({key})", f"values of Arrow type {column.type} cannot be read: {error}")]
        ) from None
    assert isinstance(series, pl.Series)
    return series.alias(key)


def arrow_chunks(reader: Iterable[pyarrow.RecordBatch], rows: int) -> Iterator[pyarrow.Table]:
    """Arrow record batches regrouped into tables of `rows` rows (the last one may be shorter), in order."""
    import pyarrow as pa

    pending: list[pyarrow.RecordBatch] = []
    count = 0
    for batch in reader:
        if batch.num_rows == 0:
            continue
        pending.append(batch)
        count += batch.num_rows
        while count >= rows:
            table = pa.Table.from_batches(pending)
            yield table.slice(0, rows)
            rest = table.slice(rows)
            pending, count = rest.to_batches(), rest.num_rows
    if count:
        yield pa.Table.from_batches(pending)


@cache
def _default_catalogue() -> Catalogue:
    return Catalogue.from_directory()


def scorer_for(calculator: Calculator | None, as_of: date) -> RosterScorer:
    """A scorer of `calculator`'s rules (the shipped packs when None) at `as_of`."""
    if not isinstance(as_of, date):
        raise InputError([Problem("as_of", "a date (datetime.date) is required", as_of)])
    return RosterScorer(calculator.catalogue if calculator is not None else _default_catalogue(), as_of)


def score_roster(roster: Roster, as_of: date, *, calculator: Calculator | None = None, first_row: int = 0) -> Roster:
    """Score every row of a roster held in columns: the result columns of `eligibility batch`, one row per row.

    `roster` is a polars DataFrame, or a pyarrow Table or RecordBatch, whose
    headers and values are spelled as a roster file's may be (canonical keys or
    Chinese names; typed columns such as dates, numbers and booleans are read as
    the file would show them). The result is of the same kind: `row` (counted
    from `first_row` + 1), `id`, `status`, `total_cash_yuan`, `granted`,
    `needs_info`, `proposed`, `superseded`, `error`, then the columns that are
    no fact, unchanged. A bad cell makes its row an error row; a fact given by
    two columns, or a column of a type no fact is read from, raises InputError.

    Rows are scored independently: scoring parts of a roster, each with the
    number of rows before it as `first_row`, and concatenating the results gives
    the result of the whole. `calculator` chooses the rules (default: the
    shipped packs).
    """
    scorer = scorer_for(calculator, as_of)
    if isinstance(roster, pl.DataFrame):
        return scorer.score_polars(roster, first_row)
    import pyarrow as pa

    if isinstance(roster, pa.RecordBatch):
        table = pa.Table.from_batches([roster])
        scored = scorer.score_arrow(table, scorer.headers(table.column_names), first_row)
        return pa.RecordBatch.from_struct_array(scored.to_struct_array().combine_chunks())
    if isinstance(roster, pa.Table):
        return scorer.score_arrow(roster, scorer.headers(roster.column_names), first_row)
    raise InputError(
        [Problem("roster", "a polars DataFrame, or a pyarrow Table or RecordBatch, is required", type(roster).__name__)]
    )
