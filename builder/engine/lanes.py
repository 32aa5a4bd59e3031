"""A sender profile's queue of due tasks, and what the daily work needs of a branch's steps.

A queued task is one integer, ``enrollment order * span + step``: sorting
such integers is sorting by (enrollment order, step), the order of SPEC §5
within a due day.
"""

from __future__ import annotations

import heapq

from builder.engine.steps import StepChain


class Lane:
    """One sender profile's queued tasks: codes bucketed by due day, the days in a heap.

    A bucket is kept sorted latest first once work reaches it, so a day's work
    is taken off its end; codes added since mark it for sorting again.
    """

    __slots__ = ("branches", "buckets", "days", "unsorted")

    def __init__(self) -> None:
        self.buckets: dict[int, list[int]] = {}
        self.days: list[int] = []
        self.branches: set[int] = set()
        self.unsorted: set[int] = set()

    def add(self, due: int, codes: list[int]) -> None:
        bucket = self.buckets.get(due)
        if bucket is None:
            self.buckets[due] = codes
            heapq.heappush(self.days, due)
        else:
            bucket.extend(codes)
        self.unsorted.add(due)

    def take(self, due: int, count: int) -> list[int]:
        """The first ``count`` tasks due on ``due``, in order, off the queue."""
        bucket = self.buckets[due]
        if due in self.unsorted:
            bucket.sort(reverse=True)
            self.unsorted.discard(due)
        taken = bucket[-count:]
        del bucket[-count:]
        taken.reverse()
        if not bucket:
            heapq.heappop(self.days)
            del self.buckets[due]
        return taken


class BranchSteps:
    """What the daily work needs of a branch's steps, by step index."""

    def __init__(self, chain: StepChain) -> None:
        actions = chain.action_steps
        self.chain = chain
        self.first = actions[0] if actions else None
        self.first_wait = chain.first_due(0) or 0
        self.count = len(actions)
        # after step s: (the next action step, the days to wait for it), or None at the end
        self.following: dict[int, tuple[int, int] | None] = {s: chain.next_after(s, 0) for s in actions}
        self.left_from = {s: len(actions) - k for k, s in enumerate(actions)}  # tasks left, this one included
        # A next task due the same day must be worked between the others of that day.
        self.same_day_follow = any(f is not None and f[1] == 0 for f in self.following.values())
