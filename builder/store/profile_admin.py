"""Creating, editing and deleting sender profiles (SPEC §8 "Sender profiles"), undoably.

A profile that has worked with contacts cannot be deleted: its interactions
and enrollments are the history that keeps a contact with the profile who
talked to them (R2), so deleting it would silently move people later. The
workspace says so, and what to do instead. A profile without history is
deleted in one transaction, with its pins and its places in automations; a
snapshot puts it all back.
"""

from __future__ import annotations

from dataclasses import dataclass

from builder.store.base import Change
from builder.store.bulk import bulk_insert
from builder.store.contacts_view import ContactsMixin
from builder.store.crm import PROFILE_COLUMNS
from builder.store.database import WorkspaceError, table
from builder.store.loading import execute, query
from builder.store.mailboxes import MAILBOX_COLUMNS

ATTACHMENT_COLUMNS = ["id", "node_id", "sender_profile_id", "state", "weight", "attach_order", "rotation"]


@dataclass(frozen=True)
class ProfileUsage:
    """Where a sender profile is used, for the delete flow to explain."""

    profile_id: int
    name: str
    running: list[tuple[int, str, str]]  # (Sender Profile node, automation, its state there) in started automations
    drafts: int  # draft automations it is attached to
    history: int  # enrollments and interactions with it
    pins: int  # contacts pinned to it (R1)

    def refusal(self) -> str | None:
        if not self.history:
            return None
        return (
            f"{self.name} has worked with contacts ({self.history:,} "
            f"{'entry' if self.history == 1 else 'entries'} of enrollments and interactions). That history "
            f"keeps each contact with the profile who talked to them, so {self.name} cannot be deleted. To stop "
            f"{self.name}'s work, remove {self.name} in the automations' Sender Profile nodes, or set the daily "
            "limit to 0."
        )


@dataclass(frozen=True)
class DeletedProfile:
    """All a deleted sender profile leaves behind, so undo can put it back as it was."""

    row: tuple
    attachments: list[tuple]
    pins: list[tuple]
    mailbox: tuple | None = None  # an email profile's mailbox (the undo step holds its password meanwhile)


class ProfileAdminMixin(ContactsMixin):
    def sender_profile_usage(self, profile_id: int) -> ProfileUsage:
        found = self.sender_profile_usages([profile_id])
        if profile_id not in found:
            raise WorkspaceError("That sender profile no longer exists.")
        return found[profile_id]

    def sender_profile_usages(self, profile_ids: list[int] | None = None) -> dict[int, ProfileUsage]:
        """Where each sender profile is used (all of them, or these), in a few grouped queries."""
        with self._read() as conn:
            names = dict(query(conn, "SELECT id, name FROM sender_profile"))
            places: dict[int, list[tuple]] = {}
            for profile, node, automation, automation_state, state in query(
                conn,
                "SELECT b.sender_profile_id, b.node_id, a.name, a.state, b.state FROM branch_attachment b "
                "JOIN node n ON n.id = b.node_id JOIN automation a ON a.id = n.automation_id ORDER BY a.id, b.node_id",
            ):
                places.setdefault(profile, []).append((node, automation, automation_state, state))
            history: dict[int, int] = {}
            for name in ("enrollment", "interaction"):
                for profile, count in query(
                    conn, f"SELECT sender_profile_id, count(*) FROM {name} GROUP BY sender_profile_id"
                ):
                    if profile is not None:
                        history[profile] = history.get(profile, 0) + count
            pins = dict(query(conn, "SELECT sender_profile_id, count(*) FROM override GROUP BY sender_profile_id"))
        usages = {}
        for pid in names if profile_ids is None else [p for p in profile_ids if p in names]:
            mine = places.get(pid, [])
            running = [(node, name, state) for node, name, automation, state in mine if automation != "draft"]
            drafts = len({name for _, name, automation, _ in mine if automation == "draft"})
            usages[pid] = ProfileUsage(pid, names[pid], running, drafts, history.get(pid, 0), pins.get(pid, 0))
        return usages

    def delete_sender_profile(self, profile_id: int) -> DeletedProfile:
        """Delete a profile that has no history, with its pins and places in automations; returns the snapshot."""
        usage = self.sender_profile_usage(profile_id)
        refusal = usage.refusal()
        if refusal:
            raise WorkspaceError(refusal)
        active = [name for _, name, state in usage.running if state == "active"]
        if active:
            raise WorkspaceError(f"{usage.name} is still active in '{active[0]}': remove {usage.name} there first.")
        with self._write() as conn:
            row = query(conn, f"SELECT {', '.join(PROFILE_COLUMNS)} FROM sender_profile WHERE id = ?", (profile_id,))
            attachments = query(
                conn,
                f"SELECT {', '.join(ATTACHMENT_COLUMNS)} FROM branch_attachment WHERE sender_profile_id = ?",
                (profile_id,),
            )
            pins = query(
                conn, "SELECT contact_id, sender_profile_id FROM override WHERE sender_profile_id = ?", (profile_id,)
            )
            mailbox = query(
                conn, f"SELECT {', '.join(MAILBOX_COLUMNS)} FROM mailbox WHERE sender_profile_id = ?", (profile_id,)
            )
            execute(conn, "DELETE FROM override WHERE sender_profile_id = ?", (profile_id,))
            execute(conn, "DELETE FROM branch_attachment WHERE sender_profile_id = ?", (profile_id,))
            execute(conn, "DELETE FROM sender_profile WHERE id = ?", (profile_id,))
            self._later(Change("sender_profiles"), Change("contacts"), Change("sender_profile_node"))
        return DeletedProfile(row[0], attachments, pins, mailbox[0] if mailbox else None)

    def restore_sender_profile(self, deleted: DeletedProfile) -> None:
        """Put a deleted profile back with the same id, its places in automations and its pins."""
        with self._write() as conn:
            if query(conn, "SELECT 1 FROM sender_profile WHERE id = ?", (deleted.row[0],)):
                raise WorkspaceError("That sender profile is back already.")
            nodes = {n for (n,) in query(conn, "SELECT id FROM node")}
            contacts_known = {c for (c,) in query(conn, "SELECT id FROM contact")}
            bulk_insert(conn, table("sender_profile"), PROFILE_COLUMNS[: len(deleted.row)], [deleted.row])
            bulk_insert(
                conn, table("branch_attachment"), ATTACHMENT_COLUMNS, [a for a in deleted.attachments if a[1] in nodes]
            )
            bulk_insert(
                conn,
                table("override"),
                ["contact_id", "sender_profile_id"],
                [p for p in deleted.pins if p[0] in contacts_known],
            )
            if deleted.mailbox is not None:
                marks = ", ".join("?" * len(MAILBOX_COLUMNS))
                execute(conn, f"INSERT INTO mailbox ({', '.join(MAILBOX_COLUMNS)}) VALUES ({marks})", deleted.mailbox)
            self._later(Change("sender_profiles"), Change("contacts"), Change("sender_profile_node"))
