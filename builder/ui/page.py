"""A page of the main window that reads the workspace the first time it is shown, then follows its changes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QVBoxLayout, QWidget

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


P = TypeVar("P", bound=Page)


class DeferredPage(QWidget, Generic[P]):
    """A tab whose page is built the first time it is shown or asked for.

    The window's first frame shows the automations; the Contacts, Today's
    tasks and Sender profiles pages (their modules, widgets and models) are
    made when a person first opens them.
    """

    def __init__(self, build: Callable[[], P], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._build = build
        self.page: P | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)

    def built(self) -> P:
        if self.page is None:
            self.page = self._build()
            self.layout().addWidget(self.page)
            self.page.show()
            self.layout().activate()  # laid out now, as if it had always been there
        return self.page

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.built()

    def on_change(self, change: Change) -> None:
        if self.page is not None:  # a page not made yet reads everything when it is
            self.page.on_change(change)
