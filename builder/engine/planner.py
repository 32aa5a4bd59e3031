"""A sender profile's work for a day (SPEC §5).

Each day each sender profile does at most its daily limit of due tasks, all
branches and automations together: oldest due first, then enrollment order,
then step order.
"""

from __future__ import annotations

import heapq
from bisect import insort
from collections.abc import Hashable, Iterable, Mapping
from typing import Generic, TypeVar

T = TypeVar("T")

# An entry in a day's bucket: (enrollment order, step, task).
_Entry = tuple[int, int, T]


def _descending(entry: _Entry) -> tuple[int, int]:
    return -entry[0], -entry[1]


class _ProfileQueue(Generic[T]):
    """One profile's due tasks, bucketed by due day (a calendar queue).

    Only the earliest bucket is ever sorted, and only when work reaches it:
    most tasks are appended once and popped once, without a heap of all of them.
    """

    __slots__ = ("buckets", "days", "open", "open_day")

    def __init__(self) -> None:
        self.buckets: dict[int, list[_Entry]] = {}
        self.days: list[int] = []  # heap of the due days that have a bucket
        self.open_day: int | None = None
        self.open: list[_Entry] = []  # the earliest bucket, sorted latest first

    def add(self, due_day: int, order: int, step: int, task: T) -> None:
        if due_day == self.open_day:
            insort(self.open, (order, step, task), key=_descending)
            return
        bucket = self.buckets.get(due_day)
        if bucket is None:
            self.buckets[due_day] = [(order, step, task)]
            heapq.heappush(self.days, due_day)
            if self.open_day is not None and due_day < self.open_day:
                self._close()
        else:
            bucket.append((order, step, task))

    def take(self, day: int) -> T | None:
        if not self.open:
            if not self.days or self.days[0] > day:
                return None
            self.open_day = heapq.heappop(self.days)
            self.open = self.buckets.pop(self.open_day)
            self.open.sort(key=_descending)
        elif self.open_day is not None and self.open_day > day:
            return None
        task = self.open.pop()[2]
        if not self.open:
            self.open_day = None
        return task

    def _close(self) -> None:
        """An earlier day arrived: put the open bucket back among the others."""
        if self.open_day is not None and self.open:
            self.buckets[self.open_day] = self.open
            heapq.heappush(self.days, self.open_day)
        self.open_day, self.open = None, []


class DailyPlanner(Generic[T]):
    """Due tasks queued per sender profile in the order they are worked.

    A task is any value; the planner orders it by (due day, enrollment order,
    step). The simulation keeps one planner for the whole run; the workspace
    builds one from today's due tasks.
    """

    def __init__(self) -> None:
        self._queues: dict[Hashable, _ProfileQueue[T]] = {}

    def add(self, profile: Hashable, due_day: int, enrollment_order: int, step: int, task: T) -> None:
        queue = self._queues.get(profile)
        if queue is None:
            queue = self._queues[profile] = _ProfileQueue()
        queue.add(due_day, enrollment_order, step, task)

    def add_many(self, tasks: Iterable[tuple[Hashable, int, int, int, T]]) -> None:
        for profile, due_day, order, step, task in tasks:
            self.add(profile, due_day, order, step, task)

    def take_due(self, profile: Hashable, day: int) -> T | None:
        """The profile's next task due on or before ``day``, removed from the queue."""
        queue = self._queues.get(profile)
        return None if queue is None else queue.take(day)

    def plan(
        self, day: int, limits: Mapping[Hashable, int], used: Mapping[Hashable, int] | None = None
    ) -> dict[Hashable, list[T]]:
        """Each profile's plan for ``day``: its due tasks, up to what its limit leaves.

        ``used`` counts the tasks each profile has already done that day.
        """
        used = used or {}
        plans: dict[Hashable, list[T]] = {}
        for profile in self._queues:
            room = limits.get(profile, 0) - used.get(profile, 0)
            chosen: list[T] = []
            while len(chosen) < room:
                task = self.take_due(profile, day)
                if task is None:
                    break
                chosen.append(task)
            plans[profile] = chosen
        return plans

    def profiles(self) -> list[Hashable]:
        return list(self._queues)
