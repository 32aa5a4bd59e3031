"""A page of the main window that reads the workspace the first time it is shown, then follows its changes."""

from __future__ import annotations

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QWidget

from builder.store.base import Change


class Page(QWidget):
    """Subclasses say which changes they follow (``follows``) and how they read the workspace (``refresh``)."""

    follows: tuple[str, ...] = ()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.loaded = False  # nothing is read until the page is first shown: the app starts fast

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self.loaded:
            self.loaded = True
            self.refresh()

    def on_change(self, change: Change) -> None:
        if self.loaded and change.what in self.follows:
            self.refresh()

    def refresh(self) -> None:
        raise NotImplementedError
