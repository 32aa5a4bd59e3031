"""Today's work in a workspace (SPEC §5, §12): the plan per sender profile, done and skipped tasks.

Days are calendar dates. The engine's planner orders the due tasks; the
engine's :class:`~builder.engine.limits.Allowance` says, task by task, whether
the profile's limits per action, per rolling week and its working days let it
do one today; people mark them done (which records an interaction) or skip
them; a task not done stays due and comes first tomorrow.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Connection

from builder.engine.limits import WEEK, WEEKDAY_NAMES, Allowance, Hold, HoldReason
from builder.engine.planner import DailyPlanner
from builder.engine.words import AutomationState, NodeKind, TaskStatus
from builder.store.base import Change, WorkspaceBase
from builder.store.bulk import bulk_insert
from builder.store.database import WorkspaceError, table
from builder.store.loading import execute, query
from builder.store.path_moves import StoredPaths
from builder.store.profile_limits import engine_limits, parse_days, parse_limits


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


@dataclass(frozen=True)
class HeldTask:
    """A due task left out of today's plan by a limit or a day off, and why, naming the day it may go."""

    task_id: int
    profile_id: int
    contact_name: str
    automation_name: str
    kind: NodeKind
    due: date
    reason: str  # "weekly limit of connection requests reached — next on Monday 7 December"


def date_words(day: date) -> str:
    """A date as the Tasks tab says it: "Monday 7 December"."""
    return f"{WEEKDAY_NAMES[day.weekday()]} {day.day} {day.strftime('%B')}"


@dataclass(frozen=True)
class _Plan:
    chosen: dict[int, list[int]]  # profile -> task ids planned today, in SPEC §5's order
    held: list[tuple[int, int, Hold]]  # (task id, profile, why) of due tasks not planned, in that order
    profiles: dict[int, tuple[str, int]]  # profile -> (name, daily limit)


