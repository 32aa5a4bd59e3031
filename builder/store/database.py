"""Where a workspace lives and how it is opened (SPEC §9).

SQLite by default (WAL, foreign keys on, every write transaction taken with
``BEGIN IMMEDIATE`` so two writers never deadlock half-way), or any SQLAlchemy
URL. A file that is not a workspace, or one made by a newer version, is refused
and left untouched: it is only ever read, read-only, before that decision.
"""

from __future__ import annotations

import logging
import re
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import platformdirs
from sqlalchemy import URL, Connection, Engine, Table, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from builder.private_paths import make_private_file
from builder.store.migrations import LATEST, upgrade

SQLITE_HEADER = b"SQLite format 3\x00"
READ_ONLY = "workspace_read_only"
BUSY_TIMEOUT_MS = 10_000  # how long a writer waits for another one before the workspace is reported busy
SCHEMA_LOCK = 0x4175746F  # pg_advisory_xact_lock key: one opener at a time checks, creates or upgrades the schema
_log = logging.getLogger("automation_builder")


class WorkspaceError(ValueError):
    """Something the user asked for that cannot be done; the message says why."""


def shown_url(url: str | URL | Path) -> str:
    """A database address as a person or the log may see it: its password masked (issue 12).

    Every URL that reaches the screen, the terminal or the log goes through here.
    """
    if isinstance(url, URL):
        return url.render_as_string(hide_password=True)
    text = str(url)
    if "://" not in text:
        return text
    try:
        return make_url(text).render_as_string(hide_password=True)
    except ArgumentError:
        # Not a URL SQLAlchemy reads: mask whatever sits between "user:" and "@" all the same.
        return re.sub(r"(://[^:/@]*):[^@]*@", r"\1:***@", text)


def _where(url: str | URL) -> str:
    """What a sentence names: an SQLite file's path, or the masked URL."""
    parsed = url if isinstance(url, URL) else make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return parsed.database or ":memory:"
    return shown_url(parsed)


def damaged(where: str | Path) -> str:
    return (
        f"'{where}' is damaged: restore a copy from a backup, or open another workspace with --db; "
        "nothing was written to it."
    )


def database_problem(error: BaseException, url: str | URL) -> WorkspaceError:
    """The one place a database's error becomes a sentence for a person (issue 12).

    Busy, damaged, read-only, full, login refused, server unreachable, database
    missing; anything else is one general sentence, its details in the log.
    """
    orig = getattr(error, "orig", None) or error
    text = str(orig).lower()
    parsed = url if isinstance(url, URL) else make_url(str(url))
    where = _where(parsed)
    if parsed.get_backend_name() == "sqlite":
        if "locked" in text or "busy" in text:
            return WorkspaceError(f"'{where}' is busy: another program is writing to it; try again in a moment.")
        if isinstance(orig, UnicodeDecodeError) or any(
            part in text for part in ("malformed", "not a database", "corrupt")
        ):
            return WorkspaceError(damaged(where))
        if "readonly" in text or "read-only" in text:
            return WorkspaceError(
                f"'{where}' can only be read here (the file or its folder is read-only): "
                "copy it to a folder you can write to and open the copy."
            )
        if "full" in text:
            return WorkspaceError(f"There is no room left on the disk for '{where}': free some space and try again.")
        if "unable to open" in text:
            return WorkspaceError(f"'{where}' cannot be opened: check that its folder exists and can be written to.")
    else:
        host = f"{parsed.host or 'localhost'}:{parsed.port or 5432}"
        user = parsed.username or "(none)"
        if "password" in text or "authentication" in text or ("role" in text and "does not exist" in text):
            return WorkspaceError(
                f"PostgreSQL refused the login for user '{user}' at {host}: check the user name and password."
            )
        if "database" in text and "does not exist" in text:
            name = parsed.database or ""
            return WorkspaceError(
                f"PostgreSQL at {host} has no database '{name}': create it (createdb {name}) or check the URL."
            )
        if any(
            part in text
            for part in (
                "could not connect",
                "connection refused",
                "connection failed",
                "timeout",
                "timed out",
                "could not translate host",
                "name or service not known",
                "no route to host",
            )
        ):
            return WorkspaceError(
                f"PostgreSQL at {host} cannot be reached: check that the server is running and the URL's host "
                "and port are right."
            )
        if "read-only" in text or "read only" in text:
            return WorkspaceError(f"'{where}' can only be read here: ask for write access to change it.")
    _log.warning("database error on %s: %s: %s", shown_url(parsed), type(orig).__name__, str(orig).splitlines()[:1])
    return WorkspaceError(
        f"Cannot open the workspace '{where}' ({type(orig).__name__}): try again, and if it persists restore a copy."
    )


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
            raise WorkspaceError(f"'{shown_url(text)}' is not a database address this app understands.") from None
        return text
    return f"sqlite:///{Path(text).expanduser().resolve()}"


