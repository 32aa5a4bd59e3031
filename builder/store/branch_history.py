"""Undoing a change to a branch's sender profiles, but only exactly (SPEC §6, issue 4).

A change to a started branch touches its attachments, enrollments and tasks.
Undo puts back the rows as they were — but only while the branch is still
exactly as the change left it, on the same day. Once a task was done, a
contact enrolled or the date moved, undoing would rewrite history: it is
refused with a sentence instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection

from builder.store.base import Change
from builder.store.bulk import bulk_insert, bulk_update
from builder.store.database import WorkspaceError, table
from builder.store.loading import execute, query
from builder.store.snapshots import ATTACHMENT_COLUMNS, ENROLLMENT_COLUMNS, TASK_COLUMNS, SnapshotsMixin


@dataclass(frozen=True)
class BranchState:
    """Every row of one branch, and the day they were read."""

    node_id: int
    day: int
    attachments: tuple[tuple, ...]
    enrollments: tuple[tuple, ...]
    tasks: tuple[tuple, ...]


def _read_state(conn: Connection, node_id: int, day: int) -> BranchState:
    started = query(
        conn, "SELECT a.state FROM automation a JOIN node n ON n.automation_id = a.id WHERE n.id = ?", (node_id,)
    )
    if not started or started[0][0] == "draft":
        day = 0  # nothing in a draft depends on the date
    attachments = query(
        conn, f"SELECT {', '.join(ATTACHMENT_COLUMNS)} FROM branch_attachment WHERE node_id = ? ORDER BY id", (node_id,)
    )
    enrollments = query(
        conn, f"SELECT {', '.join(ENROLLMENT_COLUMNS)} FROM enrollment WHERE branch_node_id = ? ORDER BY id", (node_id,)
    )
    tasks = query(
        conn,
        f"SELECT {', '.join('t.' + c for c in TASK_COLUMNS)} FROM task t JOIN enrollment e ON e.id = t.enrollment_id "
        "WHERE e.branch_node_id = ? ORDER BY t.id",
        (node_id,),
    )
    return BranchState(node_id, day, tuple(attachments), tuple(enrollments), tuple(tasks))


class BranchHistoryMixin(SnapshotsMixin):
    def branch_state(self, node_id: int) -> BranchState:
        with self._read() as conn:
            return _read_state(conn, node_id, self.today_number)

    def restore_branch(self, expected: BranchState, target: BranchState) -> None:
        """Put the branch back to ``target``, if it is still exactly ``expected`` (one transaction)."""
        with self._write() as conn:
            current = _read_state(conn, expected.node_id, self.today_number)
            if current != expected:
                if current.day != expected.day:
                    why = "the day has changed since"
                elif current.tasks != expected.tasks and len(current.tasks) == len(expected.tasks):
                    why = "tasks were done or changed since"
                else:
                    why = "contacts were enrolled or tasks changed since"
                raise WorkspaceError(f"This change to the sender profiles can no longer be undone exactly: {why}.")
            node = target.node_id
            # Interactions recorded by the branch's done tasks point at them: unlink, then link back.
            task_ids = [row[0] for row in current.tasks]
            links: list[tuple[int, int]] = []
            for start in range(0, len(task_ids), 500):
                chunk = task_ids[start : start + 500]
                marks = ",".join("?" * len(chunk))
                links += query(conn, f"SELECT id, task_id FROM interaction WHERE task_id IN ({marks})", chunk)
            bulk_update(conn, "UPDATE interaction SET task_id = NULL WHERE id = ?", [(i,) for i, _ in links])
            enrollment_ids = [row[0] for row in current.enrollments]
            for start in range(0, len(enrollment_ids), 500):
                chunk = enrollment_ids[start : start + 500]
                marks = ",".join("?" * len(chunk))
                execute(conn, f"DELETE FROM task WHERE enrollment_id IN ({marks})", chunk)
                execute(conn, f"DELETE FROM enrollment WHERE id IN ({marks})", chunk)
            execute(conn, "DELETE FROM branch_attachment WHERE node_id = ?", (node,))
            bulk_insert(conn, table("branch_attachment"), ATTACHMENT_COLUMNS, target.attachments)
            bulk_insert(conn, table("enrollment"), ENROLLMENT_COLUMNS, target.enrollments)
            bulk_insert(conn, table("task"), TASK_COLUMNS, target.tasks)
            kept = {row[0] for row in target.tasks}
            bulk_update(
                conn, "UPDATE interaction SET task_id = ? WHERE id = ?", [(t, i) for i, t in links if t in kept]
            )
            automation = query(conn, "SELECT automation_id FROM node WHERE id = ?", (node,))
            automation_id = automation[0][0] if automation else None
            self._later(
                Change("sender_profile_node", automation_id), Change("enrollments", automation_id), Change("tasks")
            )
