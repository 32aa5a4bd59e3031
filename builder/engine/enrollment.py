"""Enrolling contacts in an automation's branches (SPEC §4, §5).

Both the scenario simulation and the workspace enroll through these two
functions and only store the outcome their own way.
"""

from __future__ import annotations

from collections.abc import Collection, Container, Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from builder.engine.assignment import Assignment, KnownFacts, assign_in_order, route_enrollments
from builder.engine.roster import BranchRoster
from builder.engine.segments import SegmentDefinition
from builder.engine.steps import PlannedStep, StepChain


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


def route_and_assign(
    branches: Sequence[BranchRules],
    contacts: Iterable[tuple[Hashable, Collection[Hashable]]],
    facts: KnownFacts,
    *,
    ignore_previous_interactions: bool,
    already_enrolled: Container[Hashable] = (),
) -> tuple[list[int], list[Assignment]]:
    """Each new member's branch and assignment, in the order the contacts come.

    ``contacts`` yields (contact, tags) in creation order. Each contact enrolls
    once, in the first branch whose segment has it, and is assigned at once —
    or waits when its branch has no assignable profile (R4). The rotation of
    each branch advances in that order.
    """
    routed = list(route_enrollments(contacts, [b.segment for b in branches], already_enrolled))
    indexes = [index for _, index in routed]
    if len(branches) == 1 or len(set(indexes)) <= 1:
        if not routed:
            return [], []
        roster = branches[indexes[0]].roster
        members = [contact for contact, _ in routed]
        return indexes, assign_in_order(
            roster, members, facts, ignore_previous_interactions=ignore_previous_interactions
        )
    assignments: list[Assignment | None] = [None] * len(routed)
    for index, branch in enumerate(branches):
        positions = [i for i, b in enumerate(indexes) if b == index]
        if not positions:
            continue
        members = [routed[i][0] for i in positions]
        outcome = assign_in_order(
            branch.roster, members, facts, ignore_previous_interactions=ignore_previous_interactions
        )
        for position, assignment in zip(positions, outcome, strict=True):
            assignments[position] = assignment
    return indexes, assignments  # type: ignore[return-value]


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
    indexes, assignments = route_and_assign(
        branches,
        contacts,
        facts,
        ignore_previous_interactions=ignore_previous_interactions,
        already_enrolled=already_enrolled,
    )
    planned = [branch.chain.tasks_for_enrollment(day) for branch in branches]
    return [
        NewEnrollment(a.contact, index, day, a, () if a.profile is None else planned[index])
        for index, a in zip(indexes, assignments, strict=True)
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