class DailyWorkMixin(WorkspaceBase):
    def _plan(self, conn: Connection) -> _Plan:
        """Today's plan by SPEC §5 and §12, from the due tasks of running automations.

        Per profile, the due tasks in §5's order; a task whose kind reached its limit per day or over the
        rolling week (done tasks of the profile in all automations, today and the six days before) is passed
        over and stays due; nothing on a day the profile does not work; at most ``daily_limit`` in all,
        tasks done today included. Linear in the tasks due, plus one grouped count of the week's done tasks.
        """
        today = self.today_number
        profiles, allowances, used = self._allowances(conn)
        planner: DailyPlanner[tuple[int, NodeKind]] = DailyPlanner()
        kinds = {kind.value: kind for kind in NodeKind}
        planner.add_many(
            (profile, due, enrollment, step, (task, kinds[kind]))
            for task, profile, due, enrollment, step, kind in query(
                conn,
                "SELECT t.id, t.sender_profile_id, t.due_day, t.enrollment_id, t.step_index, t.kind FROM task t "
                "JOIN enrollment e ON e.id = t.enrollment_id JOIN automation a ON a.id = e.automation_id "
                "WHERE t.status = ? AND t.due_day <= ? AND a.state = ?",
                (TaskStatus.PENDING.value, today, AutomationState.RUNNING.value),
            )
        )
        chosen: dict[int, list[int]] = {}
        held: list[tuple[int, int, Hold]] = []
        for profile in sorted(allowances):
            day = allowances[profile].open_day(0, used=used.get(profile, 0))
            mine: list[int] = []
            while (found := planner.take_due(profile, today)) is not None:
                task, kind = found
                if day.can(kind):
                    day.took(kind)
                    mine.append(task)
                else:
                    held.append((task, profile, day.hold(kind)))  # type: ignore[arg-type]
            if mine:
                chosen[profile] = mine
        return _Plan(chosen, held, profiles)

    def _allowances(
        self, conn: Connection, profile_id: int | None = None
    ) -> tuple[dict[int, tuple[str, int]], dict[int, Allowance], dict[int, int]]:
        """Each profile's (name, daily limit), its :class:`Allowance` with day 0 = today (its real weekday) and
        the tasks it did on the six days before counted in, and how many tasks it did today; or only one's."""
        today = self.today_number
        weekday = self.today.weekday()
        only, args = ("", ()) if profile_id is None else (" AND sender_profile_id = ?", (profile_id,))
        profiles: dict[int, tuple[str, int]] = {}
        allowances: dict[int, Allowance] = {}
        for pid, name, daily_limit, limits, weekly, days in query(
            conn,
            "SELECT id, name, daily_limit, limits, weekly_limits, working_days FROM sender_profile"
            + ("" if profile_id is None else " WHERE id = ?"),
            args,
        ):
            profiles[pid] = (name, daily_limit)
            limits_now = engine_limits(daily_limit, parse_limits(limits), parse_limits(weekly), parse_days(days))
            allowances[pid] = Allowance(limits_now, weekday)
        used: dict[int, int] = {}
        for profile, kind, done_day, count in query(
            conn,
            # An email a sender has claimed (SPEC §11) counts like a done one: its day is the claim's.
            "SELECT sender_profile_id, kind, done_day, count(*) FROM task WHERE status IN (?, ?) AND done_day > ? "
            f"AND done_day <= ?{only} GROUP BY sender_profile_id, kind, done_day",
            (TaskStatus.DONE.value, TaskStatus.SENDING.value, today - WEEK, today, *args),
        ):
            allowance = allowances.get(profile)
            if allowance is None:
                continue
            allowance.record(done_day - today, NodeKind(kind), count)
            if done_day == today:
                used[profile] = used.get(profile, 0) + count
        return profiles, allowances, used

    def plan_today(self) -> dict[int, list[PlannedTask]]:
        """Each sender profile's tasks for today (SPEC §5, §12), in the order they are to be done.

        Only running automations are planned; tasks already done today count
        against the limits, and those done on the six days before against the
        weekly ones. :meth:`held_today` says why the other due tasks wait.
        """
        with self._read() as conn:
            chosen = self._plan(conn).chosen
            details = self._task_details(conn, [t for tasks in chosen.values() for t in tasks])
        return {profile: [details[t] for t in tasks] for profile, tasks in chosen.items() if tasks}

    def held_today(self) -> list[HeldTask]:
        """The due tasks of running automations not in today's plan, each with why and the date it may go.

        Every due task left out is here: held by a limit per action (today or over the rolling week), by a
        day off, or beyond the profile's daily limit — per profile, in SPEC §5's order.
        """
        with self._read() as conn:
            plan = self._plan(conn)
            details = self._task_details(conn, [task for task, _, _ in plan.held])
        today = self.today
        held = []
        for task, profile, hold in plan.held:
            name, daily_limit = plan.profiles[profile]
            detail = details[task]
            held.append(
                HeldTask(
                    task, profile, detail.contact_name, detail.automation_name, detail.kind, detail.due,
                    _hold_words(hold, today, name, daily_limit),
                )
            )  # fmt: skip
        return held

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
                "SELECT t.status, t.due_day, t.sender_profile_id, t.kind, e.id, e.contact_id, e.automation_id, "
                "e.branch_node_id, a.state, p.daily_limit, p.name FROM task t JOIN enrollment e ON e.id = t.enrollment_id "
                "JOIN automation a ON a.id = e.automation_id JOIN sender_profile p ON p.id = t.sender_profile_id "
                "WHERE t.id = ?",
                (task_id,),
            )
            if not found:
                raise WorkspaceError("That task no longer exists.")
            status, due, profile, kind, enrollment, contact, automation, _, state, limit, name = found[0]
            if status != TaskStatus.PENDING.value:
                raise WorkspaceError(f"That task is already {status}.")
            if state != AutomationState.RUNNING.value:
                raise WorkspaceError(f"Its automation is {state}; resume it to work on its tasks.")
            if due is None or due > today:
                raise WorkspaceError("That task is not due yet.")
            if outcome is TaskStatus.DONE:
                # The same limits and days as today's plan (SPEC §12): a held task cannot be done by hand either.
                _, allowances, used = self._allowances(conn, profile)
                done_today = used.get(profile, 0)
                if done_today >= limit:
                    raise WorkspaceError(f"{name} has already done {limit} tasks today, the daily limit.")
                hold = allowances[profile].open_day(0, used=done_today).hold(NodeKind(kind))
                if hold is not None:
                    why = _hold_words(hold, self.today, name, limit)
                    raise WorkspaceError(f"{name} cannot do this task today: {why}.")
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


def _hold_words(hold: Hold, today: date, name: str, daily_limit: int) -> str:
    """Why a due task waits, with the real date it may go ("... — next on Monday 7 December")."""

    words = hold.words(day_name=lambda day: date_words(today + timedelta(days=day)))
    if hold.next_day == 1:
        words = words.replace(" — next on ", " — next tomorrow, ", 1)
    if hold.reason is HoldReason.NOT_WORKING_DAY:
        return f"{WEEKDAY_NAMES[today.weekday()]} is " + words.replace("a working day", f"a working day for {name}", 1)
    if hold.reason is HoldReason.DAILY_LIMIT:
        return words.replace("daily limit reached", f"daily limit of {daily_limit} reached", 1)
    return words
