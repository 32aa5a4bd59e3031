"""Plain answers the workspace gives about automations: enrollments, tasks, attached profiles."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection

from builder.engine.words import EnrollmentStatus, ProfileState, Reason, TaskStatus
from builder.store.loading import chunks, query


@dataclass(frozen=True)
class EnrollmentInfo:
    """One contact in one automation: its branch, profile, why, when and status."""

    id: int
    contact_id: int
    branch_node_id: int
    sender_profile_id: int | None
    reason: Reason | None
    status: EnrollmentStatus
    enrolled: date
    ignored_override_id: int | None
    moved_from_id: int | None = None  # the profile a removal with "move" took it from (SPEC §12)


@dataclass(frozen=True)
class TaskInfo:
    id: int
    enrollment_id: int
    contact_id: int
    sender_profile_id: int
    step_index: int
    kind: str
    status: TaskStatus
    due: date | None
    done: date | None


@dataclass(frozen=True)
class AttachmentInfo:
    """A sender profile in a branch, with the counts a marketer looks at."""

    sender_profile_id: int
    name: str
    state: ProfileState
    weight: int
    daily_limit: int
    attach_order: int
    contacts: int
    pending_tasks: int


def attachment_rows(
    conn: Connection, node_ids: Sequence[int], *, count_pending: bool = True
) -> dict[int, list[AttachmentInfo]]:
    """The sender profiles of each Sender Profile node, in attach order, with their counts.

    ``count_pending=False`` leaves ``pending_tasks`` at 0: the canvas cards do not show it, and
    counting it reads every pending task of the branch (a second on 200,000 contacts).
    """
    found: dict[int, list[AttachmentInfo]] = defaultdict(list)
    for chunk in chunks(list(node_ids)):
        marks = ",".join("?" * len(chunk))
        pending: dict[tuple[int, int], int] = {}
        if count_pending:
            # One pass over the branches' pending tasks, not one per attached profile.
            for node, profile, count in query(
                conn,
                "SELECT e.branch_node_id, t.sender_profile_id, count(*) FROM enrollment e "
                "JOIN task t ON t.enrollment_id = e.id "
                f"WHERE e.branch_node_id IN ({marks}) AND t.status = ? GROUP BY e.branch_node_id, t.sender_profile_id",
                (*chunk, TaskStatus.PENDING.value),
            ):
                pending[(node, profile)] = count
        rows = query(
            conn,
            "SELECT a.node_id, a.sender_profile_id, p.name, a.state, a.weight, p.daily_limit, a.attach_order, "
            "(SELECT count(*) FROM enrollment e WHERE e.branch_node_id = a.node_id "
            " AND e.sender_profile_id = a.sender_profile_id) "
            "FROM branch_attachment a JOIN sender_profile p ON p.id = a.sender_profile_id "
            f"WHERE a.node_id IN ({marks}) ORDER BY a.node_id, a.attach_order",
            chunk,
        )
        for node, p, n, s, w, lim, o, c in rows:
            found[node].append(AttachmentInfo(p, n, ProfileState(s), w, lim, o, c, pending.get((node, p), 0)))
    return found