def sqlite_path(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def intact(conn: Any) -> bool:
    """SQLite's ``PRAGMA quick_check``: every page and record readable (about 0.1 s per 100,000 contacts)."""
    run = conn.exec_driver_sql if isinstance(conn, Connection) else conn.execute
    try:
        rows = run("PRAGMA quick_check").fetchall()
    except (sqlite3.DatabaseError, SQLAlchemyError):
        return False
    return [tuple(row) for row in rows] == [("ok",)]


def check_sqlite_file(path: Path, *, thorough: bool = False) -> bool:
    """Decide, reading only, whether ``path`` can be opened as a workspace.

    Returns True when the file holds a workspace already, False when it is new
    or empty; raises :class:`WorkspaceError` for anything else. ``thorough``
    also reads every page (``PRAGMA quick_check``) and refuses a damaged file.
    Nothing is created beside the file: with no ``-wal`` file there is nothing
    the file alone does not hold, and it is read as it is (``immutable``),
    which makes no ``-wal`` or ``-shm``; with one, read-only as SQLite allows.
    """
    if path.is_dir():
        raise WorkspaceError(f"'{path}' is a folder, not a workspace file.")
    if not path.exists() or path.stat().st_size == 0:
        return False
    with path.open("rb") as handle:
        if handle.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            raise WorkspaceError(f"'{path}' is not an Automation Builder workspace (it is not a database file).")
    mode = "mode=ro" if path.with_name(path.name + "-wal").exists() else "immutable=1"
    try:
        connection = sqlite3.connect(f"{path.as_uri()}?{mode}", uri=True)
        try:
            names = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if not names:
                return False
            if "schema_version" not in names:
                raise WorkspaceError(
                    f"'{path}' is a database, but not an Automation Builder workspace; it was left as it is."
                )
            row = connection.execute("SELECT max(version) FROM schema_version").fetchone()
            if thorough and not intact(connection):
                raise WorkspaceError(damaged(path))
        finally:
            # Only closed: a -wal or -shm beside the file now is another process's, which opened the workspace
            # meanwhile (``immutable`` makes none). Removed, that process and this one would each log to a file
            # of their own and never see each other's writes: stale edits passed and edits were lost.
            connection.close()
    except (sqlite3.Error, UnicodeDecodeError) as error:
        raise database_problem(error, f"sqlite:///{path}") from None
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
    cursor.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_MS)}")
    cursor.close()


def _on_sqlite_connect_read_only(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_MS)}")
    cursor.close()


