"""`eligibility batch --from-db/--to-db`: rosters from SQLite and a real PostgreSQL server, results written in one transaction."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from tests.support import REPO, invoke
from tests.support.postgres import PASSWORD, PASSWORD_IN_URI, PostgresServer, postgres_server
from tests.support.rosters import AS_OF, batch_result, roster

ROSTER_TABLE = "人才名单"
RESULT_TABLE = "评定结果"


@pytest.fixture(scope="module")
def postgres() -> Iterator[PostgresServer]:
    with postgres_server() as server:
        yield server


@pytest.fixture(scope="module")
def people() -> pl.DataFrame:
    return roster(2_000, seed=41)


@pytest.fixture(scope="module")
def reference(people: pl.DataFrame, tmp_path_factory: pytest.TempPathFactory) -> pl.DataFrame:
    """What `eligibility batch` writes for the same roster as a CSV file."""
    directory = tmp_path_factory.mktemp("reference")
    people.write_csv(directory / "roster.csv")
    return batch_result(directory / "roster.csv", directory)


def batch(*arguments: str) -> Any:
    return invoke("batch", *arguments, "--as-of", AS_OF.isoformat(), "--quiet")


def into_sqlite(path: Path, table: str, frame: pl.DataFrame) -> None:
    with sqlite3.connect(path) as connection:
        columns = ", ".join(f'"{name}"' for name in frame.columns)
        connection.execute(f'CREATE TABLE "{table}" ({columns})')
        marks = ", ".join("?" for _ in frame.columns)
        connection.executemany(f'INSERT INTO "{table}" VALUES ({marks})', frame.iter_rows())


def from_sqlite(path: Path, sql: str) -> pl.DataFrame:
    with sqlite3.connect(path) as connection:
        cursor = connection.execute(sql)
        names = [column[0] for column in cursor.description]
        return pl.DataFrame(cursor.fetchall(), schema=names, orient="row", infer_schema_length=None)


def postgres_connection(server: PostgresServer) -> Any:
    import adbc_driver_postgresql.dbapi

    return adbc_driver_postgresql.dbapi.connect(server.uri())


def into_postgres(server: PostgresServer, table: str, frame: pl.DataFrame) -> None:
    with postgres_connection(server) as connection, connection.cursor() as cursor:
        cursor.adbc_ingest(table, frame.to_arrow(), mode="replace")
        connection.commit()


def from_postgres(server: PostgresServer, sql: str) -> pl.DataFrame:
    with postgres_connection(server) as connection, connection.cursor() as cursor:
        cursor.execute(sql)
        frame = pl.from_arrow(cursor.fetch_arrow_table())
        assert isinstance(frame, pl.DataFrame)
        return frame


def as_reference(frame: pl.DataFrame) -> pl.DataFrame:
    """Read-back results with 工号 as a CSV file carries it (text), to compare with `eligibility batch`'s file."""
    return frame.with_columns(pl.col("工号").cast(pl.String))


# --- SQLite: the embedded default, nothing to install ---


