"""A sender profile's queue of due tasks, and what the daily work needs of a branch's steps.

A queued task is one integer, ``enrollment order * span + step``: sorting
such integers is sorting by (enrollment order, step), the order of SPEC §5
within a due day.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Callable

from builder.engine.steps import StepChain
from builder.engine.words import NodeKind


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

    @property
    def parts(self) -> list[Lane]:
        """The lanes that hold the tasks: this one (see :class:`KindLanes`)."""
        return [self]

    def first(self) -> tuple[int, int] | None:
        """The (due day, code) of the first queued task, or None when nothing is queued."""
        if not self.days:
            return None
        due = self.days[0]
        bucket = self.buckets[due]
        if due in self.unsorted:
            bucket.sort(reverse=True)
            self.unsorted.discard(due)
        return due, bucket[-1]

    def take_out(self, leaving: Callable[[int], bool]) -> list[tuple[int, int]]:
        """Take the queued tasks ``leaving`` says yes to off the queue: their (due day, code)s.

        A removal's work (cancel, move): a look at every queued task, once.
        """
        found: list[tuple[int, int]] = []
        for due, bucket in self.buckets.items():
            kept = []
            for code in bucket:
                if leaving(code):
                    found.append((due, code))
                else:
                    kept.append(code)
            if len(kept) < len(bucket):
                bucket[:] = kept
        if found:
            for due in [d for d, bucket in self.buckets.items() if not bucket]:
                del self.buckets[due]
                self.unsorted.discard(due)
            self.days = sorted(self.buckets)
        return found

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


class KindLanes:
    """One sender profile's queued tasks, a :class:`Lane` per action kind (SPEC §12).

    For a profile with limits per action kind: a kind that reached its limit
    is passed over by leaving its lane alone, and the day's work takes the
    first task of the other lanes, so passing over costs nothing per task.
    ``kind_of`` tells a task code's kind.
    """

    __slots__ = ("branches", "by_kind", "kind_of")

    def __init__(self, kind_of: Callable[[int], NodeKind]) -> None:
        self.kind_of = kind_of
        self.by_kind: dict[NodeKind, Lane] = {}
        self.branches: set[int] = set()

    @property
    def parts(self) -> list[Lane]:
        return list(self.by_kind.values())

    def take_out(self, leaving: Callable[[int], bool]) -> list[tuple[int, int]]:
        return [found for lane in self.by_kind.values() for found in lane.take_out(leaving)]

    def add(self, due: int, codes: list[int]) -> None:
        kind_of = self.kind_of
        groups: dict[NodeKind, list[int]] = defaultdict(list)
        for code in codes:
            groups[kind_of(code)].append(code)
        for kind, group in groups.items():
            lane = self.by_kind.get(kind)
            if lane is None:
                lane = self.by_kind[kind] = Lane()
            lane.add(due, group)


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
