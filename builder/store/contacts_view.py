"""The CRM's view of the contacts (SPEC §8 "CRM"): listing, searching, and the Mass Actions.

The contacts table never holds all rows, nor all their ids: it asks how many
match a search and for the ids of the page on screen, in order, each answered
from an index (``builder.store.contact_search``), and then for that page's rows. Mass actions change a selection in one transaction each and
can be undone exactly: the previous overrides are read first and restored.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection

from builder.store.base import Change
from builder.store.bulk import bulk_insert
from builder.store.contact_search import NO_TRIGRAMS, SORTED_COLUMNS, ContactFinder, ContactQuery, has_trigram_index
from builder.store.database import WorkspaceError, table
from builder.store.importing import ImportMixin
from builder.store.loading import chunks, execute, query

SORTABLE = SORTED_COLUMNS


@dataclass(frozen=True)
class ContactListing:
    """One contact as the contacts table shows it."""

    id: int
    name: str
    email: str | None
    company: str | None
    title: str | None
    linkedin_url: str | None
    tags: str
    sender_profile: str | None  # the override's profile, if pinned


@dataclass(frozen=True)
class MassPreview:
    """What a mass action would do to a selection, said before it is done."""

    selected: int
    changes: int
    enrolled: int  # of those changing: already enrolled in a started automation, so they keep their profile

    def sentence(self, verb: str) -> str:
        text = f"{self.changes:,} of {self.selected:,} selected contact{'s' if self.selected != 1 else ''} {verb}."
        if self.enrolled:
            text += (
                f" {self.enrolled:,} of them {'are' if self.enrolled != 1 else 'is'} already enrolled in a running "
                "automation and keep their sender profile there."
            )
        return text


class ContactsMixin(ImportMixin):
    def contact_ids(
        self,
        *,
        search: str = "",
        tag_id: int | None = None,
        segment_id: int | None = None,
        sort: str = "id",
        descending: bool = False,
    ) -> list[int]:
        """The ids of all the contacts that match, in the order asked for (ties in creation order).

        For actions on everything that matches; the table itself reads a page at a time (:meth:`contact_page`).
        """
        wanted = ContactQuery(search, tag_id, segment_id, sort, descending)
        with self._read() as conn:
            ids = self._finder(conn, wanted).ids()
        if segment_id is not None:
            members = set(self.segment_members(segment_id))
            ids = [i for i in ids if i in members]
        return ids

    def matching_count(self, wanted: ContactQuery, *, at_most: int | None = None) -> int:
        """How many contacts match (not the segment filter); with ``at_most``, no more than ``at_most + 1``."""
        with self._read() as conn:
            return self._finder(conn, wanted).count(at_most)

    def contact_page(self, wanted: ContactQuery, offset: int, limit: int, *, matches: int | None = None) -> list[int]:
        """The ids of one page of the contacts that match, in order (not the segment filter).

        ``matches``: how many match, when the caller knows it exactly; a page
        past the middle is then read from the other end.
        """
        with self._read() as conn:
            return self._finder(conn, wanted).ids(offset, limit, matches=matches)

    def first_contacts(self, wanted: ContactQuery, limit: int, *, at_most: int) -> tuple[list[int], int, bool]:
        """What the table shows first (not the segment filter): the first page's ids, how many match, and
        whether that count is exact; if not, it is a "more than", to be counted next (:meth:`matching_count`).
        """
        with self._read() as conn:
            return self._finder(conn, wanted).first_page(limit, at_most)

    def search_note(self) -> str | None:
        """A sentence for the person searching when search cannot use an index here (PostgreSQL without pg_trgm)."""
        with self._read() as conn:
            return None if self._search_indexed(conn) else NO_TRIGRAMS

    def _finder(self, conn: Connection, wanted: ContactQuery) -> ContactFinder:
        return ContactFinder(conn, wanted, self._search_indexed(conn))

    def _search_indexed(self, conn: Connection) -> bool:
        known: bool | None = getattr(self, "_trigram_index", None)
        if known is None:
            known = self._trigram_index = has_trigram_index(conn)
        return known

    def contact_listings(self, ids: Sequence[int]) -> list[ContactListing]:
        """These contacts, in the order given (for the page of the table on screen)."""
        found: dict[int, ContactListing] = {}
        with self._read() as conn:
            for chunk in chunks(list(ids)):
                marks = ",".join("?" * len(chunk))
                tags: dict[int, list[str]] = {}
                for contact, name in query(
                    conn,
                    f"SELECT ct.contact_id, t.name FROM contact_tag ct JOIN tag t ON t.id = ct.tag_id "
                    f"WHERE ct.contact_id IN ({marks}) ORDER BY t.name",
                    chunk,
                ):
                    tags.setdefault(contact, []).append(name)
                for row in query(
                    conn,
                    "SELECT c.id, c.name, c.email, c.company, c.title, c.linkedin_url, p.name FROM contact c "
                    "LEFT JOIN override o ON o.contact_id = c.id LEFT JOIN sender_profile p ON p.id = o.sender_profile_id "
                    f"WHERE c.id IN ({marks})",
                    chunk,
                ):
                    found[row[0]] = ContactListing(*row[:6], ", ".join(tags.get(row[0], [])), row[6])
        return [found[i] for i in ids if i in found]

    def tags(self) -> list[tuple[int, str]]:
        with self._read() as conn:
            return sorted(query(conn, "SELECT id, name FROM tag"), key=lambda row: (row[1].lower(), row[0]))

    # -- Mass Actions --------------------------------------------------------------------

    def preview_override(self, contact_ids: Sequence[int], profile_id: int | None) -> MassPreview:
        """How many of these contacts would get (or lose) the pin, and how many of those are enrolled already."""
        state = self.override_state(contact_ids)
        changing = [c for c, p in state.items() if p != profile_id]
        return MassPreview(len(state), len(changing), len(self._enrolled_in_started(changing)))

    def preview_tag(self, contact_ids: Sequence[int], tag: str, *, add: bool) -> MassPreview:
        having = set(self.contacts_with_tag(contact_ids, tag))
        ids = set(contact_ids)
        changing = ids - having if add else having
        return MassPreview(len(ids), len(changing), 0)

    def override_state(self, contact_ids: Sequence[int]) -> dict[int, int | None]:
        """Each contact's pinned sender profile now (None when not pinned)."""
        ids = sorted(set(contact_ids))
        state: dict[int, int | None] = dict.fromkeys(ids)
        with self._read() as conn:
            for chunk in chunks(ids):
                marks = ",".join("?" * len(chunk))
                state.update(
                    query(
                        conn, f"SELECT contact_id, sender_profile_id FROM override WHERE contact_id IN ({marks})", chunk
                    )
                )
        return state

    def restore_overrides(self, state: dict[int, int | None]) -> None:
        """Put these contacts' pins back exactly as ``state`` says (the undo of a mass action)."""
        ids = sorted(state)
        with self._write() as conn:
            known = {p for (p,) in query(conn, "SELECT id FROM sender_profile")}
            if any(p is not None and p not in known for p in state.values()):
                raise WorkspaceError("A sender profile that was pinned no longer exists, so this cannot be undone.")
            for chunk in chunks(ids):
                marks = ",".join("?" * len(chunk))
                execute(conn, f"DELETE FROM override WHERE contact_id IN ({marks})", chunk)
            bulk_insert(
                conn,
                table("override"),
                ["contact_id", "sender_profile_id"],
                [(c, p) for c, p in sorted(state.items()) if p is not None],
            )
            self._later(Change("contacts"))

    def contacts_with_tag(self, contact_ids: Sequence[int], tag: str) -> list[int]:
        with self._read() as conn:
            found = query(conn, "SELECT id FROM tag WHERE name = ?", (tag.strip(),))
            if not found:
                return []
            having: list[int] = []
            for chunk in chunks(sorted(set(contact_ids))):
                marks = ",".join("?" * len(chunk))
                having += [
                    c
                    for (c,) in query(
                        conn,
                        f"SELECT contact_id FROM contact_tag WHERE tag_id = ? AND contact_id IN ({marks})",
                        (found[0][0], *chunk),
                    )
                ]
        return having

    def _enrolled_in_started(self, contact_ids: Sequence[int]) -> set[int]:
        found: set[int] = set()
        with self._read() as conn:
            for chunk in chunks(sorted(set(contact_ids))):
                marks = ",".join("?" * len(chunk))
                found.update(
                    c
                    for (c,) in query(
                        conn,
                        "SELECT DISTINCT e.contact_id FROM enrollment e JOIN automation a ON a.id = e.automation_id "
                        f"WHERE a.state != 'draft' AND e.sender_profile_id IS NOT NULL AND e.contact_id IN ({marks})",
                        chunk,
                    )
                )
        return found
