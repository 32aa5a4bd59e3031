"""Node cards, their ports and the connections between them.

Items are views: they show what the workspace says (title, position, live
summary) and are refreshed from its announcements; they never change it.
All sizes come from the font, so cards look the same on any screen.
"""

from __future__ import annotations

from enum import Enum

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontInfo,
    QFontMetricsF,
    QPainter,
    QPainterPath,
    QPainterPathStroker,
    QPen,
)
from PySide6.QtWidgets import (
    QGraphicsEllipseItem,
    QGraphicsItem,
    QGraphicsPathItem,
    QGraphicsRectItem,
    QGraphicsSimpleTextItem,
    QStyleOptionGraphicsItem,
    QWidget,
)

from builder.engine.graph import Problem
from builder.engine.node_settings import output_label
from builder.engine.words import NodeKind
from builder.ui.resources import svg_renderer

ACCENTS = {
    NodeKind.SEGMENT: QColor("#2f6fde"),
    NodeKind.SENDER_PROFILE: QColor("#7a4fd6"),
    NodeKind.LINKEDIN_CONNECT: QColor("#0a66c2"),
    NodeKind.LINKEDIN_MESSAGE: QColor("#0a66c2"),
    NodeKind.EMAIL: QColor("#d4693a"),
    NodeKind.WAIT: QColor("#6b7280"),
    NodeKind.WAIT_FOR: QColor("#7c4dcc"),
    NodeKind.CONDITION: QColor("#7c4dcc"),
    NodeKind.SPLIT: QColor("#7c4dcc"),
    NodeKind.ADD_TAG: QColor("#1f9d6b"),
    NodeKind.REMOVE_TAG: QColor("#c2414b"),
}
TEXT = QColor("#1f2933")
MUTED = QColor("#5f6b7a")
CARD = QColor("#ffffff")
EDGE = QColor("#8a94a6")
SELECTED = QColor("#f59e0b")
ACCEPT = QColor("#16a34a")
REFUSE = QColor("#dc2626")
ASKED = QColor("#2563eb")  # a message still to write: asked for, not refused
BLOCKING_MARK, ASKED_MARK = "⚠", "✎"  # what keeps the start back / a message still asked for


def problem_line(problem: Problem) -> str:
    """A SPEC §3 problem as the automation bar lists it and a card's tooltip says it: its mark, then its words."""
    return f"{BLOCKING_MARK if problem.blocking else ASKED_MARK} {problem.message}"


MAX_LINES = 4
READABLE_PX = 8.0  # the smallest card text a marketer reads without squinting, in screen pixels
BODY_SCALE = 0.9  # the summary lines' font, against the application font


_EM: list[float] = []
_BODY_PX: list[float] = []


def em() -> float:
    """The application font's line height: the unit every canvas size is measured in.

    Measured once; item geometry asks for it many times a frame.
    """
    if not _EM:
        _EM.append(QFontMetricsF(QFont()).height())
    return _EM[0]


def body_text_px() -> float:
    """The pixel size of a card's summary lines at 100 % zoom."""
    if not _BODY_PX:
        _BODY_PX.append(QFontInfo(QFont()).pixelSize() * BODY_SCALE)
    return _BODY_PX[0]


def readable_zoom() -> float:
    """The lowest zoom at which a card's summary lines are still readable (about 8 px high)."""
    return READABLE_PX / body_text_px()


def shows_details(level_of_detail: float) -> bool:
    """Whether a card drawn at this scale shows its icon and summary lines, or only a large title."""
    return level_of_detail >= readable_zoom() - 1e-6


class PortState(Enum):
    IDLE = "idle"
    ACCEPT = "accept"
    REFUSE = "refuse"


ENDS_TIP = "Nothing connected: the path ends here. Drag from this output to go on."


