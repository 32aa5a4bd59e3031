"""Where a workspace lives and how it is opened (SPEC §9).

SQLite by default (WAL, foreign keys on, every write transaction taken with
``BEGIN IMMEDIATE`` so two writers never deadlock half-way), or any SQLAlchemy
URL. A file that is not a workspace, or one made by a newer version, is refused
and left untouched: it is only ever read, read-only, before that decision.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import platformdirs
from sqlalchemy import Connection, Engine, Table, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from builder.private_paths import make_private_file
from builder.store.migrations import LATEST, upgrade

SQLITE_HEADER = b"SQLite format 3\x00"
READ_ONLY = "workspace_read_only"


class WorkspaceError(ValueError):
    """Something the user asked for that cannot be done; the message says why."""


def default_workspace_path() -> Path:
    """The workspace file in the platform's app-data folder."""
    return platformdirs.user_data_path("automation-builder", appauthor=False) / "workspace.sqlite"


def database_url(target: str | Path | None) -> str:
    """A SQLAlchemy URL for ``--db``: a path, a URL, or None for the default file."""
    if target is None:
        target = default_workspace_path()
    text = str(target)
    if "://" in text:
        try:
            make_url(text)
        except ArgumentError:
            raise WorkspaceError(f"'{text}' is not a database address this app understands.") from None
        return text
    return f"sqlite:///{Path(text).expanduser().resolve()}"


def sqlite_path(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def check_sqlite_file(path: Path) -> bool:
    """Decide, reading only, whether ``path`` can be opened as a workspace.

    Returns True when the file holds a workspace already, False when it is new
    or empty; raises :class:`WorkspaceError` for anything else.
    """
    if path.is_dir():
        raise WorkspaceError(f"'{path}' is a folder, not a workspace file.")
    if not path.exists() or path.stat().st_size == 0:
        return False
    with path.open("rb") as handle:
        if handle.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            raise WorkspaceError(f"'{path}' is not an Automation Builder workspace (it is not a database file).")
    try:
        connection = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
        try:
            names = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if not names:
                return False
            if "schema_version" not in names:
                raise WorkspaceError(
                    f"'{path}' is a database, but not an Automation Builder workspace; it was left as it is."
                )
            row = connection.execute("SELECT max(version) FROM schema_version").fetchone()
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:
        raise WorkspaceError(f"'{path}' cannot be read as a workspace: {error}.") from None
    version = row[0] if row else None
    if version is None or version > LATEST:
        raise WorkspaceError(
            f"'{path}' was made by a newer version of Automation Builder (schema {version}, this app knows "
            f"{LATEST}); update the app to open it. The file was left as it is."
        )
    return True


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy's begin event, not the driver, start transactions.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def _on_sqlite_begin(connection: Connection) -> None:
    read_only = connection.get_execution_options().get(READ_ONLY, False)
    connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def connect(url: str) -> Engine:
    """An engine on ``url`` with the workspace's connection settings; no schema work."""
    path = sqlite_path(url)
    if path is not None:
        check_sqlite_file(path)
        try:
            if path.resolve() == default_workspace_path().resolve():
                make_private_file(path)  # the app-data folder 0700, a new workspace file 0600 (its -wal too)
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise WorkspaceError(
                f"Cannot make the folder for '{path}': {error.strerror or error}. Choose another place with --db."
            ) from None
    try:
        engine = create_engine(url)
    except ImportError as error:
        raise WorkspaceError(
            f"Cannot use the database '{url}': its driver is not installed ({error.name or error})."
        ) from None
    except (ArgumentError, SQLAlchemyError) as error:
        raise WorkspaceError(f"Cannot use the database '{url}': {error}") from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _on_sqlite_connect)
        event.listen(engine, "begin", _on_sqlite_begin)
    return engine


def ensure_schema(engine: Engine) -> None:
    """Create a new workspace, or check an existing one's version and upgrade it (all in one transaction)."""
    try:
        with engine.begin() as conn:
            names = set(inspect(conn).get_table_names())
            if "schema_version" in names:
                version = conn.exec_driver_sql("SELECT max(version) FROM schema_version").scalar()
                if version is None or version > LATEST:
                    raise WorkspaceError(
                        "This workspace was made by a newer version of Automation Builder; update the app to open it."
                    )
                upgrade(conn, version)
                return
            if names:
                raise WorkspaceError("This database is not an Automation Builder workspace; it was left as it is.")
            from builder.store.tables import BASE_VERSION, SQLModel  # a new workspace: version 1 from the classes

            SQLModel.metadata.create_all(conn)
            conn.execute(table("schema_version").insert(), {"version": BASE_VERSION})
            upgrade(conn, BASE_VERSION)
    except SQLAlchemyError as error:
        raise WorkspaceError(f"Cannot open the workspace: {error.__class__.__name__}: {error}") from None


def table(name: str) -> Table:
    """A workspace table (SPEC §9: the sqlmodel classes of ``tables.py``), by its name.

    The classes are loaded on the first write that needs one, not on the way
    to the window's first frame: sqlmodel, pydantic and SQLAlchemy's ORM are
    about 0.4 s of every start, and reading a workspace needs none of them.
    """
    from builder.store.tables import SQLModel

    return SQLModel.metadata.tables[name]


def bulk_insert(conn: Connection, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Insert many rows in one executemany, without per-row object overhead."""
    if not rows:
        return
    marker = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join([marker] * len(columns))})"
    conn.exec_driver_sql(sql, list(rows))
    if "id" in columns and conn.dialect.name == "postgresql":
        # Rows inserted with their own ids (restored, or numbered in bulk) do not move PostgreSQL's
        # sequence on: move it past them, or the next row numbered by the database would collide.
        conn.exec_driver_sql(
            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), (SELECT max(id) FROM {table.name}))"
        )


def bulk_update(conn: Connection, sql: str, rows: Sequence[Sequence[Any]]) -> None:
    """Run one UPDATE over many rows; ``sql`` uses ``?`` for its parameters."""
    if not rows:
        return
    if conn.dialect.paramstyle != "qmark":
        sql = sql.replace("?", "%s")
    conn.exec_driver_sql(sql, list(rows))
