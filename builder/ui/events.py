"""The workspace's change announcements as a Qt signal, for items, panels and panes."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from builder.store.base import Change
from builder.store.workspace import Workspace


class WorkspaceEvents(QObject):
    """Re-announces every committed workspace change as ``changed(Change)``."""

    changed = Signal(object)

    def __init__(self, workspace: Workspace, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self._unsubscribe = workspace.subscribe(self._relay)

    def _relay(self, change: Change) -> None:
        self.changed.emit(change)

    def detach(self) -> None:
        self._unsubscribe()
