"""The settings panel (SPEC §8): slides in from the right with the clicked node's settings."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Property, QEasingCurve, QObject, QPropertyAnimation, QSettings, Qt, Signal
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSplitter, QStackedWidget, QToolButton, QVBoxLayout, QWidget

from builder.engine.words import NodeKind
from builder.store.base import Change
from builder.store.workspace import Workspace
from builder.ui.canvas.items import em
from builder.ui.panels.node_settings import SegmentSettings, StepSettings
from builder.ui.panels.path_settings import PathNodeSettings
from builder.ui.panels.sender_profiles import SenderProfileSettings
from builder.ui.resources import node_icon

SLIDE_MS = 200
WIDTH_KEY = "settingsPanel/width"


class SettingsPanel(QFrame):
    """Loads the selected node's settings and unloads the previous node's."""

    closed = Signal()

    def __init__(
        self, workspace: Workspace, stack: QUndoStack, report: Callable[[str], None], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("SettingsPanel")
        self.setAccessibleName("Node settings")
        self.workspace = workspace
        self.node_id: int | None = None
        self.icon = QLabel(self)
        self.title = QLabel(self)
        self.title.setObjectName("settingsTitle")
        self.title.setWordWrap(True)
        self.close_button = QToolButton(self)
        self.close_button.setObjectName("closeSettingsButton")
        self.close_button.setText("✕")
        self.close_button.setToolTip("Close (Esc)")
        self.close_button.clicked.connect(self.closed.emit)
        header = QHBoxLayout()
        header.addWidget(self.icon)
        header.addWidget(self.title, 1)
        header.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)
        self.profiles = SenderProfileSettings(workspace, stack, report, self)
        self.what_if = self.profiles.what_if
        self.segment = SegmentSettings(workspace, stack, report, self)
        self.step = StepSettings(workspace, stack, report, self)
        self.path_node = PathNodeSettings(workspace, stack, report, self)
        self.pages = QStackedWidget(self)
        for page in (self.profiles, self.segment, self.step, self.path_node):
            self.pages.addWidget(page)
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.pages, 1)
        self.setMinimumWidth(0)

    def show_node(self, node_id: int | None) -> None:
        self.node_id = node_id
        self.refresh()

    def on_change(self, change: Change) -> None:
        if self.node_id is not None and change.what != "today":
            self.refresh()

    def refresh(self) -> None:
        if self.node_id is None:
            return
        try:
            automation_id = self.workspace.node_automation(self.node_id)
        except ValueError:  # the node was deleted (or its deletion redone)
            self.node_id = None
            self.closed.emit()
            return
        node = next(n for n in self.workspace.nodes(automation_id) if n.id == self.node_id)
        started = self.workspace.automation(automation_id).state.started
        side = round(em() * 1.6)
        self.icon.setPixmap(node_icon(node.kind).pixmap(side, side))
        self.title.setText(f"<b>{node.title}</b><br><span style='color:#5f6b7a'>{node.kind.label}</span>")
        if node.kind is NodeKind.SENDER_PROFILE:
            self.pages.setCurrentWidget(self.profiles)
            self.profiles.load(node.id)
        elif node.kind is NodeKind.SEGMENT:
            self.pages.setCurrentWidget(self.segment)
            self.segment.load(node, started)
        elif node.kind.is_control or node.kind.is_tag:
            self.pages.setCurrentWidget(self.path_node)
            reached = self.workspace.contacts_at(node.id) if started else 0
            counts = f"{reached:,} contact{'s' if reached != 1 else ''} reached this node." if reached else ""
            self.path_node.load(node, editable=not reached, counts=counts)
        else:
            summary = self.workspace.node_summaries(automation_id).get(node.id)
            self.pages.setCurrentWidget(self.step)
            self.step.load(node, started, summary.pending if summary else 0, summary.done if summary else 0)


class PanelSlide(QObject):
    """Slides the panel in and out by animating its share of the splitter (about 200 ms).

    The width a marketer drags it to is remembered between runs.
    """

    def __init__(self, splitter: QSplitter, panel: QWidget) -> None:
        super().__init__(splitter)
        self.splitter = splitter
        self.panel = panel
        self.open = False
        self._width = 0
        self.animation = QPropertyAnimation(self, b"width", self)
        self.animation.setDuration(SLIDE_MS)
        self.animation.setEasingCurve(QEasingCurve.Type.OutCubic)
        self.animation.finished.connect(self._settled)
        splitter.splitterMoved.connect(self._dragged)
        self._apply(0)

    def remembered_width(self) -> int:
        value = QSettings().value(WIDTH_KEY)
        try:
            return max(round(em() * 12), int(value))
        except (TypeError, ValueError):
            return round(em() * 40)  # room for every column of a profile row, its actions included

    def _get(self) -> int:
        return self._width

    def _apply(self, width: int) -> None:
        self._width = width
        sizes = self.splitter.sizes()
        total = sum(sizes)
        if len(sizes) < 3 or total <= 0:
            return
        left = sizes[0]
        # The canvas is the work: the panel never takes more than half of the room beside the left column.
        width = min(width, max(0, (total - left) // 2))
        self.splitter.setSizes([left, total - left - width, width])

    width = Property(int, _get, _apply)

    def slide_in(self, animated: bool = True) -> None:
        if self.open and self.animation.state() != QPropertyAnimation.State.Running:
            return
        self.open = True
        self.panel.show()
        if animated:
            self._animate(self.remembered_width())
        else:
            self.animation.stop()
            self._apply(self.remembered_width())

    def slide_out(self) -> None:
        if not self.open:
            return
        self.open = False
        self._animate(0)

    def _animate(self, target: int) -> None:
        self.animation.stop()
        self.animation.setStartValue(self.splitter.sizes()[2] if len(self.splitter.sizes()) > 2 else 0)
        self.animation.setEndValue(target)
        self.animation.start()

    def _settled(self) -> None:
        if not self.open:
            self.panel.hide()

    def _dragged(self, *_args: object) -> None:
        if self.open and self.animation.state() != QPropertyAnimation.State.Running:
            width = self.splitter.sizes()[2]
            if width > 0:
                QSettings().setValue(WIDTH_KEY, width)
