"""On PostgreSQL each commit is pushed to listeners with its revision, on commit and only then (issue 16).

A ``RevisionFeed`` LISTENs on its own connection; ``select`` on its socket is
what the window's socket notifier does. SQLite has no feed: windows there poll.
"""

from __future__ import annotations

import select

import pytest

from builder.store.change_feed import RevisionFeed
from builder.store.database import WorkspaceError


def arrived(feed: RevisionFeed, seconds: float = 0.3) -> list[int]:
    """The revisions pushed to ``feed`` within ``seconds`` (all of them once the socket wakes)."""
    readable, _, _ = select.select([feed.fileno()], [], [], seconds)
    return feed.revisions() if readable else []


def test_a_commit_is_pushed_with_its_revision_and_a_rollback_is_not(open_workspace, backend):
    ws = open_workspace()
    feed = RevisionFeed.open(ws.engine)
    if backend == "sqlite":
        assert feed is None  # nothing pushes on SQLite: windows poll
        return
    assert feed is not None
    try:
        assert arrived(feed, 0.05) == []
        automation = ws.create_automation("Outreach")
        assert arrived(feed) == [ws.seen_revision]

        with pytest.raises(WorkspaceError, match="no longer exists"):
            ws.rename_automation(automation + 1000, "Ghost")  # moves the revision on, then is rolled back
        assert arrived(feed) == []

        with ws._write() as conn:  # one user action, still open
            conn.exec_driver_sql("UPDATE automation SET name = 'Renamed' WHERE id = %s", (automation,))
            assert arrived(feed) == []  # nothing is told before the commit
        assert arrived(feed) == [ws.seen_revision]
    finally:
        feed.close()


def test_a_lost_feed_says_so(open_workspace, backend):
    from builder.store.change_feed import FeedLost

    if backend == "sqlite":
        pytest.skip("PostgreSQL's listening connection")
    ws = open_workspace()
    feed = RevisionFeed.open(ws.engine)
    assert feed is not None
    try:
        with ws.engine.begin() as conn:  # as a server restart would: the listener's backend ends
            conn.exec_driver_sql(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = 'LISTEN automation_builder_revision'"
            )
        with pytest.raises(FeedLost):
            for _ in range(3):  # the server's goodbye, then the closed socket
                arrived(feed, 1.0)
    finally:
        feed.close()
