"""Other processes' commits, pushed rather than polled, on PostgreSQL (SPEC §9, issue 16).

Every write transaction moves the workspace's revision on and, on PostgreSQL,
sends ``NOTIFY automation_builder_revision, '<revision>'`` in the same
transaction (``base.py``), so it is delivered on commit and never for an
action rolled back. A ``RevisionFeed`` is a connection of its own that
LISTENs on that channel; whoever holds it waits on its socket and asks for
the revisions that arrived. SQLite has no such thing: windows there poll.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy import Engine

CHANNEL = "automation_builder_revision"


class FeedLost(Exception):
    """The listening connection could not be made, or is gone (a server restart, a network cut)."""


def _said(error: object) -> str:
    """The first line of libpq's message (its hints follow on further lines)."""
    return (str(error).strip().splitlines() or ["the connection was closed"])[0]


class RevisionFeed:
    """A LISTENing connection to a PostgreSQL workspace: which revisions other processes committed."""

    def __init__(self, connection: Any) -> None:
        self._connection = connection

    @classmethod
    def open(cls, engine: Engine) -> RevisionFeed | None:
        """Listen on ``engine``'s database; None on SQLite (nothing pushes there), FeedLost when it cannot."""
        if engine.dialect.name != "postgresql" or engine.dialect.driver != "psycopg":
            return None
        import psycopg

        args, params = engine.dialect.create_connect_args(engine.url)  # the workspace's own address and options
        try:
            connection = psycopg.connect(*args, **params, autocommit=True, connect_timeout=5)
            connection.execute(f"LISTEN {CHANNEL}")
        except psycopg.Error as error:
            raise FeedLost(_said(error)) from None
        return cls(connection)

    def fileno(self) -> int:
        """The socket to wait on: readable when a notification (or the connection's end) has arrived."""
        return int(self._connection.pgconn.socket)

    def revisions(self) -> list[int]:
        """The revisions committed since last asked, oldest first, without waiting; FeedLost when it is gone."""
        import psycopg
        from psycopg import pq

        pgconn = self._connection.pgconn
        try:
            pgconn.consume_input()
        except psycopg.Error as error:
            raise FeedLost(_said(error)) from None
        if pgconn.status != pq.ConnStatus.OK:
            raise FeedLost(_said(pgconn.get_error_message()))
        found: list[int] = []
        while (notice := pgconn.notifies()) is not None:
            if notice.relname.decode() == CHANNEL:
                found.append(int(notice.extra.decode()))
        return found

    def close(self) -> None:
        self._connection.close()  # psycopg closes a connection already lost without complaint
