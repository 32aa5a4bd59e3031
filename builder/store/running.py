"""Starting, pausing and changing the sender profiles of a stored automation (SPEC §4, §6).

The engine decides; these methods load its inputs, store its outcome in bulk,
and do both inside one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection

from builder.engine.assignment import KnownFacts
from builder.engine.bulk import collector_paused
from builder.engine.enrollment import NewEnrollment, enroll_contacts, release_waiting
from builder.engine.moving import Move, move_contacts
from builder.engine.path_walk import PathEnrollment
from builder.engine.roster import BranchRoster, RosterError
from builder.engine.words import AutomationState, EnrollmentStatus, NodeKind, Reason, RemovalMode, TaskStatus
from builder.store.base import Change, WorkspaceBase
from builder.store.bulk import Batch, BulkWriter, bulk_insert, bulk_update
from builder.store.database import WorkspaceError, table
from builder.store.loading import (
    LoadedBranch,
    allocate_ids,
    automation_problems,
    chunks,
    contacts_in_parts,
    execute,
    find_branch,
    first_free_id,
    ids_used_up_to,
    load_branches,
    load_contacts_with_tags,
    load_facts,
    load_roster,
    query,
    save_roster,
)
from builder.store.path_moves import StoredPaths

ENROLLMENT_COLUMNS = [
    "id", "automation_id", "contact_id", "branch_node_id", "sender_profile_id",
    "reason", "status", "enrolled_day", "ignored_override_id",
]  # fmt: skip
TASK_COLUMNS = [
    "enrollment_id", "sender_profile_id", "step_node_id", "step_index", "kind", "status", "due_day", "done_day",
]  # fmt: skip


@dataclass(frozen=True)
class MovePreview:
    """What removing a sender profile from a branch with ``move`` would do (SPEC §12), for the §6 dialog.

    ``moving``: its contacts in the branch not yet contacted there, who would go to the profiles named in
    ``to`` (in attach order); ``staying``: those it already contacted, who finish with it. ``refusal``: the
    sentence saying why ``move`` cannot be chosen (then nothing would move), else None.
    """

    profile_name: str
    moving: int
    staying: int
    to: list[str]
    refusal: str | None


class StartRefused(WorkspaceError):
    """The automation has SPEC §3 problems; ``problems`` lists them with their nodes."""

    def __init__(self, problems: Sequence[object]) -> None:
        super().__init__("Fix these before starting: " + " ".join(getattr(p, "message", str(p)) for p in problems))
        self.problems = list(problems)


PENDING = TaskStatus.PENDING.value
KIND_VALUES = {kind: kind.value for kind in NodeKind}
ACTIVE, WAITING = EnrollmentStatus.ACTIVE.value, EnrollmentStatus.WAITING.value
REASON_VALUES: dict[Reason | None, str | None] = {None: None, **{r: r.value for r in Reason}}


def task_rows(enrollment_id: int, outcome: NewEnrollment, branch: LoadedBranch) -> list[tuple]:
    profile = outcome.assignment.profile
    nodes = branch.step_nodes
    return [
        (enrollment_id, profile, nodes[t.step], t.step, KIND_VALUES[t.kind], PENDING, t.due_day, None)
        for t in outcome.tasks
    ]


def _insert_tasks(conn: Connection, tasks: list[tuple]) -> None:
    """Tasks numbered by the workspace, so a deleted automation's tasks can come back with their ids."""
    if tasks:
        first = allocate_ids(conn, "task", len(tasks))
        rows = [(first + i, *row) for i, row in enumerate(tasks)]
        bulk_insert(conn, table("task"), ["id", *TASK_COLUMNS], rows)


