"""The automation bar (SPEC §8): state, Start / Pause / Resume, R2's switch, and what blocks a start."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from builder.engine.words import AutomationState
from builder.store.base import Change
from builder.store.database import WorkspaceError
from builder.store.running import StartRefused
from builder.store.workspace import Workspace
from builder.ui.canvas.items import ASKED_MARK, problem_line
from builder.ui.commands import SetStopOnReplyCommand, SetValueCommand, push
from builder.ui.elided_label import ElidedLabel

BADGES = {
    AutomationState.DRAFT: ("Draft", "#5f6b7a", "#eef1f5"),
    AutomationState.RUNNING: ("Running", "#15803d", "#e7f6ec"),
    AutomationState.PAUSED: ("Paused", "#b45309", "#fdf3e1"),
}


class AutomationBar(QWidget):
    """Above the canvas: run controls for the open automation and its SPEC §3 problems."""

    problem_chosen = Signal(object)  # the node a problem is about

    def __init__(
        self, workspace: Workspace, stack: QUndoStack, report: Callable[[str], None], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("AutomationBar")
        self.workspace, self.stack, self.report = workspace, stack, report
        self.automation_id: int | None = None
        self.name = ElidedLabel("", self)
        self.name.setObjectName("automationName")
        bold = self.name.font()
        bold.setBold(True)
        self.name.setFont(bold)
        self.badge = QLabel(self)
        self.badge.setObjectName("stateBadge")
        self.start_button = QPushButton("Start", self)
        self.start_button.setObjectName("startButton")
        self.pause_button = QPushButton("Pause", self)
        self.pause_button.setObjectName("pauseButton")
        self.resume_button = QPushButton("Resume", self)
        self.resume_button.setObjectName("resumeButton")
        self.ignore = QCheckBox("Ignore previous interactions", self)
        self.ignore.setObjectName("ignorePreviousInteractions")
        self.ignore.setToolTip(
            "When on, a contact who talked to a sender profile before is not sent back to that profile: "
            "overrides, then even distribution, decide."
        )
        self.stop_on_reply = QCheckBox("Stop on reply", self)
        self.stop_on_reply.setObjectName("stopOnReply")
        self.stop_on_reply.setToolTip(
            "When on, a contact who replies gets no more steps: their pending tasks are canceled. "
            "Turn it off to branch on replies with a Wait for."
        )
        self.stop_on_reply.clicked.connect(self._stop_on_reply_clicked)
        self.problems = QListWidget(self)
        self.problems.setObjectName("problemsList")
        self.problems.setMaximumHeight(self.fontMetrics().height() * 5)
        self.problems.setWordWrap(True)  # a long problem wraps; it never widens the window
        self.problems.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.problems.itemClicked.connect(self._problem_clicked)
        self.start_button.clicked.connect(self.start)
        self.pause_button.clicked.connect(
            lambda: self._run(self.workspace.pause, "Paused: no tasks are planned until you resume.")
        )
        self.resume_button.clicked.connect(lambda: self._run(self.workspace.resume, "Resumed."))
        self.ignore.clicked.connect(self._ignore_clicked)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.name)
        row.addWidget(self.badge)
        row.addStretch(1)
        # The path switches one above the other: the bar stays as narrow as the smallest window.
        switches = QVBoxLayout()
        switches.setContentsMargins(0, 0, 0, 0)
        switches.setSpacing(0)
        switches.addWidget(self.stop_on_reply)
        switches.addWidget(self.ignore)
        row.addLayout(switches)
        for button in (self.start_button, self.pause_button, self.resume_button):
            row.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 2)
        layout.addLayout(row)
        layout.addWidget(self.problems)
        self.show_automation(None)

    def show_automation(self, automation_id: int | None) -> None:
        self.automation_id = automation_id
        self.refresh()

    def on_change(self, change: Change) -> None:
        if change.what != "today":
            self.refresh()

    def refresh(self) -> None:
        known = {a.id: a for a in self.workspace.automations()}
        info = known.get(self.automation_id) if self.automation_id is not None else None
        self.setEnabled(info is not None)
        if info is None:
            self.name.setText("")
            self.badge.setText("")
            self.problems.clear()
            self.problems.hide()
            self.start_button.show()  # shown disabled: what the bar is for, once an automation is open
            self.pause_button.hide()
            self.resume_button.hide()
            return
        label, colour, background = BADGES[info.state]
        self.name.setText(info.name)
        self.badge.setText(label)
        self.badge.setStyleSheet(
            f"color: {colour}; background: {background}; border-radius: 8px; padding: 1px 8px; font-weight: bold"
        )
        self.start_button.setVisible(info.state is AutomationState.DRAFT)
        self.pause_button.setVisible(info.state is AutomationState.RUNNING)
        self.resume_button.setVisible(info.state is AutomationState.PAUSED)
        self.ignore.setChecked(info.ignore_previous_interactions)
        self.stop_on_reply.setChecked(info.stop_on_reply)
        self.problems.clear()
        blocking = 0
        if info.state is AutomationState.DRAFT:
            for problem in self.workspace.problems(info.id):
                # A message not written yet is asked for (SPEC §11); it does not keep the start back.
                blocking += problem.blocking
                item = QListWidgetItem(problem_line(problem))
                item.setData(Qt.ItemDataRole.UserRole, problem.node)
                item.setToolTip(problem.message + ("\nClick to show this node." if problem.node is not None else ""))
                self.problems.addItem(item)
        self.problems.setVisible(self.problems.count() > 0)
        self.start_button.setToolTip(
            "Fix the problems listed below first"
            if blocking
            else "Enroll the segments and start the outreach"
            + (
                f" (steps marked {ASKED_MARK} have no message yet: their tasks are done without one)"
                if self.problems.count()
                else ""
            )
        )

    def start(self) -> None:
        if self.automation_id is None:
            return
        try:
            count = self.workspace.start(self.automation_id)
        except StartRefused as refused:
            self.report(
                f"Not started: {len(refused.problems)} thing{'s' if len(refused.problems) != 1 else ''} to fix first (listed below)."
            )
            self.refresh()
            return
        except WorkspaceError as error:
            self.report(str(error))
            return
        self.report(f"Started: {count:,} contact{'s' if count != 1 else ''} enrolled.")

    def _run(self, action: Callable[[int], None], done: str) -> None:
        if self.automation_id is None:
            return
        try:
            action(self.automation_id)
        except WorkspaceError as error:
            self.report(str(error))
            return
        self.report(done)

    def _ignore_clicked(self, checked: bool) -> None:
        if self.automation_id is None:
            return
        automation = self.automation_id
        push(
            self.stack,
            SetValueCommand(
                self.workspace,
                "Ignore previous interactions" if checked else "Use previous interactions",
                lambda value: self.workspace.set_ignore_previous_interactions(automation, bool(value)),
                not checked,
                checked,
            ),
            self.report,
        )

    def _stop_on_reply_clicked(self, checked: bool) -> None:
        """SPEC §10: one undoable step, saved at once."""
        if self.automation_id is None:
            return
        if push(self.stack, SetStopOnReplyCommand(self.workspace, self.automation_id, checked), self.report):
            self.report(
                "A reply now ends the contact's path."
                if checked
                else "Replies no longer end a path; a Wait for can branch on them."
            )
        else:
            self.refresh()

    def _problem_clicked(self, item: QListWidgetItem) -> None:
        node = item.data(Qt.ItemDataRole.UserRole)
        if node is not None:
            self.problem_chosen.emit(node)
