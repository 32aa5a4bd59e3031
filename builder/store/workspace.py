"""The workspace: the one source of truth of the app (SPEC §9).

Each public method is one user action and one transaction; after it commits,
subscribers hear a :class:`~builder.store.base.Change`. The engine decides every
rule; the workspace loads its inputs and stores its outcome in bulk.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from builder.engine.words import EnrollmentStatus, Reason, TaskStatus
from builder.store.daily_work import DailyWorkMixin
from builder.store.database import connect, database_url, ensure_schema
from builder.store.loading import query
from builder.store.mailboxes import MailboxesMixin
from builder.store.outcomes import OutcomesMixin
from builder.store.path_moves import PathsMixin
from builder.store.profile_admin import ProfileAdminMixin
from builder.store.scenario_export import ScenarioExportMixin
from builder.store.summaries import SummariesMixin
from builder.store.workspace_info import AttachmentInfo, EnrollmentInfo, TaskInfo, attachment_rows


def _day(value: int | None) -> date | None:
    return None if value is None else date.fromordinal(value)


class Workspace(
    PathsMixin, ScenarioExportMixin, SummariesMixin, DailyWorkMixin, OutcomesMixin, ProfileAdminMixin, MailboxesMixin
):
    """Sender profiles, contacts, segments, automations and their runs, in one database."""

    @classmethod
    def open(
        cls,
        target: str | Path | None = None,
        *,
        today: date | None = None,
        upgrading: Callable[[int, int], None] | None = None,
    ) -> Workspace:
        """Open (or create) the workspace at a path or SQLAlchemy URL; None means the default file.

        ``upgrading(from, to)`` is told before a workspace of an older version is brought up to date.
        """
        engine = connect(database_url(target))
        try:
            ensure_schema(engine, upgrading=upgrading)
        except Exception:
            engine.dispose()
            raise
        return cls(engine, today)

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # -- what happened in an automation ---------------------------------------------------

    def enrollments(self, automation_id: int) -> list[EnrollmentInfo]:
        """The automation's enrollments in enrollment order."""
        with self._read() as conn:
            rows = query(
                conn,
                "SELECT id, contact_id, branch_node_id, sender_profile_id, reason, status, enrolled_day, "
                "ignored_override_id, moved_from_id FROM enrollment WHERE automation_id = ? ORDER BY id",
                (automation_id,),
            )
        return [
            EnrollmentInfo(i, c, b, p, Reason(r) if r else None, EnrollmentStatus(s), date.fromordinal(d), ig, mf)
            for i, c, b, p, r, s, d, ig, mf in rows
        ]

    def tasks(self, automation_id: int) -> list[TaskInfo]:
        """The automation's tasks in enrollment order, then in the order they were made (the path's order)."""
        with self._read() as conn:
            rows = query(
                conn,
                "SELECT t.id, t.enrollment_id, e.contact_id, t.sender_profile_id, t.step_index, t.kind, t.status, "
                "t.due_day, t.done_day FROM task t JOIN enrollment e ON e.id = t.enrollment_id "
                "WHERE e.automation_id = ? ORDER BY t.enrollment_id, t.id",
                (automation_id,),
            )
        return [TaskInfo(i, e, c, p, s, k, TaskStatus(st), _day(d), _day(dd)) for i, e, c, p, s, k, st, d, dd in rows]

    def attachments(self, node_id: int) -> list[AttachmentInfo]:
        """The sender profiles of a Sender Profile node in attach order, with their counts."""
        with self._read() as conn:
            return attachment_rows(conn, [node_id]).get(node_id, [])
