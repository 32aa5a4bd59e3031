"""Contacts moving along a stored automation's paths (SPEC §10), by the engine's own walk.

:class:`StoredPaths` is :class:`~builder.engine.path_walk.PathWalker` over a
workspace: it reads the enrollments it is asked about from their rows (tasks,
route, where each waits or is heading, the outcomes seen), lets the engine's
walk move them — a task done, an outcome recorded, a wait over, a Wait for
whose days are up — and writes back what changed, in the caller's
transaction. The forecast (:class:`~builder.engine.path_run.PathRun`) runs
the very same walk, so a workspace and ``simulate`` of its saved scenario
tell the same story.

What it wrote is kept as a :class:`PathChanges`, which undo takes back and
redo puts back exactly.

Where an enrollment is, in its row: ``at_node_id`` the tag or control node
it is heading to or waits at, ``arrived_day`` the day it arrives (after a
wait) or arrived (at a Wait for).
"""

from __future__ import annotations

import heapq
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any

from sqlalchemy import Connection
from sqlalchemy import table as sa_table

from builder.engine.path_walk import ACTIVE, DONE, PENDING, PathEnrollment, PathTask, PathWalker
from builder.engine.paths import PathPlan, SplitRotation
from builder.engine.words import AutomationState, EnrollmentStatus, NodeKind, Outcome, Reason, TaskStatus
from builder.store.base import Change, WorkspaceBase
from builder.store.bulk import bulk_insert, bulk_update
from builder.store.database import table
from builder.store.loading import allocate_ids, chunks, execute, load_branch_paths, load_stop_on_reply, query

TASK_COLUMNS = ["id", "enrollment_id", "sender_profile_id", "step_node_id", "step_index", "kind", "status", "due_day",
                "done_day"]  # fmt: skip
DECISION_COLUMNS = ["id", "enrollment_id", "node_id", "output", "day"]
DECISION_TABLE = sa_table("decision")  # made by a migration step (schema 7), not by tables.py


