"""Creating, editing and deleting sender profiles as undoable commands."""

from __future__ import annotations

from typing import Any

from builder.store.profile_admin import DeletedProfile
from builder.store.workspace import Workspace
from builder.ui.commands import WorkspaceCommand


class CreateProfileCommand(WorkspaceCommand):
    def __init__(self, workspace: Workspace, values: dict[str, Any]) -> None:
        super().__init__(workspace, f"New sender profile {values['name']}")
        self.values = values
        self.profile_id: int | None = None
        self.snapshot: DeletedProfile | None = None

    def apply(self) -> None:
        if self.snapshot is None:
            self.profile_id = self.workspace.create_sender_profile(**self.values)
        else:
            self.workspace.restore_sender_profile(self.snapshot)

    def revert(self) -> None:
        assert self.profile_id is not None
        self.snapshot = self.workspace.delete_sender_profile(self.profile_id)


class EditProfileCommand(WorkspaceCommand):
    def __init__(self, workspace: Workspace, profile_id: int, before: dict[str, Any], after: dict[str, Any]) -> None:
        super().__init__(workspace, f"Edit sender profile {after['name']}")
        self.profile_id, self.before, self.after = profile_id, before, after

    def apply(self) -> None:
        self.workspace.update_sender_profile(self.profile_id, **self.after)

    def revert(self) -> None:
        self.workspace.update_sender_profile(self.profile_id, **self.before)


class DeleteProfileCommand(WorkspaceCommand):
    def __init__(self, workspace: Workspace, profile_id: int, name: str) -> None:
        super().__init__(workspace, f"Delete sender profile {name}")
        self.profile_id = profile_id
        self.snapshot: DeletedProfile | None = None

    def apply(self) -> None:
        self.snapshot = self.workspace.delete_sender_profile(self.profile_id)

    def revert(self) -> None:
        assert self.snapshot is not None
        self.workspace.restore_sender_profile(self.snapshot)
