"""Enrolling contacts in an automation's branches (SPEC §4, §5).

Both the scenario simulation and the workspace enroll through these two
functions and only store the outcome their own way.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Container, Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from builder.engine.assignment import Assignment, ContactFacts, assign_contact, route_enrollments
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


FactsLookup = Callable[[Hashable], ContactFacts]


def enroll_contacts(
    branches: Sequence[BranchRules],
    contacts: Iterable[tuple[Hashable, Collection[Hashable]]],
    facts: FactsLookup,
    *,
    day: int,
    ignore_previous_interactions: bool,
    already_enrolled: Container[Hashable] = (),
) -> list[NewEnrollment]:
    """Enroll every contact that belongs to a branch's segment, in the order given.

    ``contacts`` yields (contact, tags) in creation order. Each contact enrolls
    once, in the first branch whose segment has it, and is assigned at once —
    or waits when its branch has no assignable profile (R4).
    """
    segments = [branch.segment for branch in branches]
    enrolled = []
    append = enrolled.append
    planned = [branch.chain.tasks_for_enrollment(day) for branch in branches]
    for contact, index in route_enrollments(contacts, segments, already_enrolled):
        assignment = assign_contact(
            branches[index].roster, facts(contact), ignore_previous_interactions=ignore_previous_interactions
        )
        append(NewEnrollment(contact, index, day, assignment, () if assignment.profile is None else planned[index]))
    return enrolled


def release_waiting(
    branch_index: int,
    branch: BranchRules,
    waiting: Iterable[tuple[Hashable, int]],
    facts: FactsLookup,
    *,
    ignore_previous_interactions: bool,
) -> list[NewEnrollment]:
    """Assign the branch's waiting contacts, in enrollment order (R4).

    ``waiting`` yields (contact, enrollment day). Call it as soon as a profile
    becomes assignable, before enrolling anyone else. Tasks fall due from the
    enrollment day, as for any contact.
    """
    released = []
    for contact, day in waiting:
        assignment = assign_contact(
            branch.roster, facts(contact), ignore_previous_interactions=ignore_previous_interactions
        )
        if assignment.waiting:
            break
        released.append(NewEnrollment(contact, branch_index, day, assignment, branch.chain.tasks_for_enrollment(day)))
    return released
