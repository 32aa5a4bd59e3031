"""Today's work in a workspace (SPEC §5): the plan per sender profile, done and skipped tasks.

Days are calendar dates. The engine's planner orders the due tasks; people
mark them done (which records an interaction) or skip them; a planned task not
done stays due and comes first tomorrow.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection

from builder.engine.planner import DailyPlanner
from builder.engine.words import AutomationState, NodeKind, TaskStatus
from builder.store.base import Change, WorkspaceBase
from builder.store.database import WorkspaceError, bulk_insert, table
from builder.store.loading import execute, query
from builder.store.path_moves import StoredPaths


@dataclass(frozen=True)
class PlannedTask:
    """One task of today's plan, with what a person needs to do it."""

    task_id: int
    sender_profile_id: int
    contact_id: int
    contact_name: str
    automation_id: int
    automation_name: str
    step_index: int
    kind: NodeKind
    due: date


class DailyWorkMixin(WorkspaceBase):
    def plan_today(self) -> dict[int, list[PlannedTask]]:
        """Each sender profile's tasks for today, within what its daily limit leaves.

        Only running automations are planned; tasks already done today count
        against the limit.
        """
        today = self.today_number
        with self._read() as conn:
            limits = dict(query(conn, "SELECT id, daily_limit FROM sender_profile"))
            used = dict(
                query(
                    conn,
                    "SELECT sender_profile_id, count(*) FROM task WHERE status = ? AND done_day = ? GROUP BY sender_profile_id",
                    (TaskStatus.DONE.value, today),
                )
            )
            planner: DailyPlanner[int] = DailyPlanner()
            planner.add_many(
                (profile, due, enrollment, step, task)
                for task, profile, due, enrollment, step in query(
                    conn,
                    "SELECT t.id, t.sender_profile_id, t.due_day, t.enrollment_id, t.step_index FROM task t "
                    "JOIN enrollment e ON e.id = t.enrollment_id JOIN automation a ON a.id = e.automation_id "
                    "WHERE t.status = ? AND t.due_day <= ? AND a.state = ?",
                    (TaskStatus.PENDING.value, today, AutomationState.RUNNING.value),
                )
            )
            chosen = planner.plan(today, limits, used)
            details = self._task_details(conn, [t for tasks in chosen.values() for t in tasks])
        return {profile: [details[t] for t in tasks] for profile, tasks in chosen.items() if tasks}

    def _task_details(self, conn: Connection, task_ids: list[int]) -> dict[int, PlannedTask]:
        found: dict[int, PlannedTask] = {}
        for start in range(0, len(task_ids), 500):
            chunk = task_ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for row in query(
                conn,
                "SELECT t.id, t.sender_profile_id, c.id, c.name, a.id, a.name, t.step_index, t.kind, t.due_day "
                "FROM task t JOIN enrollment e ON e.id = t.enrollment_id JOIN contact c ON c.id = e.contact_id "
                f"JOIN automation a ON a.id = e.automation_id WHERE t.id IN ({marks})",
                chunk,
            ):
                found[row[0]] = PlannedTask(*row[:7], NodeKind(row[7]), date.fromordinal(row[8]))
        return found

    def done_today(self) -> dict[int, int]:
        """How many tasks each sender profile has done today, in all automations."""
        with self._read() as conn:
            return dict(
                query(
                    conn,
                    "SELECT sender_profile_id, count(*) FROM task WHERE status = ? AND done_day = ? GROUP BY sender_profile_id",
                    (TaskStatus.DONE.value, self.today_number),
                )
            )

    def mark_done(self, task_id: int) -> None:
        """Mark a due task done today: it records an interaction and the next step falls due."""
        self._finish_task(task_id, TaskStatus.DONE)

    def skip_task(self, task_id: int) -> None:
        """Skip a due task: it is not done, records nothing, and the next step falls due."""
        self._finish_task(task_id, TaskStatus.SKIPPED)

    def _finish_task(self, task_id: int, outcome: TaskStatus) -> None:
        today = self.today_number
        with self._write() as conn:
            found = query(
                conn,
                "SELECT t.status, t.due_day, t.sender_profile_id, t.step_index, e.id, e.contact_id, e.automation_id, "
                "e.branch_node_id, a.state, p.daily_limit, p.name FROM task t JOIN enrollment e ON e.id = t.enrollment_id "
                "JOIN automation a ON a.id = e.automation_id JOIN sender_profile p ON p.id = t.sender_profile_id "
                "WHERE t.id = ?",
                (task_id,),
            )
            if not found:
                raise WorkspaceError("That task no longer exists.")
            status, due, profile, _, enrollment, contact, automation, _, state, limit, name = found[0]
            if status != TaskStatus.PENDING.value:
                raise WorkspaceError(f"That task is already {status}.")
            if state != AutomationState.RUNNING.value:
                raise WorkspaceError(f"Its automation is {state}; resume it to work on its tasks.")
            if due is None or due > today:
                raise WorkspaceError("That task is not due yet.")
            if outcome is TaskStatus.DONE:
                done_today = query(
                    conn,
                    "SELECT count(*) FROM task WHERE sender_profile_id = ? AND status = ? AND done_day = ?",
                    (profile, TaskStatus.DONE.value, today),
                )[0][0]
                if done_today >= limit:
                    raise WorkspaceError(f"{name} has already done {limit} tasks today, the daily limit.")
            execute(conn, "UPDATE task SET status = ?, done_day = ? WHERE id = ?", (outcome.value, today, task_id))
            if outcome is TaskStatus.DONE:
                bulk_insert(
                    conn,
                    table("interaction"),
                    ["contact_id", "sender_profile_id", "day", "automation_id", "task_id"],
                    [(contact, profile, today, automation, task_id)],
                )
            # The contact goes on along its path by the engine's walk: the next task falls due, or it reaches
            # a Wait for, a condition, a split or a tag step (SPEC §5, §10).
            paths = StoredPaths(conn, automation, today)
            paths.task_done(enrollment, task_id, today, outcome)
            self._paths_moved(conn, automation, paths.write())  # type: ignore[attr-defined]
            self._later(Change("tasks", automation))

    def record_interaction(self, contact_id: int, profile_id: int, day: date | None = None) -> None:
        """Record that a sender profile contacted a contact (outside any task)."""
        when = (day or self.today).toordinal()
        with self._write() as conn:
            if not query(conn, "SELECT 1 FROM contact WHERE id = ?", (contact_id,)):
                raise WorkspaceError("That contact no longer exists.")
            if not query(conn, "SELECT 1 FROM sender_profile WHERE id = ?", (profile_id,)):
                raise WorkspaceError("That sender profile no longer exists.")
            bulk_insert(
                conn, table("interaction"), ["contact_id", "sender_profile_id", "day"], [(contact_id, profile_id, when)]
            )
            self._later(Change("contacts"))
