"""Rosters read from a database table or query, results written to a database table.

SQLite needs nothing beyond Python (its `sqlite3` module): a file path, or a
`sqlite:///relative.db` / `sqlite:////absolute.db` URI. PostgreSQL
(`postgresql://user@host:port/database`) goes through ADBC
(`adbc-driver-postgresql`, the `db` extra): Arrow in and out, COPY underneath.

SQLite columns have no fixed type, and ADBC's SQLite driver guesses a column's
type from its first rows (a column empty at first and text later fails), so
SQLite is read with `sqlite3`, every column as text, exactly as a CSV export.
PostgreSQL columns keep their types: fact columns are read as a roster file
would show them (frames.as_text), other columns are carried through as they are.

Results are written in one transaction. A new table is filled under a
temporary name and renamed into place at commit (replacing the old table when
asked), so an interrupted run leaves the old table as it was and never half a
new one, and the old table stays readable, unlocked, while the run goes on; an
append inserts into the table inside the same transaction. A connection URI's
password is never shown: `str()` of a source or target and every message
carry the URI with the password replaced by `***`.
"""

from __future__ import annotations

import secrets
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

import polars as pl

from eligibility.batch.frames import arrow_chunks, arrow_column, as_text
from eligibility.batch.reading import Headers, Roster, map_headers
from eligibility.errors import InputError, Problem

if TYPE_CHECKING:
    import pyarrow

IfExists = Literal["fail", "replace", "append"]
IF_EXISTS: Final[tuple[IfExists, ...]] = ("fail", "replace", "append")
POSTGRES_NAME_BYTES: Final = 63  # PostgreSQL cuts longer names silently
SUPPORTED: Final = "a SQLite file (path, or sqlite:///path) or postgresql://user@host:port/database"
_SECRET_KEYS: Final = frozenset({"password", "passwd", "pwd"})


@dataclass(frozen=True)
class DatabaseUri:
    """A connection URI as given (`text`, secret), as shown (`shown`, no password), and which database it is."""

    text: str = field(repr=False)
    kind: Literal["sqlite", "postgresql"]
    shown: str
    path: Path | None = None  # SQLite's file
    secrets: tuple[str, ...] = field(default=(), repr=False)

    def __str__(self) -> str:
        return self.shown

    def scrub(self, message: str) -> str:
        """`message` with every form of the password replaced by ***."""
        for secret in self.secrets:
            message = message.replace(secret, "***")
        return message


def parse_uri(text: str, parameter: str) -> DatabaseUri:
    """A database URI; a text without `scheme://` is a SQLite file. InputError (naming `parameter`) otherwise."""
    if "://" not in text:
        return DatabaseUri(text, "sqlite", text, Path(text))
    scheme = text.partition("://")[0].lower()
    if scheme == "sqlite":
        path = text.partition("://")[2].removeprefix("/")  # sqlite:///relative.db, sqlite:////absolute.db
        if not path:
            raise InputError([Problem(parameter, f"no file named; allowed: {SUPPORTED}", text)])
        return DatabaseUri(text, "sqlite", text, Path(unquote(path)))
    shown, hidden = _redacted(text)
    if scheme not in ("postgresql", "postgres"):
        raise InputError([Problem(parameter, f"not a supported database; allowed: {SUPPORTED}", shown)])
    return DatabaseUri(text, "postgresql", shown, secrets=hidden)


def _redacted(text: str) -> tuple[str, tuple[str, ...]]:
    """The URI with its password (in the user part or the query) replaced by ***, and the password's forms."""
    try:
        parts = urlsplit(text)
    except ValueError:
        return text.partition("://")[0] + "://***", (text,)
    found: list[str] = []
    netloc = parts.netloc
    user, at, host = netloc.rpartition("@")
    if at and ":" in user:
        name, _, password = user.partition(":")
        found.append(password)
        netloc = f"{name}:***@{host}"
    query = parse_qsl(parts.query, keep_blank_values=True)
    if any(key.lower() in _SECRET_KEYS for key, _ in query):
        found.extend(value for key, value in query if key.lower() in _SECRET_KEYS)
        query = [(key, "***" if key.lower() in _SECRET_KEYS else value) for key, value in query]
    shown = urlunsplit((parts.scheme, netloc, parts.path, urlencode(query, safe="*"), parts.fragment))
    forms = {form for secret in found if secret for form in (secret, unquote(secret))}
    return shown, tuple(sorted(forms, key=len, reverse=True))


