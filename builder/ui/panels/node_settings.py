"""Settings of Segment nodes (who is contacted) and of steps (type, wait days, message)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from builder.engine.segments import SegmentRule
from builder.engine.words import ACTION_KINDS, NodeKind
from builder.store.database import WorkspaceError
from builder.store.loading import NodeRow
from builder.store.workspace import Workspace
from builder.ui.commands import SetValueCommand, push
from builder.ui.panels.message_editor import MessageEditor

Report = Callable[[str], None]


def push_setting(
    section: QWidget, text: str, setter: Callable[[object], None], before: object, after: object, done: str = ""
) -> None:
    """One setting changed in the panel: an undoable command on the shared stack, saved at once.

    ``done`` goes to the status bar once it is saved: what the change did, in the marketer's words.
    """
    command = SetValueCommand(section.workspace, text, setter, before, after)  # type: ignore[attr-defined]
    if push(section.stack, command, section.report) and done:  # type: ignore[attr-defined]
        section.report(done)  # type: ignore[attr-defined]


class SegmentSettings(QWidget):
    """Choose a saved segment for the node, or define one: tags any of / all of, or a list."""

    def __init__(self, workspace: Workspace, stack: QUndoStack, report: Report, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("SegmentSettings")
        self.workspace, self.stack, self.report = workspace, stack, report
        self.node: NodeRow | None = None
        self.choice = QComboBox(self)
        self.choice.setObjectName("segmentChoice")
        self.choice.activated.connect(self._chosen)
        self.members = QLabel(self)
        self.members.setObjectName("segmentMembers")
        self.locked = QLabel("The automation has started: who it contacts can no longer change.", self)
        self.locked.setWordWrap(True)

        self.define = QGroupBox("Define a new segment", self)
        self.name = QLineEdit(self.define)
        self.name.setObjectName("newSegmentName")
        self.rule = QComboBox(self.define)
        self.rule.setObjectName("newSegmentRule")
        self.rule.addItem("Tagged with any of", SegmentRule.TAGS_ANY.value)
        self.rule.addItem("Tagged with all of", SegmentRule.TAGS_ALL.value)
        self.rule.addItem("These contacts (emails)", SegmentRule.STATIC.value)
        self.values = QPlainTextEdit(self.define)
        self.values.setObjectName("newSegmentValues")
        self.values.setPlaceholderText("Tags separated by commas — or one email per line for a list")
        self.values.setMaximumHeight(self.fontMetrics().height() * 5)
        self.create = QPushButton("Create and use", self.define)
        self.create.setObjectName("createSegmentButton")
        self.create.clicked.connect(self._create)
        form = QFormLayout(self.define)
        form.addRow("Name", self.name)
        form.addRow("Who", self.rule)
        form.addRow(self.values)
        form.addRow(self.create)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("Who this branch contacts:", self))
        layout.addWidget(self.choice)
        layout.addWidget(self.members)
        layout.addWidget(self.locked)
        layout.addWidget(self.define)
        layout.addStretch(1)

    def load(self, node: NodeRow, started: bool) -> None:
        self.node = node
        segments = self.workspace.segments()
        tags = self.workspace.tag_names()
        self.choice.clear()
        self.choice.addItem("— choose a segment —", None)
        for segment_id, name, definition in segments:
            described = definition.describe()
            if definition.rule in (SegmentRule.TAGS_ANY, SegmentRule.TAGS_ALL):
                names = sorted(tags.get(t, "?") for t in definition.tags)
                joiner = " or " if definition.rule is SegmentRule.TAGS_ANY else " and "
                described = "tagged " + joiner.join(names)
            self.choice.addItem(f"{name} — {described}", segment_id)
        index = self.choice.findData(node.segment_id)
        self.choice.setCurrentIndex(max(index, 0))
        count = len(self.workspace.segment_members(node.segment_id)) if node.segment_id is not None else None
        self.members.setText("" if count is None else f"{count:,} contact{'s' if count != 1 else ''} in this segment")
        for widget in (self.choice, self.define):
            widget.setEnabled(not started)
        self.locked.setVisible(started)

    def _use(self, segment_id: int | None) -> None:
        assert self.node is not None
        node = self.node.id
        names = {i: name for i, name, _ in self.workspace.segments()}
        push_setting(
            self,
            "Choose segment",
            lambda value: self.workspace.set_node_segment(node, value),
            self.node.segment_id,
            segment_id,
            f"'{self.node.title}' now contacts the segment '{names[segment_id]}'."
            if segment_id in names
            else f"'{self.node.title}' contacts nobody until you choose a segment.",
        )  # type: ignore[arg-type]

    def _chosen(self, index: int) -> None:
        if self.node is not None and self.choice.itemData(index) != self.node.segment_id:
            self._use(self.choice.itemData(index))

    def _create(self) -> None:
        rule = SegmentRule(self.rule.currentData())
        text = self.values.toPlainText()
        try:
            if rule is SegmentRule.STATIC:
                emails = [line.strip() for line in text.splitlines() if line.strip()]
                found = self.workspace.contact_ids_by_email(emails)
                missing = [e for e in emails if e not in found]
                if missing:
                    raise WorkspaceError(f"No contact with the email {', '.join(missing[:3])}.")
                segment = self.workspace.create_segment(self.name.text(), contacts=list(found.values()))
            else:
                tags = [t.strip() for t in text.replace("\n", ",").split(",") if t.strip()]
                key = "tags_any" if rule is SegmentRule.TAGS_ANY else "tags_all"
                segment = self.workspace.create_segment(self.name.text(), **{key: tags})
        except WorkspaceError as error:
            self.report(str(error))
            return
        self.name.clear()
        self.values.clear()
        self._use(segment)


class StepSettings(QWidget):
    """A step's type (connect, message, email) and its message, or a wait's days; its task counts."""

    def __init__(self, workspace: Workspace, stack: QUndoStack, report: Report, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("StepSettings")
        self.workspace, self.stack, self.report = workspace, stack, report
        self.node: NodeRow | None = None
        self.kind = QComboBox(self)
        self.kind.setObjectName("stepKind")
        for kind in ACTION_KINDS:
            self.kind.addItem(kind.label, kind.value)
        self.kind.activated.connect(self._kind_chosen)
        self.days = QSpinBox(self)
        self.days.setObjectName("waitDays")
        self.days.setRange(0, 365)
        self.days.setSuffix(" days")
        self.days.editingFinished.connect(self._days_set)
        self.counts = QLabel(self)
        self.counts.setObjectName("stepCounts")
        self.form = QFormLayout(self)
        self.form.setContentsMargins(0, 0, 0, 0)
        self.form.addRow("Step", self.kind)
        self.form.addRow("Wait", self.days)
        self.form.addRow(self.counts)
        self.message = MessageEditor(workspace, stack, report, self)
        self.form.addRow(self.message)

    def load(self, node: NodeRow, started: bool, pending: int, done: int) -> None:
        self.node = node
        wait = node.kind is NodeKind.WAIT
        self.form.setRowVisible(0, not wait)
        self.form.setRowVisible(1, wait)
        if wait:
            self.days.setValue(node.wait_days)
            self.counts.setText("The next step falls due this many days after the one before it is done.")
        else:
            self.kind.setCurrentIndex(self.kind.findData(node.kind.value))
            self.counts.setText(f"{pending:,} pending · {done:,} done")
        self.kind.setEnabled(not started)
        self.days.setEnabled(not started)
        self.form.setRowVisible(self.message, not wait)
        if not wait:
            self.message.load(node)

    def _kind_chosen(self, index: int) -> None:
        if self.node is None or self.kind.itemData(index) == self.node.kind.value:
            return
        node = self.node.id
        push_setting(
            self,
            "Change step type",
            lambda value: self.workspace.set_step_kind(node, value),
            self.node.kind.value,
            self.kind.itemData(index),
            f"'{self.node.title}' is now a {NodeKind(self.kind.itemData(index)).label} step.",
        )  # type: ignore[arg-type]

    def _days_set(self) -> None:
        if self.node is None or self.days.value() == self.node.wait_days:
            return
        node = self.node.id
        push_setting(
            self,
            "Change wait",
            lambda value: self.workspace.set_wait_days(node, value),
            self.node.wait_days,
            self.days.value(),
            f"'{self.node.title}' now waits {self.days.value()} day{'s' if self.days.value() != 1 else ''}.",
        )  # type: ignore[arg-type]
