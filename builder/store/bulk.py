"""Writing many rows at once, inside the caller's transaction (issue 16): the one place that decides how.

PostgreSQL: ``COPY … FROM STDIN`` on the connection's own psycopg connection,
and :class:`BulkWriter` to have the server insert one part while Python works
out the next. SQLite: ``executemany``, its fastest path (a bulk insert of
contacts indexes them for search in one go, after them).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.exc import DBAPIError

from builder.store.database import WorkspaceError


def bulk_insert(conn: Connection, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Insert many rows at once, inside the caller's transaction, without per-row object overhead.

    PostgreSQL: one ``COPY … FROM STDIN`` on the connection's own psycopg
    connection (one statement instead of one INSERT per row, issue 16).
    SQLite: one executemany, its fastest path.
    """
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        _copy_rows(conn, table.name, columns, rows)
        if "id" in columns:
            # Rows inserted with their own ids (restored, or numbered in bulk) do not move PostgreSQL's
            # sequence on: move it past them, or the next row numbered by the database would collide.
            conn.exec_driver_sql(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), (SELECT max(id) FROM {table.name}))"
            )
        return
    marker = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join([marker] * len(columns))})"
    if table.name == "contact" and "id" in columns:  # the search index takes them in one go, after them
        from builder.store.contact_search import indexed_in_bulk  # it reads through loading.py, which needs us

        at = list(columns).index("id")
        with indexed_in_bulk(conn, [row[at] for row in rows]):
            conn.exec_driver_sql(sql, list(rows))
        return
    conn.exec_driver_sql(sql, list(rows))


def _copy_rows(conn: Connection, name: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Rows through psycopg's COPY, on the same connection and so in the same transaction.

    psycopg writes each value in COPY's text form (NULL as ``\\N``, tabs, newlines and
    backslashes escaped), and the server reads it by the column's type, so what
    goes in comes back equal, as with INSERT.
    """
    driver = conn.connection.driver_connection
    if driver is None:  # pragma: no cover - a live Connection always has its driver connection
        raise WorkspaceError("The connection to the workspace was closed: open it again.")
    sql = f"COPY {name} ({', '.join(columns)}) FROM STDIN"
    dbapi = conn.dialect.loaded_dbapi
    try:
        with driver.cursor() as cursor, cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)
    except dbapi.Error as error:
        # The driver's own error, as SQLAlchemy would have raised it (IntegrityError, OperationalError …),
        # so the workspace turns it into a sentence exactly as it does for any other statement.
        raise DBAPIError.instance(sql, None, error, dbapi.Error, dialect=conn.dialect) from error


Rows = Sequence[Sequence[Any]]
Batch = Sequence[tuple[Table, Sequence[str], Rows]]  # (table, columns, rows), written in that order


class BulkWriter:
    """Bulk inserts that go in while the caller gets its next rows ready (issue 16).

    PostgreSQL: :meth:`write` hands a batch of COPYs to one background thread, on the caller's
    connection and transaction, and returns at once; the server inserts a part while Python works
    out the next. Until :meth:`wait` returns, the caller must not use the connection: ``write``
    waits for the previous batch itself, and leaving the ``with`` block waits for the last one. A
    batch that fails raises its error from ``wait`` (or the next ``write``), as ``bulk_insert`` would.
    SQLite: each batch is written at once, in the caller's thread (its connections stay in theirs).
    """

    def __init__(self, conn: Connection, insert: Callable[[Connection, Table, Sequence[str], Rows], None]) -> None:
        self.conn, self._insert = conn, insert  # the caller's bulk_insert: what wraps it there sees every batch
        self._background = conn.dialect.name == "postgresql"
        self._thread: threading.Thread | None = None
        self._failed: BaseException | None = None

    def __enter__(self) -> BulkWriter:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if kind is None:
            self.wait()
        elif self._thread is not None:  # leave the connection idle for the rollback; the first error wins
            self._thread.join()
            self._thread = None

    def write(self, batch: Batch) -> None:
        self.wait()
        if not batch:
            return
        if not self._background:
            self._write(batch)
            return
        self._thread = threading.Thread(target=self._write_caught, args=(batch,), name="bulk-writer", daemon=True)
        self._thread.start()

    def wait(self) -> None:
        """Until the batch being written is in; raises what stopped it."""
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        failed, self._failed = self._failed, None
        if failed is not None:
            raise failed

    def _write(self, batch: Batch) -> None:
        for table, columns, rows in batch:
            self._insert(self.conn, table, columns, rows)

    def _write_caught(self, batch: Batch) -> None:
        try:
            self._write(batch)
        except BaseException as error:  # handed to the caller's thread by wait()
            self._failed = error


def bulk_update(conn: Connection, sql: str, rows: Sequence[Sequence[Any]]) -> None:
    """Run one UPDATE over many rows; ``sql`` uses ``?`` for its parameters."""
    if not rows:
        return
    if conn.dialect.paramstyle != "qmark":
        sql = sql.replace("?", "%s")
    conn.exec_driver_sql(sql, list(rows))
