"""The canvas: a QGraphicsView that zooms around the cursor, pans, and takes dropped nodes."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QHideEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPen,
    QResizeEvent,
    QShowEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import QApplication, QGraphicsView, QWidget

from builder.engine.words import NodeKind
from builder.ui.canvas.editor import AutomationEditor
from builder.ui.canvas.interactions import Interaction, MoveNodes, NewConnection, Pan
from builder.ui.canvas.items import NodeItem, PortItem, em, readable_zoom
from builder.ui.palette import NODE_MIME

MIN_ZOOM, MAX_ZOOM = 0.2, 3.0


class Canvas(QGraphicsView):
    """Where an automation is drawn and edited (SPEC §8 "Canvas")."""

    zoom_changed = Signal(float)
    hint = Signal(str)
    escape_pressed = Signal()
    empty_clicked = Signal()
    node_clicked = Signal(int)

    def __init__(self, editor: AutomationEditor, parent: QWidget | None = None) -> None:
        super().__init__(editor.scene, parent)
        self.setObjectName("Canvas")
        self.editor = editor
        self.interaction: Interaction | None = None
        self._space_held = False
        self._pressed: tuple[int, QPoint] | None = None  # a card pressed, and where
        self._keep_in_view: int | None = None  # a node just added, kept in sight while the panel slides in
        # What the view showed when another page hid it: (automation, zoom, top-left scene point).
        self._when_hidden: tuple[int | None, float, QPointF] | None = None
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        # When the settings panel slides in, the cards stay where they are on screen.
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.NoAnchor)
        self.setDragMode(QGraphicsView.DragMode.RubberBandDrag)
        self.setRubberBandSelectionMode(Qt.ItemSelectionMode.IntersectsItemShape)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        # The dot grid is drawn once per zoom (and for what scrolls into view), not every frame.
        self.setCacheMode(QGraphicsView.CacheModeFlag.CacheBackground)
        self.setAcceptDrops(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName("Automation canvas")
        editor.node_added.connect(self.show_new_node)

    def drawBackground(self, painter: QPainter, rect: QRectF) -> None:
        """A light dot grid, so moving and zooming feel anchored."""
        super().drawBackground(painter, rect)
        step = em() * 1.5
        if self.zoom() * step < 6:
            return
        painter.setPen(QPen(QColor("#d3d9e3"), 0))
        left = int(rect.left() // step) * step
        top = int(rect.top() // step) * step
        points = []
        y = top
        while y < rect.bottom():
            x = left
            while x < rect.right():
                points.append(QPointF(x, y))
                x += step
            y += step
        painter.drawPoints(points)

    # -- lookups ---------------------------------------------------------------------------

    def scene_nodes(self) -> dict[int, NodeItem]:
        return self.editor.scene.nodes

    def port_at(self, point: QPoint, *, output: bool) -> PortItem | None:
        """The port under a viewport point; dropping near a card counts as its input."""
        for item in self.items(point):
            if isinstance(item, PortItem) and item.output == output:
                return item
            if not output and isinstance(item, NodeItem) and item.input_port is not None:
                return item.input_port
        return None

    def node_at(self, point: QPoint) -> NodeItem | None:
        for item in self.items(point):
            if isinstance(item, NodeItem):
                return item
        return None

    def show_hint(self, text: str) -> None:
        self.hint.emit(text)

    # -- interactions -----------------------------------------------------------------------

    def begin_interaction(self, interaction: Interaction) -> None:
        if self.interaction is not None:
            self.interaction.cancel()
        self.interaction = interaction

    def end_interaction(self, interaction: Interaction) -> None:
        if self.interaction is interaction:
            self.interaction = None

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._keep_in_view = None  # the user takes over the view
        point = event.position().toPoint()
        if event.button() == Qt.MouseButton.MiddleButton or (
            event.button() == Qt.MouseButton.LeftButton and self._space_held
        ):
            self.begin_interaction(Pan(self, point))
            event.accept()
            return
        if event.button() == Qt.MouseButton.LeftButton:
            port = self.port_at(point, output=True)
            if port is not None and not isinstance(self.itemAt(point), NodeItem):
                self.begin_interaction(NewConnection(self, port))
                event.accept()
                return
        super().mousePressEvent(event)
        if event.button() == Qt.MouseButton.LeftButton:
            node = self.node_at(point)
            self._pressed = (node.node_id, point) if node is not None else None
            if node is not None:
                self.begin_interaction(MoveNodes(self))
            elif self.itemAt(point) is None:
                self.empty_clicked.emit()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self.interaction is not None and self.interaction.move(event):
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        pressed, self._pressed = self._pressed, None
        if self.interaction is not None and self.interaction.release(event):
            event.accept()
            return
        super().mouseReleaseEvent(event)
        if pressed is not None:
            travelled = (event.position().toPoint() - pressed[1]).manhattanLength()
            if travelled < QApplication.startDragDistance():
                # A click, not a drag: its settings slide in, and the card stays in sight as the view narrows.
                self._keep_in_view = pressed[0]
                self.node_clicked.emit(pressed[0])

    # -- keys ---------------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space_held = True
            self.viewport().setCursor(Qt.CursorShape.OpenHandCursor)
            return
        if key == Qt.Key.Key_Escape:
            if self.interaction is not None:
                self.interaction.cancel()
            else:
                self.scene().clearSelection()
                self.escape_pressed.emit()
            return
        if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.editor.delete_selection()
            return
        steps = {
            Qt.Key.Key_Left: (-1, 0),
            Qt.Key.Key_Right: (1, 0),
            Qt.Key.Key_Up: (0, -1),
            Qt.Key.Key_Down: (0, 1),
        }
        if key in steps and self.editor.scene.selected_nodes():
            self.nudge(*steps[key], large=bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier))
            return
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space_held = False
            self.viewport().unsetCursor()
            return
        super().keyReleaseEvent(event)

    def nudge(self, dx: int, dy: int, *, large: bool = False) -> None:
        step = em() * (2.0 if large else 0.5)
        nodes = self.editor.scene.selected_nodes()
        before = {n.node_id: (n.pos().x(), n.pos().y()) for n in nodes}
        after = {n: (round(x + dx * step, 1), round(y + dy * step, 1)) for n, (x, y) in before.items()}
        self.editor.move(before, after, nudge=True)

    # -- zoom ---------------------------------------------------------------------------------

    def zoom(self) -> float:
        return self.transform().m11()

    def set_zoom(self, factor: float, anchor: QPoint | None = None) -> None:
        """Zoom to ``factor`` (clamped), keeping the scene point under ``anchor`` still."""
        factor = max(MIN_ZOOM, min(MAX_ZOOM, factor))
        if abs(factor - self.zoom()) < 1e-6:
            return
        if anchor is None:
            anchor = self.viewport().rect().center()
        fixed = self.mapToScene(anchor)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.NoAnchor)
        self.resetTransform()
        self.scale(factor, factor)
        moved = self.mapFromScene(fixed) - anchor
        self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() + moved.x())
        self.verticalScrollBar().setValue(self.verticalScrollBar().value() + moved.y())
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.zoom_changed.emit(self.zoom())

    def wheelEvent(self, event: QWheelEvent) -> None:
        self._keep_in_view = None
        delta = event.angleDelta().y() or event.pixelDelta().y()
        if not delta:
            super().wheelEvent(event)
            return
        self.set_zoom(self.zoom() * (1.0015**delta), event.position().toPoint())
        event.accept()

    def zoom_in(self) -> None:
        self.set_zoom(self.zoom() * 1.25)

    def zoom_out(self) -> None:
        self.set_zoom(self.zoom() / 1.25)

    def _content(self) -> QRectF:
        """The cards and connections, with a margin."""
        bounds = self.scene().itemsBoundingRect()
        margin = em() * 2
        return bounds.adjusted(-margin, -margin, margin, margin) if not bounds.isNull() else bounds

    def _fit_zoom(self, bounds: QRectF) -> float:
        view = QRectF(self.viewport().rect())
        return min(view.width() / bounds.width(), view.height() / bounds.height(), 1.5)

    def fit(self) -> None:
        """Show the whole automation — unless its cards would be too small to read there.

        Then show its start (the Segment nodes, on the left) at the lowest readable zoom.
        """
        bounds = self._content()
        if not bounds.isNull() and self._fit_zoom(bounds) < readable_zoom():
            self.frame_start()
        else:
            self.fit_all()

    def fit_all(self) -> None:
        """Show every node, however small (clamped to the zoom limits)."""
        bounds = self._content()
        if bounds.isNull():
            self.set_zoom(1.0)
            self.centerOn(0, 0)
            return
        self.set_zoom(self._fit_zoom(bounds))
        self.centerOn(bounds.center())

    def frame_start(self) -> None:
        """The automation's start (its Segment nodes) at the left of the view, at a readable zoom."""
        nodes = list(self.scene_nodes().values())
        if not nodes:
            self.fit_all()
            return
        starts = [item for item in nodes if item.kind is NodeKind.SEGMENT] or [
            min(nodes, key=lambda item: (item.pos().x(), item.pos().y()))
        ]
        start = QRectF()
        for item in starts:
            start = start.united(item.sceneBoundingRect())
        whole = self._content()
        zoom = max(readable_zoom(), min(self._fit_zoom(whole), 1.0))
        self.set_zoom(zoom)
        margin = em() * 2
        width = self.viewport().width() / self.zoom()
        height = self.viewport().height() / self.zoom()
        x = start.left() - margin + width / 2
        fits = start.height() + 2 * margin <= height
        y = start.center().y() if fits else start.top() - margin + height / 2
        self.centerOn(x, y)

    # -- dropping nodes from the palette ------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasFormat(NODE_MIME):
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if event.mimeData().hasFormat(NODE_MIME):
            event.acceptProposedAction()
        else:
            super().dragMoveEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        if not event.mimeData().hasFormat(NODE_MIME):
            super().dropEvent(event)
            return
        kind = NodeKind(bytes(event.mimeData().data(NODE_MIME).data()).decode())
        at = self.mapToScene(event.position().toPoint())
        event.acceptProposedAction()
        self.setFocus()
        # The card's title bar lands under the pointer (or the nearest free spot).
        self.editor.add_node(kind, QPointF(at.x() - em() * 2, at.y() - em()))

    def show_new_node(self, node_id: int) -> None:
        """A node just added: selected, in view, its settings shown."""
        item = self.scene_nodes().get(node_id)
        if item is None:
            return
        self.scene().clearSelection()
        item.setSelected(True)
        self._keep_in_view = node_id
        self._bring_into_view()
        self.node_clicked.emit(node_id)  # its settings slide in, and the view narrows: resizeEvent follows

    def _bring_into_view(self) -> None:
        """The card just added stays wholly in sight (ports included) until the user moves the view."""
        item = self.scene_nodes().get(self._keep_in_view) if self._keep_in_view is not None else None
        if item is None or not item.isSelected():
            self._keep_in_view = None
            return
        margin = round(em() * 2)
        self.ensureVisible(item.sceneBoundingRect(), margin, margin)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._bring_into_view()

    def hideEvent(self, event: QHideEvent) -> None:
        # Another page of the window is shown: Qt resizes this one while it is away and scrolls it.
        self._when_hidden = (self.editor.scene.automation_id, self.zoom(), self.mapToScene(QPoint(0, 0)))
        super().hideEvent(event)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._when_hidden is not None:
            QTimer.singleShot(0, self._back_where_it_was)

    def _back_where_it_was(self) -> None:
        """Back from another page, the canvas shows what it showed when the user left it."""
        left, self._when_hidden = self._when_hidden, None
        if left is None or not self.isVisible():
            return
        automation, zoom, corner = left
        if automation != self.editor.scene.automation_id or abs(zoom - self.zoom()) > 1e-9:
            return  # another automation, or framed again meanwhile: that view stands
        moved = self.mapFromScene(corner)
        bars = self.horizontalScrollBar(), self.verticalScrollBar()
        bars[0].setValue(bars[0].value() + moved.x())
        bars[1].setValue(bars[1].value() + moved.y())
        self._bring_into_view()
