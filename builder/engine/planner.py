"""A sender profile's work for a day (SPEC §5).

Each day each sender profile does at most its daily limit of due tasks, all
branches and automations together: oldest due first, then enrollment order,
then step order.
"""

from __future__ import annotations

import heapq
from collections.abc import Hashable, Iterable, Mapping
from typing import Generic, TypeVar

T = TypeVar("T")


class DailyPlanner(Generic[T]):
    """Due tasks queued per sender profile in the order they are worked.

    A task is any value; the planner orders it by (due day, enrollment order,
    step). The simulation keeps one planner for the whole run; the workspace
    builds one from today's due tasks.
    """

    def __init__(self) -> None:
        self._queues: dict[Hashable, list[tuple[int, int, int, T]]] = {}

    def add(self, profile: Hashable, due_day: int, enrollment_order: int, step: int, task: T) -> None:
        heapq.heappush(self._queues.setdefault(profile, []), (due_day, enrollment_order, step, task))

    def add_many(self, tasks: Iterable[tuple[Hashable, int, int, int, T]]) -> None:
        for profile, due_day, order, step, task in tasks:
            self._queues.setdefault(profile, []).append((due_day, order, step, task))
        for queue in self._queues.values():
            heapq.heapify(queue)

    def take_due(self, profile: Hashable, day: int) -> T | None:
        """The profile's next task due on or before ``day``, removed from the queue."""
        queue = self._queues.get(profile)
        if not queue or queue[0][0] > day:
            return None
        return heapq.heappop(queue)[3]

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