def test_a_sqlite_roster_scored_into_sqlite_gives_the_rows_of_eligibility_batch_with_chinese_names_kept(
    people: pl.DataFrame, reference: pl.DataFrame, tmp_path: Path
) -> None:
    database = tmp_path / "人事.db"
    into_sqlite(database, ROSTER_TABLE, people)
    result = batch(
        "--from-db", str(database), "--table", ROSTER_TABLE, "--to-db", str(database), "--to-table", RESULT_TABLE
    )
    assert result.exit_code == 0, result.output
    scored = from_sqlite(database, f'SELECT * FROM "{RESULT_TABLE}"')
    assert scored.columns == reference.columns and scored.columns[-2:] == ["姓名", "工号"]
    assert as_reference(scored).equals(reference)
    tables = from_sqlite(database, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    assert tables["name"].to_list() == [ROSTER_TABLE, RESULT_TABLE]  # no temporary table left behind


def test_a_sqlite_uri_a_query_and_a_csv_output_read_the_same_roster(
    people: pl.DataFrame, reference: pl.DataFrame, tmp_path: Path
) -> None:
    database = tmp_path / "hr.db"
    into_sqlite(database, ROSTER_TABLE, people)
    out = tmp_path / "scored.parquet"
    query = f'SELECT * FROM "{ROSTER_TABLE}" WHERE rowid > 1000 ORDER BY rowid;'
    result = batch("--from-db", f"sqlite:///{database}", "--query", query, "--out", str(out))
    assert result.exit_code == 0, result.output
    expected = reference.slice(1000).with_columns(pl.col("row") - 1000)
    assert pl.read_parquet(out).equals(expected)


def test_typed_sqlite_values_are_read_as_text_as_a_csv_export_shows_them(tmp_path: Path) -> None:
    database = tmp_path / "typed.db"
    with sqlite3.connect(database) as connection:
        connection.execute(
            "CREATE TABLE staff (编号 INTEGER, 地区 TEXT, 学历 TEXT, 引进方式 TEXT, 本地工作年限 REAL, 是否在本地购房 INTEGER)"
        )
        connection.executemany(
            "INSERT INTO staff VALUES (?, ?, ?, ?, ?, ?)",
            [
                (1001, "阿克苏", "博士", "全职引进", 5, 1),
                (1002, "阿克苏", "博士", "全职引进", None, 0),
                (1003, "火星", None, None, None, None),
            ]
            + [
                (2000 + number, "阿克苏", None, None, None, None) for number in range(1100)
            ]  # past ADBC's 1,024-row guess
            + [(9999, "阿克苏", "博士", "全职引进", "五年", "是")],  # text where numbers were: SQLite allows it
        )
    out = tmp_path / "o.jsonl"
    assert batch("--from-db", str(database), "--table", "staff", "--out", str(out)).exit_code == 0
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [(row["id"], row["total_cash_yuan"]) for row in rows[:2]] == [("1001", 500_000), ("1002", 0)]
    assert rows[2]["error"].startswith("地区 (region): '火星': not an allowed value")
    assert rows[-1]["error"].startswith("本地工作年限 (years_served): '五年'")


def test_replace_and_append_write_the_table_and_an_existing_table_is_never_overwritten_unasked(
    people: pl.DataFrame, tmp_path: Path
) -> None:
    database, roster_csv = tmp_path / "out.db", tmp_path / "roster.csv"
    people.head(50).write_csv(roster_csv)
    target = ("--to-db", str(database), "--to-table", RESULT_TABLE)
    assert batch(str(roster_csv), *target).exit_code == 0
    refused = batch(str(roster_csv), *target)
    assert refused.exit_code == 2
    assert refused.output.strip() == (
        f"error: --to-table: '{RESULT_TABLE}': already exists in {database}; replace it or append to it "
        "(if-exists: replace, append)"
    )
    assert batch(str(roster_csv), *target, "--if-exists", "append").exit_code == 0
    assert from_sqlite(database, f'SELECT count(*) AS n FROM "{RESULT_TABLE}"')["n"].item() == 100
    assert batch(str(roster_csv), *target, "--if-exists", "replace").exit_code == 0
    assert from_sqlite(database, f'SELECT count(*) AS n FROM "{RESULT_TABLE}"')["n"].item() == 50


def test_reading_and_writing_one_sqlite_file_in_many_chunks_commits_every_row(
    people: pl.DataFrame, reference: pl.DataFrame, tmp_path: Path
) -> None:
    from eligibility.batch import BatchOptions, run_batch
    from eligibility.batch.database import DatabaseSource, DatabaseTarget, parse_uri
    from eligibility.packs.catalogue import Catalogue

    database = tmp_path / "one.db"
    into_sqlite(database, ROSTER_TABLE, people)
    uri = parse_uri(str(database), "from_db")
    source = DatabaseSource(uri, table=ROSTER_TABLE)
    target = DatabaseTarget(uri, RESULT_TABLE, "fail", held=True)
    summary = run_batch(BatchOptions(source, target, AS_OF, chunk_rows=150), Catalogue.from_directory())
    assert summary.rows == people.height
    assert as_reference(from_sqlite(database, f'SELECT * FROM "{RESULT_TABLE}"')).equals(reference)


def test_a_missing_file_table_or_column_and_options_that_do_not_go_together_are_one_line_each(tmp_path: Path) -> None:
    database = tmp_path / "hr.db"
    into_sqlite(database, ROSTER_TABLE, pl.DataFrame({"地区": ["aksu"], "a": ["1"]}))
    out = str(tmp_path / "o.csv")
    cases = {
        (
            "--from-db",
            str(tmp_path / "none.db"),
            "--table",
            "t",
            "--out",
            out,
        ): f"error: --from-db: '{tmp_path / 'none.db'}': no such SQLite file",
        (
            "--from-db",
            str(database),
            "--table",
            "无此表",
            "--out",
            out,
        ): "error: --table: '无此表': no such table: 无此表",
        (
            "--from-db",
            str(database),
            "--out",
            out,
        ): "error: --from-db: name the roster with --table T or --query SQL (one of the two)",
        (
            "--from-db",
            str(database),
            "--table",
            "t",
        ): "error: --out: give an output file or --to-db URI (one of the two)",
        ("--out", out): "error: INPUT: give a roster file or --from-db URI (one of the two)",
        ("--from-db", str(database), "--table", "t", "--to-db", str(database)): (
            "error: --to-db: name the table to write with --to-table NAME"
        ),
        (
            "--from-db",
            str(database),
            "--table",
            ROSTER_TABLE,
            "--to-db",
            str(database),
            "--to-table",
            ROSTER_TABLE,
            "--if-exists",
            "replace",
        ): (f"error: --to-table: '{ROSTER_TABLE}': must not be the table read (append, or write another table)"),
        (
            "--from-db",
            str(database),
            "--table",
            ROSTER_TABLE,
            "--to-db",
            str(database),
            "--to-table",
            "x",
            "--if-exists",
            "merge",
        ): ("error: --if-exists: 'merge': allowed: fail, replace, append"),
        ("--from-db", "mysql://root:pw@db.example/hr", "--table", "t", "--out", out): (
            "error: --from-db: 'mysql://root:***@db.example/hr': not a supported database; "
            "allowed: a SQLite file (path, or sqlite:///path) or postgresql://user@host:port/database"
        ),
    }
    for arguments, message in cases.items():
        result = batch(*arguments)
        assert (result.exit_code, result.output.strip()) == (2, message), arguments
    assert not Path(out).exists()


# --- PostgreSQL: a real server started by the tests ---


def test_a_postgresql_round_trip_gives_the_rows_of_eligibility_batch_and_never_prints_the_password(
    postgres: PostgresServer, people: pl.DataFrame, reference: pl.DataFrame, tmp_path: Path
) -> None:
    into_postgres(postgres, ROSTER_TABLE, people)
    summary = tmp_path / "summary.json"
    result = invoke(
        "batch",
        "--from-db", postgres.uri(), "--table", ROSTER_TABLE,
        "--to-db", postgres.uri(), "--to-table", RESULT_TABLE,
        "--as-of", AS_OF.isoformat(), "--summary-json", str(summary), "--lang", "en",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    scored = from_postgres(postgres, f'SELECT * FROM "{RESULT_TABLE}" ORDER BY "row"')
    assert scored.columns == reference.columns and scored.columns[-2:] == ["姓名", "工号"]
    assert scored.schema["工号"] == pl.Int64  # carried with its database type
    assert as_reference(scored).equals(reference)
    written = summary.read_text(encoding="utf-8")
    for text in (result.output, written):
        assert PASSWORD not in text and PASSWORD_IN_URI not in text
    assert (
        json.loads(written)["input"]
        == f"postgresql://postgres:***@127.0.0.1:{postgres.port}/postgres table {ROSTER_TABLE}"
    )


def test_a_wrong_password_is_one_line_naming_the_option_and_showing_no_password(
    postgres: PostgresServer, tmp_path: Path
) -> None:
    wrong = "wrong-Zq9x%40Kv7w"  # '@' written %40 in the URI
    result = batch("--from-db", postgres.uri(password=wrong), "--table", ROSTER_TABLE, "--out", str(tmp_path / "o.csv"))
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and result.output.startswith("error: --from-db: 'postgresql://postgres:***@")
    assert "password authentication failed" in result.output
    assert "Zq9x" not in result.output and "Kv7w" not in result.output


def test_typed_postgresql_columns_are_read_as_a_roster_file_shows_them_and_a_query_chooses_the_rows(
    postgres: PostgresServer, tmp_path: Path
) -> None:
    with postgres_connection(postgres) as connection, connection.cursor() as cursor:
        cursor.execute('DROP TABLE IF EXISTS "员工"')
        cursor.execute(
            'CREATE TABLE "员工" ("编号" bigint, "地区" text, "学历" text, "引进方式" text, "本地工作起始日期" date, '
            '"本地工作年限" numeric(4,1), "是否在本地购房" boolean, "部门" text)'
        )
        cursor.execute(
            "INSERT INTO \"员工\" VALUES (1, '阿克苏', '博士', '全职引进', '2019-06-01', NULL, true, '研发'), "
            "(2, '阿克苏', '硕士', '全职引进', NULL, 5.0, true, '财务'), (3, '火星', NULL, NULL, NULL, NULL, NULL, '研发')"
        )
        connection.commit()
    out = tmp_path / "o.jsonl"
    query = 'SELECT * FROM "员工" WHERE "部门" = \'研发\' ORDER BY "编号"'
    assert batch("--from-db", postgres.uri(), "--query", query, "--out", str(out)).exit_code == 0
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [(row["id"], row["total_cash_yuan"], row["部门"]) for row in rows] == [
        ("1", 500_000, "研发"),
        ("3", None, "研发"),
    ]
    everyone = tmp_path / "all.jsonl"
    assert batch("--from-db", postgres.uri(), "--table", "public.员工", "--out", str(everyone)).exit_code == 0
    totals = [json.loads(line)["total_cash_yuan"] for line in everyone.read_text(encoding="utf-8").splitlines()]
    assert totals == [500_000, 400_000, None]  # numeric 5.0 read as 5 years


def test_replacing_the_table_that_is_read_neither_hangs_nor_loses_rows(
    postgres: PostgresServer, people: pl.DataFrame
) -> None:
    into_postgres(postgres, "名单与结果", people.head(300))
    result = batch(
        "--from-db", postgres.uri(), "--table", "名单与结果",
        "--to-db", postgres.uri(), "--to-table", "名单与结果", "--if-exists", "replace",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    replaced = from_postgres(postgres, 'SELECT * FROM "名单与结果" ORDER BY "row"')
    assert replaced.height == 300 and replaced.columns[:3] == ["row", "id", "status"]
    assert replaced["id"].to_list() == people.head(300)["编号"].to_list()


def test_a_postgresql_name_longer_than_63_bytes_is_refused_not_cut(postgres: PostgresServer, tmp_path: Path) -> None:
    roster_csv = tmp_path / "r.csv"
    roster_csv.write_text("编号,地区\nA1,阿克苏\n", encoding="utf-8")
    name = "人才引进资格评定结果" * 3  # 30 characters, 90 bytes
    result = batch(str(roster_csv), "--to-db", postgres.uri(), "--to-table", name)
    assert result.exit_code == 2
    assert f"error: --to-table: '{name}': a PostgreSQL name holds at most 63 bytes" in result.output


# --- one transaction: an interrupted run leaves the old table ---

KILLED_RUN = textwrap.dedent(
    """
    import os, signal, sys
    from datetime import date
    from eligibility.batch import BatchOptions, run_batch
    from eligibility.batch.database import DatabaseSource, DatabaseTarget, parse_uri
    from eligibility.packs.catalogue import Catalogue

    uri, table, if_exists = sys.argv[1], sys.argv[2], sys.argv[3]
    chunks = 0

    def progress(rows):
        global chunks
        chunks += 1
        if chunks == 3:  # two chunks are in the table's transaction by now: die without a word
            os.kill(os.getpid(), signal.SIGKILL)

    source = DatabaseSource(parse_uri(uri, "from_db"), table="人才名单")
    target = DatabaseTarget(parse_uri(uri, "to_db"), table, if_exists)
    run_batch(BatchOptions(source, target, date(2025, 6, 1), chunk_rows=200), Catalogue.from_directory(), progress)
    """
)


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
@pytest.mark.parametrize("if_exists", ["replace", "append"])
def test_a_run_killed_while_writing_leaves_the_old_table_as_it_was_and_no_half_table(
    database: str, if_exists: str, people: pl.DataFrame, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    from eligibility import score_roster

    old = score_roster(people.head(2), AS_OF)  # results of an earlier run: an append would fit them
    if database == "sqlite":
        uri = str(tmp_path / "hr.db")
        into_sqlite(Path(uri), ROSTER_TABLE, people)
        into_sqlite(Path(uri), "旧结果", old)

        def tables() -> list[str]:
            return from_sqlite(Path(uri), "SELECT name FROM sqlite_master ORDER BY name")["name"].to_list()

        def contents() -> pl.DataFrame:
            return from_sqlite(Path(uri), 'SELECT * FROM "旧结果"')
    else:
        server: PostgresServer = request.getfixturevalue("postgres")
        uri = server.uri()
        into_postgres(server, ROSTER_TABLE, people)
        into_postgres(server, "旧结果", old)

        def tables() -> list[str]:
            sql = "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
            return from_postgres(server, sql)["tablename"].to_list()

        def contents() -> pl.DataFrame:
            return from_postgres(server, 'SELECT * FROM "旧结果"')

    before, kept = tables(), contents()
    assert kept.height == 2
    run = subprocess.run(
        [sys.executable, "-c", KILLED_RUN, uri, "旧结果", if_exists], capture_output=True, text=True, timeout=120
    )
    assert run.returncode == -9, run.stderr  # killed as planned, with two chunks written (a failed write exits 1)
    assert contents().equals(kept)
    assert tables() == before  # no half-filled table under another name either


# --- the README's commands, as written ---


def readme_database_commands() -> list[list[str]]:
    """The commands of the README's 'From and to a database' block, as argument lists."""
    section = (REPO / "README.md").read_text(encoding="utf-8").split("### From and to a database", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.DOTALL)
    assert block is not None
    return [shlex.split(line, comments=True) for line in block.group(1).splitlines() if line.strip()]


def test_the_readme_database_commands_run_as_written_on_sqlite_and_a_real_postgresql(
    postgres: PostgresServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "examples").mkdir()
    shutil.copy(REPO / "examples" / "roster.csv", tmp_path / "examples" / "roster.csv")
    sample = pl.read_csv(tmp_path / "examples" / "roster.csv", infer_schema=False)
    into_sqlite(tmp_path / "hr.db", ROSTER_TABLE, sample)
    with postgres_connection(postgres) as connection, connection.cursor() as cursor:
        cursor.execute("CREATE SCHEMA IF NOT EXISTS hr")
        cursor.adbc_ingest(ROSTER_TABLE, sample.to_arrow(), mode="replace", db_schema_name="hr")
        connection.commit()
    commands = readme_database_commands()
    assert len(commands) >= 4 and any("postgresql://" in " ".join(command) for command in commands)
    for command in commands:
        assert command[0] == "eligibility"
        arguments = [postgres.uri() if part.startswith("postgresql://") else part for part in command[1:]]
        result = invoke(*arguments)
        assert result.exit_code == 0, (command, result.output)
    assert from_sqlite(tmp_path / "hr.db", f'SELECT count(*) AS n FROM "{RESULT_TABLE}"')["n"].item() == sample.height
    assert pl.read_excel(tmp_path / "aksu.xlsx").height == (sample["地区"] == "阿克苏").sum()
    assert from_postgres(postgres, f'SELECT count(*) AS n FROM hr."{RESULT_TABLE}"')["n"].item() == sample.height
