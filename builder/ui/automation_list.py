"""The list of automations: create, rename, duplicate, delete, switch."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap, QUndoStack
from PySide6.QtWidgets import (
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from builder.store.base import Change
from builder.store.workspace import Workspace
from builder.ui.commands import (
    CreateAutomationCommand,
    DeleteAutomationCommand,
    DuplicateAutomationCommand,
    RenameAutomationCommand,
    push,
)

STATE_MARKS = {"draft": "Draft", "running": "Running", "paused": "Paused"}
STATE_COLORS = {"draft": "#9aa3b2", "running": "#16a34a", "paused": "#f59e0b"}


def state_dot(state: str) -> QIcon:
    """A small coloured dot: grey draft, green running, amber paused."""
    side = 32
    pixmap = QPixmap(side, side)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(STATE_COLORS[state]))
    painter.drawEllipse(8, 8, 16, 16)
    painter.end()
    return QIcon(pixmap)


class AutomationList(QWidget):
    """Shows the workspace's automations; the chosen one opens on the canvas."""

    chosen = Signal(object)  # automation id, or None when there is none
    message = Signal(str)

    def __init__(self, workspace: Workspace, stack: QUndoStack, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("AutomationList")
        self.workspace = workspace
        self.stack = stack
        self.current: int | None = None
        self.list = QListWidget(self)
        self.list.setObjectName("AutomationListView")
        self.list.setAccessibleName("Automations")
        self.list.currentItemChanged.connect(self._current_changed)
        self.list.itemChanged.connect(self._renamed)
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        self.new_button = self._button("New", "New automation", self.create)
        self.duplicate_button = self._button("Duplicate", "Duplicate the selected automation", self.duplicate)
        self.rename_button = self._button("Rename", "Rename the selected automation (F2)", self.rename)
        self.delete_button = self._button("Delete", "Delete the selected automation", self.delete)
        for button in (self.new_button, self.duplicate_button, self.rename_button, self.delete_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(buttons)
        layout.addWidget(self.list)
        self._syncing = False
        self.reload()

    def _button(self, text: str, tip: str, slot: object) -> QToolButton:
        button = QToolButton(self)
        button.setText(text)
        button.setToolTip(tip)
        button.setObjectName(f"{text.lower()}AutomationButton")
        button.clicked.connect(slot)
        return button

    def _report(self, text: str) -> None:
        self.message.emit(text)

    # -- following the workspace --------------------------------------------------------------

    def on_change(self, change: Change) -> None:
        if change.what == "automations":
            self.reload()

    def reload(self) -> None:
        self._syncing = True
        try:
            automations = self.workspace.automations()
            self.list.clear()
            for automation in automations:
                item = QListWidgetItem(automation.name)
                item.setData(Qt.ItemDataRole.UserRole, automation.id)
                item.setToolTip(f"{automation.name} — {STATE_MARKS[automation.state.value]}")
                item.setIcon(state_dot(automation.state.value))
                item.setData(Qt.ItemDataRole.UserRole + 1, automation.name)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
                self.list.addItem(item)
            ids = [a.id for a in automations]
            wanted = self.current if self.current in ids else (ids[0] if ids else None)
            for row in range(self.list.count()):
                if self.list.item(row).data(Qt.ItemDataRole.UserRole) == wanted:
                    self.list.setCurrentRow(row)
        finally:
            self._syncing = False
        self._set_current(self.selected_id())
        for button in (self.duplicate_button, self.rename_button, self.delete_button):
            button.setEnabled(self.current is not None)

    def selected_id(self) -> int | None:
        item = self.list.currentItem()
        return None if item is None else int(item.data(Qt.ItemDataRole.UserRole))

    def _set_current(self, automation_id: int | None) -> None:
        if automation_id != self.current:
            self.current = automation_id
            self.chosen.emit(automation_id)

    def _current_changed(self, *_args: object) -> None:
        if not self._syncing:
            self._set_current(self.selected_id())

    # -- actions -----------------------------------------------------------------------------

    def choose(self, automation_id: int) -> None:
        self.current = automation_id
        self.reload()
        self.chosen.emit(automation_id)

    def create(self) -> None:
        names = {a.name for a in self.workspace.automations()}
        name = "New automation"
        n = 2
        while name in names:
            name, n = f"New automation {n}", n + 1
        command = CreateAutomationCommand(self.workspace, name)
        if push(self.stack, command, self._report) and command.automation_id is not None:
            self.choose(command.automation_id)

    def duplicate(self) -> None:
        item = self.list.currentItem()
        if item is None:
            return
        command = DuplicateAutomationCommand(self.workspace, self.selected_id(), f"{item.text()} (copy)")
        if push(self.stack, command, self._report) and command.automation_id is not None:
            self.choose(command.automation_id)

    def rename(self) -> None:
        item = self.list.currentItem()
        if item is not None:
            self.list.editItem(item)

    def _renamed(self, item: QListWidgetItem) -> None:
        if self._syncing:
            return
        before = item.data(Qt.ItemDataRole.UserRole + 1)
        after = item.text().strip()
        if after and after != before:
            push(
                self.stack,
                RenameAutomationCommand(self.workspace, int(item.data(Qt.ItemDataRole.UserRole)), before, after),
                self._report,
            )
        else:
            self.reload()

    def delete(self) -> None:
        item = self.list.currentItem()
        if item is None:
            return
        automation_id = int(item.data(Qt.ItemDataRole.UserRole))
        info = self.workspace.automation(automation_id)
        if info.state.started:
            answer = QMessageBox.question(
                self,
                "Delete automation",
                f"'{info.name}' is {info.state.value}. Deleting it stops its outreach and removes its pending tasks. "
                "You can undo this with Edit ▸ Undo.",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Cancel,
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        self.current = None
        push(self.stack, DeleteAutomationCommand(self.workspace, automation_id, info.name), self._report)
