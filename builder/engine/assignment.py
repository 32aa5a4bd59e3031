"""Which sender profile a contact goes to, and which branch it enrolls in.

SPEC §4: R1 override, R2 previous interaction, R3 even distribution, R4 no
profile; enrollment order and one enrollment per automation.
"""

from __future__ import annotations

from collections.abc import Collection, Container, Hashable, Iterable, Mapping, Sequence, Sized
from dataclasses import dataclass
from itertools import repeat
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


@dataclass(frozen=True)
class KnownFacts:
    """What the rules may ask about any contact: its override (R1) and its interactions (R2)."""

    overrides: Mapping[Hashable, Hashable]
    histories: Mapping[Hashable, Sequence[InteractionKey]]

    def __call__(self, contact: Hashable) -> ContactFacts:
        return ContactFacts(contact, self.overrides.get(contact), self.histories.get(contact, ()))


@dataclass
class Assigned:
    """The outcome for contacts assigned in order, as columns: profile None means waiting (R4)."""

    contacts: list[Hashable]
    profiles: list[Hashable | None]
    reasons: list[Reason | None]
    ignored: dict[Hashable, Hashable]  # contact -> its override, which R1 could not follow

    def assignments(self) -> list[Assignment]:
        unheeded = map(self.ignored.get, self.contacts) if self.ignored else repeat(None)
        rows = zip(self.contacts, self.profiles, self.reasons, unheeded, strict=False)
        return list(map(tuple.__new__, repeat(Assignment), rows))


def assign_columns(
    roster: BranchRoster,
    contacts: Sequence[Hashable],
    facts: KnownFacts,
    *,
    ignore_previous_interactions: bool,
) -> Assigned:
    """Assign contacts that enroll one after another in one branch; first matching rule wins.

    R1: an override to a profile that can take contacts. R4: nobody can, so
    the contact waits. R2: the latest interaction with a profile that can.
    R3: the rotation, advanced only for the contacts R3 decides, in order.
    The branch's profiles do not change meanwhile, so the rules can be
    applied to the whole list at once: each override and history is looked at
    once, and the rotation hands out its picks in one go.
    """
    contacts = list(contacts)
    assignable = roster.assignable_ids()
    chosen: dict[Hashable, Hashable] = {}  # decided by R1 or R2
    why: dict[Hashable, Reason] = {}
    ignored: dict[Hashable, Hashable] = {}
    overrides, histories = facts.overrides, facts.histories
    present = _Present(contacts)
    for contact in present.in_(overrides):
        override = overrides[contact]
        if override in assignable:
            chosen[contact], why[contact] = override, Reason.OVERRIDE
        else:
            ignored[contact] = override
    if not assignable:
        return Assigned(contacts, [None] * len(contacts), [None] * len(contacts), ignored)
    if not ignore_previous_interactions:
        previous = Reason.PREVIOUS_INTERACTION
        for contact in present.in_(histories):
            if contact not in chosen:
                latest = latest_interaction_profile(assignable, histories[contact])
                if latest is not None:
                    chosen[contact], why[contact] = latest, previous
    # R3 for everyone else, in order: the rotation's picks in one go.
    even = Reason.EVEN_DISTRIBUTION
    picks = roster.pick_many(len(contacts) - len(chosen))
    if not chosen:
        return Assigned(contacts, picks, [even] * len(contacts), ignored)
    get, following = chosen.get, iter(picks).__next__
    profiles = [found if (found := get(c)) is not None else following() for c in contacts]
    reasons = list(map(why.get, contacts, repeat(even)))
    return Assigned(contacts, profiles, reasons, ignored)


def assign_in_order(
    roster: BranchRoster,
    contacts: Sequence[Hashable],
    facts: KnownFacts,
    *,
    ignore_previous_interactions: bool,
) -> list[Assignment]:
    """:func:`assign_columns`, an :class:`Assignment` per contact."""
    return assign_columns(
        roster, contacts, facts, ignore_previous_interactions=ignore_previous_interactions
    ).assignments()


