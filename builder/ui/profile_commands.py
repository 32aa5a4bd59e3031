"""Creating, editing and deleting sender profiles as undoable commands."""

from __future__ import annotations

from typing import Any

from builder.store.database import WorkspaceError
from builder.store.profile_admin import DeletedProfile
from builder.store.workspace import Workspace
from builder.ui.commands import WorkspaceCommand


class ProfileLeaves(WorkspaceCommand):
    """Deleting a profile, undoably: its mailbox's password leaves the keyring with it and comes back with it.

    The keyring holds passwords of profiles that exist only; while the profile
    is gone, this step holds its password (in memory, never in the workspace).
    """

    password: str | None = None
    profile_id: int | None

    def leave(self, profile_id: int) -> DeletedProfile:
        from builder.sending.passwords import take_password  # the keyring is loaded when a mailbox is touched

        mailbox = self.workspace.mailbox(profile_id)
        self.password = take_password(mailbox.keyring_id) if mailbox is not None else None
        try:
            return self.workspace.delete_sender_profile(profile_id)
        except WorkspaceError:  # refused: the profile stays, and so does its password
            self.come_back_password(profile_id)
            raise

    def come_back(self, snapshot: DeletedProfile) -> None:
        assert self.profile_id is not None
        self.workspace.restore_sender_profile(snapshot)
        self.come_back_password(self.profile_id)

    def come_back_password(self, profile_id: int) -> None:
        from builder.sending.passwords import PasswordError, store_password

        mailbox = self.workspace.mailbox(profile_id)
        if self.password is None or mailbox is None:
            return
        try:
            store_password(mailbox.keyring_id, self.password)
        except PasswordError as error:  # the profile is back; only its password is not
            self.report(f"{mailbox.profile_name} is back, but not its mailbox's password: {error}")
        self.password = None


class CreateProfileCommand(ProfileLeaves):
    def __init__(self, workspace: Workspace, values: dict[str, Any]) -> None:
        super().__init__(workspace, f"New sender profile {values['name']}")
        self.values = values
        self.profile_id: int | None = None
        self.snapshot: DeletedProfile | None = None

    def apply(self) -> None:
        if self.snapshot is None:
            self.profile_id = self.workspace.create_sender_profile(**self.values)
        else:
            self.come_back(self.snapshot)

    def revert(self) -> None:
        assert self.profile_id is not None
        self.snapshot = self.leave(self.profile_id)


class EditProfileCommand(WorkspaceCommand):
    def __init__(self, workspace: Workspace, profile_id: int, before: dict[str, Any], after: dict[str, Any]) -> None:
        super().__init__(workspace, f"Edit sender profile {after['name']}")
        self.profile_id, self.before, self.after = profile_id, before, after

    def apply(self) -> None:
        self.workspace.update_sender_profile(self.profile_id, **self.after)

    def revert(self) -> None:
        self.workspace.update_sender_profile(self.profile_id, **self.before)


class DeleteProfileCommand(ProfileLeaves):
    def __init__(self, workspace: Workspace, profile_id: int, name: str) -> None:
        super().__init__(workspace, f"Delete sender profile {name}")
        self.profile_id = profile_id
        self.snapshot: DeletedProfile | None = None

    def apply(self) -> None:
        self.snapshot = self.leave(self.profile_id)

    def revert(self) -> None:
        assert self.snapshot is not None
        self.come_back(self.snapshot)
