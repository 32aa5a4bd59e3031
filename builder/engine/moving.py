"""Removing a sender profile with ``move`` (SPEC §12): who moves, and to whom.

The rule is the same for both runs and the workspace, so it lives here once,
on plain values: the removed profile's contacts in the branch, in enrollment
order, each with whether it already has a done task there. Those with none
are assigned again by R1–R3 over the other assignable profiles, after the
reset the removal causes; the others stay and the profile is ``draining``,
or ``removed`` when nobody stays. Each caller then moves the tasks its own
way, keeping their due days.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass

from builder.engine.assignment import Assignment, KnownFacts, assign_in_order
from builder.engine.roster import BranchRoster
from builder.engine.words import ProfileState, RemovalMode


@dataclass(frozen=True)
class Move:
    """What a ``move`` removal did in one branch.

    ``moved``: one assignment per contact that changed profile, in enrollment
    order, with its new profile and reason (an ``ignored_override`` when its
    override pointed to a profile that cannot take it); ``staying``: the
    contacts that keep the removed profile (already contacted there);
    ``state``: the removed profile's state now.
    """

    profile: Hashable
    moved: list[Assignment]
    staying: list[Hashable]
    state: ProfileState


def move_contacts(
    roster: BranchRoster,
    profile: Hashable,
    members: Iterable[tuple[Hashable, bool]],
    facts: KnownFacts,
    *,
    ignore_previous_interactions: bool,
) -> Move:
    """Remove ``profile`` from a started branch by moving its contacts not yet contacted (SPEC §12).

    ``members`` yields the profile's contacts in the branch whose enrollment
    goes on (not canceled), in enrollment order, each with whether it has a
    done task in this branch. The roster is changed: the profile stops taking
    contacts (the rotation resets), the others get the moved contacts by
    R1–R3 in that order (only R3 picks advance the rotation). Raises
    :class:`~builder.engine.roster.RosterError`, changing nothing, when no
    other profile of the branch is assignable or the profile cannot be removed.
    """
    listed = list(members)
    roster.remove(profile, started=True, mode=RemovalMode.MOVE)
    leaving = [contact for contact, contacted in listed if not contacted]
    staying = [contact for contact, contacted in listed if contacted]
    moved = assign_in_order(roster, leaving, facts, ignore_previous_interactions=ignore_previous_interactions)
    if not staying:
        roster.mark_removed(profile)
    state = ProfileState.DRAINING if staying else ProfileState.REMOVED
    return Move(profile, moved, staying, state)
