"""Contacts from a CSV export, checked row by row and merged by email, else by LinkedIn URL.

:func:`plan_contacts` decides everything that does not need the workspace:
which rows are refused and why (by line number), and which rows of the file
are the same person. The workspace then matches the rest to the contacts it
has, in one transaction.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from builder.imports.columns import CONTACT_FIELDS, FIELD_LABELS, guess_mapping, recogniser
from builder.imports.csv_table import CsvRefused, CsvTable, read_csv_file

# Where LinkedIn keeps people: public profiles, old public profiles, Sales Navigator leads.
PROFILE_PATHS = ("/in/", "/pub/", "/sales/lead/", "/sales/people/")
EMAIL = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+$")


@dataclass(frozen=True)
class Refused:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@dataclass
class ContactRow:
    """One person from the file (several rows, when the file repeats them)."""

    line: int
    name: str
    email: str | None
    linkedin_url: str | None
    company: str | None = None
    title: str | None = None
    tags: list[str] = field(default_factory=list)

    def merge(self, other: ContactRow) -> None:
        """Fill what this row leaves empty from a later row of the same person, and add its tags."""
        for key in ("email", "linkedin_url", "company", "title"):
            if getattr(self, key) is None:
                setattr(self, key, getattr(other, key))
        self.tags += [t for t in other.tags if t not in self.tags]


@dataclass
class ContactImport:
    source: str
    contacts: list[ContactRow]
    refused: list[Refused]
    merged: int  # rows that repeated an earlier row's person


def nothing_to_import(source: str, refused: list[Refused]) -> str:
    """Why a file gave nothing to import, for a person: no rows at all, or every row refused by line."""
    if not refused:
        return f"{source}: the file has no rows under its header, so nothing was imported."
    count = len(refused)
    lines = [f"{source}: no row could be imported.", f"{count:,} row{'s' if count != 1 else ''} refused:"]
    return "\n".join(lines + [f"  {r}" for r in sorted(refused, key=lambda r: r.line)])


def read_contacts(path: str, extra_tags: Sequence[str] = ()) -> ContactImport:
    """Read and check a contacts export, with the columns guessed from its header."""
    table = read_csv_file(path, recogniser(CONTACT_FIELDS))
    return plan_contacts(table, guess_mapping(table.header, CONTACT_FIELDS), extra_tags)


def plan_contacts(table: CsvTable, mapping: Mapping[str, int], extra_tags: Sequence[str] = ()) -> ContactImport:
    if "email" not in mapping and "linkedin_url" not in mapping:
        found = ", ".join(f"'{h}'" for h in table.header if h) or "none"
        raise CsvRefused(
            f"{table.source}: has no email or LinkedIn URL column, so its contacts could not be matched with the "
            f"ones you have (its columns: {found}). Add one, or choose it in the import dialog."
        )
    contacts: list[ContactRow] = []
    refused: list[Refused] = []
    by_email: dict[str, ContactRow] = {}
    by_url: dict[str, ContactRow] = {}
    merged = 0
    extra = [t.strip() for t in extra_tags if t.strip()]
    width = len(table.header)
    for row in table.rows:
        if len(row.cells) > width:
            refused.append(Refused(row.line, f"has {len(row.cells)} cells, but the header has {width}"))
            continue
        found = _contact(row.line, row.cells, mapping, extra)
        if isinstance(found, Refused):
            refused.append(found)
            continue
        earlier = (by_email.get(found.email) if found.email else None) or (
            by_url.get(found.linkedin_url) if found.linkedin_url else None
        )
        if earlier is not None:
            owner = by_url.get(found.linkedin_url) if found.linkedin_url else None
            if owner is not None and owner is not earlier:
                found.linkedin_url = None  # that address is another person's in this file: not copied
            earlier.merge(found)
            merged += 1
        else:
            contacts.append(found)
            earlier = found
        if earlier.email:
            by_email.setdefault(earlier.email, earlier)
        if earlier.linkedin_url:
            by_url.setdefault(earlier.linkedin_url, earlier)
    return ContactImport(table.source, contacts, refused, merged)


def _cell(cells: list[str], mapping: Mapping[str, int], key: str) -> str | None:
    index = mapping.get(key)
    if index is None or index >= len(cells):
        return None
    value = " ".join(cells[index].split())
    return value or None


def _contact(line: int, cells: list[str], mapping: Mapping[str, int], extra: list[str]) -> ContactRow | Refused:
    email = _cell(cells, mapping, "email")
    if email is not None:
        email = email.lower()
        if not EMAIL.match(email):
            return Refused(line, f"'{email}' is not an email address")
    url = _cell(cells, mapping, "linkedin_url")
    if url is not None:
        url = linkedin_profile(url)
        if url is None:
            return Refused(line, f"'{_cell(cells, mapping, 'linkedin_url')}' is not a LinkedIn profile address")
    if email is None and url is None:
        return Refused(line, "has neither an email nor a LinkedIn URL, so it could not be matched later")
    name = _cell(cells, mapping, "name") or " ".join(
        part for part in (_cell(cells, mapping, "first_name"), _cell(cells, mapping, "last_name")) if part
    )
    tags = [t.strip() for t in re.split(r"[;,|]", _cell(cells, mapping, "tags") or "") if t.strip()]
    return ContactRow(
        line,
        name or email or str(url),
        email,
        url,
        _cell(cells, mapping, "company"),
        _cell(cells, mapping, "title"),
        list(dict.fromkeys(tags + extra)),
    )


def linkedin_profile(text: str) -> str | None:
    """A LinkedIn profile address in one spelling (https, no query, no trailing slash), or None."""
    value = text.strip()
    if "://" not in value:
        value = "https://" + value
    try:
        parts = urlsplit(value)
        host = (parts.hostname or "").lower()
    except ValueError:  # e.g. a stray "[" that urlsplit reads as a broken IPv6 address
        return None
    if not (host == "linkedin.com" or host.endswith(".linkedin.com")):
        return None
    path = parts.path.rstrip("/")
    if not path.lower().startswith(PROFILE_PATHS) or path.count("/") < 2:
        return None  # a company page, a post, the front page: not a person
    # Public profile names are not case-sensitive; Sales Navigator's lead ids are.
    return "https://www.linkedin.com" + (path.lower() if path.lower().startswith("/in/") else path)


def field_names(mapping: Mapping[str, int]) -> list[str]:
    return [FIELD_LABELS[f] for f in mapping]