@dataclass
class PathChanges:
    """What moving contacts along their paths wrote, with the values from before, for undo and redo."""

    enrollments: dict[int, tuple[tuple[Any, ...], tuple[Any, ...]]] = field(default_factory=dict)  # id: (before, after)
    tasks: dict[int, tuple[tuple[Any, ...], tuple[Any, ...]]] = field(default_factory=dict)  # id: (before, after)
    new_tasks: list[tuple[Any, ...]] = field(default_factory=list)  # whole rows, TASK_COLUMNS
    new_decisions: list[tuple[Any, ...]] = field(default_factory=list)  # whole rows, DECISION_COLUMNS
    tags_added: list[tuple[int, int]] = field(default_factory=list)  # (contact, tag)
    tags_removed: list[tuple[int, int]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(
            self.enrollments or self.tasks or self.new_tasks or self.new_decisions or self.tags_added
            or self.tags_removed
        )  # fmt: skip

    @property
    def tagged_contacts(self) -> list[int]:
        return sorted({c for c, _ in self.tags_added} | {c for c, _ in self.tags_removed})

    def take_back(self, conn: Connection) -> None:
        """Undo: everything as it was before."""
        for rows, name in ((self.new_decisions, "decision"), (self.new_tasks, "task")):
            for chunk in chunks([row[0] for row in rows]):
                execute(conn, f"DELETE FROM {name} WHERE id IN ({','.join('?' * len(chunk))})", chunk)
        _set_tasks(conn, {i: before for i, (before, _) in self.tasks.items()})
        _set_enrollments(conn, {i: before for i, (before, _) in self.enrollments.items()})
        _tags(conn, self.tags_removed, self.tags_added)

    def put_back(self, conn: Connection) -> None:
        """Redo: everything as it was after."""
        bulk_insert(conn, table("task"), TASK_COLUMNS, self.new_tasks)
        bulk_insert(conn, DECISION_TABLE, DECISION_COLUMNS, self.new_decisions)
        _set_tasks(conn, {i: after for i, (_, after) in self.tasks.items()})
        _set_enrollments(conn, {i: after for i, (_, after) in self.enrollments.items()})
        _tags(conn, self.tags_added, self.tags_removed)


def _set_tasks(conn: Connection, values: dict[int, tuple[Any, ...]]) -> None:
    if values:
        conn_rows = [(*v, i) for i, v in values.items()]
        bulk_update(conn, "UPDATE task SET status = ?, due_day = ?, done_day = ? WHERE id = ?", conn_rows)


def _set_enrollments(conn: Connection, values: dict[int, tuple[Any, ...]]) -> None:
    if values:
        rows = [(*v, i) for i, v in values.items()]
        bulk_update(conn, "UPDATE enrollment SET status = ?, at_node_id = ?, arrived_day = ? WHERE id = ?", rows)


def _tags(conn: Connection, add: Sequence[tuple[int, int]], remove: Sequence[tuple[int, int]]) -> None:
    """Tags taken off and put on, each list in one statement run over its rows (a tag already on stays once)."""
    bulk_update(conn, "DELETE FROM contact_tag WHERE contact_id = ? AND tag_id = ?", remove)
    bulk_update(
        conn,
        "INSERT INTO contact_tag (contact_id, tag_id) SELECT ?, ? WHERE NOT EXISTS "
        "(SELECT 1 FROM contact_tag WHERE contact_id = ? AND tag_id = ?)",
        [(c, t, c, t) for c, t in add],
    )


class StoredPaths(PathWalker):
    """The engine's walk over one automation's enrollments, read from and written to the workspace."""

    def __init__(self, conn: Connection, automation_id: int, today: int) -> None:
        self.conn, self.automation_id, self.today = conn, automation_id, today
        paths = load_branch_paths(conn, automation_id)
        self.plans = [PathPlan.of(p.steps) for p in paths]
        self.node_ids: list[tuple[int, ...]] = [tuple(int(n) for n in p.node_ids) for p in paths]
        self.branch_of = {int(p.sender_profile): i for i, p in enumerate(paths)}
        self.where = {node: (b, i) for b, ids in enumerate(self.node_ids) for i, node in enumerate(ids)}
        self.stop_on_reply = load_stop_on_reply(conn, automation_id)
        self.loaded: dict[int, PathEnrollment] = {}
        self.task_ids: dict[int, int] = {}  # id(PathTask) -> its row's id
        self.before_tasks: dict[int, tuple[Any, ...]] = {}
        self.before_enrollments: dict[int, tuple[Any, ...]] = {}
        self.decisions_loaded: dict[int, int] = {}
        self.arrivals: dict[int, int] = {}  # enrollment -> the day it arrives at ``e.travel``
        self.moments: list[tuple[int, int, bool]] = []  # (day, enrollment, is an arrival) due by today
        self.splits: dict[tuple[int, int], SplitRotation] = {}
        self.contacts: dict[int, tuple[set[str], bool, bool]] = {}
        self.tag_changes: list[tuple[int, str, bool]] = []
        self.outcomes_recorded: list[tuple[int, Outcome, int]] = []

    @cached_property
    def linear(self) -> bool:
        """Whether every branch is a line of steps (asked once per enrollment of a start: worked out once)."""
        return all(plan.is_linear for plan in self.plans)

    # -- reading enrollments --------------------------------------------------------------

    def load(self, enrollment_ids: Iterable[int]) -> list[PathEnrollment]:
        """The enrollments, each where it stands on its path (read once; later calls give the same objects)."""
        wanted = [i for i in dict.fromkeys(enrollment_ids) if i not in self.loaded]
        for chunk in chunks(wanted):
            marks = ",".join("?" * len(chunk))
            for row in query(
                self.conn,
                "SELECT id, contact_id, branch_node_id, sender_profile_id, reason, status, enrolled_day, at_node_id, "
                f"arrived_day FROM enrollment WHERE id IN ({marks}) ORDER BY id",
                chunk,
            ):
                self._read_enrollment(row)
            tasks: dict[int, list[tuple]] = {}
            for row in query(
                self.conn,
                "SELECT enrollment_id, id, step_node_id, kind, status, due_day, done_day FROM task "
                f"WHERE enrollment_id IN ({marks}) ORDER BY id",
                chunk,
            ):
                tasks.setdefault(row[0], []).append(row[1:])
            for enrollment, node, output, day in query(
                self.conn,
                f"SELECT enrollment_id, node_id, output, day FROM decision WHERE enrollment_id IN ({marks}) ORDER BY id",
                chunk,
            ):
                e = self.loaded.get(enrollment)
                if e is not None and node in self.where:
                    decisions = e.decisions if e.decisions else []
                    decisions.append((self.where[node][1], output, day))  # type: ignore[union-attr]
                    e.decisions = decisions
                    self.decisions_loaded[enrollment] = len(decisions)
            seen: dict[int, set[Outcome]] = {}
            bounced: dict[int, int] = {}
            for enrollment, kind, day in query(
                self.conn, f"SELECT enrollment_id, kind, day FROM outcome WHERE enrollment_id IN ({marks})", chunk
            ):
                seen.setdefault(enrollment, set()).add(Outcome(kind))
                if kind == Outcome.BOUNCED.value:
                    bounced[enrollment] = max(day, bounced.get(enrollment, day))
            for enrollment_id in chunk:
                e = self.loaded.get(enrollment_id)
                if e is None:
                    continue
                e.seen = frozenset(seen.get(enrollment_id, ()))
                e.bounce_day = bounced.get(enrollment_id)
                self._read_tasks(e, tasks.get(enrollment_id, []))
        return [self.loaded[i] for i in dict.fromkeys(enrollment_ids) if i in self.loaded]

    def _read_enrollment(self, row: tuple) -> None:
        enrollment, contact, profile_node, profile, reason, status, day, at_node, arrived = row
        branch = self.branch_of.get(profile_node)
        if branch is None:
            return
        e = PathEnrollment(enrollment, contact, branch, day)  # type: ignore[arg-type]
        e.profile = profile
        e.reason = None if reason is None else Reason(reason)
        e.status = EnrollmentStatus(status)
        self.loaded[enrollment] = e
        self.before_enrollments[enrollment] = (status, at_node, arrived)
        e.travel = self.where[at_node][1] if at_node in self.where else None
        if e.travel is not None:
            self.arrivals[enrollment] = arrived

    def _read_tasks(self, e: PathEnrollment, rows: list[tuple]) -> None:
        for task_id, node, kind, status, due, done in rows:
            place = self.where.get(node)
            if place is None:
                continue
            task = PathTask(place[1], NodeKind(kind))
            task.status, task.due_day, task.done_day = TaskStatus(status), due, done
            e.tasks.append(task)
            self.task_ids[id(task)] = task_id
            self.before_tasks[task_id] = (status, due, done)
        queued = [i for i, t in enumerate(e.tasks) if t.status is PENDING and t.due_day is not None]
        if queued:
            e.current, e.next_task = queued[0], queued[0] + 1
        elif e.travel is not None:
            ahead = [i for i, t in enumerate(e.tasks) if t.node > e.travel]
            e.next_task = ahead[0] if ahead else len(e.tasks)
            arrived = self.arrivals[e.order]
            if e.status is ACTIVE and arrived <= self.today:
                heapq.heappush(self.moments, (arrived, e.order, True))
        else:
            e.next_task = len(e.tasks)

    # -- what moves contacts ---------------------------------------------------------------

    def setting_out(self, enrollment_id: int, enrolled: Any, profile_node: int) -> PathEnrollment:
        """A new enrollment (``builder.engine.enrollment.NewEnrollment``) with its sender profile, as the walk sees it."""
        e = PathEnrollment(enrollment_id, enrolled.contact, self.branch_of[profile_node], enrolled.day)
        e.profile, e.reason, e.status = enrolled.assignment.profile, enrolled.assignment.reason, ACTIVE
        self.before_enrollments[enrollment_id] = (ACTIVE.value, None, None)
        return e

    def begin_all(self, enrollments: Sequence[PathEnrollment], day: int) -> PathChanges:
        """Contacts just enrolled set out on their paths together; what it wrote."""
        if self.asks_contacts:
            self.read_contacts(e.contact for e in enrollments)  # type: ignore[misc]
        for e in enrollments:
            self.begin(e, day)
        return self.write()

    def begin(self, e: PathEnrollment, day: int) -> None:
        """A contact just enrolled with a sender profile sets out on its path."""
        self.loaded[e.order] = e
        self.before_enrollments.setdefault(e.order, (e.status.value, None, None))
        plan = self.plans[e.branch]
        self._make_tasks(e, plan.first)
        self._move_on(e, plan.first, e.day, day)

    def task_done(self, enrollment_id: int, task_id: int, day: int, status: TaskStatus = DONE) -> None:
        """A task was done (or skipped) on ``day``: the contact goes on along its path."""
        (e,) = self.load([enrollment_id])
        position = next(i for i, t in enumerate(e.tasks) if self.task_ids.get(id(t)) == task_id)
        self._task_done(e, position, day)
        if status is not DONE:
            e.tasks[position].status, e.tasks[position].done_day = status, day

    def outcome(self, enrollment_id: int, outcome: Outcome, day: int) -> None:
        """An outcome recorded on ``day``: a reply stops the enrollment, a bounce cancels its emails, a Wait for answers."""
        (e,) = self.load([enrollment_id])
        # Where it stands by the outcome's day: at a Wait for it reached, say, to be answered. That day's own
        # arrivals and timeouts come right after its events (SPEC §10), everyone's in enrollment order, so they
        # are left to the day's catch-up: an outcome on a Wait for's last day still wins over its "no", unless
        # that "no" was already taken (the day began in the app).
        self._run_moments(before=day)
        self._outcome(e, outcome, day, "person")
        self._run_moments(before=self.today)  # an outcome of a day gone by: the days since, up to today

    def catch_up(self) -> None:
        """Everything due by today: arrivals after a wait and Wait for nodes whose days are up, day by day."""
        rows = query(
            self.conn,
            "SELECT id FROM enrollment WHERE automation_id = ? AND at_node_id IS NOT NULL AND status = ? "
            "AND arrived_day <= ?",
            (self.automation_id, ACTIVE.value, self.today),
        )
        # Reading them queues each one's arrival: at a Wait for it arrived at, the arrival is made again, which
        # answers at once for an outcome seen since, or waits on and takes "no" if its days are up.
        self.load([i for (i,) in rows])
        self._run_moments()

    def _run_moments(self, before: int | None = None) -> None:
        """The arrivals and timeouts queued, in order: all of them, or those of the days before ``before``."""
        while self.moments and (before is None or self.moments[0][0] < before):
            day, enrollment, arrives = heapq.heappop(self.moments)
            e = self.loaded[enrollment]
            if e.status is not ACTIVE:
                continue
            if arrives:
                if e.travel is None or self.arrivals.get(enrollment) != day:
                    continue
                index = e.travel
                e.travel = None
                node = self.plans[e.branch].nodes[index]
                if node.kind.is_tag:
                    self._tag(e, node.step.tag, add=node.kind is NodeKind.ADD_TAG)  # type: ignore[arg-type]
                    self._move_on(e, node.next, day, day)
                else:
                    self._arrive(e, index, day)
            elif e.waiting_at is not None and e.deadline == day:
                self._decide(e, e.waiting_at, "no", day)

    # -- the walk's hooks --------------------------------------------------------------------

    def _queue(self, e: PathEnrollment, position: int, due: int) -> None:
        pass  # the task's due day is written back with it

    def _travel(self, e: PathEnrollment, node: int, day: int) -> None:
        self.arrivals[e.order] = day
        if day <= self.today:
            heapq.heappush(self.moments, (day, e.order, True))

    def _wait(self, e: PathEnrollment, node: int, deadline: int) -> None:
        self.arrivals[e.order] = deadline - self.plans[e.branch].nodes[node].step.days
        if deadline <= self.today:
            heapq.heappush(self.moments, (deadline, e.order, False))

    def _contact_data(self, e: PathEnrollment) -> tuple[Collection[str], bool, bool]:
        found = self.contacts.get(e.contact)  # type: ignore[arg-type]
        if found is None:
            self.read_contacts([e.contact])  # type: ignore[list-item]
            found = self.contacts[e.contact]  # type: ignore[index]
        return found

    def read_contacts(self, contact_ids: Iterable[int]) -> None:
        """Tags, email and LinkedIn URL of these contacts, read in a few queries, for conditions and tag steps."""
        wanted = [c for c in dict.fromkeys(contact_ids) if c not in self.contacts]
        for chunk in chunks(wanted):
            marks = ",".join("?" * len(chunk))
            tags: dict[int, set[str]] = {c: set() for c in chunk}
            for contact, name in query(
                self.conn,
                f"SELECT ct.contact_id, t.name FROM contact_tag ct JOIN tag t ON t.id = ct.tag_id "
                f"WHERE ct.contact_id IN ({marks})",
                chunk,
            ):
                tags[contact].add(name)
            for contact, email, url in query(
                self.conn, f"SELECT id, email, linkedin_url FROM contact WHERE id IN ({marks})", chunk
            ):
                self.contacts[contact] = (tags[contact], bool(email), bool(url))
            for contact in chunk:
                self.contacts.setdefault(contact, (tags[contact], False, False))

    @property
    def asks_contacts(self) -> bool:
        """Whether a path reads the contacts' data: a condition, or a tag step."""
        return any(n.kind is NodeKind.CONDITION or n.kind.is_tag for plan in self.plans for n in plan.nodes)

    def _tag(self, e: PathEnrollment, tag: str, *, add: bool) -> None:
        tags = self._contact_data(e)[0]
        if add and tag not in tags:
            tags.add(tag)  # type: ignore[attr-defined]
            self.tag_changes.append((e.contact, tag, True))  # type: ignore[arg-type]
        elif not add and tag in tags:
            tags.discard(tag)  # type: ignore[attr-defined]
            self.tag_changes.append((e.contact, tag, False))  # type: ignore[arg-type]

    def _rotation(self, e: PathEnrollment, node: int) -> SplitRotation:
        key = (e.branch, node)
        rotation = self.splits.get(key)
        if rotation is None:
            step = self.plans[e.branch].nodes[node].step
            rotation = self.splits[key] = SplitRotation(step.variants)
            (count,) = query(
                self.conn, "SELECT count(*) FROM decision WHERE node_id = ?", (self.node_ids[e.branch][node],)
            )[0]
            for _ in range(count):  # never reset: as many picks as the contacts that went through it so far
                rotation.pick()
        return rotation

    # -- writing back -------------------------------------------------------------------------

    def write(self) -> PathChanges:
        """Write every change of the loaded enrollments; what was written, for undo and redo."""
        changes = PathChanges()
        conn = self.conn
        new_tasks: list[tuple[PathEnrollment, PathTask, int]] = []
        for enrollment_id, e in self.loaded.items():
            node_ids = self.node_ids[e.branch]
            nodes = self.plans[e.branch].nodes
            at_node, arrived = None, None
            if e.travel is not None:
                at_node, arrived = node_ids[e.travel], self.arrivals.get(enrollment_id)
            elif e.waiting_at is not None:
                at_node, arrived = node_ids[e.waiting_at], self.arrivals.get(enrollment_id)
            after = (e.status.value, at_node, arrived)
            before = self.before_enrollments.get(enrollment_id)
            if before is not None and before != after:
                changes.enrollments[enrollment_id] = (before, after)
            for task in e.tasks:
                task_id = self.task_ids.get(id(task))
                if task_id is None:
                    new_tasks.append((e, task, nodes[task.node].position))
                    continue
                now = (task.status.value, task.due_day, task.done_day)
                if now != self.before_tasks[task_id]:
                    changes.tasks[task_id] = (self.before_tasks[task_id], now)
            for index, output, day in list(e.decisions)[self.decisions_loaded.get(enrollment_id, 0) :]:
                changes.new_decisions.append((enrollment_id, node_ids[index], output, day))
        if new_tasks:
            first = allocate_ids(conn, "task", len(new_tasks))
            for offset, (e, task, position) in enumerate(new_tasks):
                row = (first + offset, e.order, e.profile, self.node_ids[e.branch][task.node], position,
                       task.kind.value, task.status.value, task.due_day, task.done_day)  # fmt: skip
                changes.new_tasks.append(row)
                self.task_ids[id(task)] = row[0]
                self.before_tasks[row[0]] = row[6:]
        if changes.new_decisions:
            first = allocate_ids(conn, "decision", len(changes.new_decisions))
            changes.new_decisions = [(first + k, *row) for k, row in enumerate(changes.new_decisions)]
            for e in self.loaded.values():
                self.decisions_loaded[e.order] = len(e.decisions)
        tag_ids = {name: _tag_id(conn, name) for name in {name for _, name, _ in self.tag_changes}}
        for contact, name, add in self.tag_changes:
            (changes.tags_added if add else changes.tags_removed).append((contact, tag_ids[name]))
        self.tag_changes.clear()
        _write(conn, changes)
        for enrollment_id, (_, after) in changes.enrollments.items():
            self.before_enrollments[enrollment_id] = after
        for task_id, (_, after) in changes.tasks.items():
            self.before_tasks[task_id] = after
        return changes


def _write(conn: Connection, changes: PathChanges) -> None:
    bulk_insert(conn, table("task"), TASK_COLUMNS, changes.new_tasks)
    bulk_insert(conn, DECISION_TABLE, DECISION_COLUMNS, changes.new_decisions)
    _set_tasks(conn, {i: after for i, (_, after) in changes.tasks.items()})
    _set_enrollments(conn, {i: after for i, (_, after) in changes.enrollments.items()})
    _tags(conn, changes.tags_added, changes.tags_removed)


def _tag_id(conn: Connection, name: str) -> int:
    found = query(conn, "SELECT id FROM tag WHERE name = ?", (name,))
    if found:
        return found[0][0]
    execute(conn, "INSERT INTO tag (name) VALUES (?)", (name,))
    return query(conn, "SELECT id FROM tag WHERE name = ?", (name,))[0][0]


class PathsMixin(WorkspaceBase):
    """Contacts move on along their paths when the day changes and when the app opens (SPEC §10)."""

    def advance_paths(self) -> int:
        """Everything due by today in every started automation: arrivals after a wait, Wait for days up.

        One transaction; nothing is written when nothing is due. Returns how
        many enrollments moved.
        """
        today = self.today_number
        due_sql = (
            "SELECT DISTINCT e.automation_id FROM enrollment e JOIN automation a ON a.id = e.automation_id "
            "WHERE e.at_node_id IS NOT NULL AND e.arrived_day <= ? AND e.status = ? AND a.state != ? "
            "ORDER BY e.automation_id"
        )
        params = (today, ACTIVE.value, AutomationState.DRAFT.value)
        with self._read() as conn:
            if not query(conn, due_sql, params):
                return 0
        moved = 0
        with self._write() as conn:
            for (automation_id,) in query(conn, due_sql, params):
                paths = StoredPaths(conn, automation_id, today)
                paths.catch_up()
                changes = paths.write()
                moved += len(changes.enrollments)
                self._paths_moved(conn, automation_id, changes)
        return moved

    def _paths_moved(self, conn: Connection, automation_id: int, changes: PathChanges) -> None:
        """Announce what moved; contacts a tag step tagged may now belong to other automations' segments."""
        if not changes:
            return
        self._later(Change("tasks", automation_id), Change("enrollments", automation_id))
        if changes.tagged_contacts:
            self._later(Change("contacts"))
            self._enroll_new_members(conn, changes.tagged_contacts)  # type: ignore[attr-defined]

    def follow_calendar(self) -> bool:
        """When the calendar's day has moved on (no date fixed), say so and move contacts on; True if it did."""
        if self._fixed_today is not None:
            return False
        today = self.today_number
        seen = getattr(self, "_calendar_day", None)
        self._calendar_day = today
        if seen is None or seen == today:
            return False
        self.advance_paths()
        self._announce(Change("today"))
        return True

    def set_today(self, day: date, *, catch_up: bool = True) -> None:
        """The workspace's date moves: contacts whose wait is over move on (unless ``catch_up`` is off)."""
        super().set_today(day)
        if catch_up:
            self.advance_paths()
