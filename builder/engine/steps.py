"""The steps of a branch and when each task falls due (SPEC §5)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from builder.engine.words import NodeKind


@dataclass(frozen=True, slots=True)
class Step:
    kind: NodeKind
    days: int = 0  # only for waits

    @property
    def is_action(self) -> bool:
        return self.kind.is_action


@dataclass(frozen=True, slots=True)
class PlannedStep:
    """One action step's task: its index in the branch's steps and due day."""

    step: int
    kind: NodeKind
    due_day: int | None


class StepChain:
    """The chain of steps after a Sender Profile node.

    A contact's first task is due on its enrollment day plus the waits before
    it; each later task on the day the previous one was done plus the waits
    between them.
    """

    def __init__(self, steps: Sequence[Step]) -> None:
        self.steps = tuple(steps)
        self.action_steps = tuple(i for i, s in enumerate(self.steps) if s.is_action)
        self._lead_wait = self._waits_between(-1, self.action_steps[0]) if self.action_steps else 0
        self._next: dict[int, tuple[int, int]] = {}
        for here, there in zip(self.action_steps, self.action_steps[1:], strict=False):
            self._next[here] = (there, self._waits_between(here, there))
        # Later tasks have no due day yet, so every enrollment can share them.
        self._later = tuple(PlannedStep(i, self.steps[i].kind, None) for i in self.action_steps[1:])

    def _waits_between(self, start: int, stop: int) -> int:
        return sum(s.days for s in self.steps[start + 1 : stop] if s.kind is NodeKind.WAIT)

    def tasks_for_enrollment(self, enrolled_day: int) -> list[PlannedStep]:
        """One pending task per action step; only the first has a due day yet."""
        if not self.action_steps:
            return []
        first = self.action_steps[0]
        return [PlannedStep(first, self.steps[first].kind, enrolled_day + self._lead_wait), *self._later]

    def next_after(self, step: int, finished_day: int) -> tuple[int, int] | None:
        """The next action step after ``step`` and its due day, or None at the end."""
        following = self._next.get(step)
        if following is None:
            return None
        index, waits = following
        return index, finished_day + waits
