"""Node cards, their ports and the connections between them.

Items are views: they show what the workspace says (title, position, live
summary) and are refreshed from its announcements; they never change it.
All sizes come from the font, so cards look the same on any screen.
"""

from __future__ import annotations

from enum import Enum

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPainterPathStroker, QPen
from PySide6.QtWidgets import (
    QGraphicsEllipseItem,
    QGraphicsItem,
    QGraphicsPathItem,
    QGraphicsRectItem,
    QStyleOptionGraphicsItem,
    QWidget,
)

from builder.engine.words import NodeKind
from builder.ui.resources import svg_renderer

ACCENTS = {
    NodeKind.SEGMENT: QColor("#2f6fde"),
    NodeKind.SENDER_PROFILE: QColor("#7a4fd6"),
    NodeKind.LINKEDIN_CONNECT: QColor("#0a66c2"),
    NodeKind.LINKEDIN_MESSAGE: QColor("#0a66c2"),
    NodeKind.EMAIL: QColor("#d4693a"),
    NodeKind.WAIT: QColor("#6b7280"),
}
TEXT = QColor("#1f2933")
MUTED = QColor("#5f6b7a")
CARD = QColor("#ffffff")
EDGE = QColor("#8a94a6")
SELECTED = QColor("#f59e0b")
ACCEPT = QColor("#16a34a")
REFUSE = QColor("#dc2626")
MAX_LINES = 4


_EM: list[float] = []


def em() -> float:
    """The application font's line height: the unit every canvas size is measured in.

    Measured once; item geometry asks for it many times a frame.
    """
    if not _EM:
        _EM.append(QFontMetricsF(QFont()).height())
    return _EM[0]


class PortState(Enum):
    IDLE = "idle"
    ACCEPT = "accept"
    REFUSE = "refuse"


class PortItem(QGraphicsEllipseItem):
    """An input (left) or output (right) dot of a node card."""

    def __init__(self, node: NodeItem, output: bool) -> None:
        radius = em() * 0.36
        super().__init__(-radius, -radius, 2 * radius, 2 * radius, node)
        self.node = node
        self.output = output
        self.setAcceptHoverEvents(True)
        self.setCursor(Qt.CursorShape.CrossCursor)
        # The card draws its ports into its own cached picture; this item is only
        # where the mouse finds them.
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemHasNoContents)
        self.setZValue(2)
        self.setToolTip("Drag to a step's input to connect" if output else "Drop a connection here")
        self.state = PortState.IDLE

    def set_state(self, state: PortState) -> None:
        if state is not self.state:
            self.state = state
            self.node.update()

    def paint_on(self, painter: QPainter) -> None:
        color = {PortState.IDLE: ACCENTS[self.node.kind], PortState.ACCEPT: ACCEPT, PortState.REFUSE: REFUSE}[
            self.state
        ]
        painter.setBrush(QBrush(CARD if self.state is PortState.IDLE else color))
        painter.setPen(QPen(color, max(1.5, em() * 0.12)))
        painter.drawEllipse(self.rect().translated(self.pos()))


