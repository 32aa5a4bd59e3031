"""Recording what one contact did (SPEC §10) from the Contacts page: accepted, replied or bounced.

The selected contact's enrollments are listed (automation, sender profile,
status); the buttons record an outcome for the chosen one as one undoable step.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QComboBox, QGroupBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from builder.engine.words import Outcome
from builder.store.database import WorkspaceError
from builder.store.workspace import Workspace
from builder.ui.commands import push
from builder.ui.outcome_commands import RecordOutcomeCommand


class OutcomeBox(QGroupBox):
    def __init__(
        self,
        workspace: Workspace,
        undo_stack: QUndoStack,
        selection: Callable[[], list[int]],
        report: Callable[[str], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("What they did", parent)
        self.setObjectName("OutcomeBox")
        self.workspace, self.undo_stack, self.selection, self.report = workspace, undo_stack, selection, report
        self.contact: tuple[int, str] | None = None
        self.hint = QLabel("Select one contact to record that they accepted, replied or bounced.")
        self.hint.setObjectName("hint")
        self.hint.setWordWrap(True)
        self.enrollments = QComboBox()
        self.enrollments.setObjectName("outcomeEnrollment")
        self.enrollments.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.enrollments.setMinimumContentsLength(14)
        self.buttons: dict[Outcome, QPushButton] = {}
        row = QHBoxLayout()
        for outcome in Outcome:
            button = QPushButton(outcome.label)
            button.setObjectName(f"contact{outcome.label}Button")
            button.clicked.connect(lambda _checked=False, o=outcome: self.record(o))
            self.buttons[outcome] = button
            row.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.hint)
        layout.addWidget(self.enrollments)
        layout.addLayout(row)
        self.reload()

    def selection_changed(self) -> None:
        self.reload()

    def reload(self) -> None:
        """The selected contact's enrollments; the buttons work when there is one to record for."""
        chosen = self.selection()
        current = self.enrollments.currentData()
        self.enrollments.clear()
        self.contact = None
        if len(chosen) == 1:
            try:
                listing = self.workspace.contact_listings(chosen)
                choices = self.workspace.contact_enrollments(chosen[0])
            except WorkspaceError as error:
                self.report(str(error))
                listing, choices = [], []
            if listing:
                self.contact = (chosen[0], listing[0].name)
                for choice in choices:
                    profile = choice.sender_profile_name or "no sender profile yet"
                    self.enrollments.addItem(
                        f"{choice.automation_name} — {profile} ({choice.status.value})",
                        (choice.automation_id, choice.automation_name),
                    )
                found = self.enrollments.findData(current)
                if found >= 0:
                    self.enrollments.setCurrentIndex(found)
                self.hint.setText(
                    f"{self.contact[1]} in:" if choices else f"{self.contact[1]} is not enrolled in any automation."
                )
        if self.contact is None:
            self.hint.setText("Select one contact to record that they accepted, replied or bounced.")
        usable = self.enrollments.count() > 0
        self.enrollments.setEnabled(usable)
        for button in self.buttons.values():
            button.setEnabled(usable)

    def record(self, outcome: Outcome) -> None:
        data = self.enrollments.currentData()
        if self.contact is None or data is None:
            return
        automation_id, automation_name = data
        command = RecordOutcomeCommand(
            self.workspace,
            outcome,
            contact_id=self.contact[0],
            automation_id=automation_id,
            contact_name=self.contact[1],
            automation_name=automation_name,
        )
        if push(self.undo_stack, command, self.report):
            self.report(f"{command.text()}.")
