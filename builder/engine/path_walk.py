"""Moving one contact along its branch's path (SPEC §10): the same code for a forecast and a workspace.

A :class:`PathWalker` knows the branches' paths and what each kind of node
does; where the contact's next task is queued, when it arrives after a wait,
what a Wait for waits for, how tags are kept and which outcomes are recorded
are the business of the run that uses it: :class:`~builder.engine.path_run.PathRun`
keeps them in memory for ``simulate``, the workspace in its tables. Each
says so by the hook methods below.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from builder.engine.paths import ACTION, TAG, PathPlan, SplitRotation, condition_holds
from builder.engine.words import EnrollmentStatus, NodeKind, Outcome, Reason, TaskStatus

ACTIVE, WAITING = EnrollmentStatus.ACTIVE, EnrollmentStatus.WAITING
CANCELED, REPLIED = EnrollmentStatus.CANCELED, EnrollmentStatus.REPLIED
PENDING, DONE, CANCELED_TASK = TaskStatus.PENDING, TaskStatus.DONE, TaskStatus.CANCELED
WAIT_FOR, CONDITION = NodeKind.WAIT_FOR, NodeKind.CONDITION  # read once per contact at a control node


class PathTask:
    """One task of a path run: the node it is for, and where it stands."""

    __slots__ = ("done_day", "due_day", "kind", "node", "status")

    def __init__(self, node: int, kind: NodeKind, due_day: int | None = None) -> None:
        self.node, self.kind = node, kind
        self.status = PENDING
        self.due_day = due_day
        self.done_day: int | None = None

    def __repr__(self) -> str:
        return (
            f"PathTask({self.node}, {self.kind.value}, {self.status.value}, due {self.due_day}, done {self.done_day})"
        )


class PathEnrollment:
    """One contact in one branch, and where it is on the branch's path.

    Made for every contact enrolled, so a plain class with slots: its route
    and the outcomes it saw start as shared empty tuples and become their own
    only when something is added.
    """

    __slots__ = (
        "bounce_day", "branch", "contact", "current", "day", "deadline", "decisions", "moved_from", "next_task",
        "order", "profile", "reason", "seen", "status", "tally", "tasks", "travel", "waiting_at",
    )  # fmt: skip

    def __init__(
        self,
        order: int,
        contact: str,
        branch: int,
        day: int,
        profile: str | None = None,
        reason: Reason | None = None,
        tally: Any = None,
        tasks: list[PathTask] | None = None,
    ) -> None:
        """A contact enrolled on ``day``; with a profile and ``tasks`` it is on its way, its first task queued."""
        self.order, self.contact, self.branch, self.day = order, contact, branch, day
        self.profile = profile
        self.reason = reason
        self.tally = tally  # what the run counts for its branch and sender profile, if it counts
        if tasks is None:
            self.status = WAITING
            self.tasks: list[PathTask] = []
            self.next_task = 0  # the task the walk along the path meets next
            self.current: int | None = None  # the task queued for its sender profile
        else:
            self.status = ACTIVE
            self.tasks = tasks
            self.next_task, self.current = 1, 0
        self.travel: int | None = None  # the node it will arrive at after a wait
        self.waiting_at: int | None = None  # the Wait for node it waits at
        self.deadline: int | None = None  # the day that Wait for takes ``no``
        self.bounce_day: int | None = None
        self.seen: frozenset[Outcome] = frozenset()  # the outcomes since it enrolled
        self.decisions: list[tuple[int, str, int]] | tuple[()] = ()  # (node, output, day) at each control node
        self.moved_from: str | None = None  # the profile it was moved from on a ``move`` removal (SPEC §12)

    def __repr__(self) -> str:
        return (
            f"PathEnrollment({self.contact!r}, branch {self.branch}, {self.status.value}, tasks={self.tasks}, "
            f"current={self.current}, travel={self.travel}, waiting_at={self.waiting_at}, route={self.decisions})"
        )


class PathWalker:
    """What happens to a contact at each node of a path; the run that uses it keeps the results."""

    plans: list[PathPlan]
    stop_on_reply: bool

    # -- hooks: where the results go -------------------------------------------------------

    def _queue(self, e: PathEnrollment, position: int, due: int) -> None:
        """Task ``e.tasks[position]`` is now due on ``due``: queue it for the enrollment's sender profile."""
        raise NotImplementedError

    def _travel(self, e: PathEnrollment, node: int, day: int) -> None:
        """The contact arrives at ``node`` (a tag or control node) at the start of ``day``, after a wait."""
        raise NotImplementedError

    def _wait(self, e: PathEnrollment, node: int, deadline: int) -> None:
        """The contact waits at a Wait for; it takes ``no`` on ``deadline`` unless the outcome comes first."""
        raise NotImplementedError

    def _pending(self, e: PathEnrollment, change: int) -> None:
        """The enrollment's pending tasks grew (made) or shrank (canceled) by ``change``."""

    def _arrived(self, e: PathEnrollment, node: int) -> None:
        """The contact reached control node ``node``."""

    def _left(self, e: PathEnrollment, node: int) -> None:
        """The contact left the Wait for ``node`` without an answer (a reply, a removal)."""

    def _tag(self, e: PathEnrollment, tag: str, *, add: bool) -> None:
        """Add or remove a tag of the contact, now."""
        raise NotImplementedError

    def _contact_data(self, e: PathEnrollment) -> tuple[Collection[str], bool, bool]:
        """The contact's tags now, and whether it has an email and a LinkedIn URL."""
        raise NotImplementedError

    def _rotation(self, e: PathEnrollment, node: int) -> SplitRotation:
        """The rotation of split ``node`` of the enrollment's branch, as it stands."""
        raise NotImplementedError

    def _record(self, e: PathEnrollment, outcome: Outcome, day: int, source: str) -> None:
        """Keep the outcome."""

    # -- the walk ---------------------------------------------------------------------------

    def _make_tasks(self, e: PathEnrollment, start: int | None) -> None:
        """One pending task per action step from ``start`` up to the next control node."""
        plan = self.plans[e.branch]
        found = plan.segments.get(start)
        made, kinds = found if found is not None else plan.segment(start)
        if not made:
            e.next_task = len(e.tasks)
            return
        tasks = list(map(PathTask, made, kinds))
        if e.tasks:
            e.next_task = len(e.tasks)
            e.tasks.extend(tasks)
        else:
            e.next_task = 0
            e.tasks = tasks
        self._pending(e, len(made))

    def _move_on(self, e: PathEnrollment, start: int | None, base: int, day: int) -> None:
        """Walk from node ``start``, counting days from ``base``, on day ``day``.

        The first action met is the next task, due ``base`` plus the waits
        before it. A tag or control node met with no wait acts at once; after a
        wait the contact arrives there at the start of that day.
        """
        plan = self.plans[e.branch]
        nodes, hops, kinds = plan.nodes, plan.hops, plan.kinds
        waits = 0
        index = start
        while index is not None:
            index, more = hops[index]
            if index is None:
                return
            waits += more
            when = base + waits
            kind = kinds[index]
            if kind == ACTION:
                position = e.next_task
                e.next_task += 1
                task = e.tasks[position]
                if task.status is CANCELED_TASK:  # an email a bounce canceled: as if done on the bounce day
                    base, waits = e.bounce_day, 0  # type: ignore[assignment]
                    index = nodes[index].next
                    continue
                task.due_day = when
                e.current = position
                self._queue(e, position, when)
                return
            if when > day:
                e.travel = index
                self._travel(e, index, when)
                return
            if kind == TAG:
                node = nodes[index]
                self._tag(e, node.step.tag, add=node.kind is NodeKind.ADD_TAG)  # type: ignore[arg-type]
                index = node.next
                continue
            self._arrive(e, index, day)
            return

    def _arrive(self, e: PathEnrollment, index: int, day: int) -> None:
        """The contact reaches a control node on ``day``: it decides now, or waits for an outcome."""
        e.travel = None
        self._arrived(e, index)
        step = self.plans[e.branch].nodes[index].step
        kind = step.kind
        if kind is WAIT_FOR:
            if step.outcome in e.seen:
                self._decide(e, index, "yes", day)
            else:
                e.waiting_at, e.deadline = index, day + step.days
                self._wait(e, index, e.deadline)
        elif kind is CONDITION:
            tags, email, linkedin = self._contact_data(e)
            holds = condition_holds(step.condition, tags, email, linkedin)  # type: ignore[arg-type]
            self._decide(e, index, "yes" if holds else "no", day)
        else:
            self._decide(e, index, self._rotation(e, index).pick(), day)

    def _decide(self, e: PathEnrollment, index: int, output: str, day: int) -> None:
        """The contact takes ``output`` of control node ``index`` on ``day`` and goes on that way."""
        e.waiting_at = e.deadline = None
        if e.decisions:
            e.decisions.append((index, output, day))  # type: ignore[union-attr]
        else:
            e.decisions = [(index, output, day)]
        self._take_way(e, self.plans[e.branch].firsts[(index, output)], day)

    def _take_way(self, e: PathEnrollment, first: int | None, day: int) -> None:
        """On from ``first``, an output's first step (None: the output is empty and the path ends there)."""
        plan = self.plans[e.branch]
        landing = plan.landings.get(first)  # type: ignore[arg-type]
        if landing is None:
            control = plan.straight_to_control.get(first)  # type: ignore[arg-type]
            if control is not None:  # what _make_tasks and _move_on do for it: no task, and on at once
                e.next_task = len(e.tasks)
                self._arrive(e, control, day)
                return
            self._make_tasks(e, first)
            self._move_on(e, first, day, day)
            return
        # A task first, after waits if any: what _make_tasks and _move_on do for it, at once.
        made, kinds, waits = landing
        tasks = list(map(PathTask, made, kinds))
        position = len(e.tasks)
        if position:
            e.tasks.extend(tasks)
        else:
            e.tasks = tasks
        self._pending(e, len(made))
        tasks[0].due_day = due = day + waits
        e.current, e.next_task = position, position + 1
        self._queue(e, position, due)

    # -- outcomes ----------------------------------------------------------------------

    def _outcome(self, e: PathEnrollment, outcome: Outcome, day: int, source: str) -> None:
        self._record(e, outcome, day, source)
        if outcome not in e.seen:
            e.seen = e.seen | {outcome}
        if e.status is not ACTIVE:
            return
        if outcome is Outcome.REPLIED and self.stop_on_reply:
            self._stop(e, REPLIED)
            return
        if outcome is Outcome.BOUNCED:
            self._bounce(e, day)
            return
        if e.waiting_at is not None:
            node = self.plans[e.branch].nodes[e.waiting_at]
            if node.step.outcome is outcome:
                self._decide(e, e.waiting_at, "yes", day)

    def _stop(self, e: PathEnrollment, status: EnrollmentStatus) -> None:
        """The enrollment ends: its pending tasks are canceled and it leaves any node."""
        e.status = status
        canceled = 0
        for task in e.tasks:
            if task.status is PENDING:
                task.status = CANCELED_TASK
                canceled += 1
        if canceled:
            self._pending(e, -canceled)
        if e.waiting_at is not None:
            self._left(e, e.waiting_at)
        e.current = e.travel = e.waiting_at = e.deadline = None

    def _bounce(self, e: PathEnrollment, day: int) -> None:
        """A bounce cancels the pending emails; the path goes on as if they were done that day."""
        e.bounce_day = day
        canceled = 0
        for task in e.tasks:
            if task.status is PENDING and task.kind is NodeKind.EMAIL:
                task.status = CANCELED_TASK
                canceled += 1
        if not canceled:
            return
        self._pending(e, -canceled)
        if e.current is not None and e.tasks[e.current].status is CANCELED_TASK:
            task = e.tasks[e.current]
            e.current = None
            e.next_task = e.tasks.index(task) + 1
            self._move_on(e, self.plans[e.branch].nodes[task.node].next, day, day)

    def _task_done(self, e: PathEnrollment, position: int, day: int) -> None:
        """The task is done on ``day``: the contact goes on along its path."""
        task = e.tasks[position]
        task.status, task.done_day = DONE, day
        e.current = None
        e.next_task = position + 1
        self._move_on(e, self.plans[e.branch].nodes[task.node].next, day, day)