def _enrollment_rows(
    automation_id: int,
    new: list[NewEnrollment],
    branches: list[LoadedBranch],
    paths: StoredPaths,
    first_enrollment: int,
    first_task: int,
) -> tuple[list[tuple], list[tuple], list[PathEnrollment]]:
    """The rows of new enrollments numbered from ``first_enrollment``, and on a path of steps only, their tasks.

    Also the enrollments setting out on a path with control or tag steps, for the engine's walk. Pure
    Python, touching no connection, so it runs while the previous part is being written. Each task row
    is built once per branch and step, then joined to its enrollment's three columns.
    """
    enrollments = []
    setting_out: list[PathEnrollment] = []
    linear = paths.linear
    tasks: list[tuple] = []
    add_task = tasks.append
    next_task = first_task
    step_columns: dict[tuple[int, int], list[tuple]] = {}  # (branch, id of its planned steps) -> columns after
    for enrollment_id, outcome in enumerate(new, first_enrollment):
        branch = branches[outcome.branch]
        assignment = outcome.assignment
        profile = assignment.profile
        enrollments.append(
            (
                enrollment_id, automation_id, outcome.contact, branch.profile_node, profile,
                REASON_VALUES[assignment.reason], WAITING if assignment.waiting else ACTIVE, outcome.day,
                assignment.ignored_override,
            )
        )  # fmt: skip
        if linear:
            if outcome.tasks:
                key = (outcome.branch, id(outcome.tasks))  # the engine plans a branch's steps once for all
                after = step_columns.get(key)
                if after is None:
                    nodes = branch.step_nodes
                    after = step_columns[key] = [
                        (nodes[t.step], t.step, KIND_VALUES[t.kind], PENDING, t.due_day, None) for t in outcome.tasks
                    ]
                for columns in after:
                    add_task((next_task, enrollment_id, profile, *columns))
                    next_task += 1
        elif not assignment.waiting:
            setting_out.append(paths.setting_out(enrollment_id, outcome, branch.profile_node))
    return enrollments, tasks, setting_out


