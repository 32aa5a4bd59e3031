"""A path run's day of work (SPEC §5, §10, §12): every profile's due tasks in one order, and where they lead.

:class:`PathWork` is the part of :class:`~builder.engine.path_run.PathRun`
that keeps each sender profile's lane of queued tasks (a heap of the
integers of :mod:`~builder.engine.path_keys`), works the day's due tasks,
oldest due first, then enrollment order, each profile up to its limits,
and moves a contact on from a task done or a decision taken. It runs once
per task done and once per decision, so the walk's most common moves are
written out here rather than called (see :meth:`PathWork._work_heads` and
:meth:`PathWork._decide`); every other move is
:class:`~builder.engine.path_walk.PathWalker`'s.
"""

from __future__ import annotations

import heapq
from typing import Any

from builder.engine.limits import Allowance, HoldReason, ProfileDay
from builder.engine.path_keys import (
    DUE_SHIFT,
    MOMENT_SHIFT,
    ORDER_MASK,
    OUTCOME_SHIFT,
    POSITION_BITS,
    POSITION_MASK,
    RATE_SHIFT,
)
from builder.engine.path_walk import ACTIVE, DONE, PathEnrollment, PathTask, PathWalker
from builder.engine.paths import PathPlan, chance_with
from builder.engine.words import AutomationState, NodeKind, Outcome


