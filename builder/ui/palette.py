"""The node palette (SPEC §8): drag a node kind onto the canvas, or double-click to add it."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QMimeData, QSize, Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QAbstractItemView, QListView, QListWidget, QListWidgetItem, QWidget

from builder.engine.words import NodeKind
from builder.ui.resources import node_icon

NODE_MIME = "application/x-automation-builder-node"

HELP = {
    NodeKind.SEGMENT: "Who is contacted: a segment of your contacts",
    NodeKind.SENDER_PROFILE: "Which sender profiles do the contacting",
    NodeKind.LINKEDIN_CONNECT: "Send a LinkedIn connection request",
    NodeKind.LINKEDIN_MESSAGE: "Send a LinkedIn message",
    NodeKind.EMAIL: "Send an email",
    NodeKind.WAIT: "Wait some days before the next step",
    NodeKind.WAIT_FOR: "Wait for a contact to accept or reply: 'yes' when they do, 'no' after some days",
    NodeKind.CONDITION: "Send contacts one way or the other by their tags, email or LinkedIn profile",
    NodeKind.SPLIT: "A/B test: share contacts between variants by percent",
    NodeKind.ADD_TAG: "Tag the contact at once (it may enroll them elsewhere)",
    NodeKind.REMOVE_TAG: "Take a tag off the contact at once",
}


class NodePalette(QListWidget):
    """Node kinds, with their icons; each item drags its kind as ``NODE_MIME``."""

    add_requested = Signal(object)  # NodeKind, from a double-click or Enter

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("NodePalette")
        self.setAccessibleName("Node palette")
        self.setDragEnabled(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        side = self.fontMetrics().height() * 1.3
        self.setIconSize(QSize(round(side), round(side)))
        # Two columns: all eleven kinds in sight at once, without scrolling, beside the automations list.
        self.setFlow(QListView.Flow.LeftToRight)
        self.setWrapping(True)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        for kind in NodeKind:
            item = QListWidgetItem(node_icon(kind), kind.label)
            item.setData(Qt.ItemDataRole.UserRole, kind.value)
            item.setToolTip(HELP[kind])
            self.addItem(item)
        self.itemActivated.connect(lambda item: self.add_requested.emit(NodeKind(item.data(Qt.ItemDataRole.UserRole))))

    def _row_height(self) -> int:
        return round(max(self.iconSize().height(), self.fontMetrics().height()) + self.fontMetrics().height() * 0.7)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        # No scroll bar when every kind is in sight: its width is what keeps the labels whole.
        fits = (self.count() + 1) // 2 * self._row_height() <= self.height() - 2 * self.frameWidth()
        policy = Qt.ScrollBarPolicy.ScrollBarAlwaysOff if fits else Qt.ScrollBarPolicy.ScrollBarAsNeeded
        if policy != self.verticalScrollBarPolicy():
            self.setVerticalScrollBarPolicy(policy)
        grid = QSize(max(1, (self.viewport().width() - 1) // 2), self._row_height())
        if grid != self.gridSize():
            self.setGridSize(grid)

    def sizeHint(self) -> QSize:
        rows = (self.count() + 1) // 2
        return QSize(super().sizeHint().width(), rows * self._row_height() + 2 * self.frameWidth() + 8)

    def item_for(self, kind: NodeKind) -> QListWidgetItem:
        for row in range(self.count()):
            if self.item(row).data(Qt.ItemDataRole.UserRole) == kind.value:
                return self.item(row)
        raise KeyError(kind)

    def mimeTypes(self) -> list[str]:
        return [NODE_MIME]

    def mimeData(self, items: Sequence[QListWidgetItem]) -> QMimeData:
        data = QMimeData()
        if items:
            data.setData(NODE_MIME, items[0].data(Qt.ItemDataRole.UserRole).encode())
        return data