def _on_sqlite_begin(connection: Connection) -> None:
    read_only = connection.get_execution_options().get(READ_ONLY, False)
    connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def connect(url: str, *, read_only: bool = False) -> Engine:
    """An engine on ``url`` with the workspace's connection settings; no schema work.

    ``read_only`` (the commands that only read): an existing workspace only,
    checked page by page, opened read-only (SQLite ``mode=ro``, PostgreSQL
    read-only transactions); nothing is created, locked for writing or written.
    """
    path = sqlite_path(url)
    if path is not None:
        exists = check_sqlite_file(path, thorough=read_only)
        if read_only:
            if not exists:
                raise WorkspaceError(f"There is no workspace at '{path}': check the path given with --db.")
        else:
            try:
                if path.resolve() == default_workspace_path().resolve():
                    make_private_file(path)  # the app-data folder 0700, a new workspace file 0600 (its -wal too)
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise WorkspaceError(
                    f"Cannot make the folder for '{path}': {error.strerror or error}. Choose another place with --db."
                ) from None
    try:
        if path is not None and read_only:
            uri = f"{path.as_uri()}?mode=ro"
            engine = create_engine(url, creator=lambda: sqlite3.connect(uri, uri=True, check_same_thread=False))
        else:
            engine = create_engine(url)
    except ImportError as error:
        raise WorkspaceError(
            f"Cannot use the database '{shown_url(url)}': its driver is not installed ({error.name or error})."
        ) from None
    except (ArgumentError, SQLAlchemyError, ValueError):
        raise WorkspaceError(f"'{shown_url(url)}' is not a database address this app can use.") from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _on_sqlite_connect_read_only if read_only else _on_sqlite_connect)
        event.listen(engine, "begin", _on_sqlite_begin)
    elif read_only:
        engine = engine.execution_options(postgresql_readonly=True) if engine.dialect.name == "postgresql" else engine
    if read_only:
        engine = engine.execution_options(**{READ_ONLY: True})
    return engine


def ensure_schema(
    engine: Engine, *, read_only: bool = False, upgrading: Callable[[int, int], None] | None = None
) -> None:
    """Create a new workspace, or check an existing one's version and upgrade it (all in one transaction).

    On PostgreSQL the transaction first takes an advisory lock, so people who
    open one empty database at once take turns: the first creates the schema,
    the others find it made. ``read_only`` only checks: no workspace there, or
    one that needs an upgrade, is refused. ``upgrading(from, to)`` is told
    before an upgrade starts (a large workspace's takes a while: the app says so).
    """
    where = _where(engine.url)
    try:
        with engine.begin() as conn:
            if conn.dialect.name == "postgresql" and not read_only:
                conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({SCHEMA_LOCK})")
            names = set(inspect(conn).get_table_names())
            if "schema_version" in names:
                version = conn.exec_driver_sql("SELECT max(version) FROM schema_version").scalar()
                if version is None or version > LATEST:
                    raise WorkspaceError(
                        f"'{where}' was made by a newer version of Automation Builder; update the app to open it."
                    )
                if read_only:
                    if version < LATEST:
                        raise WorkspaceError(
                            f"'{where}' was made by an older version of Automation Builder: open it once with "
                            "the app to bring it up to date."
                        )
                    return
                if version < LATEST and upgrading is not None:
                    upgrading(version, LATEST)
                if version < LATEST and conn.dialect.name == "sqlite" and not intact(conn):
                    raise WorkspaceError(damaged(where))
                upgrade(conn, version)
                return
            if names:
                raise WorkspaceError(f"'{where}' is not an Automation Builder workspace; it was left as it is.")
            if read_only:
                raise WorkspaceError(f"There is no workspace at '{where}': check the address given with --db.")
            from builder.store.tables import BASE_VERSION, SQLModel  # a new workspace: version 1 from the classes

            SQLModel.metadata.create_all(conn)
            conn.execute(table("schema_version").insert(), {"version": BASE_VERSION})
            upgrade(conn, BASE_VERSION)
    except SQLAlchemyError as error:
        raise database_problem(error, engine.url) from None


def table(name: str) -> Table:
    """A workspace table (SPEC §9: the sqlmodel classes of ``tables.py``), by its name.

    The classes are loaded on the first write that needs one, not on the way
    to the window's first frame: sqlmodel, pydantic and SQLAlchemy's ORM are
    about 0.4 s of every start, and reading a workspace needs none of them.
    """
    from builder.store.tables import SQLModel

    return SQLModel.metadata.tables[name]
