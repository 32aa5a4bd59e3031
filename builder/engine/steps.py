"""The steps of a branch and when each task falls due (SPEC §5)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from builder.engine.words import NodeKind, Outcome


@dataclass(frozen=True, slots=True)
class Variant:
    """One output of an A/B split: its name and its share of the contacts in whole percents."""

    name: str
    percent: int


@dataclass(frozen=True, slots=True)
class Condition:
    """What a condition node asks of a contact: ``rule`` is ``tags_any``, ``tags_all`` or ``has``."""

    rule: str
    values: tuple[str, ...]  # the tags, or ("email",) / ("linkedin",) for ``has``


@dataclass(frozen=True, slots=True)
class Step:
    """One step of a path (SPEC §3, §10), with its settings.

    A control step (``wait_for``, ``condition``, ``split``) is the last of its
    list; ``outputs`` holds, per output in order (``yes``, ``no``, or the
    variants' names), the steps that follow it.
    """

    kind: NodeKind
    days: int = 0  # a wait's days; a wait_for's days before ``no``
    outcome: Outcome | None = None  # wait_for
    condition: Condition | None = None  # condition
    variants: tuple[Variant, ...] = ()  # split
    tag: str | None = None  # add_tag, remove_tag
    outputs: tuple[tuple[str, tuple[Step, ...]], ...] = ()  # control steps
    text: str | None = None  # an action's message (SPEC §11), kept as written
    subject: str | None = None  # an email's subject

    @property
    def is_action(self) -> bool:
        return self.kind.is_action

    @property
    def output_names(self) -> tuple[str, ...]:
        """The names of a control step's outputs, in order; () for any other step."""
        if self.kind is NodeKind.SPLIT:
            return tuple(v.name for v in self.variants)
        if self.kind.is_control:
            return ("yes", "no")
        return ()


def is_linear(steps: Sequence[Step]) -> bool:
    """A chain of actions and waits only (SPEC §3 before §10): the fast simulation runs it."""
    return all(s.kind.is_action or s.kind is NodeKind.WAIT for s in steps)


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
        # Later tasks have no due day yet, so every enrollment can share them,
        # and every enrollment of one day shares all of its tasks.
        self._later = tuple(PlannedStep(i, self.steps[i].kind, None) for i in self.action_steps[1:])
        self._by_day: dict[int, tuple[PlannedStep, ...]] = {}

    def _waits_between(self, start: int, stop: int) -> int:
        return sum(s.days for s in self.steps[start + 1 : stop] if s.kind is NodeKind.WAIT)

    def tasks_for_enrollment(self, enrolled_day: int) -> tuple[PlannedStep, ...]:
        """One pending task per action step; only the first has a due day yet."""
        found = self._by_day.get(enrolled_day)
        if found is None:
            if not self.action_steps:
                found = ()
            else:
                first = self.action_steps[0]
                found = (PlannedStep(first, self.steps[first].kind, enrolled_day + self._lead_wait), *self._later)
            self._by_day[enrolled_day] = found
        return found

    def first_due(self, enrolled_day: int) -> int | None:
        """The day an enrollment's first task falls due; None for a branch without actions."""
        return enrolled_day + self._lead_wait if self.action_steps else None

    def next_after(self, step: int, finished_day: int) -> tuple[int, int] | None:
        """The next action step after ``step`` and its due day, or None at the end."""
        following = self._next.get(step)
        if following is None:
            return None
        index, waits = following
        return index, finished_day + waits