def quoted(name: str) -> str:
    """A name as an SQL identifier: in double quotes, any double quote doubled."""
    return '"' + name.replace('"', '""') + '"'


def table_name(name: str) -> tuple[str | None, str]:
    """(schema, table) of `schema.table`, or (None, table)."""
    schema, dot, table = name.partition(".")
    return (schema, table) if dot and schema and table else (None, name)


def qualified(name: str) -> str:
    schema, table = table_name(name)
    return quoted(table) if schema is None else f"{quoted(schema)}.{quoted(table)}"


def _message(error: BaseException, uri: DatabaseUri) -> str:
    """A driver's error as one line: its first meaningful line, without driver prefixes or the password."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    text = lines[0] if lines else type(error).__name__
    for prefix in ("IO: ", "NOT_FOUND: ", "ALREADY_EXISTS: ", "INVALID_ARGUMENT: ", "INTERNAL: ", "UNKNOWN: "):
        text = text.removeprefix(prefix)
    for prefix in ("[libpq] ", "Failed to prepare query: ", "Failed to execute query: "):
        text = text.removeprefix(prefix)
    return uri.scrub(text.replace("ERROR:  ", "").replace("FATAL:  ", ""))


def _postgres() -> Any:
    try:
        import adbc_driver_postgresql.dbapi
    except ImportError:
        raise InputError(
            [Problem("database", "PostgreSQL needs the db extra: pip install 'eligibility[db]'")]
        ) from None
    return adbc_driver_postgresql.dbapi


def _postgres_errors() -> tuple[type[BaseException], ...]:
    import adbc_driver_manager

    return (adbc_driver_manager.Error,)


@dataclass(frozen=True)
class DatabaseSource:
    """A roster in a database: a table (`table`) or the result of a query (`query`), read in chunks."""

    uri: DatabaseUri
    table: str | None = None
    query: str | None = None

    def __post_init__(self) -> None:
        if (self.table is None) == (self.query is None):
            raise InputError([Problem("table", "name a table or give a query (one of the two)")])

    def __str__(self) -> str:
        return f"{self.uri.shown} table {self.table}" if self.table is not None else f"{self.uri.shown} query"

    @property
    def parameter(self) -> str:
        return "table" if self.table is not None else "query"

    @property
    def sql(self) -> str:
        if self.table is not None:
            return f"SELECT * FROM {qualified(self.table)}"
        assert self.query is not None
        return self.query.strip().rstrip(";").strip()

    @contextmanager
    def open(self, chunk_rows: int, reserved: Iterable[str]) -> Iterator[Roster]:
        opener = self._open_sqlite if self.uri.kind == "sqlite" else self._open_postgres
        with opener(chunk_rows, reserved) as roster:
            yield roster

    @contextmanager
    def _open_sqlite(self, chunk_rows: int, reserved: Iterable[str]) -> Iterator[Roster]:
        path = self.uri.path
        assert path is not None
        if not path.is_file():
            raise InputError([Problem("from_db", "no such SQLite file", self.uri.shown)])
        connection = sqlite3.connect(
            f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None, check_same_thread=False
        )
        try:
            try:
                names = [column[0] for column in connection.execute(f"SELECT * FROM ({self.sql}) LIMIT 0").description]
            except sqlite3.Error as error:
                raise InputError(
                    [Problem(self.parameter, _message(error, self.uri), self.table or self.query)]
                ) from None
            headers = self._headers(names, reserved)
            # every column as text, as SQLite stores it (5 -> '5', 4.5 -> '4.5'): SQLite columns have no fixed type
            text = ", ".join(f"CAST(q.{quoted(name)} AS TEXT) AS {quoted(name)}" for name in names)
            cursor = connection.execute(f"SELECT {text} FROM ({self.sql}) AS q")
            renames = {header: key for key, header in headers.facts.items()}
            schema = {name: pl.String() for name in names}

            def chunks() -> Iterator[pl.DataFrame]:
                try:
                    while rows := cursor.fetchmany(chunk_rows):
                        yield pl.DataFrame(rows, schema=schema, orient="row").rename(renames)
                except sqlite3.Error as error:
                    raise InputError([Problem(self.parameter, _message(error, self.uri))]) from None
                finally:
                    cursor.close()  # the read lock goes with it: a write to the same file may commit

            yield Roster(headers, chunks(), "sqlite")
        finally:
            connection.close()

    @contextmanager
    def _open_postgres(self, chunk_rows: int, reserved: Iterable[str]) -> Iterator[Roster]:
        dbapi = _postgres()
        errors = _postgres_errors()
        try:
            connection = dbapi.connect(self.uri.text, autocommit=True)
        except errors as error:
            raise InputError([Problem("from_db", _message(error, self.uri), self.uri.shown)]) from None
        try:
            cursor = connection.cursor()
            try:
                cursor.execute(self.sql)
                reader = cursor.fetch_record_batch()
            except errors as error:
                raise InputError(
                    [Problem(self.parameter, _message(error, self.uri), self.table or self.query)]
                ) from None
            names = reader.schema.names
            headers = self._headers(names, reserved)

            def chunks() -> Iterator[pl.DataFrame]:
                try:
                    for table in arrow_chunks(reader, chunk_rows):
                        yield frame_of(table, headers)
                except errors as error:
                    raise InputError([Problem(self.parameter, _message(error, self.uri))]) from None
                finally:
                    cursor.close()  # the statement ends here, not at the end of the run: its locks go with it

            yield Roster(headers, chunks(), "postgresql")
        finally:
            connection.close()

    def _headers(self, names: list[str], reserved: Iterable[str]) -> Headers:
        twice = sorted({name for name in names if names.count(name) > 1})
        if twice:
            raise InputError(
                [
                    Problem(self.parameter, f"column {name!r} appears twice; give each column its own name")
                    for name in twice
                ]
            )
        return map_headers(names, self.table or "query", reserved)


def frame_of(table: pyarrow.Table, headers: Headers) -> pl.DataFrame:
    """A roster chunk from Arrow: fact columns by key, as text; other columns carried as they are."""
    facts = pl.DataFrame([arrow_column(table.column(header), key, header) for key, header in headers.facts.items()])
    carried = [arrow_column(table.column(column), column, column) for column in headers.carried]
    columns = [*as_text(facts, headers).get_columns(), *carried]
    return pl.DataFrame(columns) if columns else pl.DataFrame(height=table.num_rows)


@dataclass(frozen=True)
class DatabaseTarget:
    """A table that results are written to, in one transaction: a new one, a replaced one, or appended to.

    `held` keeps a SQLite transaction's pages in memory until commit, needed when
    the roster is read from the same file while the results are written.
    """

    uri: DatabaseUri
    table: str
    if_exists: IfExists = "fail"
    held: bool = False

    def __post_init__(self) -> None:
        if self.if_exists not in IF_EXISTS:
            raise InputError([Problem("if_exists", f"allowed: {', '.join(IF_EXISTS)}", self.if_exists)])
        if not self.table.strip():
            raise InputError([Problem("to_table", "a table name is required", self.table)])

    def __str__(self) -> str:
        return f"{self.uri.shown} table {self.table}"

    def writer(self) -> _SqliteWriter | _PostgresWriter:
        return _SqliteWriter(self) if self.uri.kind == "sqlite" else _PostgresWriter(self)


def _exists_problem(target: DatabaseTarget) -> InputError:
    return InputError(
        [
            Problem(
                "to_table",
                f"already exists in {target.uri.shown}; replace it or append to it (if-exists: replace, append)",
                target.table,
            )
        ]
    )


def _staging_name() -> str:
    return f"eligibility_partial_{secrets.token_hex(6)}"


class _SqliteWriter:
    """Results into a SQLite table in one transaction (sqlite3, explicit BEGIN ... COMMIT)."""

    def __init__(self, target: DatabaseTarget) -> None:
        self.target = target
        self.rows = 0
        self.schema, self.name = table_name(target.table)
        path = target.uri.path
        assert path is not None
        if not path.resolve().parent.is_dir():
            raise InputError([Problem("to_db", "no such directory for the SQLite file", target.uri.shown)])
        try:
            # used by one thread at a time: the writing thread, then the committing one
            self.connection = sqlite3.connect(path, isolation_level=None, timeout=30, check_same_thread=False)
            if target.held:
                self.connection.execute("PRAGMA cache_spill = OFF")
            self.connection.execute("BEGIN")
        except sqlite3.Error as error:
            raise InputError([Problem("to_db", _message(error, target.uri), target.uri.shown)]) from None
        if target.if_exists == "fail" and self._exists():
            self.abort()
            raise _exists_problem(target)
        self.filling = (
            target.table
            if target.if_exists == "append"
            else (_staging_name() if self.schema is None else f"{self.schema}.{_staging_name()}")
        )
        self.created = False

    def _exists(self) -> bool:
        master = "sqlite_master" if self.schema is None else f"{quoted(self.schema)}.sqlite_master"
        try:
            found = self.connection.execute(
                f"SELECT 1 FROM {master} WHERE type IN ('table', 'view') AND name = ?", (self.name,)
            ).fetchone()
        except sqlite3.Error as error:
            raise InputError([Problem("to_table", _message(error, self.target.uri), self.target.table)]) from None
        return found is not None

    def _create(self, schema: dict[str, pl.DataType]) -> None:
        columns = ", ".join(f"{quoted(name)} {_sqlite_type(dtype)}" for name, dtype in schema.items())
        maybe = "IF NOT EXISTS " if self.target.if_exists == "append" else ""
        self._run(f"CREATE TABLE {maybe}{qualified(self.filling)} ({columns})")
        self.created = True

    def _run(self, sql: str, rows: Iterable[Any] | None = None) -> None:
        try:
            if rows is None:
                self.connection.execute(sql)
            else:
                self.connection.executemany(sql, rows)
        except sqlite3.Error as error:
            raise InputError([Problem("to_table", _message(error, self.target.uri), self.target.table)]) from None

    def write(self, chunk: pl.DataFrame) -> None:
        if not self.created:
            self._create(dict(chunk.schema))
        chunk = _sqlite_values(chunk)
        names = ", ".join(quoted(name) for name in chunk.columns)
        marks = ", ".join("?" for _ in chunk.columns)
        self._run(f"INSERT INTO {qualified(self.filling)} ({names}) VALUES ({marks})", chunk.iter_rows())
        self.rows += chunk.height

    def commit(self, columns: dict[str, pl.DataType]) -> None:
        if not self.created:
            self._create(columns)
        if self.target.if_exists != "append":
            if self.target.if_exists == "replace":
                self._run(f"DROP TABLE IF EXISTS {qualified(self.target.table)}")
            elif self._exists():  # made by someone else during the run
                raise _exists_problem(self.target)
            self._run(f"ALTER TABLE {qualified(self.filling)} RENAME TO {quoted(self.name)}")
        self._run("COMMIT")
        self.connection.close()

    def abort(self) -> None:
        try:
            if self.connection.in_transaction:
                self.connection.execute("ROLLBACK")
        finally:
            self.connection.close()


def _sqlite_type(dtype: pl.DataType) -> str:
    if dtype.is_integer() or dtype == pl.Boolean:
        return "INTEGER"
    if dtype.is_float():
        return "REAL"
    return "TEXT"


def _sqlite_values(chunk: pl.DataFrame) -> pl.DataFrame:
    """Values sqlite3 stores as they are: numbers, text, booleans as 0/1; anything else as its text."""
    plain = [
        name
        for name, dtype in chunk.schema.items()
        if not (dtype.is_numeric() or dtype in (pl.String, pl.Boolean, pl.Null))
    ]
    try:
        return chunk.with_columns(pl.col(name).cast(pl.String) for name in plain) if plain else chunk
    except pl.exceptions.PolarsError:
        raise InputError(
            [Problem("to_table", f"columns {', '.join(plain)} cannot be stored in SQLite; select them as text")]
        ) from None


class _PostgresWriter:
    """Results into a PostgreSQL table in one transaction (ADBC: COPY into the table, then COMMIT)."""

    def __init__(self, target: DatabaseTarget) -> None:
        self.target = target
        self.rows = 0
        self.schema, self.name = table_name(target.table)
        _check_length("to_table", [self.name, *([self.schema] if self.schema else [])])
        dbapi = _postgres()
        self.errors = _postgres_errors()
        try:
            self.connection = dbapi.connect(target.uri.text, autocommit=False)
        except self.errors as error:
            raise InputError([Problem("to_db", _message(error, target.uri), target.uri.shown)]) from None
        self.cursor = self.connection.cursor()
        if target.if_exists == "fail" and self._exists():
            self.abort()
            raise _exists_problem(target)
        self.filling = self.name if target.if_exists == "append" else _staging_name()
        self.created = False

    def _exists(self) -> bool:
        self._run(f"SELECT to_regclass('{qualified(self.target.table).replace(chr(39), chr(39) * 2)}') IS NOT NULL")
        found = self.cursor.fetchone()
        return bool(found and found[0])

    def _run(self, sql: str) -> None:
        try:
            self.cursor.execute(sql)
        except self.errors as error:
            raise InputError([Problem("to_table", _message(error, self.target.uri), self.target.table)]) from None

    def _ingest(self, data: pyarrow.Table) -> None:
        mode = "create_append" if self.target.if_exists == "append" else ("append" if self.created else "create")
        try:
            self.cursor.adbc_ingest(self.filling, data, mode=mode, db_schema_name=self.schema)
        except self.errors as error:
            raise InputError([Problem("to_table", _message(error, self.target.uri), self.target.table)]) from None
        self.created = True

    def write(self, chunk: pl.DataFrame) -> None:
        if not self.created:
            _check_length("to_table", chunk.columns, what="column name")
        self._ingest(chunk.to_arrow(compat_level=pl.CompatLevel.oldest()))
        self.rows += chunk.height

    def commit(self, columns: dict[str, pl.DataType]) -> None:
        if not self.created:  # the table is made all the same, with the result's columns
            self._ingest(pl.DataFrame(schema=columns).to_arrow(compat_level=pl.CompatLevel.oldest()))
        if self.target.if_exists != "append":
            if self.target.if_exists == "replace":
                self._run(f"DROP TABLE IF EXISTS {qualified(self.target.table)}")
            staging = quoted(self.filling) if self.schema is None else f"{quoted(self.schema)}.{quoted(self.filling)}"
            self._run(f"ALTER TABLE {staging} RENAME TO {quoted(self.name)}")  # fails if made meanwhile
        try:
            self.connection.commit()
        except self.errors as error:
            raise InputError([Problem("to_table", _message(error, self.target.uri), self.target.table)]) from None
        finally:
            self._close()

    def abort(self) -> None:
        try:
            self.connection.rollback()
        except self.errors:
            pass  # the connection is gone: the server rolls the transaction back itself
        finally:
            self._close()

    def _close(self) -> None:
        try:
            self.cursor.close()
            self.connection.close()
        except self.errors:
            pass


def _check_length(parameter: str, names: Iterable[str], what: str = "name") -> None:
    long = [name for name in names if len(name.encode("utf-8")) > POSTGRES_NAME_BYTES]
    if long:
        raise InputError(
            [
                Problem(
                    parameter,
                    f"a PostgreSQL {what} holds at most {POSTGRES_NAME_BYTES} bytes (a Chinese character takes 3); "
                    "a longer one would be cut",
                    name,
                )
                for name in long
            ]
        )