class NodeItem(QGraphicsRectItem):
    """A node card: icon, title and the node's live summary.

    Its bounds are a plain rect Qt knows without asking Python, and its picture
    is cached: a frame with hundreds of cards calls no Python at all.
    """

    def __init__(self, node_id: int, kind: NodeKind, title: str) -> None:
        super().__init__()
        self.setPen(QPen(Qt.PenStyle.NoPen))
        self.node_id = node_id
        self.kind = kind
        self.title = title
        self.lines: list[str] = []
        self.edges: list[EdgeItem] = []
        unit = em()
        self._width = unit * 15
        self._header = unit * 2.1
        self._line = unit * 1.25
        self.setFlags(
            QGraphicsItem.GraphicsItemFlag.ItemIsSelectable
            | QGraphicsItem.GraphicsItemFlag.ItemIsMovable
            | QGraphicsItem.GraphicsItemFlag.ItemSendsGeometryChanges
        )
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.setZValue(1)
        self.input_port = PortItem(self, output=False) if kind is not NodeKind.SEGMENT else None
        self.output_port = PortItem(self, output=True)
        self.setToolTip(f"{kind.label}: {title}")
        self._measure()
        self._place_ports()

    # -- what the workspace says --------------------------------------------------------

    def show_state(self, title: str, lines: list[str], x: float, y: float) -> None:
        if title != self.title or lines != self.lines:
            self.title, self.lines = title, lines[:MAX_LINES]
            self.setToolTip(f"{self.kind.label}: {title}")
            self._measure()
            self._place_ports()
            self.update()
        if self.pos() != QPointF(x, y):
            self.setPos(x, y)

    # -- geometry ---------------------------------------------------------------------------

    def _height(self) -> float:
        return self._header + self._line * max(1, len(self.lines)) + em() * 0.5

    def _measure(self) -> None:
        self._card = QRectF(0, 0, self._width, self._height())
        margin = em() * 0.5  # room for the ports, which sit on the card's edges
        self.setRect(self._card.adjusted(-margin, -margin, margin, margin))

    def card_rect(self) -> QRectF:
        return QRectF(self._card)

    def _place_ports(self) -> None:
        middle = self._header / 2 + em() * 0.05
        if self.input_port is not None:
            self.input_port.setPos(0, middle)
        self.output_port.setPos(self._width, middle)

    def itemChange(self, change: QGraphicsItem.GraphicsItemChange, value: object) -> object:
        if change == QGraphicsItem.GraphicsItemChange.ItemPositionHasChanged:
            for edge in self.edges:
                edge.follow(moving=True)
        return super().itemChange(change, value)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        unit = em()
        rect = self.card_rect()
        accent = ACCENTS[self.kind]
        radius = unit * 0.45
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(
            QPen(SELECTED if self.isSelected() else QColor("#d5dae1"), unit * (0.16 if self.isSelected() else 0.07))
        )
        painter.setBrush(CARD)
        painter.drawRoundedRect(rect, radius, radius)
        band = QPainterPath()
        band.addRoundedRect(QRectF(0, 0, unit * 0.28, rect.height()), radius * 0.6, radius * 0.6)
        painter.fillPath(band, accent)

        icon_side = unit * 1.2
        icon_rect = QRectF(unit * 0.7, (self._header - icon_side) / 2, icon_side, icon_side)
        svg_renderer(self.kind.value).render(painter, icon_rect)

        title_font = QFont(painter.font())
        title_font.setBold(True)
        painter.setFont(title_font)
        painter.setPen(TEXT)
        title_rect = QRectF(
            icon_rect.right() + unit * 0.45, 0, rect.width() - icon_rect.right() - unit * 1.0, self._header
        )
        title = QFontMetricsF(title_font).elidedText(self.title, Qt.TextElideMode.ElideRight, title_rect.width())
        painter.drawText(title_rect, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, title)

        body_font = QFont(painter.font())
        body_font.setBold(False)
        body_font.setPointSizeF(body_font.pointSizeF() * 0.9)
        painter.setFont(body_font)
        painter.setPen(MUTED)
        metrics = QFontMetricsF(body_font)
        for i, line in enumerate(self.lines or ["—"]):
            line_rect = QRectF(unit * 0.75, self._header + i * self._line, rect.width() - unit * 1.2, self._line)
            text = metrics.elidedText(line, Qt.TextElideMode.ElideRight, line_rect.width())
            painter.drawText(line_rect, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, text)
        for port in (self.input_port, self.output_port):
            if port is not None:
                port.paint_on(painter)