class RunningMixin(WorkspaceBase):
    # -- state of an automation -----------------------------------------------------

    def _automation_state(self, conn: Connection, automation_id: int) -> tuple[AutomationState, bool]:
        found = query(conn, "SELECT state, ignore_previous_interactions FROM automation WHERE id = ?", (automation_id,))
        if not found:
            raise WorkspaceError("That automation no longer exists.")
        return AutomationState(found[0][0]), bool(found[0][1])

    def start(self, automation_id: int) -> int:
        """Start a draft automation: every segment member enrolls now (SPEC §4).

        Refused with :class:`StartRefused` while SPEC §3 problems exist. Returns
        how many contacts enrolled.
        """
        with self._write() as conn:
            state, _ = self._automation_state(conn, automation_id)
            if state.started:
                raise WorkspaceError(f"This automation is already {state.value}.")
            # A message not written yet is asked for in the automation bar, not refused (SPEC §11).
            found = [p for p in automation_problems(conn, automation_id) if p.blocking]
            if found:
                raise StartRefused(found)
            execute(
                conn, "UPDATE automation SET state = ? WHERE id = ?", (AutomationState.RUNNING.value, automation_id)
            )
            with collector_paused():
                count = self._enroll_in_parts(conn, automation_id, contacts_in_parts(conn), load_facts(conn))
            self._later(Change("automations", automation_id), Change("enrollments", automation_id))
        return count

    def pause(self, automation_id: int) -> None:
        """Pause: contacts still enroll, but no task is planned (SPEC §5)."""
        self._set_state(automation_id, AutomationState.RUNNING, AutomationState.PAUSED)

    def resume(self, automation_id: int) -> None:
        self._set_state(automation_id, AutomationState.PAUSED, AutomationState.RUNNING)

    def _set_state(self, automation_id: int, expected: AutomationState, new: AutomationState) -> None:
        with self._write() as conn:
            state, _ = self._automation_state(conn, automation_id)
            if state is not expected:
                verb = "paused" if new is AutomationState.PAUSED else "resumed"
                raise WorkspaceError(f"This automation is {state.value}, so it cannot be {verb}.")
            execute(conn, "UPDATE automation SET state = ? WHERE id = ?", (new.value, automation_id))
            self._later(Change("automations", automation_id), Change("tasks"))

    def set_ignore_previous_interactions(self, automation_id: int, ignore: bool) -> None:
        """The automation's switch for SPEC R2; it applies to contacts enrolled from now on."""
        with self._write() as conn:
            self._automation_state(conn, automation_id)
            execute(
                conn,
                "UPDATE automation SET ignore_previous_interactions = ? WHERE id = ?",
                (bool(ignore), automation_id),
            )
            self._later(Change("automations", automation_id))

    # -- enrolling -------------------------------------------------------------------

    def _enroll(
        self, conn: Connection, automation_id: int, contacts: list[tuple[int, frozenset[int]]], facts: KnownFacts
    ) -> int:
        """Enroll the given contacts that belong to a branch and are not enrolled yet."""
        return self._enroll_in_parts(conn, automation_id, [contacts], facts)

    def _enroll_in_parts(
        self,
        conn: Connection,
        automation_id: int,
        parts: Iterable[Sequence[tuple[int, frozenset[int]]]],
        facts: KnownFacts,
    ) -> int:
        """Enroll contacts part after part, in creation order; a part is written while the next is worked out.

        The same enrollments, tasks and ids as enrolling all of them at once: the engine assigns in
        contact order, each branch's rotation carries on from one part to the next, and ids are
        numbered on from the workspace's counters, which are moved on once at the end (issue 16: a
        million contacts start without holding a million enrollments and three million tasks in
        memory; on PostgreSQL the server inserts one part while Python works out the next).
        """
        _, ignore = self._automation_state(conn, automation_id)
        branches = load_branches(conn, automation_id)
        if not branches:
            return 0
        has_any = query(conn, "SELECT 1 FROM enrollment WHERE automation_id = ? LIMIT 1", (automation_id,))
        paths = StoredPaths(conn, automation_id, self.today_number)
        first_enrollment = next_enrollment = first_free_id(conn, "enrollment")
        first_task = next_task = first_free_id(conn, "task")
        enrollment_table, task_table, task_columns = table("enrollment"), table("task"), ["id", *TASK_COLUMNS]
        setting_out: list[PathEnrollment] = []  # on a path with control or tag steps: the engine's walk makes tasks
        ready: Batch = []
        with BulkWriter(conn, bulk_insert) as writer:
            for contacts in parts:  # read while nothing is being written: each part's write is waited for below
                enrolled: set[int] = set()
                for chunk in chunks([c for c, _ in contacts]) if has_any else ():
                    marks = ",".join("?" * len(chunk))
                    enrolled.update(
                        c
                        for (c,) in query(
                            conn,
                            f"SELECT contact_id FROM enrollment WHERE automation_id = ? AND contact_id IN ({marks})",
                            (automation_id, *chunk),
                        )
                    )
                writer.write(ready)  # the previous part goes in meanwhile; the connection is the writer's till wait()
                new = enroll_contacts(
                    [b.rules for b in branches],
                    contacts,
                    facts,
                    day=self.today_number,
                    ignore_previous_interactions=ignore,
                    already_enrolled=enrolled,
                )
                enrollments, tasks, leaving = _enrollment_rows(
                    automation_id, new, branches, paths, next_enrollment, next_task
                )
                ready = [(enrollment_table, ENROLLMENT_COLUMNS, enrollments), (task_table, task_columns, tasks)]
                ready = ready if new else []
                setting_out += leaving
                next_enrollment += len(enrollments)
                next_task += len(tasks)
                writer.wait()
            writer.write(ready)
        if next_enrollment == first_enrollment:
            return 0
        ids_used_up_to(conn, "enrollment", next_enrollment)
        if next_task > first_task:
            ids_used_up_to(conn, "task", next_task)
        for branch in branches:
            save_roster(conn, branch.profile_node, branch.rules.roster)
        if setting_out:
            self._paths_moved(conn, automation_id, paths.begin_all(setting_out, self.today_number))  # type: ignore[attr-defined]
        return next_enrollment - first_enrollment

    def _enroll_new_members(self, conn: Connection, contact_ids: Sequence[int]) -> None:
        """Contacts that joined a segment enroll at once in started automations (SPEC §4)."""
        started = [a for (a,) in query(conn, "SELECT id FROM automation WHERE state != ? ORDER BY id", ("draft",))]
        if not started or not contact_ids:
            return
        contacts = load_contacts_with_tags(conn, contact_ids)
        facts = load_facts(conn, contact_ids)
        for automation_id in started:
            if self._enroll(conn, automation_id, contacts, facts):
                self._later(Change("enrollments", automation_id))

    # -- sender profiles of a branch (SPEC §6) -------------------------------------------

    def _profile_node(self, conn: Connection, node_id: int) -> tuple[int, AutomationState]:
        found = query(conn, "SELECT automation_id, kind FROM node WHERE id = ?", (node_id,))
        if not found:
            raise WorkspaceError("That node no longer exists.")
        if found[0][1] != "sender_profile":
            raise WorkspaceError("Sender profiles are added to a Sender Profile node.")
        automation_id = found[0][0]
        state, _ = self._automation_state(conn, automation_id)
        return automation_id, state

    def attach_sender_profile(self, node_id: int, profile_id: int, weight: int | None = None) -> None:
        """Add a sender profile to a branch, or re-attach a draining or removed one.

        While the automation runs, contacts waiting in the branch are assigned
        at once, before anyone who enrolls later (R4).
        """
        with self._write() as conn:
            automation_id, state = self._profile_node(conn, node_id)
            profile = query(conn, "SELECT weight FROM sender_profile WHERE id = ?", (profile_id,))
            if not profile:
                raise WorkspaceError("That sender profile no longer exists.")
            roster = load_roster(conn, node_id)
            try:
                roster.attach(profile_id, weight if weight is not None else profile[0][0])
            except RosterError as error:
                raise WorkspaceError(str(error)) from None
            save_roster(conn, node_id, roster)
            if state.started:
                self._release_waiting(conn, automation_id, node_id)
            self._later(Change("sender_profile_node", automation_id), Change("enrollments", automation_id))

    def _release_waiting(self, conn: Connection, automation_id: int, node_id: int) -> None:
        _, ignore = self._automation_state(conn, automation_id)
        branches = load_branches(conn, automation_id)
        try:
            index, branch = find_branch(branches, node_id)
        except WorkspaceError:
            return
        waiting = query(
            conn,
            "SELECT id, contact_id, enrolled_day FROM enrollment WHERE branch_node_id = ? AND status = ? ORDER BY id",
            (node_id, EnrollmentStatus.WAITING.value),
        )
        if not waiting:
            return
        contact_ids = [c for _, c, _ in waiting]
        released = release_waiting(
            index, branch.rules, [(c, d) for _, c, d in waiting], load_facts(conn, contact_ids),
            ignore_previous_interactions=ignore,
        )  # fmt: skip
        updates = []
        tasks: list[tuple] = []
        paths = StoredPaths(conn, automation_id, self.today_number)
        setting_out: list[PathEnrollment] = []
        for (enrollment_id, _, _), outcome in zip(waiting, released, strict=False):
            a = outcome.assignment
            updates.append(
                (
                    a.profile,
                    a.reason.value if a.reason else None,
                    EnrollmentStatus.ACTIVE.value,
                    a.ignored_override,
                    enrollment_id,
                )
            )
            if paths.linear:
                tasks += task_rows(enrollment_id, outcome, branch)
            else:
                setting_out.append(paths.setting_out(enrollment_id, outcome, node_id))
        bulk_update(
            conn,
            "UPDATE enrollment SET sender_profile_id = ?, reason = ?, status = ?, ignored_override_id = ? WHERE id = ?",
            updates,
        )
        _insert_tasks(conn, tasks)
        save_roster(conn, node_id, branch.rules.roster)
        if setting_out:
            self._paths_moved(conn, automation_id, paths.begin_all(setting_out, self.today_number))  # type: ignore[attr-defined]

    def _plan_move(self, conn: Connection, node_id: int, profile_id: int) -> tuple[BranchRoster, Move, str]:
        """The engine's ``move`` over the branch as stored (changes nothing stored): roster after, move, name.

        Raises :class:`WorkspaceError` with the marketer's sentence when no other profile can take contacts.
        """
        automation_id, _ = self._profile_node(conn, node_id)
        _, ignore = self._automation_state(conn, automation_id)
        found = query(conn, "SELECT name FROM sender_profile WHERE id = ?", (profile_id,))
        if not found:
            raise WorkspaceError("That sender profile no longer exists.")
        name = found[0][0]
        roster = load_roster(conn, node_id)
        attachment = roster.get(profile_id)
        if attachment is not None and not any(a.profile != profile_id for a in roster.assignable()):
            raise WorkspaceError(
                f"{name} cannot hand over the contacts: no other sender profile in this branch can take new contacts."
            )
        members = query(
            conn,
            "SELECT e.contact_id, EXISTS (SELECT 1 FROM task t WHERE t.enrollment_id = e.id AND t.status = ?) "
            "FROM enrollment e WHERE e.branch_node_id = ? AND e.sender_profile_id = ? AND e.status = ? ORDER BY e.id",
            (TaskStatus.DONE.value, node_id, profile_id, ACTIVE),
        )
        facts = load_facts(conn, [c for c, contacted in members if not contacted])
        try:
            move = move_contacts(
                roster, profile_id, [(c, bool(contacted)) for c, contacted in members], facts,
                ignore_previous_interactions=ignore,
            )  # fmt: skip
        except RosterError as error:
            raise WorkspaceError(str(error)) from None
        return roster, move, name

    def move_preview(self, node_id: int, profile_id: int) -> MovePreview:
        """What :meth:`remove_sender_profile` with ``move`` would do now; reads only (SPEC §12)."""
        with self._read() as conn:
            try:
                roster, move, name = self._plan_move(conn, node_id, profile_id)
            except WorkspaceError as error:
                found = query(conn, "SELECT name FROM sender_profile WHERE id = ?", (profile_id,))
                return MovePreview(found[0][0] if found else "", 0, 0, [], str(error))
            names = dict(query(conn, "SELECT id, name FROM sender_profile"))
        receiving = {a.profile for a in move.moved if a.profile is not None}
        others = [a.profile for a in roster.attachments if a.profile != profile_id]
        to = [p for p in others if p in receiving] if receiving else [a.profile for a in roster.assignable()]
        return MovePreview(name, len(move.moved), len(move.staying), [names[p] for p in to], None)

    def _remove_by_moving(self, conn: Connection, node_id: int, profile_id: int) -> None:
        """SPEC §12 ``move``: contacts not yet contacted go to the others by R1–R3, tasks keeping their due days."""
        roster, move, _ = self._plan_move(conn, node_id, profile_id)
        enrollments = dict(
            query(
                conn,
                "SELECT contact_id, id FROM enrollment WHERE branch_node_id = ? AND sender_profile_id = ? AND status = ?",
                (node_id, profile_id, ACTIVE),
            )
        )
        moved = [(a, enrollments[a.contact]) for a in move.moved]
        bulk_update(
            conn,
            "UPDATE enrollment SET sender_profile_id = ?, reason = ?, ignored_override_id = ?, moved_from_id = ? "
            "WHERE id = ?",
            [(a.profile, REASON_VALUES[a.reason], a.ignored_override, profile_id, e) for a, e in moved],
        )
        bulk_update(
            conn,
            "UPDATE task SET sender_profile_id = ? WHERE enrollment_id = ? AND status = ?",
            [(a.profile, e, PENDING) for a, e in moved],
        )
        save_roster(conn, node_id, roster)

    def remove_sender_profile(self, node_id: int, profile_id: int, mode: RemovalMode | str | None = None) -> None:
        """Remove a sender profile from a branch (SPEC §6, §12).

        In a draft it is simply taken off. Once started, ``mode`` is required:
        ``cancel`` cancels its pending tasks in the branch and its contacts'
        enrollments (nobody is moved); ``continue`` lets its contacts go on but
        gives it no new ones; ``move`` hands its contacts not yet contacted to
        the branch's other profiles (R1–R3 after the reset, in enrollment
        order), their pending tasks keeping their due days, and lets it finish
        with the others (``draining``; ``removed`` when none stays) — refused,
        changing nothing, when no other profile can take new contacts.
        Undo goes through :meth:`branch_state` / :meth:`restore_branch`, as for
        the other choices.
        """
        mode = RemovalMode(mode) if mode is not None else None
        with self._write() as conn:
            automation_id, state = self._profile_node(conn, node_id)
            if state.started and mode is RemovalMode.MOVE:
                self._remove_by_moving(conn, node_id, profile_id)
                self._later(
                    Change("sender_profile_node", automation_id), Change("enrollments", automation_id), Change("tasks")
                )
                return
            roster = load_roster(conn, node_id)
            try:
                removal = roster.remove(profile_id, started=state.started, mode=mode)
            except RosterError as error:
                raise WorkspaceError(str(error)) from None
            save_roster(conn, node_id, roster)
            if removal.cancel_tasks:
                execute(
                    conn,
                    "UPDATE task SET status = ? WHERE status = ? AND sender_profile_id = ? AND enrollment_id IN "
                    "(SELECT id FROM enrollment WHERE branch_node_id = ? AND sender_profile_id = ?)",
                    (TaskStatus.CANCELED.value, TaskStatus.PENDING.value, profile_id, node_id, profile_id),
                )
                execute(
                    conn,
                    "UPDATE enrollment SET status = ? WHERE branch_node_id = ? AND sender_profile_id = ? AND status = ?",
                    (EnrollmentStatus.CANCELED.value, node_id, profile_id, EnrollmentStatus.ACTIVE.value),
                )
            self._later(
                Change("sender_profile_node", automation_id), Change("enrollments", automation_id), Change("tasks")
            )

    def set_attachment_weight(self, node_id: int, profile_id: int, weight: int) -> None:
        """The weight of a profile in this branch's even rotation (R3)."""
        with self._write() as conn:
            automation_id, _ = self._profile_node(conn, node_id)
            roster = load_roster(conn, node_id)
            try:
                roster.set_weight(profile_id, weight)
            except RosterError as error:
                raise WorkspaceError(str(error)) from None
            save_roster(conn, node_id, roster)
            self._later(Change("sender_profile_node", automation_id))