class PortItem(QGraphicsEllipseItem):
    """An input (left) or output (right) dot of a node card.

    A control node (SPEC §10) has one output port per output, each with its
    ``name`` (``yes``, ``no``, a variant's name); any other node's output port
    has none.
    """

    def __init__(self, node: NodeItem, output: bool, name: str | None = None) -> None:
        # The mouse finds the port a little beyond its dot: a 12-pixel target is hard to hit.
        reach = em() * 0.6
        super().__init__(-reach, -reach, 2 * reach, 2 * reach, node)
        self.radius = em() * 0.36  # the dot the card draws
        self.node = node
        self.output = output
        self.name = name
        self.open = False  # an output with nothing connected: the path ends there
        self.setAcceptHoverEvents(True)
        self.setCursor(Qt.CursorShape.CrossCursor)
        # The card draws its ports into its own cached picture; this item is only
        # where the mouse finds them.
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemHasNoContents)
        self.setZValue(2)
        self.setToolTip("Drag to a step's input to connect" if output else "Drop a connection here")
        self.state = PortState.IDLE

    def set_open(self, open_: bool) -> None:
        """Whether this output leads nowhere yet; the card shows where a path ends."""
        if open_ != self.open:
            self.open = open_
            if self.name is not None:
                label = output_label(self.name)
                self.setToolTip(f"'{label}': {ENDS_TIP}" if open_ else f"'{label}': drag to connect")
            self.node.update()

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
        painter.drawEllipse(self.pos(), self.radius, self.radius)
        if self.output and self.open and self.name is not None:
            # The path ends here: a short stub closed by a bar (⊣), inside the card's margin.
            unit = em()
            start = self.pos() + QPointF(self.radius, 0)
            end = start + QPointF(unit * 0.3, 0)
            painter.setPen(QPen(MUTED, max(1.0, unit * 0.08)))
            painter.drawLine(start, end)
            painter.drawLine(end + QPointF(0, -unit * 0.22), end + QPointF(0, unit * 0.22))


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
        # What keeps it from starting (⚠) or is still asked for (✎, a message not written): SPEC §3, §11.
        self.problem: tuple[str, str] | None = None  # (mark, the problems in words)
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
        # A control node's outputs in order, each with its port (SPEC §10); {} for any other node.
        self.output_ports: dict[str, PortItem] = {}
        self.setToolTip(f"{kind.label}: {title}")
        self._measure()
        self._place_ports()

    # -- what the workspace says --------------------------------------------------------

    def set_outputs(self, outputs: tuple[str, ...]) -> None:
        """A control node's outputs (Yes / No, the variants), one labelled port each."""
        if not self.kind.is_control or tuple(self.output_ports) == outputs:
            return
        scene = self.scene()
        for port in self.output_ports.values():
            port.setParentItem(None)
            if scene is not None:
                scene.removeItem(port)
        self.output_ports = {name: PortItem(self, output=True, name=name) for name in outputs}
        self.output_port.setVisible(not outputs)
        self.output_port.setEnabled(not outputs)
        self._measure()
        self._place_ports()
        for edge in self.edges:
            edge.follow()
        self.update()

    def port_for(self, output: str | None) -> PortItem:
        """The port an edge leaves from: its output's, else the card's one output."""
        if output is not None and output in self.output_ports:
            return self.output_ports[output]
        return self.output_port

    def show_open_outputs(self, connected: set[str]) -> None:
        """Mark the outputs with nothing connected: the path ends there."""
        for name, port in self.output_ports.items():
            port.set_open(name not in connected)

    def show_problem(self, problem: tuple[str, str] | None) -> None:
        """Mark the card with its problem, ⚠ or ✎, and say it in the tooltip; None takes the mark away."""
        if problem != self.problem:
            self.problem = problem
            self._say_tooltip()
            self.update()

    def _say_tooltip(self) -> None:
        said = f"{self.kind.label}: {self.title}"
        self.setToolTip(said if self.problem is None else f"{said}\n{self.problem[1]}")

    def show_state(self, title: str, lines: list[str], x: float, y: float) -> None:
        if title != self.title or lines != self.lines:
            self.title, self.lines = title, lines[:MAX_LINES]
            self._say_tooltip()
            self._measure()
            self._place_ports()
            self.update()
        if self.pos() != QPointF(x, y):
            self.setPos(x, y)

    # -- geometry ---------------------------------------------------------------------------

    def _height(self) -> float:
        rows = max(1, len(self.lines), len(self.output_ports))
        return self._header + self._line * rows + em() * 0.5

    def _measure(self) -> None:
        self._card = QRectF(0, 0, self._width, self._height())
        # Room for the ports, which sit on the card's edges (and a control node's "ends here" marks).
        margin = em() * (0.8 if self.kind.is_control else 0.5)
        self.setRect(self._card.adjusted(-margin, -margin, margin, margin))

    def card_rect(self) -> QRectF:
        return QRectF(self._card)

    def _place_ports(self) -> None:
        middle = self._header / 2 + em() * 0.05
        if self.input_port is not None:
            self.input_port.setPos(0, middle)
        self.output_port.setPos(self._width, middle)
        # A control node's outputs sit one per line, down its right edge.
        for i, port in enumerate(self.output_ports.values()):
            port.setPos(self._width, self._header + self._line * (i + 0.5))

    def itemChange(self, change: QGraphicsItem.GraphicsItemChange, value: object) -> object:
        if change == QGraphicsItem.GraphicsItemChange.ItemPositionHasChanged:
            for edge in self.edges:
                edge.follow()
        return super().itemChange(change, value)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        # Cached per zoom (DeviceCoordinateCache): this runs again only when the zoom changes.
        level = QStyleOptionGraphicsItem.levelOfDetailFromTransform(painter.worldTransform())
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        self._paint_card(painter)
        if shows_details(level):
            self._paint_details(painter)
        else:
            self._paint_large_title(painter, level)
        ports = [self.input_port, *(self.output_ports.values() or [self.output_port])]
        for port in ports:
            if port is not None:
                port.paint_on(painter)

    def _paint_card(self, painter: QPainter) -> None:
        unit = em()
        rect = self.card_rect()
        radius = unit * 0.45
        painter.setPen(
            QPen(SELECTED if self.isSelected() else QColor("#d5dae1"), unit * (0.16 if self.isSelected() else 0.07))
        )
        painter.setBrush(CARD)
        painter.drawRoundedRect(rect, radius, radius)
        band = QPainterPath()
        band.addRoundedRect(QRectF(0, 0, unit * 0.28, rect.height()), radius * 0.6, radius * 0.6)
        painter.fillPath(band, ACCENTS[self.kind])
        if self.problem is not None:  # a badge on the top right corner, readable at any zoom
            side = unit * 1.3  # on the top edge, clear of the output port
            badge = QRectF(rect.width() - side * 1.9, -side * 0.35, side, side)  # within the item's margin
            blocking = self.problem[0] == BLOCKING_MARK
            painter.save()  # the card's own text keeps the painter's font
            painter.setPen(QPen(CARD, unit * 0.08))
            painter.setBrush(REFUSE if blocking else ASKED)
            painter.drawEllipse(badge)
            font = QFont(painter.font())
            font.setBold(True)
            font.setPixelSize(max(1, round(side * 0.62)))
            painter.setFont(font)
            painter.setPen(CARD)
            painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, "!" if blocking else "✎")
            painter.restore()

    def _paint_large_title(self, painter: QPainter, level: float) -> None:
        """Zoomed out: only the title, as large as the card allows, so it stays readable."""
        unit = em()
        rect = self.card_rect().adjusted(unit * 0.6, unit * 0.2, -unit * 0.5, -unit * 0.2)
        font = QFont(painter.font())
        font.setBold(True)
        # About 12 px on screen, within the card's height; narrower if a long title needs it.
        size = min(12.0 / max(level, 1e-3), rect.height() * 0.62)
        font.setPixelSize(max(1, round(size)))
        wide = QFontMetricsF(font).horizontalAdvance(self.title)
        if wide > rect.width():
            font.setPixelSize(max(1, round(size * max(0.7, rect.width() / wide))))
        painter.setFont(font)
        painter.setPen(TEXT)
        title = QFontMetricsF(font).elidedText(self.title, Qt.TextElideMode.ElideRight, rect.width())
        painter.drawText(rect, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, title)

    def _paint_details(self, painter: QPainter) -> None:
        unit = em()
        rect = self.card_rect()
        icon_side = unit * 1.2
        icon_rect = QRectF(unit * 0.7, (self._header - icon_side) / 2, icon_side, icon_side)
        svg_renderer(self.kind.value).render(painter, icon_rect)

        title_font = QFont(painter.font())
        title_font.setBold(True)
        painter.setFont(title_font)
        painter.setPen(TEXT)
        room = unit * (2.6 if self.problem is not None else 1.0)  # a long title stops short of the badge
        title_rect = QRectF(icon_rect.right() + unit * 0.45, 0, rect.width() - icon_rect.right() - room, self._header)
        title = QFontMetricsF(title_font).elidedText(self.title, Qt.TextElideMode.ElideRight, title_rect.width())
        painter.drawText(title_rect, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, title)

        body_font = QFont(painter.font())
        body_font.setBold(False)
        body_font.setPointSizeF(body_font.pointSizeF() * BODY_SCALE)
        painter.setFont(body_font)
        painter.setPen(MUTED)
        metrics = QFontMetricsF(body_font)
        labels = max(
            (metrics.horizontalAdvance(output_label(n)) * 1.1 + unit * 0.6 for n in self.output_ports), default=0
        )
        labels = min(labels, rect.width() * 0.45)
        for i, line in enumerate(self.lines or ["—"]):
            # A control card keeps its right side for its outputs' labels.
            wide = rect.width() - unit * 1.2 - labels
            line_rect = QRectF(unit * 0.75, self._header + i * self._line, wide, self._line)
            text = metrics.elidedText(line, Qt.TextElideMode.ElideRight, line_rect.width())
            painter.drawText(line_rect, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, text)
        # Each output's label beside its port, on the right.
        label_font = QFont(body_font)
        label_font.setBold(True)
        painter.setFont(label_font)
        for name, port in self.output_ports.items():
            color = ACCENTS[self.kind] if not port.open else MUTED
            painter.setPen(color)
            label_rect = QRectF(rect.width() - unit * 0.6 - labels, port.y() - self._line / 2, labels, self._line)
            painter.drawText(
                label_rect, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, output_label(name)
            )


