"""How a window learns that another process wrote to its workspace (SPEC §9, issue 16).

On PostgreSQL every commit is pushed (``store/change_feed.py``): the window
looks the moment another process's notification arrives, and its poll is only
a slow safety net (every 30 s: a network that drops without a word, and the
calendar passing midnight). On SQLite, and while the listening connection is
lost, the window looks every 1.5 s; a lost connection is said in the log and
tried again every 10 s.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QSocketNotifier, QTimer, Signal

from builder.app_log import log
from builder.store.change_feed import FeedLost, RevisionFeed
from builder.store.workspace import Workspace

POLL_MS = 1500
SAFETY_NET_MS = 30_000
RETRY_MS = 10_000


class ChangeWatch(QObject):
    """Emits ``look`` when the window should read the workspace again: pushed on PostgreSQL, polled on SQLite."""

    look = Signal()

    def __init__(self, workspace: Workspace, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.poll = QTimer(self)
        self.poll.setInterval(POLL_MS)
        self.poll.timeout.connect(self.look)
        self.retry = QTimer(self)
        self.retry.setSingleShot(True)
        self.retry.setInterval(RETRY_MS)
        self.retry.timeout.connect(self._listen)
        self._feed: RevisionFeed | None = None
        self._notifier: QSocketNotifier | None = None

    @property
    def listening(self) -> bool:
        """Whether other processes' commits are pushed to this window now."""
        return self._feed is not None

    def start(self) -> None:
        self._listen()
        self.poll.start()

    def stop(self) -> None:
        self.poll.stop()
        self.retry.stop()
        self._drop_feed()

    def _listen(self) -> None:
        try:
            feed = RevisionFeed.open(self.workspace.engine)
        except FeedLost as error:
            log.warning("Cannot listen for other windows' edits (%s): looking every 1.5 s instead.", error)
            self.retry.start()
            return
        if feed is None:
            return  # SQLite: the poll it is
        self._feed = feed
        self._notifier = QSocketNotifier(feed.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._arrived)
        self.poll.setInterval(SAFETY_NET_MS)
        log.info("Listening for other windows' edits on the workspace's PostgreSQL server.")
        self.look.emit()  # whatever was committed before the LISTEN took hold

    def _arrived(self) -> None:
        if self._feed is None:
            return
        try:
            revisions = self._feed.revisions()
        except FeedLost as error:
            self._drop_feed()
            self.poll.setInterval(POLL_MS)
            log.warning("Lost the connection that hears other windows' edits (%s): looking every 1.5 s.", error)
            self.retry.start()
            return
        if revisions and max(revisions) > self.workspace.seen_revision:  # this window's own commits come too
            self.look.emit()

    def _drop_feed(self) -> None:
        if self._notifier is not None:
            self._notifier.setEnabled(False)
            self._notifier.deleteLater()
            self._notifier = None
        if self._feed is not None:
            self._feed.close()
            self._feed = None
