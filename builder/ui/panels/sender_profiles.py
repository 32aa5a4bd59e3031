"""A Sender Profile node's settings: its profiles as rows, add and remove (SPEC §6).

Every count and state shown here comes from the workspace; the panel computes
no rule itself. Removing from a started automation asks RemoveProfileDialog.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from builder.engine.scenario import Scenario
from builder.engine.what_if import with_profile_added, with_profile_removed
from builder.engine.words import ProfileState, RemovalMode
from builder.store.scenario_export import scenario_profile_id
from builder.store.workspace import Workspace
from builder.store.workspace_info import AttachmentInfo
from builder.ui.commands import BranchChangeCommand, push
from builder.ui.dialogs.profile_picker import SenderProfilePicker
from builder.ui.dialogs.remove_profile import RemovalChoice, and_list, ask_removal
from builder.ui.limits_text import profile_limits_text

if TYPE_CHECKING:
    from builder.store.running import MovePreview

COLUMNS = ("Sender profile", "Channel", "State", "Weight", "Limits", "Contacts", "Pending", "", "")
LIMITS_COLUMN = 4
STATE_COLOURS = {ProfileState.ACTIVE: "#15803d", ProfileState.DRAINING: "#b45309", ProfileState.REMOVED: "#b42318"}


class SenderProfileSettings(QWidget):
    what_if = Signal(str, object)  # a label, and a change to the scenario: show it in the simulation pane

    def __init__(
        self, workspace: Workspace, stack: QUndoStack, report: Callable[[str], None], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("SenderProfileSettings")
        self.workspace, self.stack, self.report = workspace, stack, report
        self.node_id: int | None = None
        self.summary = QLabel(self)
        self.summary.setObjectName("profilesSummary")
        self.summary.setWordWrap(True)
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setObjectName("attachedProfiles")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        # Numbers and the row's actions keep their width; the name takes what is left, elided if it must.
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setStretchLastSection(False)
        self.add_button = QPushButton("Add sender profile…", self)
        self.add_button.setObjectName("addSenderProfileButton")
        self.add_button.clicked.connect(self.add_profiles)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.rows: list[AttachmentInfo] = []
        self._started = False

    def load(self, node_id: int) -> None:
        self.node_id = node_id
        self.refresh()

    def refresh(self) -> None:
        if self.node_id is None:
            return
        self.rows = self.workspace.attachments(self.node_id)
        self._started = self.workspace.automation(self.workspace.node_automation(self.node_id)).state.started
        team = {p.id: p for p in self.workspace.sender_profiles()}
        self.table.setRowCount(len(self.rows))
        for row, profile in enumerate(self.rows):
            info = team.get(profile.sender_profile_id)
            cells = (
                profile.name,
                info.channel.label if info is not None else "",
                profile.state.value,
                str(profile.weight),
                profile_limits_text(info) if info is not None else f"{profile.daily_limit:,}/day",
                f"{profile.contacts:,}",
                f"{profile.pending_tasks:,}",
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column >= 3:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if column == 2:
                    item.setForeground(QColor(STATE_COLOURS[profile.state]))
                if column in (0, LIMITS_COLUMN):
                    item.setToolTip(text)
                self.table.setItem(row, column, item)
            button = QToolButton(self.table)
            button.setText("✕")
            button.setAccessibleName(f"Remove {profile.name}")
            button.setObjectName(f"removeProfileButton_{profile.sender_profile_id}")
            button.setToolTip(f"Remove {profile.name} from this branch")
            button.setEnabled(profile.state is not ProfileState.REMOVED)
            button.clicked.connect(lambda _=False, p=profile: self.remove_profile(p))
            self.table.setCellWidget(row, len(COLUMNS) - 2, button)
            self.table.setCellWidget(row, len(COLUMNS) - 1, self._what_if_button(profile))
        active = [p for p in self.rows if p.state is ProfileState.ACTIVE]
        contacts = sum(p.contacts for p in self.rows)
        self.summary.setText(
            f"{len(active)} active sender profile{'s' if len(active) != 1 else ''} take new contacts; "
            f"{contacts:,} contacts assigned in this branch."
            if self.rows
            else "No sender profile yet: add at least one before starting."
        )

    def button_for(self, name: str) -> QToolButton:
        for row, profile in enumerate(self.rows):
            if profile.name == name:
                widget = self.table.cellWidget(row, len(COLUMNS) - 2)
                assert isinstance(widget, QToolButton)
                return widget
        raise KeyError(name)

    def _what_if_button(self, profile: AttachmentInfo) -> QToolButton:
        """'What if…': preview removing this profile in the simulation pane, changing nothing."""
        button = QToolButton(self.table)
        button.setText("What if…")
        button.setObjectName(f"whatIfButton_{profile.sender_profile_id}")
        button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(button)
        started = self._started  # read once per refresh, not once per row
        choices = (
            [
                ("cancel", "removed, tasks canceled"),
                ("continue", "removed, tasks continued"),
                ("move", "removed, contacts not yet contacted moved"),
            ]
            if started
            else [(None, "removed")]
        )
        for mode, words in choices:
            action = menu.addAction(f"{profile.name} {words}")
            action.setObjectName(f"whatIf_{mode or 'remove'}")
            action.triggered.connect(lambda _=False, m=mode, w=words: self._preview_removal(profile, m, w))
        button.setMenu(menu)
        button.setEnabled(profile.state is not ProfileState.REMOVED)
        return button

    def _branch(self) -> str | None:
        if self.node_id is None:
            return None
        return self.workspace.branch_names(self.workspace.node_automation(self.node_id)).get(self.node_id)

    def _preview_removal(self, profile: AttachmentInfo, mode: str | None, words: str) -> None:
        branch = self._branch()
        if branch is None:
            self.report("Finish the branch first: the preview needs a Segment, this node and a step.")
            return
        pid = scenario_profile_id(profile.sender_profile_id)
        self.what_if.emit(f"{profile.name} is {words}", lambda s: with_profile_removed(s, branch, pid, mode))

    def preview_adding(self, profiles: list[int]) -> None:
        branch = self._branch()
        if branch is None or not profiles:
            return
        names = {p.id: p.name for p in self.workspace.sender_profiles()}
        ids = [scenario_profile_id(p) for p in profiles]

        def change(scenario: Scenario) -> Scenario:
            for pid in reversed(ids):
                scenario = with_profile_added(scenario, branch, pid)
            return scenario

        self.what_if.emit(f"{', '.join(names.get(p, '?') for p in profiles)} joined", change)

    # -- actions ---------------------------------------------------------------------------

    def add_profiles(self) -> None:
        if self.node_id is None:
            return
        active = {p.sender_profile_id for p in self.rows if p.state is ProfileState.ACTIVE}
        picker = SenderProfilePicker(self.workspace, active, self)
        picker.preview_requested.connect(self.preview_adding)
        if picker.exec() != QDialog.DialogCode.Accepted or not picker.chosen:
            return
        node, chosen = self.node_id, list(picker.chosen)
        names = {p.id: p.name for p in self.workspace.sender_profiles()}

        def attach() -> None:
            for profile in chosen:
                self.workspace.attach_sender_profile(node, profile)

        label = ", ".join(names.get(p, "?") for p in chosen)
        if push(self.stack, BranchChangeCommand(self.workspace, node, f"Add {label}", attach), self.report):
            self.report(f"Added {and_list([names.get(p, '?') for p in chosen])} to '{self._node_title(node)}'.")

    def remove_profile(self, profile: AttachmentInfo) -> None:
        if self.node_id is None:
            return
        node = self.node_id
        automation_id = self.workspace.node_automation(node)
        automation = self.workspace.automation(automation_id)
        mode: RemovalMode | None = None
        move: MovePreview | None = None
        if automation.state.started:
            dialog = ask_removal(self.workspace, node, profile, automation.name, self)
            if dialog.choice is RemovalChoice.KEEP:
                self.report(f"{profile.name} stays in this branch.")
                return
            mode, move = RemovalMode(dialog.choice.value), dialog.move
        verb = REMOVAL_VERBS[mode]
        command = BranchChangeCommand(
            self.workspace,
            node,
            f"{verb} {profile.name}",
            lambda: self.workspace.remove_sender_profile(node, profile.sender_profile_id, mode),
        )
        if push(self.stack, command, self.report):
            self.report(removal_done(profile, mode, self._node_title(node), move))

    def _node_title(self, node_id: int) -> str:
        automation = self.workspace.node_automation(node_id)
        return next((n.title for n in self.workspace.nodes(automation) if n.id == node_id), "this branch")


REMOVAL_VERBS = {
    None: "Remove",
    RemovalMode.CANCEL: "Remove (cancel tasks)",
    RemovalMode.CONTINUE: "Drain",
    RemovalMode.MOVE: "Move contacts from",
}


def removal_done(
    profile: AttachmentInfo, mode: RemovalMode | None, node_title: str, move: MovePreview | None = None
) -> str:
    """What a removal did, for the status bar (SPEC §6, §12): who moved, whose tasks go on or stop."""
    name, pending = profile.name, profile.pending_tasks
    tasks = f"{pending:,} pending task{'s' if pending != 1 else ''}"
    if mode is RemovalMode.MOVE and move is not None:
        moved = f"{move.moving:,} contact{'s' if move.moving != 1 else ''}"
        first = (
            f"Moved {moved} {name} had not contacted yet to {and_list(list(move.to))}, their tasks keeping their due days"
            if move.moving
            else "Nobody was moved"
        )
        if move.staying:
            talks = f"{move.staying:,} conversation{'s' if move.staying != 1 else ''}"
            return f"{first}; {name} finishes the {talks} already started and takes no new contacts."
        return f"{first}; {name} has left '{node_title}'."
    if mode is RemovalMode.CONTINUE:
        if not pending:
            return f"{name} has no pending tasks here and takes no new contacts."
        return f"{name} finishes the {tasks} here and takes no new contacts."
    if mode is RemovalMode.CANCEL:
        if not pending:
            return f"{name} had no pending tasks here and takes no new contacts."
        return f"{name}'s {tasks} {'were' if pending != 1 else 'was'} canceled; {name} takes no new contacts."
    return f"Removed {name} from '{node_title}'."
