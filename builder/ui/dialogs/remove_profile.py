"""The question SPEC §6 asks when a profile leaves a started automation."""

from __future__ import annotations

from enum import Enum

from PySide6.QtWidgets import QDialog, QLabel, QPushButton, QVBoxLayout, QWidget

from builder.store.workspace_info import AttachmentInfo


class RemovalChoice(Enum):
    CANCEL = "cancel"
    CONTINUE = "continue"
    KEEP = "keep"


class RemoveProfileDialog(QDialog):
    """Says what is at stake and offers: cancel the tasks, continue them, or keep the profile."""

    def __init__(self, profile: AttachmentInfo, automation: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("RemoveProfileDialog")
        self.setWindowTitle(f"Remove {profile.name}?")
        self.choice = RemovalChoice.KEEP
        contacts = f"{profile.contacts:,} contact{'s' if profile.contacts != 1 else ''}"
        tasks = f"{profile.pending_tasks:,} pending task{'s' if profile.pending_tasks != 1 else ''}"
        stake = QLabel(f"<b>{profile.name}</b> has {contacts} and {tasks} in '{automation}'.", self)
        stake.setObjectName("stakeLabel")
        stake.setWordWrap(True)
        explain = QLabel(
            "Nobody is moved to another sender profile: contacts who talked to "
            f"{profile.name} stay with {profile.name}.",
            self,
        )
        explain.setWordWrap(True)
        undo = QLabel(
            "You can undo this with Edit ▸ Undo until a task is done, a contact joins or the day changes; "
            "after that it can no longer be undone exactly, so it is not offered.",
            self,
        )
        undo.setObjectName("undoNote")
        undo.setWordWrap(True)
        self.cancel_button = QPushButton(f"Cancel {profile.name}'s tasks", self)
        self.cancel_button.setObjectName("cancelTasksButton")
        self.cancel_button.setToolTip(
            "Pending tasks of this profile here are canceled and its contacts leave this automation."
        )
        self.continue_button = QPushButton(f"Continue {profile.name}'s tasks, assign no new contacts", self)
        self.continue_button.setObjectName("continueTasksButton")
        self.keep_button = QPushButton(f"Keep {profile.name}", self)
        self.keep_button.setObjectName("keepProfileButton")
        self.keep_button.setDefault(True)
        layout = QVBoxLayout(self)
        for widget in (stake, explain, self.cancel_button, self.continue_button, self.keep_button, undo):
            layout.addWidget(widget)
        self.cancel_button.clicked.connect(lambda: self._choose(RemovalChoice.CANCEL))
        self.continue_button.clicked.connect(lambda: self._choose(RemovalChoice.CONTINUE))
        self.keep_button.clicked.connect(lambda: self._choose(RemovalChoice.KEEP))

    def _choose(self, choice: RemovalChoice) -> None:
        self.choice = choice
        if choice is RemovalChoice.KEEP:
            self.reject()
        else:
            self.accept()
