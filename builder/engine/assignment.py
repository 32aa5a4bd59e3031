"""Which sender profile a contact goes to, and which branch it enrolls in.

SPEC §4: R1 override, R2 previous interaction, R3 even distribution, R4 no
profile; enrollment order and one enrollment per automation.
"""

from __future__ import annotations

from collections.abc import Collection, Container, Hashable, Iterable, Iterator, Sequence
from typing import NamedTuple

from builder.engine.roster import BranchRoster
from builder.engine.segments import SegmentDefinition, SegmentRule
from builder.engine.words import Reason

# One interaction as the rules see it: (day, order recorded, sender profile).
InteractionKey = tuple[int, int, Hashable]


class ContactFacts(NamedTuple):
    """What the rules need to know about one contact being assigned (a tuple: one per contact enrolled)."""

    contact: Hashable
    override: Hashable | None = None
    interactions: Sequence[InteractionKey] = ()


class Assignment(NamedTuple):
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
    assignable = roster.assignable_ids()
    contact, override, interactions = facts
    ignored = None
    if override is not None:
        if override in assignable:
            return Assignment(contact, override, Reason.OVERRIDE)
        ignored = override
    if not assignable:
        return Assignment(contact, None, None, ignored)
    if interactions and not ignore_previous_interactions:
        latest = latest_interaction_profile(roster, interactions)
        if latest is not None:
            return Assignment(contact, latest, Reason.PREVIOUS_INTERACTION, ignored)
    return Assignment(contact, roster.pick_even().profile, Reason.EVEN_DISTRIBUTION, ignored)


def latest_interaction_profile(roster: BranchRoster, interactions: Iterable[InteractionKey]) -> Hashable | None:
    """R2: of the interactions with assignable profiles, the latest one's profile.

    Latest by day, then by the order the interactions were recorded.
    """
    candidates = roster.assignable_ids()
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
    if any(s is not None and s.rule is SegmentRule.STATIC for s in segments):
        for contact, tags in contacts:
            if contact in already_enrolled:
                continue
            for index, segment in enumerate(segments):
                if segment is not None and segment.matches(contact, tags):
                    yield contact, index
                    break
        return
    # Tag rules only: the branch depends on the tags alone, and contacts share tag sets.
    branch_of: dict[Collection[Hashable], int | None] = {}
    for contact, tags in contacts:
        if contact in already_enrolled:
            continue
        try:
            index = branch_of[tags]
        except KeyError:
            index = branch_of[tags] = next(
                (i for i, s in enumerate(segments) if s is not None and s.matches(contact, tags)), None
            )
        except TypeError:  # tags that cannot be a key (a list): no shortcut
            index = next((i for i, s in enumerate(segments) if s is not None and s.matches(contact, tags)), None)
        if index is not None:
            yield contact, index
