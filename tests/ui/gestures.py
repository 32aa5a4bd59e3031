"""A user's hands on the canvas: drags from the palette, presses, moves and releases on the viewport."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent, QMouseEvent
from PySide6.QtWidgets import QApplication, QWidget

from builder.engine.words import NodeKind
from builder.ui.main_window import MainWindow

LEFT = Qt.MouseButton.LeftButton
NONE = Qt.MouseButton.NoButton
NO_KEYS = Qt.KeyboardModifier.NoModifier


def _mouse(widget: QWidget, kind: QEvent.Type, at: QPoint, button, buttons, modifiers=NO_KEYS) -> None:
    local = QPointF(at)
    event = QMouseEvent(kind, local, QPointF(widget.mapToGlobal(at)), button, buttons, modifiers)
    QApplication.sendEvent(widget, event)


def press(widget: QWidget, at: QPoint, button=LEFT, modifiers=NO_KEYS) -> None:
    _mouse(widget, QEvent.Type.MouseButtonPress, at, button, button, modifiers)


def move(widget: QWidget, at: QPoint, buttons=LEFT, modifiers=NO_KEYS) -> None:
    _mouse(widget, QEvent.Type.MouseMove, at, NONE, buttons, modifiers)


def release(widget: QWidget, at: QPoint, button=LEFT, modifiers=NO_KEYS) -> None:
    _mouse(widget, QEvent.Type.MouseButtonRelease, at, button, NONE, modifiers)


def drag(widget: QWidget, start: QPoint, end: QPoint, button=LEFT, steps: int = 8, modifiers=NO_KEYS) -> None:
    """Press, move in small steps, release — as a hand does."""
    press(widget, start, button, modifiers)
    for i in range(1, steps + 1):
        point = start + (end - start) * (i / steps)
        move(widget, QPoint(round(point.x()), round(point.y())), button, modifiers)
    release(widget, end, button, modifiers)


def click(widget: QWidget, at: QPoint, modifiers=NO_KEYS) -> None:
    press(widget, at, LEFT, modifiers)
    release(widget, at, LEFT, modifiers)


def drop_from_palette(window: MainWindow, kind: NodeKind, at: QPoint) -> None:
    """Drag a node kind out of the palette and drop it on the canvas at a viewport point.

    The palette's own drag data is used; Qt's drag loop itself cannot run
    headless, so the drag enters, moves over and drops on the viewport here.
    """
    palette = window.palette
    data = palette.mimeData([palette.item_for(kind)])
    viewport = window.canvas.viewport()
    actions = Qt.DropAction.CopyAction | Qt.DropAction.MoveAction
    enter = QDragEnterEvent(at, actions, data, NONE, NO_KEYS)
    QApplication.sendEvent(viewport, enter)
    assert enter.isAccepted(), "the canvas refused the palette's drag"
    QApplication.sendEvent(viewport, QDragMoveEvent(at, actions, data, NONE, NO_KEYS))
    QApplication.sendEvent(viewport, QDropEvent(QPointF(at), actions, data, NONE, NO_KEYS))


def double_click_in_palette(window: MainWindow, kind: NodeKind) -> None:
    """Double-click a node kind in the palette: a click, then the press that makes it double."""
    from pytestqt.qtbot import QtBot

    palette = window.palette
    point = palette.visualItemRect(palette.item_for(kind)).center()
    QtBot.mouseClick(palette.viewport(), LEFT, pos=point)
    QtBot.mouseDClick(palette.viewport(), LEFT, pos=point)


def port_point(window: MainWindow, node_id: int, output: bool) -> QPoint:
    item = window.scene.nodes[node_id]
    port = item.output_port if output else item.input_port
    assert port is not None
    return window.canvas.mapFromScene(port.scenePos())


def title_point(window: MainWindow, node_id: int) -> QPoint:
    """A point on the card's title bar (not on a port)."""
    item = window.scene.nodes[node_id]
    rect = item.card_rect()
    return window.canvas.mapFromScene(item.mapToScene(QPointF(rect.width() * 0.4, rect.height() * 0.2)))
