"""The Mass Actions as undoable commands: each one transaction, undone exactly."""

from __future__ import annotations

from builder.store.workspace import Workspace
from builder.ui.commands import WorkspaceCommand


def _contacts(count: int) -> str:
    return f"{count:,} contact{'s' if count != 1 else ''}"


class MassOverrideCommand(WorkspaceCommand):
    """Pin the selection to a sender profile (R1), or clear the pin; undo puts every old pin back."""

    def __init__(self, workspace: Workspace, contact_ids: list[int], profile_id: int | None, profile_name: str) -> None:
        text = (
            f"Pin {_contacts(len(contact_ids))} to {profile_name}"
            if profile_id is not None
            else f"Clear the sender profile of {_contacts(len(contact_ids))}"
        )
        super().__init__(workspace, text)
        self.contact_ids, self.profile_id = contact_ids, profile_id
        self.before: dict[int, int | None] | None = None

    def apply(self) -> None:
        if self.before is None:
            self.before = self.workspace.override_state(self.contact_ids)
        self.workspace.set_override(self.contact_ids, self.profile_id)

    def revert(self) -> None:
        assert self.before is not None
        self.workspace.restore_overrides(self.before)


class MassTagCommand(WorkspaceCommand):
    """Add a tag to the selection (members of a running automation's segment enroll) or remove it.

    Undo takes the tag back off exactly the contacts that got it (or puts it
    back on those that lost it); an enrollment that tagging caused stays, as
    SPEC §4 never moves or drops an enrolled contact.
    """

    def __init__(self, workspace: Workspace, contact_ids: list[int], tag: str, *, add: bool) -> None:
        verb = "Tag" if add else "Untag"
        super().__init__(workspace, f"{verb} {_contacts(len(contact_ids))} '{tag}'")
        self.contact_ids, self.tag, self.add = contact_ids, tag.strip(), add
        self.changed: list[int] | None = None

    def apply(self) -> None:
        if self.changed is None:
            having = set(self.workspace.contacts_with_tag(self.contact_ids, self.tag))
            self.changed = (
                [c for c in self.contact_ids if c not in having]
                if self.add
                else [c for c in self.contact_ids if c in having]
            )
        if self.add:
            self.workspace.tag_contacts(self.changed, [self.tag])
        else:
            self.workspace.untag_contacts(self.changed, [self.tag])

    def revert(self) -> None:
        assert self.changed is not None
        if self.add:
            self.workspace.untag_contacts(self.changed, [self.tag])
        else:
            self.workspace.tag_contacts(self.changed, [self.tag])
