"""The question SPEC §6 and §12 ask when a profile leaves a started automation."""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QDialog, QLabel, QPushButton, QVBoxLayout, QWidget

from builder.store.database import WorkspaceError
from builder.store.workspace_info import AttachmentInfo

if TYPE_CHECKING:
    from builder.store.running import MovePreview
    from builder.store.workspace import Workspace


class RemovalChoice(Enum):
    CANCEL = "cancel"
    CONTINUE = "continue"
    MOVE = "move"
    KEEP = "keep"


def and_list(names: list[str]) -> str:
    """'Anna', 'Anna and Bob', 'Anna, Bob and Lena'."""
    if not names:
        return ""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _contacts(count: int) -> str:
    return f"{count:,} contact{'s' if count != 1 else ''}"


def _conversations(count: int) -> str:
    return f"{count:,} conversation{'s' if count != 1 else ''}"


def move_words(preview: MovePreview) -> str:
    """The move button's text (SPEC §12), with the numbers of this branch.

    "Move the 212 contacts Bob has not contacted yet to Anna and Omar; Bob
    finishes the 94 conversations already started".
    """
    name, moving, staying = preview.profile_name, preview.moving, preview.staying
    to = and_list(list(preview.to)) or "the other profiles"
    if moving == 0:
        first = f"Move nobody: {name} has contacted everyone here already"
    elif moving == 1:
        first = f"Move the 1 contact {name} has not contacted yet to {to}"
    else:
        first = f"Move the {moving:,} contacts {name} has not contacted yet to {to}"
    if staying == 0:
        rest = f"{name} has no conversation to finish here"
    else:
        rest = f"{name} finishes the {_conversations(staying)} already started"
    return f"{first}; {rest}"


class RemoveProfileDialog(QDialog):
    """Says what is at stake and offers: cancel the tasks, continue them, move the contacts, or keep the profile.

    ``move`` is the workspace's preview of a ``move`` removal (SPEC §12): its
    numbers go on the button, and its refusal, when nobody could take the
    contacts, disables the button and is said beside it (as is
    ``move_refusal``, when the preview itself could not be made).
    """

    def __init__(
        self,
        profile: AttachmentInfo,
        automation: str,
        parent: QWidget | None = None,
        move: MovePreview | None = None,
        move_refusal: str = "",
    ) -> None:
        super().__init__(parent)
        self.setObjectName("RemoveProfileDialog")
        self.setWindowTitle(f"Remove {profile.name}?")
        self.choice = RemovalChoice.KEEP
        self.move = move
        tasks = f"{profile.pending_tasks:,} pending task{'s' if profile.pending_tasks != 1 else ''}"
        stake = QLabel(f"<b>{profile.name}</b> has {_contacts(profile.contacts)} and {tasks} in '{automation}'.", self)
        stake.setObjectName("stakeLabel")
        stake.setWordWrap(True)
        explain = QLabel(
            f"Contacts who talked to {profile.name} stay with {profile.name}. Cancel and Continue move nobody; "
            f"Move gives the contacts {profile.name} has not contacted yet to the other active profiles, "
            "their tasks keeping their due days.",
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
        self.move_button = QPushButton(self)
        self.move_button.setObjectName("moveContactsButton")
        self.move_refusal = QLabel(self)
        self.move_refusal.setObjectName("moveRefusal")
        self.move_refusal.setWordWrap(True)
        refusal = move_refusal if move is None else move.refusal
        self.move_button.setText(move_words(move) if move is not None else "Move the contacts not yet contacted")
        self.move_button.setToolTip(
            "Contacts with no done task here are assigned again by the usual rules over the other active "
            "profiles; the others stay."
        )
        if refusal:
            self.move_button.setEnabled(False)
            self.move_button.setToolTip(refusal)
            self.move_refusal.setText(refusal)
        else:
            self.move_refusal.hide()
        self.keep_button = QPushButton(f"Keep {profile.name}", self)
        self.keep_button.setObjectName("keepProfileButton")
        self.keep_button.setDefault(True)
        layout = QVBoxLayout(self)
        for widget in (
            stake,
            explain,
            self.cancel_button,
            self.continue_button,
            self.move_button,
            self.move_refusal,
            self.keep_button,
            undo,
        ):
            layout.addWidget(widget)
        self.cancel_button.clicked.connect(lambda: self._choose(RemovalChoice.CANCEL))
        self.continue_button.clicked.connect(lambda: self._choose(RemovalChoice.CONTINUE))
        self.move_button.clicked.connect(lambda: self._choose(RemovalChoice.MOVE))
        self.keep_button.clicked.connect(lambda: self._choose(RemovalChoice.KEEP))

    def _choose(self, choice: RemovalChoice) -> None:
        self.choice = choice
        if choice is RemovalChoice.KEEP:
            self.reject()
        else:
            self.accept()


def ask_removal(
    workspace: Workspace, node_id: int, profile: AttachmentInfo, automation: str, parent: QWidget | None = None
) -> RemoveProfileDialog:
    """Ask SPEC §6's question (with §12's move, its numbers from the workspace) and return the answered dialog."""
    try:
        preview, refusal = workspace.move_preview(node_id, profile.sender_profile_id), ""
    except WorkspaceError as error:
        preview, refusal = None, str(error)
    dialog = RemoveProfileDialog(profile, automation, parent, preview, refusal)
    dialog.exec()
    return dialog
