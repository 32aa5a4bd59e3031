"""Who belongs to a segment (SPEC §2): a tag filter, a static list, or everyone."""

from __future__ import annotations

from collections.abc import Collection, Hashable
from dataclasses import dataclass, field
from enum import StrEnum


class SegmentRule(StrEnum):
    TAGS_ANY = "tags_any"
    TAGS_ALL = "tags_all"
    STATIC = "contacts"
    EVERYONE = "all"


@dataclass(frozen=True)
class SegmentDefinition:
    """A saved definition of a set of contacts.

    ``tags`` are used by the tag rules, ``contacts`` by the static list. Tags and
    contacts may be any hashable key (names in a scenario, ids in a workspace).
    """

    rule: SegmentRule
    tags: frozenset[Hashable] = field(default_factory=frozenset)
    contacts: frozenset[Hashable] = field(default_factory=frozenset)

    def matches(self, contact: Hashable, contact_tags: Collection[Hashable]) -> bool:
        if self.rule is SegmentRule.EVERYONE:
            return True
        if self.rule is SegmentRule.STATIC:
            return contact in self.contacts
        if not self.tags:
            return False
        if self.rule is SegmentRule.TAGS_ANY:
            return not self.tags.isdisjoint(contact_tags)
        return self.tags.issubset(contact_tags)

    def describe(self) -> str:
        if self.rule is SegmentRule.EVERYONE:
            return "every contact"
        if self.rule is SegmentRule.STATIC:
            count = len(self.contacts)
            return f"a list of {count} contact{'s' if count != 1 else ''}"
        joiner = " or " if self.rule is SegmentRule.TAGS_ANY else " and "
        names = sorted(str(tag) for tag in self.tags)
        return "tagged " + joiner.join(names) if names else "no tags chosen"
