"""A branch's path of steps as a tree (SPEC §10): addresses, outputs, and how a contact moves on.

The steps after a Sender Profile node form a tree: a control step ends its
list and each of its outputs holds a list of its own. :class:`PathPlan` numbers
every step of that tree once, in the order of its addresses (``"3"``,
``"3.yes.0"``, ``"3.A.1"``), so the run can keep a contact's place as one
integer. The decisions themselves are here too, as plain functions of what
the contact is and what happened: they are the same in a forecast and in a
workspace.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from builder.engine.steps import Condition, Step, Variant
from builder.engine.words import NodeKind, Outcome

WAIT, ACTION, TAG, CONTROL = range(4)  # what a node is, as PathPlan.kinds says it
MAX_ROUND = 10_000  # the longest round of an A/B split's picks worked out ahead (percents sum to 100)


@dataclass(frozen=True, slots=True)
class PathNode:
    """One step of the tree, numbered in address order."""

    index: int
    address: str
    position: int  # its index in its own list (``step`` in simulate's output)
    step: Step
    next: int | None  # the step after it in its list; None where the list ends
    outputs: tuple[tuple[str, int | None], ...] = ()  # a control step's outputs: name -> first step, None if empty

    @property
    def kind(self) -> NodeKind:
        return self.step.kind

    def output(self, name: str) -> int | None:
        for output, first in self.outputs:
            if output == name:
                return first
        raise KeyError(name)


@dataclass
class PathPlan:
    """Every step of one branch's tree, and what lies between one and the next."""

    nodes: list[PathNode] = field(default_factory=list)
    first: int | None = None  # the first step after the Sender Profile node
    # Per node, read on every move of every contact, so worked out once:
    hops: list[tuple[int | None, int]] = field(default_factory=list)  # the next step that is not a wait, and the days
    kinds: list[int] = field(default_factory=list)  # ACTION, TAG, CONTROL (a wait never is a hop's end)
    segments: dict[int | None, tuple[tuple[int, ...], tuple[NodeKind, ...]]] = field(default_factory=dict)
    firsts: dict[tuple[int, str], int | None] = field(default_factory=dict)  # (control node, output) -> its first step
    # From a step on whose way the first thing met is an action (after waits, if any): the tasks made on the way
    # in, their kinds, and the days before the first is due. What most moves are, worked out once.
    landings: dict[int, tuple[tuple[int, ...], tuple[NodeKind, ...], int]] = field(default_factory=dict)
    # From a step whose way leads straight (no wait, no task, no tag) to a control step: that control step.
    straight_to_control: dict[int, int] = field(default_factory=dict)

    @classmethod
    def of(cls, steps: Sequence[Step]) -> PathPlan:
        plan = cls()
        plan.first = plan._add_list(steps, "")
        for node in plan.nodes:
            kind = node.kind
            plan.kinds.append(
                ACTION if kind.is_action else TAG if kind.is_tag else CONTROL if kind.is_control else WAIT
            )
        plan.hops = [plan._hop(n.index) for n in plan.nodes]
        plan.firsts = {(n.index, name): first for n in plan.nodes for name, first in n.outputs}
        for node in plan.nodes:
            target, waits = plan.hops[node.index]
            if target is not None and plan.kinds[target] == ACTION:
                made, kinds = plan.segment(node.index)
                plan.landings[node.index] = (made, kinds, waits)
            elif target is not None and plan.kinds[target] == CONTROL and waits == 0:
                plan.straight_to_control[node.index] = target
        return plan

    def _hop(self, index: int | None) -> tuple[int | None, int]:
        waits = 0
        while index is not None and self.nodes[index].kind is NodeKind.WAIT:
            waits += self.nodes[index].step.days
            index = self.nodes[index].next
        return index, waits

    def hop(self, index: int | None) -> tuple[int | None, int]:
        """From ``index`` on: the first step that is not a wait (None where the list ends), and the waits before it."""
        return (None, 0) if index is None else self.hops[index]

    def segment(self, start: int | None) -> tuple[tuple[int, ...], tuple[NodeKind, ...]]:
        """:meth:`actions_from` with their kinds, worked out once per start."""
        found = self.segments.get(start)
        if found is None:
            made = tuple(self.actions_from(start))
            found = self.segments[start] = (made, tuple(self.nodes[i].kind for i in made))
        return found

    def _add_list(self, steps: Sequence[Step], prefix: str) -> int | None:
        """Number a list and everything under it; the index of its first step, or None for an empty list."""
        indexes: list[int] = []
        for position, step in enumerate(steps):
            index = len(self.nodes)
            indexes.append(index)
            self.nodes.append(PathNode(index, f"{prefix}{position}", position, step, None))
            if step.kind.is_control:
                outputs = tuple(
                    (name, self._add_list(branch, f"{prefix}{position}.{name}.")) for name, branch in step.outputs
                )
                self.nodes[index] = PathNode(index, f"{prefix}{position}", position, step, None, outputs)
        for here, there in pairwise(indexes):
            node = self.nodes[here]
            self.nodes[here] = PathNode(node.index, node.address, node.position, node.step, there, node.outputs)
        return indexes[0] if indexes else None

    def actions_from(self, start: int | None) -> list[int]:
        """The action steps from ``start`` along its list, up to the next control step: the tasks made on entering it."""
        found = []
        index = start
        while index is not None:
            node = self.nodes[index]
            if node.kind.is_control:
                break
            if node.kind.is_action:
                found.append(index)
            index = node.next
        return found

    @property
    def has_action(self) -> bool:
        return any(n.kind.is_action for n in self.nodes)

    @property
    def is_linear(self) -> bool:
        return all(n.kind.is_action or n.kind is NodeKind.WAIT for n in self.nodes)