class PathWork(PathWalker):
    """The day's work and the moves it makes: a part of :class:`~builder.engine.path_run.PathRun`."""

    state: AutomationState
    limits: dict[str, int]
    allowances: dict[str, Allowance]
    kind_lanes: dict[str, dict[NodeKind, list[int]]]
    lanes: dict[str, list[int]]
    held_back: list[tuple[int, str, Any]]
    used_today: dict[str, int]
    ours_today: Any
    order: list[PathEnrollment]
    arrived_at: list[list[int]]
    moments: dict[int, list[int]]
    rate_rules: list[Any]
    ways: list[dict[tuple[int, str], Any]]
    done_per_day: dict[str, list[int]]
    _happen: Any

    def work_day(self, day: int) -> None:
        """Every profile's due tasks in one order (oldest due, then enrollment order), each up to its limit."""
        room = dict(self.limits)
        if day == 0:  # what was done today before the run counts, in every automation (or, unsaid, in this one)
            for profile in room:
                room[profile] -= max(self.used_today.get(profile, 0), self.ours_today[profile])
        days: dict[str, ProfileDay] = {}
        for profile, allowance in self.allowances.items():  # the counters move on, working or not
            today = days[profile] = allowance.open_day(day, self.limits[profile] - room[profile])
            room[profile] = today.room
        opened = dict(room)  # each task done takes one: what is left says how many were done
        if self.state is AutomationState.RUNNING:
            heads: list[int] = []
            for profile in {*self.lanes, *self.kind_lanes}:
                self._push_head(heads, profile, day, room, days)
            self._work_heads(heads, day, room, days)
            for profile, lanes in self.kind_lanes.items():  # the kinds its own limits held back, for the forecast
                for kind, lane in lanes.items():
                    key = self._live_head(lane)
                    hold = days[profile].hold(kind) if key is not None and key >> DUE_SHIFT <= day else None
                    if hold is not None and hold.reason in (HoldReason.WEEKLY_LIMIT, HoldReason.KIND_DAILY_LIMIT):
                        self.held_back.append((day, profile, hold))
        for profile, left in room.items():
            self.done_per_day[profile].append(opened[profile] - left + (self.ours_today[profile] if day == 0 else 0))
        self._happen(self.after_work, day)

    def _work_heads(self, heads: list[int], day: int, room: dict[str, int], days: dict[str, ProfileDay]) -> None:
        """Do the due tasks, the oldest of all profiles' heads first, each profile up to its room.

        The loop of :meth:`work_day`, with :meth:`_push_head`, the counting of
        a task done and :meth:`PathWalker._task_done` written out: it runs once
        per task done, so what a call would cost counts. A head is its lane's
        key (its enrollment names the profile). A task done queues only its own
        enrollment's next task, for the same profile, so only that profile's
        head is looked at again.
        """
        lanes, kind_lanes, order_of, move_on, decide = (
            self.lanes,
            self.kind_lanes,
            self.order,
            self._move_on,
            self._decide,
        )
        arrived_at, moments = self.arrived_at, self.moments
        nexts = [[node.next for node in plan.nodes] for plan in self.plans]
        rate_rules = self.rate_rules
        # Per branch, per action step: the Wait for a done task leads straight to (no wait, no tag between), with
        # its days and the outcome it waits for; what PathWalker._move_on and _arrive do there, done here at once.
        waits_for: list[list[tuple[int, int, Outcome] | None]] = [
            [self._wait_for_after(plan, node.index) for node in plan.nodes] for plan in self.plans
        ]
        pop, push = heapq.heappop, heapq.heappush
        while heads:
            key = pop(heads)
            e = order_of[key >> POSITION_BITS & ORDER_MASK]
            position = key & POSITION_MASK
            profile = e.profile
            task = e.tasks[position]
            by_kind = kind_lanes.get(profile)  # type: ignore[arg-type]
            lane = lanes[profile] if by_kind is None else by_kind[task.kind]  # type: ignore[index]
            pop(lane)  # the head itself: nothing was queued before it since it became the head
            tally = e.tally
            tally.pending -= 1
            tally.done += 1
            tally.last_done = day
            node = task.node
            branch = e.branch
            rules = rate_rules[branch][node]
            if rules:  # _rate_outcomes, written out
                contact = e.contact.encode()
                for rate, suffix, after_days, queue, node_and_outcome in rules:
                    if chance_with(contact, suffix) < rate:
                        queue[day + after_days].append(day << RATE_SHIFT | e.order << OUTCOME_SHIFT | node_and_outcome)
                        break  # an email that bounced is not also replied to
            task.status, task.done_day = DONE, day
            e.current = None
            e.next_task = position + 1
            wait_for = waits_for[branch][node]
            if wait_for is None:
                move_on(e, nexts[branch][node], day, day)
            else:
                index, waiting, outcome = wait_for
                arrived_at[branch][index] += 1
                if outcome in e.seen:
                    decide(e, index, "yes", day)
                else:
                    e.waiting_at, e.deadline = index, day + waiting
                    moments[day + waiting].append(e.order << MOMENT_SHIFT | index << 1 | 1)
            room[profile] -= 1  # type: ignore[index]
            if by_kind is not None:
                days[profile].took(task.kind)  # type: ignore[index]
            if room[profile] <= 0:  # type: ignore[index]
                continue
            if by_kind is not None:  # the next task of a kind that may still go
                key = self._kind_head(by_kind, days[profile], day)  # type: ignore[assignment, index]
                if key is not None:
                    push(heads, key)
                continue
            while lane:
                key = lane[0]
                e = order_of[key >> POSITION_BITS & ORDER_MASK]
                position = key & POSITION_MASK
                if e.current == position and e.status is ACTIVE and e.tasks[position].due_day == key >> DUE_SHIFT:
                    if key >> DUE_SHIFT <= day:
                        push(heads, key)
                    break
                pop(lane)  # a task canceled or moved on since it was queued

    @staticmethod
    def _wait_for_after(plan: PathPlan, index: int) -> tuple[int, int, Outcome] | None:
        """The Wait for that a task done at step ``index`` leads straight to, its days and outcome; else None."""
        node = plan.nodes[index]
        if not node.kind.is_action or node.next is None:
            return None
        target = plan.straight_to_control.get(node.next)
        if target is None or plan.nodes[target].kind is not NodeKind.WAIT_FOR:
            return None
        step = plan.nodes[target].step
        return target, step.days, step.outcome  # type: ignore[return-value]

    def _decide(self, e: PathEnrollment, index: int, output: str, day: int) -> None:
        """:meth:`PathWalker._decide` with the walk's common ends written out: most contacts of a tree decide here.

        Where the output's way opens with a task (after waits, if any) its
        tasks are made and the first queued at once; where it leads straight to
        an A/B split, the contact arrives there and takes its pick at once, as
        :meth:`PathWalker._arrive` would, and goes on from that output. Any
        other way is the walker's.
        """
        ways = self.ways[e.branch]
        while True:
            e.waiting_at = e.deadline = None
            if e.decisions:
                e.decisions.append((index, output, day))  # type: ignore[union-attr]
            else:
                e.decisions = [(index, output, day)]
            way = ways[(index, output)]
            if way is None:
                self._take_way(e, self.plans[e.branch].firsts[(index, output)], day)
                return
            if way.__class__ is int:  # straight to an A/B split
                e.next_task = len(e.tasks)
                e.travel = None
                self.arrived_at[e.branch][way] += 1  # type: ignore[index]
                index, output = way, self._rotation(e, way).pick()  # type: ignore[arg-type, assignment]
                continue
            made, kinds, waits = way  # type: ignore[misc]
            tasks = list(map(PathTask, made, kinds))
            position = len(e.tasks)
            if position:
                e.tasks.extend(tasks)
            else:
                e.tasks = tasks
            e.tally.pending += len(made)
            tasks[0].due_day = due = day + waits
            e.current, e.next_task = position, position + 1
            lane = self.lanes.get(e.profile)  # type: ignore[arg-type]
            if lane is None:  # a new lane, or a profile with a lane per kind
                lane = self._lane(e.profile, kinds[0])  # type: ignore[arg-type]
            heapq.heappush(lane, due << DUE_SHIFT | e.order << POSITION_BITS | position)
            return

    @staticmethod
    def _ways(plan: PathPlan) -> dict[tuple[int, str], tuple[tuple[int, ...], tuple[NodeKind, ...], int] | int | None]:
        """Per (control node, output) of a path: the landing its way opens with, the A/B split it leads straight
        to, or None for any other way (see :meth:`_decide`)."""
        ways: dict[tuple[int, str], tuple[tuple[int, ...], tuple[NodeKind, ...], int] | int | None] = {}
        for key, first in plan.firsts.items():
            landing = plan.landings.get(first) if first is not None else None
            control = plan.straight_to_control.get(first) if first is not None else None
            if landing is not None:
                ways[key] = landing
            elif control is not None and plan.nodes[control].kind is NodeKind.SPLIT:
                ways[key] = control
            else:
                ways[key] = None
        return ways

    def _push_head(
        self, heads: list[int], profile: str, day: int, room: dict[str, int], days: dict[str, ProfileDay]
    ) -> None:
        """Put the profile's next live task due by ``day`` among the heads, if it has room."""
        if room.get(profile, 0) <= 0:
            return
        by_kind = self.kind_lanes.get(profile)
        key = self._live_head(self.lanes.get(profile, [])) if by_kind is None else None
        if by_kind is not None:
            key = self._kind_head(by_kind, days[profile], day)
        if key is not None and key >> DUE_SHIFT <= day:
            heapq.heappush(heads, key)

    def _live_head(self, lane: list[int]) -> int | None:
        """The lane's first task still queued, the canceled and moved on before it dropped; None when empty."""
        order_of = self.order
        while lane:
            key = lane[0]
            e = order_of[key >> POSITION_BITS & ORDER_MASK]
            position = key & POSITION_MASK
            if e.current == position and e.status is ACTIVE and e.tasks[position].due_day == key >> DUE_SHIFT:
                return key
            heapq.heappop(lane)  # a task canceled or moved on since it was queued
        return None

    def _kind_head(self, by_kind: dict[NodeKind, list[int]], today: ProfileDay, day: int) -> int | None:
        """The first task due by ``day`` among the kinds the profile may still do today (SPEC §12)."""
        best = None
        for kind, lane in by_kind.items():
            if today.can(kind):
                key = self._live_head(lane)
                if key is not None and key >> DUE_SHIFT <= day and (best is None or key < best):
                    best = key
        return best

    def _queue(self, e: PathEnrollment, position: int, due: int) -> None:
        lane = self.lanes.get(e.profile)  # type: ignore[arg-type]
        if lane is None:  # a new lane, or a profile with a lane per kind
            lane = self._lane(e.profile, e.tasks[position].kind)  # type: ignore[arg-type]
        heapq.heappush(lane, due << DUE_SHIFT | e.order << POSITION_BITS | position)

    def _lane(self, profile: str, kind: NodeKind) -> list[int]:
        """The heap a task of ``kind`` waits in for ``profile``: one per kind where the profile has limits per kind."""
        by_kind = self.kind_lanes.get(profile)
        if by_kind is None:
            return self.lanes.setdefault(profile, [])
        return by_kind.setdefault(kind, [])
