"""Enrolling contacts in an automation's branches (SPEC §4, §5).

Both the scenario simulation and the workspace enroll through these two
functions and only store the outcome their own way.
"""

from __future__ import annotations

from collections.abc import Collection, Container, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from builder.engine.assignment import (
    Assigned,
    Assignment,
    ContactColumns,
    KnownFacts,
    assign_columns,
    assign_in_order,
    route_columns,
)
from builder.engine.roster import BranchRoster
from builder.engine.segments import SegmentDefinition
from builder.engine.steps import PlannedStep, StepChain
from builder.engine.words import Reason


@dataclass
class BranchRules:
    """What the rules need to know of one branch."""

    roster: BranchRoster
    segment: SegmentDefinition | None
    chain: StepChain


class NewEnrollment(NamedTuple):
    """One contact entering one branch, with its profile and its tasks (none while it waits)."""

    contact: Hashable
    branch: int
    day: int
    assignment: Assignment
    tasks: tuple[PlannedStep, ...]


@dataclass
class Routed(Assigned):
    """New members in the order they came, as columns: branch, profile, reason."""

    branches: list[int] = field(default_factory=list)


def route_and_assign(
    branches: Sequence[BranchRules],
    contacts: ContactColumns | Iterable[tuple[Hashable, Collection[Hashable]]],
    facts: KnownFacts,
    *,
    ignore_previous_interactions: bool,
    already_enrolled: Container[Hashable] = (),
) -> Routed:
    """Each new member's branch and assignment, in the order the contacts come.

    ``contacts`` yields (contact, tags) in creation order. Each contact enrolls
    once, in the first branch whose segment has it, and is assigned at once —
    or waits when its branch has no assignable profile (R4). The rotation of
    each branch advances in that order.
    """
    members, indexes = route_columns(contacts, [b.segment for b in branches], already_enrolled)
    used = set(indexes)
    if len(used) <= 1:
        if not members:
            return Routed([], [], [], {}, [])
        outcome = assign_columns(
            branches[indexes[0]].roster, members, facts, ignore_previous_interactions=ignore_previous_interactions
        )
        return Routed(members, outcome.profiles, outcome.reasons, outcome.ignored, indexes)
    profiles: list[Hashable | None] = [None] * len(members)
    reasons: list[Reason | None] = [None] * len(members)
    ignored: dict[Hashable, Hashable] = {}
    for index in sorted(used):
        positions = [i for i, b in enumerate(indexes) if b == index]
        outcome = assign_columns(
            branches[index].roster,
            [members[i] for i in positions],
            facts,
            ignore_previous_interactions=ignore_previous_interactions,
        )
        for position, profile, reason in zip(positions, outcome.profiles, outcome.reasons, strict=True):
            profiles[position], reasons[position] = profile, reason
        ignored.update(outcome.ignored)
    return Routed(members, profiles, reasons, ignored, indexes)


def enroll_contacts(
    branches: Sequence[BranchRules],
    contacts: Iterable[tuple[Hashable, Collection[Hashable]]],
    facts: KnownFacts,
    *,
    day: int,
    ignore_previous_interactions: bool,
    already_enrolled: Container[Hashable] = (),
) -> list[NewEnrollment]:
    """Enroll every contact that belongs to a branch's segment, in the order given, with its tasks."""
    routed = route_and_assign(
        branches,
        contacts,
        facts,
        ignore_previous_interactions=ignore_previous_interactions,
        already_enrolled=already_enrolled,
    )
    planned = [branch.chain.tasks_for_enrollment(day) for branch in branches]
    return [
        NewEnrollment(a.contact, index, day, a, () if a.profile is None else planned[index])
        for index, a in zip(routed.branches, routed.assignments(), strict=True)
    ]


def release_waiting(
    branch_index: int,
    branch: BranchRules,
    waiting: Iterable[tuple[Hashable, int]],
    facts: KnownFacts,
    *,
    ignore_previous_interactions: bool,
) -> list[NewEnrollment]:
    """Assign the branch's waiting contacts, in enrollment order (R4).

    ``waiting`` yields (contact, enrollment day). Call it as soon as a profile
    becomes assignable, before enrolling anyone else. Tasks fall due from the
    enrollment day, as for any contact. While no profile can take contacts,
    nobody is released.
    """
    if not branch.roster.assignable_ids():
        return []
    queue = list(waiting)
    assignments = assign_in_order(
        branch.roster, [c for c, _ in queue], facts, ignore_previous_interactions=ignore_previous_interactions
    )
    return [
        NewEnrollment(a.contact, branch_index, day, a, branch.chain.tasks_for_enrollment(day))
        for (_, day), a in zip(queue, assignments, strict=True)
    ]