def condition_holds(condition: Condition, tags: Collection[str], has_email: bool, has_linkedin: bool) -> bool:
    """A condition node's answer on the contact's data at that moment (SPEC §10)."""
    if condition.rule == "tags_any":
        return any(tag in tags for tag in condition.values)
    if condition.rule == "tags_all":
        return all(tag in tags for tag in condition.values)
    return has_email if condition.values[0] == "email" else has_linkedin


class SplitRotation:
    """An A/B split's smooth weighted round robin over its percents, in variant order; never reset.

    Each round of ``total`` picks gives every variant its percent and brings
    the counters back to where they started, so the picks of one round are
    worked out once and then read in turn.
    """

    __slots__ = ("current", "names", "picked", "round", "total", "weights")

    def __init__(self, variants: Sequence[Variant]) -> None:
        self.names = [v.name for v in variants]
        self.weights = [v.percent for v in variants]
        self.total = sum(self.weights)
        self.round = self._round() if 0 < self.total <= MAX_ROUND else None
        self.picked = 0
        self.current = [0] * len(variants)

    def _round(self) -> list[str]:
        current = [0] * len(self.weights)
        return [self._next(current) for _ in range(self.total)]

    def _next(self, current: list[int]) -> str:
        best = 0
        for k, weight in enumerate(self.weights):
            current[k] += weight
            if current[k] > current[best]:
                best = k
        current[best] -= self.total
        return self.names[best]

    def pick(self) -> str:
        if self.round is None:  # percents a split's problems forbid: picked one by one
            return self._next(self.current)
        name = self.round[self.picked]
        self.picked = (self.picked + 1) % self.total
        return name


def chance(contact: str, address: str, outcome: Outcome) -> float:
    """``u(contact id + "|" + task address + "|" + outcome)`` of SPEC §10: the first 16 hex digits of SHA-256, in [0, 1)."""
    return chance_with(contact.encode(), chance_suffix(address, outcome))


def chance_suffix(address: str, outcome: Outcome) -> bytes:
    """The part of :func:`chance`'s text after the contact id, made once per task address and outcome."""
    return f"|{address}|{outcome.value}".encode()


_FIRST_8_BYTES = struct.Struct(">Q").unpack_from  # a digest's first 8 bytes as one big-endian integer
try:  # CPython's own SHA-256 (``_sha2`` from 3.12): the same digest, made quicker than OpenSSL's for a short text
    from _sha256 import sha256 as _SHA256  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - other Pythons
    try:
        from _sha2 import sha256 as _SHA256  # type: ignore[import-not-found, no-redef]
    except ImportError:
        _SHA256 = hashlib.sha256


def chance_with(contact: bytes, suffix: bytes, _sha256: Any = _SHA256, _first_8: Any = _FIRST_8_BYTES) -> float:
    """:func:`chance` of the UTF-8 contact id and a :func:`chance_suffix`: the same number, for a run's many tasks.

    The first 8 bytes of the digest, big-endian, read without a slice: the
    same integer as ``int(hexdigest[:16], 16)``.
    """
    return _first_8(_sha256(contact + suffix).digest())[0] / 2**64


def answers(kind: NodeKind) -> tuple[Outcome, ...]:
    """The outcomes a done task of this kind may lead to by rate, in the order they are tried."""
    if kind is NodeKind.LINKEDIN_CONNECT:
        return (Outcome.ACCEPTED,)
    if kind is NodeKind.EMAIL:
        return (Outcome.BOUNCED, Outcome.REPLIED)
    if kind is NodeKind.LINKEDIN_MESSAGE:
        return (Outcome.REPLIED,)
    return ()