class EdgeItem(QGraphicsPathItem):
    """A connection from one card's output port to another's input port."""

    def __init__(self, source: NodeItem, target: NodeItem) -> None:
        super().__init__()
        self.source, self.target = source, target
        source.edges.append(self)
        target.edges.append(self)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setZValue(0)
        self.setToolTip(f"{source.title} → {target.title}")
        self.layer: ConnectionLayer | None = None  # while set, the layer draws this connection
        self.setPen(QPen(Qt.PenStyle.NoPen))
        self._curve = QPainterPath()
        self._head = QPainterPath()
        self.follow()

    @property
    def key(self) -> tuple[int, int]:
        return self.source.node_id, self.target.node_id

    def follow(self, moving: bool = False) -> None:
        """Follow the ports; a connection whose card moves draws itself until things settle."""
        if moving and self.layer is not None:
            self.layer.release(self)
        assert self.target.input_port is not None
        end = self.target.input_port.scenePos()
        self._curve = connection_path(self.source.output_port.scenePos(), end)
        size = em() * 0.45
        head = QPainterPath(end)
        head.lineTo(end + QPointF(-size * 1.2, -size * 0.6))
        head.lineTo(end + QPointF(-size * 1.2, size * 0.6))
        head.closeSubpath()
        self._head = head
        # The item's own path (curve and head) gives Qt its bounds without Python.
        outline = QPainterPath(self._curve)
        outline.addPath(head)
        self.setPath(outline)

    def itemChange(self, change: QGraphicsItem.GraphicsItemChange, value: object) -> object:
        if change == QGraphicsItem.GraphicsItemChange.ItemSelectedHasChanged and value and self.layer is not None:
            self.layer.release(self)  # a selected connection is drawn highlighted, by itself
        return super().itemChange(change, value)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        if self.layer is None:
            self.draw(painter)

    def draw(self, painter: QPainter) -> None:
        color = SELECTED if self.isSelected() else EDGE
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(color, em() * (0.16 if self.isSelected() else 0.1)))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(self._curve)
        painter.fillPath(self._head, color)

    def detach(self) -> None:
        for node in (self.source, self.target):
            if self in node.edges:
                node.edges.remove(self)

    def shape(self) -> QPainterPath:
        stroker = QPainterPathStroker()
        stroker.setWidth(em() * 0.8)
        return stroker.createStroke(self._curve)

    def join_layer(self, layer: ConnectionLayer | None) -> None:
        """While in the layer, Qt does not even call this item's paint."""
        self.layer = layer
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemHasNoContents, layer is not None)
        self.update()


class ConnectionLayer(QGraphicsItem):
    """Draws every connection that is still, as one cached picture.

    Hundreds of connections then cost one blit a frame; the few attached to a
    card being dragged (or selected) leave the layer and draw themselves.
    """

    def __init__(self) -> None:
        super().__init__()
        self.setZValue(-0.5)
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.members: set[EdgeItem] = set()
        self._bounds = QRectF()

    def settle(self, edges: list[EdgeItem]) -> None:
        """Take back every unselected connection (after a change settled)."""
        for edge in edges:
            edge.join_layer(None if edge.isSelected() else self)
        self.members = {e for e in edges if e.layer is self}
        self._refresh()

    def release(self, edge: EdgeItem) -> None:
        if edge in self.members:
            self.members.discard(edge)
            edge.join_layer(None)
            self._refresh()

    def _refresh(self) -> None:
        self.prepareGeometryChange()
        bounds = QRectF()
        for edge in self.members:
            bounds = bounds.united(edge.path().boundingRect())
        bounds.adjust(-em(), -em(), em(), em())
        self._bounds = bounds
        self.update()

    def boundingRect(self) -> QRectF:
        return self._bounds

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        for edge in self.members:
            edge.draw(painter)


def connection_path(start: QPointF, end: QPointF) -> QPainterPath:
    """A smooth left-to-right curve between two ports."""
    bend = max(em() * 3, abs(end.x() - start.x()) / 2)
    path = QPainterPath(start)
    path.cubicTo(start + QPointF(bend, 0), end - QPointF(bend, 0), end)
    return path


class ConnectionPreview(QGraphicsPathItem):
    """The curve that follows the mouse while a connection is dragged."""

    def __init__(self) -> None:
        super().__init__()
        self.setZValue(3)
        self.set_state(PortState.IDLE)

    def set_state(self, state: PortState) -> None:
        color = {PortState.IDLE: EDGE, PortState.ACCEPT: ACCEPT, PortState.REFUSE: REFUSE}[state]
        pen = QPen(color, em() * 0.12)
        pen.setStyle(Qt.PenStyle.DashLine)
        self.setPen(pen)
