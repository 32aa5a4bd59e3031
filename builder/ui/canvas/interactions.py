"""Mouse modes of the canvas, each a small object (as Orange's interactions).

The canvas hands mouse events to the active interaction until it finishes;
Esc cancels any of them. Each pushes at most one undo step when done.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent

from builder.ui.canvas.items import ConnectionPreview, NodeItem, PortItem, PortState, connection_path

if TYPE_CHECKING:
    from builder.ui.canvas.view import Canvas


class Interaction:
    """One mouse mode; returns True from a handler when it used the event."""

    def __init__(self, canvas: Canvas) -> None:
        self.canvas = canvas

    def press(self, event: QMouseEvent) -> bool:
        return False

    def move(self, event: QMouseEvent) -> bool:
        return False

    def release(self, event: QMouseEvent) -> bool:
        return False

    def cancel(self) -> None:
        self.canvas.end_interaction(self)


class NewConnection(Interaction):
    """Drag from an output port to an input port; ports say whether they would accept.

    From a control node's output (Yes, No, a variant) the connection leaves from that output.
    """

    def __init__(self, canvas: Canvas, source: PortItem) -> None:
        super().__init__(canvas)
        self.source = source
        self.preview = ConnectionPreview()
        canvas.scene().addItem(self.preview)
        self.target: PortItem | None = None
        self.reason: str | None = None
        self._verdicts: dict[int, str | None] = {}

    def _verdict(self, target: PortItem) -> str | None:
        node = target.node.node_id
        if node not in self._verdicts:
            self._verdicts[node] = self.canvas.editor.can_connect(self.source.node.node_id, node, self.source.name)
        return self._verdicts[node]

    def move(self, event: QMouseEvent) -> bool:
        end = self.canvas.mapToScene(event.position().toPoint())
        port = self.canvas.port_at(event.position().toPoint(), output=False)
        if port is not self.target and self.target is not None:
            self.target.set_state(PortState.IDLE)
        self.target = port
        if port is None:
            self.reason = None
            self.preview.set_state(PortState.IDLE)
            self.canvas.show_hint("")
        else:
            end = port.scenePos()
            self.reason = self._verdict(port)
            state = PortState.ACCEPT if self.reason is None else PortState.REFUSE
            port.set_state(state)
            self.preview.set_state(state)
            self.canvas.show_hint(self.reason or f"Release to connect to '{port.node.title}'")
        self.preview.setPath(connection_path(self.source.scenePos(), end))
        return True

    def release(self, event: QMouseEvent) -> bool:
        self.move(event)
        target, reason = self.target, self.reason
        self._finish()
        self.canvas.show_hint("")  # the outcome, if any, is said next
        if target is None:
            return True
        if reason is not None:
            self.canvas.editor.message.emit(f"Not connected: {reason}")
        else:
            self.canvas.editor.connect(self.source.node.node_id, target.node.node_id, self.source.name)
        return True

    def cancel(self) -> None:
        self._finish()
        self.canvas.show_hint("")

    def _finish(self) -> None:
        if self.target is not None:
            self.target.set_state(PortState.IDLE)
        self.canvas.scene().removeItem(self.preview)
        self.canvas.end_interaction(self)


class MoveNodes(Interaction):
    """A press on a card: Qt moves the selection live; the release is one undo step.

    Created after Qt has handled the press, so the selection is the one that moves.
    """

    def __init__(self, canvas: Canvas) -> None:
        super().__init__(canvas)
        self.before = self._positions()

    def _positions(self) -> dict[int, tuple[float, float]]:
        return {
            item.node_id: (item.pos().x(), item.pos().y())
            for item in self.canvas.scene().items()
            if isinstance(item, NodeItem) and item.isSelected()
        }

    def release(self, event: QMouseEvent) -> bool:
        after = {
            node: (round(item.pos().x(), 1), round(item.pos().y(), 1))
            for node in self.before
            if (item := self.canvas.scene_nodes().get(node)) is not None
        }
        self.canvas.end_interaction(self)
        self.canvas.editor.move(self.before, after)
        return False  # let Qt finish the release (selection)

    def cancel(self) -> None:
        # Esc while dragging: put the cards back where the workspace has them.
        for node, (x, y) in self.before.items():
            item = self.canvas.scene_nodes().get(node)
            if item is not None:
                item.setPos(x, y)
        self.canvas.end_interaction(self)


class Pan(Interaction):
    """Middle-drag, or Space and drag: move the view, not the cards."""

    def __init__(self, canvas: Canvas, start: QPoint) -> None:
        super().__init__(canvas)
        self.last = QPointF(start)
        canvas.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)

    def move(self, event: QMouseEvent) -> bool:
        delta = event.position() - self.last
        self.last = event.position()
        bars = self.canvas.horizontalScrollBar(), self.canvas.verticalScrollBar()
        bars[0].setValue(bars[0].value() - round(delta.x()))
        bars[1].setValue(bars[1].value() - round(delta.y()))
        return True

    def release(self, event: QMouseEvent) -> bool:
        self.cancel()
        return True

    def cancel(self) -> None:
        self.canvas.viewport().unsetCursor()
        self.canvas.end_interaction(self)
