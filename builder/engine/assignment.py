"""Which sender profile a contact goes to, and which branch it enrolls in.

SPEC §4: R1 override, R2 previous interaction, R3 even distribution, R4 no
profile; enrollment order and one enrollment per automation.
"""

from __future__ import annotations

from collections.abc import Collection, Container, Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from builder.engine.roster import BranchRoster
from builder.engine.segments import SegmentDefinition
from builder.engine.words import Reason

# One interaction as the rules see it: (day, order recorded, sender profile).
InteractionKey = tuple[int, int, Hashable]


@dataclass(frozen=True, slots=True)
class ContactFacts:
    """What the rules need to know about one contact being assigned."""

    contact: Hashable
    override: Hashable | None = None
    interactions: Sequence[InteractionKey] = ()


@dataclass(frozen=True, slots=True)
class Assignment:
    """The outcome for one contact; ``profile`` is None while it waits (R4)."""

    contact: Hashable
    profile: Hashable | None
    reason: Reason | None
    ignored_override: Hashable | None = None

    @property
    def waiting(self) -> bool:
        return self.profile is None


def assign_contact(roster: BranchRoster, facts: ContactFacts, *, ignore_previous_interactions: bool) -> Assignment:
    """Assign one contact to one profile of the branch, first matching rule wins.

    Advances the rotation only when R3 decides.
    """
    assignable = roster.assignable()
    ignored = None
    if facts.override is not None:
        if roster.is_assignable(facts.override):
            return Assignment(facts.contact, facts.override, Reason.OVERRIDE)
        ignored = facts.override
    if not assignable:
        return Assignment(facts.contact, None, None, ignored)
    if facts.interactions and not ignore_previous_interactions:
        latest = latest_interaction_profile(roster, facts.interactions)
        if latest is not None:
            return Assignment(facts.contact, latest, Reason.PREVIOUS_INTERACTION, ignored)
    winner = roster.pick_even()
    return Assignment(facts.contact, winner.profile, Reason.EVEN_DISTRIBUTION, ignored)


def latest_interaction_profile(roster: BranchRoster, interactions: Iterable[InteractionKey]) -> Hashable | None:
    """R2: of the interactions with assignable profiles, the latest one's profile.

    Latest by day, then by the order the interactions were recorded.
    """
    candidates = {a.profile for a in roster.assignable()}
    best: InteractionKey | None = None
    for interaction in interactions:
        if interaction[2] in candidates and (best is None or interaction[:2] > best[:2]):
            best = interaction
    return None if best is None else best[2]


def assign_contacts(
    roster: BranchRoster,
    contacts: Iterable[ContactFacts],
    *,
    ignore_previous_interactions: bool,
) -> list[Assignment]:
    """Assign contacts one after another, in the order given (enrollment order)."""
    return [
        assign_contact(roster, facts, ignore_previous_interactions=ignore_previous_interactions) for facts in contacts
    ]


def route_enrollments(
    contacts: Iterable[tuple[Hashable, Collection[Hashable]]],
    segments: Sequence[SegmentDefinition | None],
    already_enrolled: Container[Hashable] = (),
) -> Iterator[tuple[Hashable, int]]:
    """Which branch each contact enrolls in, in the order the contacts come.

    A contact enrolls at most once per automation, in the first branch (branch
    order) whose segment has it. ``contacts`` yields (contact, its tags) in
    contact creation order; a segment of None matches nobody.
    """
    for contact, tags in contacts:
        if contact in already_enrolled:
            continue
        for index, segment in enumerate(segments):
            if segment is not None and segment.matches(contact, tags):
                yield contact, index
                break