class _Present:
    """Which of the contacts have an entry in a mapping, looking through the shorter of the two."""

    def __init__(self, contacts: Sequence[Hashable]) -> None:
        self.contacts = contacts
        self._wanted: set[Hashable] | None = None

    def in_(self, known: Mapping[Hashable, object]) -> list[Hashable]:
        if len(known) < len(self.contacts):
            if self._wanted is None:
                self._wanted = set(self.contacts)
            wanted = self._wanted
            return [c for c in known if c in wanted]
        return [c for c in self.contacts if c in known]


def assign_contact(roster: BranchRoster, facts: ContactFacts, *, ignore_previous_interactions: bool) -> Assignment:
    """Assign one contact to one profile of the branch (:func:`assign_in_order` for one)."""
    contact, override, interactions = facts
    known = KnownFacts(
        {contact: override} if override is not None else {}, {contact: interactions} if interactions else {}
    )
    (assignment,) = assign_in_order(roster, [contact], known, ignore_previous_interactions=ignore_previous_interactions)
    return assignment


def latest_interaction_profile(
    candidates: Container[Hashable], interactions: Sequence[InteractionKey]
) -> Hashable | None:
    """R2: of the interactions with the ``candidates`` (the assignable profiles), the latest one's profile.

    Latest by day, then by the order the interactions were recorded.
    """
    if len(interactions) == 1:  # most contacts with a history have one interaction
        profile = interactions[0][2]
        return profile if profile in candidates else None
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
) -> list[tuple[Hashable, int]]:
    """Which branch each contact enrolls in, in the order the contacts come.

    A contact enrolls at most once per automation, in the first branch (branch
    order) whose segment has it. ``contacts`` yields (contact, its tags) in
    contact creation order; a segment of None matches nobody.
    """
    members, indexes = route_columns(contacts, segments, already_enrolled)
    return list(zip(members, indexes, strict=True))


class ContactColumns(NamedTuple):
    """Contacts as two columns, in creation order: their ids, and each one's tags."""

    ids: Sequence[Hashable]
    tags: Sequence[Collection[Hashable]]

    @classmethod
    def of(cls, pairs: Iterable[tuple[Hashable, Collection[Hashable]]]) -> ContactColumns:
        found = list(pairs)
        return cls([c for c, _ in found], [t for _, t in found])


def route_columns(
    contacts: ContactColumns | Iterable[tuple[Hashable, Collection[Hashable]]],
    segments: Sequence[SegmentDefinition | None],
    already_enrolled: Container[Hashable] = (),
) -> tuple[list[Hashable], list[int]]:
    """:func:`route_enrollments` as two columns: the contacts that enroll, and each one's branch."""

    def first_branch(contact: Hashable, tags: Collection[Hashable]) -> int | None:
        return next((i for i, s in enumerate(segments) if s is not None and s.matches(contact, tags)), None)

    columns = contacts if isinstance(contacts, ContactColumns) else ContactColumns.of(contacts)
    ids, tag_sets = columns
    branch_of: dict[Collection[Hashable], int | None] | None = None
    if not any(s is not None and s.rule is SegmentRule.STATIC for s in segments):
        # Tag rules only: the branch depends on the tags alone, and contacts share tag sets,
        # so each distinct set is routed once.
        try:
            branch_of = {tags: first_branch(None, tags) for tags in set(tag_sets)}
        except TypeError:  # tags that cannot be a key (a list): route one by one
            branch_of = None
    if branch_of is None:
        found = [(c, first_branch(c, tags)) for c, tags in zip(ids, tag_sets, strict=True) if c not in already_enrolled]
        pairs = [(c, index) for c, index in found if index is not None]
    else:
        targets = set(branch_of.values())
        nobody_enrolled = isinstance(already_enrolled, Sized) and not already_enrolled
        if nobody_enrolled and len(targets) == 1 and None not in targets:  # everyone goes to one branch
            return list(ids), [targets.pop()] * len(ids)  # type: ignore[list-item]
        pairs = [
            (c, index)
            for c, tags in zip(ids, tag_sets, strict=True)
            if (index := branch_of[tags]) is not None and c not in already_enrolled
        ]
    return [c for c, _ in pairs], [index for _, index in pairs]
