"""What every part of the workspace shares: transactions, the date, change announcements."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError, IntegrityError

from builder.store.change_feed import CHANNEL
from builder.store.database import READ_ONLY, WorkspaceError, damaged, database_problem, intact


@dataclass(frozen=True)
class Change:
    """An announcement that the workspace changed.

    ``what`` is one of: sender_profiles, contacts, segments, automations, graph,
    sender_profile_node, enrollments, tasks, today. ``automation_id`` names the
    automation concerned, when there is one.
    """

    what: str
    automation_id: int | None = None


Listener = Callable[[Change], None]


CHANGED_ELSEWHERE = (
    "The workspace was changed elsewhere — reloaded. Nothing of this change was made; do it again if it is "
    "still wanted."
)


class ChangedElsewhere(WorkspaceError):
    """Another process wrote to the workspace since this one last looked; the edit was refused."""


MOVE_REVISION = "UPDATE workspace_revision SET revision = revision + 1 WHERE id = 1 RETURNING revision"
# PostgreSQL: the same statement also tells listening windows (change_feed.py). A NOTIFY is queued with the
# transaction, so it is delivered on commit, and never when the action is rolled back.
MOVE_REVISION_AND_NOTIFY = (
    f"WITH moved AS ({MOVE_REVISION}) SELECT revision, pg_notify('{CHANNEL}', revision::text) FROM moved"
)


def revision_of(conn: Connection) -> int:
    """The workspace's revision as this transaction sees it: every write, by any process, moves it on."""
    found = conn.exec_driver_sql("SELECT revision FROM workspace_revision WHERE id = 1").fetchone()
    return int(found[0]) if found else 0


class WorkspaceBase:
    """Owns the database engine; each public method is one transaction."""

    def __init__(self, engine: Engine, today: date | None = None) -> None:
        self.engine = engine
        self._fixed_today = today
        self._listeners: list[Listener] = []
        self._pending: list[Change] = []
        self._membership_version = 0
        self._member_cache: dict[int, tuple[int, int]] = {}  # segment -> (membership version, members)
        # automation -> (the workspace revision they were found at, its SPEC §3 problems): the automation bar
        # and the canvas both ask after every change, and nothing they depend on changes without a new revision.
        self._problems_cache: dict[int, tuple[int, list]] = {}
        # The app turns this on: an edit made while another process changed the workspace is refused.
        self.guard_stale_edits = False
        self._move_revision = MOVE_REVISION_AND_NOTIFY if engine.dialect.name == "postgresql" else MOVE_REVISION
        self._checked = engine.dialect.name != "sqlite"  # an SQLite file is read page by page before its first write
        # The database's errors, SQLAlchemy's and the driver's own (queries run on its cursors too), become a sentence.
        self._database_errors: tuple[type[BaseException], ...] = (
            DBAPIError,
            engine.dialect.loaded_dbapi.Error,
            *((UnicodeDecodeError,) if engine.dialect.name == "sqlite" else ()),  # text from a damaged page
        )
        try:
            with engine.connect() as conn:
                self._seen_revision = revision_of(conn)
        except self._database_errors as error:
            raise database_problem(error, engine.url) from None

    # -- the date ---------------------------------------------------------------------

    @property
    def today(self) -> date:
        """The workspace's date: fixed (``--today``, tests) or the calendar's."""
        return self._fixed_today or date.today()

    @property
    def today_number(self) -> int:
        return self.today.toordinal()

    def set_today(self, day: date) -> None:
        self._fixed_today = day
        self._announce(Change("today"))

    def advance_date(self, days: int = 1) -> date:
        """Move the workspace's date on by ``days``; due tasks stay due."""
        if days < 0:
            raise WorkspaceError("The workspace date only moves forward.")
        self.set_today(date.fromordinal(self.today_number + days))
        return self.today

    # -- announcements --------------------------------------------------------------

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener`` after every committed change; returns an unsubscribe function."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    @property
    def membership_version(self) -> int:
        """Goes up whenever who belongs to which segment may have changed (in this process)."""
        return self._membership_version

    def _announce(self, *changes: Change) -> None:
        for change in changes:
            if change.what in ("contacts", "segments"):
                self._membership_version += 1
            for listener in list(self._listeners):
                listener(change)

    def _later(self, *changes: Change) -> None:
        """Announce these once the current transaction has committed."""
        self._pending.extend(changes)

    # -- transactions ------------------------------------------------------------------

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        """One user action: all of it is committed, or none of it.

        The revision is moved on first: that takes the row's lock (PostgreSQL;
        SQLite's ``BEGIN IMMEDIATE`` has locked the file already), so writers
        take turns and each sees exactly whether someone wrote in between.
        With ``guard_stale_edits`` on, the action is then refused when another
        process has written since this one last looked: nothing of it is
        written, and listeners hear ``Change("reloaded")``.
        """
        self._pending = []
        try:
            with self.engine.begin() as conn:
                if not self._checked:
                    if not intact(conn.connection.driver_connection):
                        raise WorkspaceError(damaged(self.engine.url.database))
                    self._checked = True
                revision = int(conn.exec_driver_sql(self._move_revision).scalar_one())
                if self.guard_stale_edits and revision != self._seen_revision + 1:
                    raise ChangedElsewhere(CHANGED_ELSEWHERE)
                yield conn
        except ChangedElsewhere:
            self._pending = []
            self.changed_elsewhere()
            raise
        except IntegrityError as error:
            self._pending = []
            raise WorkspaceError(f"That change conflicts with what the workspace holds ({error.orig}).") from None
        except self._database_errors as error:
            self._pending = []
            raise database_problem(error, self.engine.url) from None
        except BaseException:
            self._pending = []
            raise
        self._seen_revision = revision
        changes, self._pending = self._pending, []
        self._announce(*changes)

    @property
    def seen_revision(self) -> int:
        """The workspace's revision as this process last saw it (its own commits, its last look)."""
        return self._seen_revision

    def changed_elsewhere(self) -> bool:
        """Whether another process wrote since this one last looked; if so, listeners hear ``reloaded``."""
        with self._read() as conn:
            current = revision_of(conn)
        if current == self._seen_revision:
            return False
        self._seen_revision = current
        self._announce(Change("reloaded"))
        return True

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        try:
            with self.engine.connect() as conn:
                conn = conn.execution_options(**{READ_ONLY: True})
                with conn.begin():
                    yield conn
        except self._database_errors as error:
            raise database_problem(error, self.engine.url) from None

    def close(self) -> None:
        self.engine.dispose()
