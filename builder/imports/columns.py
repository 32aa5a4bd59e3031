"""Which column of an export holds what: the names HubSpot, Salesforce, LinkedIn and others use.

A mapping is field -> column index. :func:`guess_mapping` proposes one from
the header; the import dialog lets a person change it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping

# What a contacts import can fill, and what an interactions import needs.
CONTACT_FIELDS = ("name", "first_name", "last_name", "email", "company", "title", "linkedin_url", "tags")
INTERACTION_FIELDS = ("email", "linkedin_url", "sender_profile", "date", "outcome")

FIELD_LABELS = {
    "name": "Name",
    "first_name": "First name",
    "last_name": "Last name",
    "email": "Email",
    "company": "Company",
    "title": "Title",
    "linkedin_url": "LinkedIn URL",
    "tags": "Tags",
    "sender_profile": "Sender profile",
    "date": "Date",
    "outcome": "Outcome",
}

ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("name", "full name", "contact name", "lead name", "contact"),
    "first_name": ("first name", "firstname", "first", "given name", "vorname", "prénom"),
    "last_name": ("last name", "lastname", "last", "surname", "family name", "nachname"),
    "email": (
        "email", "e-mail", "email address", "e-mail address", "emails", "work email", "primary email",
        "business email", "email 1",
    ),
    "company": (
        "company", "company name", "account name", "account", "organization", "organisation",
        "current company", "employer", "firma", "unternehmen", "entreprise", "société",
    ),
    "title": ("title", "job title", "position", "current title", "role", "headline"),
    "linkedin_url": (
        "linkedin", "linkedin url", "linkedin profile", "linkedin profile url", "profile url", "url",
        "person linkedin url", "linkedin member url", "public profile url",
    ),
    "tags": ("tags", "tag", "labels", "label", "lists"),
    "sender_profile": ("sender profile", "sender", "sender name", "from", "sent by", "profile"),
    "date": (
        "date", "day", "contacted on", "contacted", "sent on", "sent", "last contacted", "interaction date",
        "activity date", "connected on",
    ),
    "outcome": ("outcome", "result", "response"),
}  # fmt: skip


def normalise(header: str) -> str:
    return re.sub(r"[\s_]+", " ", header.strip().strip('"').lower()).strip()


_KNOWN = {alias: field for field, aliases in ALIASES.items() for alias in aliases}


def guess_mapping(header: list[str], fields: Iterable[str]) -> dict[str, int]:
    """Each wanted field's column, by the first header cell that names it."""
    wanted = set(fields)
    mapping: dict[str, int] = {}
    for index, cell in enumerate(header):
        field = _KNOWN.get(normalise(cell))
        if field in wanted and field not in mapping:
            mapping[field] = index
    return mapping


def recogniser(fields: Iterable[str]) -> Callable[[list[str]], int]:
    """How many columns of a candidate header row name one of ``fields``: finds the header under notes."""
    wanted = set(fields)

    def score(cells: list[str]) -> int:
        return sum(1 for cell in cells if _KNOWN.get(normalise(cell)) in wanted)

    return score


def describe_mapping(mapping: Mapping[str, int], header: list[str]) -> str:
    return ", ".join(f"{FIELD_LABELS[f]} ← '{header[i]}'" for f, i in sorted(mapping.items(), key=lambda x: x[1]))