class _Stroke(QGraphicsPathItem):
    """A part of a connection that Qt draws by itself: no Python runs while a frame is painted.

    It is only paint; the connection it belongs to is what the mouse finds.
    """

    def __init__(self, parent: EdgeItem) -> None:
        super().__init__(parent)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)

    # Only hit tests ask these (its bounds come from Qt, from the pen and path).
    def contains(self, point: QPointF) -> bool:
        return False

    def collidesWithPath(
        self, path: QPainterPath, mode: Qt.ItemSelectionMode = Qt.ItemSelectionMode.IntersectsItemShape
    ) -> bool:
        return False


class EdgeItem(QGraphicsPathItem):
    """A connection from one card's output port to another's input port.

    The item itself draws nothing (Qt never calls Python to paint it); its curve
    and arrow head are plain path items drawn by Qt, like a bare scene's.
    """

    def __init__(self, source: NodeItem, target: NodeItem, output: str | None = None) -> None:
        super().__init__()
        self.source, self.target, self.output = source, target, output
        source.edges.append(self)
        target.edges.append(self)
        # A control node's edge carries its output's label at its start (SPEC §10).
        # It sits half-way along the curve on a plate of the card's colour: at the port it would
        # repeat the card's own port label and crowd the next output's edge.
        self.label: QGraphicsSimpleTextItem | None = None
        self._plate: QGraphicsRectItem | None = None
        if output is not None:
            self._plate = QGraphicsRectItem(self)
            self._plate.setBrush(CARD)
            self._plate.setPen(QPen(QColor("#d5dae1"), em() * 0.06))
            self._plate.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
            self._plate.setZValue(1)
            self.label = QGraphicsSimpleTextItem(output_label(output), self._plate)
            font = QFont()
            font.setPointSizeF(font.pointSizeF() * BODY_SCALE)
            font.setBold(True)
            self.label.setFont(font)
            self.label.setBrush(ACCENTS[source.kind])
            self.label.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
            pad = em() * 0.25
            text = self.label.boundingRect()
            width, height = text.width() + 2 * pad, text.height() + pad * 0.8
            self._plate.setRect(-width / 2, -height / 2, width, height)
            self.label.setPos(-text.width() / 2, -text.height() / 2)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemHasNoContents)
        self.setZValue(0)
        self.setToolTip(
            f"{source.title} → {target.title}"
            if output is None
            else f"{source.title} ({output_label(output)}) → {target.title}"
        )
        self.setPen(QPen(Qt.PenStyle.NoPen))
        self._curve = QPainterPath()
        self._line = _Stroke(self)
        self._arrow = _Stroke(self)
        self._arrow.setPen(QPen(Qt.PenStyle.NoPen))
        self._show_selected(False)
        self.follow()

    @property
    def key(self) -> tuple[int, int]:
        return self.source.node_id, self.target.node_id

    def follow(self) -> None:
        """Follow the ports (every step of a card's drag, too)."""
        assert self.target.input_port is not None
        end = self.target.input_port.scenePos()
        start = self.source.port_for(self.output).scenePos()
        self._curve = connection_path(start, end)
        if self._plate is not None:
            self._plate.setPos(self._curve.pointAtPercent(0.5))
        size = em() * 0.45
        head = QPainterPath(end)
        head.lineTo(end + QPointF(-size * 1.2, -size * 0.6))
        head.lineTo(end + QPointF(-size * 1.2, size * 0.6))
        head.closeSubpath()
        self._line.setPath(self._curve)
        self._arrow.setPath(head)
        # The item's own path (curve and head) gives Qt its bounds without Python.
        outline = QPainterPath(self._curve)
        outline.addPath(head)
        self.setPath(outline)

    def itemChange(self, change: QGraphicsItem.GraphicsItemChange, value: object) -> object:
        if change == QGraphicsItem.GraphicsItemChange.ItemSelectedHasChanged:
            self._show_selected(bool(value))
        return super().itemChange(change, value)

    def _show_selected(self, selected: bool) -> None:
        color = SELECTED if selected else EDGE
        self._line.setPen(QPen(color, em() * (0.16 if selected else 0.1)))
        self._arrow.setBrush(color)

    def curve(self) -> QPainterPath:
        return QPainterPath(self._curve)

    def detach(self) -> None:
        for node in (self.source, self.target):
            if self in node.edges:
                node.edges.remove(self)

    def shape(self) -> QPainterPath:
        stroker = QPainterPathStroker()
        stroker.setWidth(em() * 0.8)
        return stroker.createStroke(self._curve)


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
