"""Taking up a started automation where it stands, in a path run (a saved run's state, SPEC §10).

:class:`PathResume` is the part of :class:`~builder.engine.path_run.PathRun`
that reads a scenario's ``state`` (:mod:`~builder.engine.run_state`): each
contact back on its due task, on its way to a node or at a Wait for, with
its tasks, route and outcomes, and each split's rotation where it was.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from builder.engine.enrollment import BranchRules
from builder.engine.limits import Allowance
from builder.engine.path_walk import ACTIVE, DONE, PENDING, WAITING, PathEnrollment, PathTask
from builder.engine.paths import PathPlan, SplitRotation
from builder.engine.run_result import RunTally
from builder.engine.run_state import RunState
from builder.engine.words import AutomationState, NodeKind, Outcome


class PathResume:
    """A saved run taken up: a part of :class:`~builder.engine.path_run.PathRun`."""

    state: AutomationState
    plans: list[PathPlan]
    branches: list[BranchRules]
    branch_ids: list[str]
    order: list[PathEnrollment]
    enrolled: dict[str, PathEnrollment]
    waiting: list[list[PathEnrollment]]
    tally: RunTally
    allowances: dict[str, Allowance]
    splits: dict[tuple[int, int], SplitRotation]
    used_today: dict[str, int]
    ours_today: Counter[str]
    _rate_outcomes: Any
    _queue: Any
    _wait: Any
    _travel: Any

    def _resume_from(self, state: RunState) -> None:
        """Take up a started automation where it stands (builder.engine.run_state): each contact where it is."""
        self.state = state.automation
        self.used_today = dict(state.done_today)
        for index, branch_id in enumerate(self.branch_ids):
            roster = state.roster(branch_id)
            if roster is not None:
                self.branches[index].roster = roster
        ours_today: Counter[str] = Counter()
        picks: Counter[tuple[int, int]] = Counter()
        for seeded in state.enrollments:
            branch = self.branch_ids.index(seeded.branch)
            plan = self.plans[branch]
            where = {n.address: n.index for n in plan.nodes}
            e = PathEnrollment(len(self.order), seeded.contact, branch, seeded.day)
            self.order.append(e)
            self.enrolled[e.contact] = e
            e.profile, e.reason, e.status = seeded.sender_profile, seeded.reason, seeded.status
            if seeded.status is WAITING or e.profile is None:
                e.status = WAITING
                self.waiting[branch].append(e)
                continue
            e.tally = tally = self.tally.of(branch, e.profile)
            if seeded.reason is not None:
                tally.contacts[seeded.reason] += 1
            e.seen = frozenset(Outcome(o) for o in seeded.seen)
            e.bounce_day = seeded.bounce_day
            e.decisions = [(where[d.node], d.output, d.day) for d in seeded.decisions]
            for index, _, _ in e.decisions:
                picks[(branch, index)] += 1
            for t in seeded.tasks:
                node = where[t.node] if t.node is not None else where[str(t.step)]
                task = PathTask(node, plan.nodes[node].kind)
                task.status, task.due_day, task.done_day = t.status, t.due_day, t.done_day
                e.tasks.append(task)
                if t.status is PENDING:
                    tally.pending += 1
                elif t.status is DONE and t.done_day is not None:
                    self._rate_outcomes(e, task, t.done_day)  # what it leads to from today on, in a forecast
                    allowance = self.allowances.get(e.profile)
                    if allowance is not None:  # the last week's tasks count against its limits per kind
                        allowance.record(t.done_day, task.kind)
                    if t.done_day >= 0:
                        ours_today[e.profile] += t.done_day == 0
                        tally.done += 1
                        tally.last_done = max(tally.last_done or 0, t.done_day)
            if e.status is not ACTIVE:
                continue
            self._take_up(e, plan, where, seeded.at)
        self.ours_today = ours_today
        for (branch, index), count in picks.items():
            node = self.plans[branch].nodes[index]
            if node.kind is NodeKind.SPLIT:
                rotation = self.splits[(branch, index)] = SplitRotation(node.step.variants)
                for _ in range(count):
                    rotation.pick()

    def _take_up(self, e: PathEnrollment, plan: PathPlan, where: dict[str, int], at: tuple[str, int] | None) -> None:
        """Put a saved enrollment back where it is: on its due task, on its way to a node, or at a Wait for."""
        queued = [i for i, t in enumerate(e.tasks) if t.status is PENDING and t.due_day is not None]
        if queued:
            position = queued[0]
            e.current, e.next_task = position, position + 1
            self._queue(e, position, e.tasks[position].due_day)  # type: ignore[arg-type]
            return
        if at is None:
            e.next_task = len(e.tasks)
            return
        index, day = where[at[0]], at[1]
        ahead = [i for i, t in enumerate(e.tasks) if t.node > index]
        e.next_task = ahead[0] if ahead else len(e.tasks)
        node = plan.nodes[index]
        # At a Wait for since a day gone by (or today): it waits. Not if it saw the outcome already: a contact
        # waiting there would have taken ``yes`` when it came, so this one arrives today and takes it then.
        if node.kind is NodeKind.WAIT_FOR and day <= 0 and node.step.outcome not in e.seen:
            e.waiting_at, e.deadline = index, max(day + node.step.days, 0)  # a day gone by is decided today
            self._wait(e, index, e.deadline)
        else:
            e.travel = index
            self._travel(e, index, max(day, 0))
