"""Benchmark of scoring beyond files on one machine: one process, Spark local[2], SQLite and PostgreSQL round trips.

For each size N (default 1M and 5M rows) the same synthetic roster (that of
benchmarks/batch.py: five regions, Chinese and English values, unknown cells,
0.1% bad rows) goes, in one run, through:
- one process: `eligibility batch roster.csv --out scored.csv --quiet` (the reference);
- in memory: `eligibility.score_roster` on the roster as a polars DataFrame, no files;
- Spark local[2]: `spark.read.csv` -> `eligibility.spark.score_roster` -> `write.csv`
  (the session is started once, before, and its start-up is printed apart);
- SQLite: `eligibility batch --from-db roster.db --table 人才名单 --to-db roster.db --to-table 评定结果`;
- PostgreSQL: the same with a server started for the run (initdb on a free
  127.0.0.1 port, fsync off, stopped at the end), through ADBC.
Loading the roster into each database is not timed; reading it, scoring and
writing the results back is. Each line: seconds, rows/s, and the time as a
multiple of the one-process run of the same N; each pipeline's total known cash
is printed too, and must be the same on every line.

Usage: python benchmarks/scale.py [N ...] [--repeat R] [--skip spark,sqlite,postgresql]
Prints figures; asserts nothing. Needs the spark and db extras, Java, and PostgreSQL's server binaries.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from functools import partial
from pathlib import Path
from typing import Any

import polars as pl

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # the test support: the PostgreSQL server and the Spark session

from eligibility import score_roster  # noqa: E402
from eligibility.packs.catalogue import Catalogue  # noqa: E402
from tests.support.postgres import postgres_server  # noqa: E402
from tests.support.spark import spark_session  # noqa: E402

_spec = importlib.util.spec_from_file_location("batch_benchmark", REPO / "benchmarks" / "batch.py")
assert _spec is not None and _spec.loader is not None
batch_benchmark = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(batch_benchmark)
AS_OF = batch_benchmark.AS_OF
ROSTER, RESULTS = "人才名单", "评定结果"


def seconds_of(command: list[str]) -> float:
    """Wall seconds of one run of `command`, which must succeed."""
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"failed ({result.returncode}): {' '.join(command[:3])} ...\n{result.stderr}")
    return time.perf_counter() - started


def csv_total(pattern: Path) -> int:
    frame = pl.scan_csv(pattern, infer_schema=False).select(pl.col("total_cash_yuan").cast(pl.Int64).sum())
    return int(frame.collect().item())


def one_process(batch: list[str], source: Path, directory: Path) -> tuple[float, int]:
    out = directory / "scored.csv"
    return seconds_of([*batch, str(source), "--out", str(out)]), csv_total(out)


def in_memory(roster: pl.DataFrame) -> tuple[float, int]:
    started = time.perf_counter()
    scored = score_roster(roster, AS_OF)
    seconds = time.perf_counter() - started
    return seconds, int(scored["total_cash_yuan"].sum())


def on_spark(spark: Any, source: Path, directory: Path) -> tuple[float, int]:
    from eligibility.spark import score_roster as score_on_spark

    out = directory / "spark-out"
    started = time.perf_counter()
    frame = spark.read.option("header", True).csv(str(source))
    score_on_spark(frame, AS_OF).write.mode("overwrite").option("header", True).csv(str(out))
    return time.perf_counter() - started, csv_total(out / "*.csv")


def load_sqlite(roster: pl.DataFrame, directory: Path) -> Path:
    """The roster as a SQLite table of text (not timed)."""
    database = directory / "roster.db"
    database.unlink(missing_ok=True)
    with sqlite3.connect(database) as connection:
        connection.execute(f"CREATE TABLE {ROSTER} ({', '.join(f'{name} TEXT' for name in roster.columns)})")
        marks = ", ".join("?" for _ in roster.columns)
        connection.executemany(f"INSERT INTO {ROSTER} VALUES ({marks})", roster.iter_rows())
    return database


def through_sqlite(batch: list[str], database: Path) -> tuple[float, int]:
    target = ["--to-db", str(database), "--to-table", RESULTS, "--if-exists", "replace"]
    seconds = seconds_of([*batch, "--from-db", str(database), "--table", ROSTER, *target])
    with sqlite3.connect(database) as connection:
        total = connection.execute(f"SELECT sum(total_cash_yuan) FROM {RESULTS}").fetchone()[0]
    return seconds, int(total)


def load_postgres(roster: pl.DataFrame, uri: str) -> None:
    """The roster as a PostgreSQL table (not timed)."""
    import adbc_driver_postgresql.dbapi

    with adbc_driver_postgresql.dbapi.connect(uri) as connection, connection.cursor() as cursor:
        cursor.adbc_ingest(ROSTER, roster.to_arrow(), mode="replace")
        connection.commit()


def through_postgres(batch: list[str], uri: str) -> tuple[float, int]:
    import adbc_driver_postgresql.dbapi

    target = ["--to-db", uri, "--to-table", RESULTS, "--if-exists", "replace"]
    seconds = seconds_of([*batch, "--from-db", uri, "--table", ROSTER, *target])
    with adbc_driver_postgresql.dbapi.connect(uri) as connection, connection.cursor() as cursor:
        cursor.execute(f"SELECT sum(total_cash_yuan)::bigint FROM {RESULTS}")
        total = cursor.fetchone()[0]
    return seconds, int(total)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("rows", nargs="*", type=int, default=[1_000_000, 5_000_000])
    parser.add_argument("--skip", default="", help="comma-separated: spark, sqlite, postgresql")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each pipeline, interleaved; the median is shown")
    arguments = parser.parse_args()
    skip = set(filter(None, arguments.skip.split(",")))
    executable = Path(sys.executable).parent / "eligibility"
    if not executable.is_file():
        sys.exit("eligibility is not installed beside this Python")
    batch = [str(executable), "batch", "--as-of", AS_OF.isoformat(), "--quiet"]
    catalogue = Catalogue.from_directory()
    directory = Path(tempfile.mkdtemp(prefix="scale-bench-"))
    print(f"cpus: {os.cpu_count()}  polars {pl.__version__}  as of {AS_OF}")
    with ExitStack() as stack:
        spark: Any = None
        if "spark" not in skip:
            started = time.perf_counter()
            spark = stack.enter_context(spark_session(directory / "warehouse"))
            spark.range(1).count()
            print(f"Spark local[2] session started in {time.perf_counter() - started:.1f} s (not counted below)")
        postgres = stack.enter_context(postgres_server()) if "postgresql" not in skip else None
        for rows in arguments.rows:
            roster = batch_benchmark.synthetic_roster(rows, catalogue.regions)
            source = directory / "roster.csv"
            roster.write_csv(source)
            pipelines: dict[str, Callable[[], tuple[float, int]]] = {
                "one process (eligibility batch, CSV to CSV)": partial(one_process, batch, source, directory),
                "in memory (score_roster on a polars frame)": partial(in_memory, roster),
            }
            if spark is not None:
                pipelines["Spark local[2] (CSV to CSV, mapInArrow)"] = partial(on_spark, spark, source, directory)
            if "sqlite" not in skip:
                database = load_sqlite(roster, directory)
                pipelines["SQLite round trip (table to table)"] = partial(through_sqlite, batch, database)
            if postgres is not None:
                load_postgres(roster, postgres.uri())
                pipelines["PostgreSQL round trip (table to table)"] = partial(through_postgres, batch, postgres.uri())
            load = os.getloadavg()[0]
            runs: dict[str, list[tuple[float, int]]] = {label: [] for label in pipelines}
            for _ in range(arguments.repeat):  # interleaved, so that other work on the machine weighs on each alike
                for label, pipeline in pipelines.items():
                    runs[label].append(pipeline())
            print(
                f"\n{rows:,} rows ({source.stat().st_size / 1e6:,.0f} MB CSV), median of {arguments.repeat}, "
                f"load average {load:.1f} before and {os.getloadavg()[0]:.1f} after"
            )
            medians = {label: sorted(seconds for seconds, _ in done)[len(done) // 2] for label, done in runs.items()}
            reference = medians[next(iter(medians))]
            for label, done in runs.items():
                seconds, totals = medians[label], {total for _, total in done}
                spread = ", ".join(f"{run:.1f}" for run, _ in done)
                print(
                    f"  {label:<44} {seconds:7.2f} s  {rows / seconds:>11,.0f} rows/s  {seconds / reference:5.2f}x"
                    f"  total {', '.join(f'{total:,}' for total in sorted(totals))}  (runs: {spread} s)"
                )
            del roster
    shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
