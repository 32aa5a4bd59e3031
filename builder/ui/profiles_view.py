"""The team's sender profiles (SPEC §8): create, edit, delete — each an undoable step.

Deleting a profile that still works in a running automation first asks the
SPEC §6 question there (cancel its tasks, let them continue, or keep it); a
profile with history is kept, and the reason is given.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from builder.engine.words import Channel, RemovalMode
from builder.store.crm import SenderProfileInfo
from builder.store.database import WorkspaceError
from builder.store.workspace import Workspace
from builder.ui.canvas.items import em
from builder.ui.commands import BranchChangeCommand, push
from builder.ui.dialogs.profile_editor import SenderProfileEditor
from builder.ui.dialogs.remove_profile import RemovalChoice, ask_removal
from builder.ui.limits_text import limits_text, profile_limits_text
from builder.ui.page import Page
from builder.ui.profile_commands import CreateProfileCommand, DeleteProfileCommand, EditProfileCommand

COLUMNS = ("Name", "Channel", "Limits", "Weight", "Used in")


class SenderProfilesView(Page):
    follows = ("sender_profiles", "sender_profile_node", "automations", "enrollments")

    def __init__(
        self, workspace: Workspace, undo_stack: QUndoStack, report: Callable[[str], None], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("SenderProfilesView")
        self.workspace, self.undo_stack, self.report = workspace, undo_stack, report
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("SenderProfilesTable")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in enumerate((16, 8, 22, 6)):
            self.table.setColumnWidth(column, round(em() * width))
        self.new_button = QPushButton("New sender profile…")
        self.new_button.setObjectName("newProfileButton")
        self.edit_button = QPushButton("Edit…")
        self.edit_button.setObjectName("editProfileButton")
        self.delete_button = QPushButton("Delete…")
        self.delete_button.setObjectName("deleteProfileButton")
        buttons = QHBoxLayout()
        for button in (self.new_button, self.edit_button, self.delete_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.table, 1)
        self.new_button.clicked.connect(self.create)
        self.edit_button.clicked.connect(self.edit)
        self.delete_button.clicked.connect(self.delete)
        self.table.itemDoubleClicked.connect(lambda _item: self.edit())
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.profiles: list[SenderProfileInfo] = []

    def refresh(self) -> None:
        chosen = self.selected()
        try:
            self.profiles = self.workspace.sender_profiles()
            found = self.workspace.sender_profile_usages()
            usages = [found[p.id] for p in self.profiles]
        except WorkspaceError as error:
            self.report(str(error))
            return
        self.table.setRowCount(len(self.profiles))
        for row, (profile, usage) in enumerate(zip(self.profiles, usages, strict=True)):
            used = [f"{name} ({state})" for _, name, state in usage.running]
            if usage.drafts:
                used.append(f"{usage.drafts} draft{'s' if usage.drafts != 1 else ''}")
            if usage.pins:
                used.append(f"{usage.pins:,} pinned contact{'s' if usage.pins != 1 else ''}")
            cells = (
                profile.name,
                profile.channel.label,
                profile_limits_text(profile),
                str(profile.weight),
                "; ".join(used) or "—",
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column == 2:
                    item.setToolTip(text)
                if column == 3:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(row, column, item)
            if chosen is not None and profile.id == chosen.id:
                self.table.selectRow(row)
        self._selection_changed()

    def selected(self) -> SenderProfileInfo | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        return self.profiles[rows[0].row()] if rows and rows[0].row() < len(self.profiles) else None

    def _selection_changed(self) -> None:
        chosen = self.selected() is not None
        self.edit_button.setEnabled(chosen)
        self.delete_button.setEnabled(chosen)

    # -- actions ---------------------------------------------------------------------------

    def create(self) -> None:
        editor = SenderProfileEditor(None, self)
        if editor.exec() != SenderProfileEditor.DialogCode.Accepted:
            return
        values = editor.values()
        command = CreateProfileCommand(self.workspace, values)
        if not push(self.undo_stack, command, self.report):
            return
        said = f"{values['name']} ({saved_limits(values)}) can now be added to automations."
        if "mailbox" in values and editor.mailbox is not None and command.profile_id is not None:
            try:
                editor.mailbox.keep_password(command.profile_id)
            except WorkspaceError as error:  # no keyring: the profile and its servers are kept, the password not
                said = f"{values['name']} was made, but not its mailbox's password: {error}"
            else:
                said = f"{values['name']} ({saved_limits(values)}) sends from {values['mailbox']['user']}."  # type: ignore[index]
        self.report(said)

    def edit(self) -> None:
        profile = self.selected()
        if profile is None:
            return
        editor = SenderProfileEditor(profile, self)
        if editor.exec() != SenderProfileEditor.DialogCode.Accepted:
            return
        before = {
            "name": profile.name,
            "channel": profile.channel.value,
            "daily_limit": profile.daily_limit,
            "weight": profile.weight,
            "limits": dict(profile.limits),
            "weekly_limits": dict(profile.weekly_limits),
            "working_days": tuple(profile.working_days),
        }
        after = editor.values()
        command = EditProfileCommand(self.workspace, profile.id, before, after)
        if after != before and push(self.undo_stack, command, self.report):
            self.report(f"Saved {after['name']}: {Channel(after['channel']).label}, {saved_limits(after)}.")

    def delete(self) -> None:
        profile = self.selected()
        if profile is None:
            return
        try:
            usage = self.workspace.sender_profile_usage(profile.id)
        except WorkspaceError as error:
            self.report(str(error))
            return
        refusal = usage.refusal()
        if refusal:
            QMessageBox.information(self, f"{profile.name} is kept", refusal)
            return
        # Leaving running automations and the deletion are one undo step.
        self.undo_stack.beginMacro(f"Delete sender profile {profile.name}")
        try:
            if self._leave_running(profile, usage.running):
                pins = (
                    f" {usage.pins:,} pinned contact{'s' if usage.pins != 1 else ''} lose their pin."
                    if usage.pins
                    else ""
                )
                answer = QMessageBox.question(
                    self,
                    f"Delete {profile.name}?",
                    f"Delete {profile.name}?{pins} Edit ▸ Undo brings {profile.name} back.",
                )
                if answer == QMessageBox.StandardButton.Yes:
                    command = DeleteProfileCommand(self.workspace, profile.id, profile.name)
                    if push(self.undo_stack, command, self.report):
                        self.report(f"Deleted {profile.name}; Edit ▸ Undo brings {profile.name} back.")
        finally:
            self.undo_stack.endMacro()
            top = self.undo_stack.command(self.undo_stack.index() - 1)
            if top is not None and top.childCount() == 0:  # nothing happened: no empty undo step
                top.setObsolete(True)
                self.undo_stack.undo()

    def _leave_running(self, profile: SenderProfileInfo, running: list[tuple[int, str, str]]) -> bool:
        """Ask SPEC §6's question in each running automation where the profile still takes contacts."""
        for node, automation, state in running:
            if state != "active":
                continue
            info = next((a for a in self.workspace.attachments(node) if a.sender_profile_id == profile.id), None)
            if info is None:
                continue
            dialog = ask_removal(self.workspace, node, info, automation, self)
            if dialog.choice is RemovalChoice.KEEP:
                self.report(f"{profile.name} stays in '{automation}', so it was not deleted.")
                return False
            mode = RemovalMode(dialog.choice.value)
            command = BranchChangeCommand(
                self.workspace,
                node,
                f"Remove {profile.name}",
                lambda node=node, mode=mode: self.workspace.remove_sender_profile(node, profile.id, mode),
            )
            if not push(self.undo_stack, command, self.report):
                return False
        return True


def saved_limits(values: dict[str, Any]) -> str:
    """'120 a day, weight 1' — with the limits per action and the working days when set."""
    words = f"{values['daily_limit']} a day, weight {values['weight']}"
    extra = limits_text(values["daily_limit"], values["limits"], values["weekly_limits"], values["working_days"])
    rest = extra.split(" · ", 1)[1] if " · " in extra else ""
    return f"{words} · {rest}" if rest else words
