"""Importing contacts and interaction history into the workspace: all of a file or none of it.

The file is read and checked by :mod:`builder.imports`; here each person is
matched to a contact the workspace has (by email, else by LinkedIn URL), new
people are added, known ones get their empty fields filled and the file's
tags, and contacts who now belong to a running automation's segment enroll —
in one transaction. Cancelling, or any failure, leaves the workspace as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import Connection

from builder.engine.words import Outcome
from builder.imports.contacts import ContactImport, ContactRow, Refused, linkedin_profile, nothing_to_import
from builder.imports.interactions import InteractionImport
from builder.store.base import Change
from builder.store.bulk import bulk_insert, bulk_update
from builder.store.crm import CrmMixin
from builder.store.database import WorkspaceError, table
from builder.store.loading import allocate_ids, chunks, execute, query
from builder.store.outcomes import RecordedOutcome, put_back_in, record_in, take_back_in
from builder.store.search_text import contact_search_text

# Called with (rows done, rows in all); returning False cancels the import.
Progress = Callable[[int, int], bool]
BATCH = 5_000


class ImportCanceled(WorkspaceError):
    """The person cancelled the import; nothing was changed."""


@dataclass(frozen=True)
class ImportedHistory:
    """What an interactions import added, so that undo takes exactly that back and redo puts it back."""

    interaction_ids: tuple[int, ...]
    interactions: tuple[tuple[int, int, int], ...]  # (contact, sender profile, day) of each, in the order recorded
    outcomes: tuple[RecordedOutcome, ...]


@dataclass
class ImportReport:
    source: str
    what: str  # "contacts" or "interactions"
    added: int = 0
    updated: int = 0  # known contacts that got empty fields filled or new tags
    unchanged: int = 0  # known contacts, or interactions already recorded
    merged: int = 0  # rows that repeated an earlier row's person
    outcomes: int = 0  # outcomes recorded (SPEC §10), each also an interaction when accepted or replied
    history: ImportedHistory | None = None  # what an interactions import added (for undo)
    refused: list[Refused] = field(default_factory=list)

    @property
    def imported(self) -> bool:
        return self.added + self.updated + self.unchanged + self.outcomes > 0

    def lines(self) -> list[str]:
        if self.what == "contacts":
            head = (
                f"{self.source}: {self.added:,} new contact{'s' if self.added != 1 else ''}, "
                f"{self.updated:,} known updated, {self.unchanged:,} known unchanged"
            )
            if self.merged:
                head += f", {self.merged:,} repeated row{'s' if self.merged != 1 else ''} merged"
        else:
            head = f"{self.source}: {self.added:,} interaction{'s' if self.added != 1 else ''} recorded"
            if self.outcomes:
                head += f", {self.outcomes:,} outcome{'s' if self.outcomes != 1 else ''} recorded"
            if self.unchanged:
                head += f", {self.unchanged:,} already recorded"
        lines = [head + "."]
        if self.refused:
            count = len(self.refused)
            lines.append(f"{count:,} row{'s' if count != 1 else ''} refused:")
            lines += [f"  {refusal}" for refusal in sorted(self.refused, key=lambda r: r.line)]
        return lines


class ImportMixin(CrmMixin):
    def import_contacts(self, plan: ContactImport, progress: Progress | None = None) -> ImportReport:
        """Add the file's new people and update the known ones, in one transaction."""
        report = ImportReport(plan.source, "contacts", merged=plan.merged, refused=list(plan.refused))
        if not plan.contacts:
            raise WorkspaceError(nothing_to_import(report.source, report.refused))
        total = len(plan.contacts)
        with self._write() as conn:
            by_email, by_url = _known_contacts(conn)
            new: list[ContactRow] = []
            known: list[tuple[int, ContactRow]] = []
            for person in plan.contacts:
                found = (by_email.get(person.email) if person.email else None) or (
                    by_url.get(person.linkedin_url) if person.linkedin_url else None
                )
                if found is None:
                    new.append(person)
                else:
                    known.append((found, person))
            first = allocate_ids(conn, "contact", len(new))
            new_ids = list(range(first, first + len(new)))
            done = 0
            for start in range(0, len(new), BATCH):
                batch = new[start : start + BATCH]
                rows = [
                    (
                        cid,
                        p.name,
                        p.email,
                        p.company,
                        p.title,
                        p.linkedin_url,
                        contact_search_text(p.name, p.email, p.company),
                    )
                    for cid, p in zip(new_ids[start : start + BATCH], batch, strict=True)
                ]
                columns = ["id", "name", "email", "company", "title", "linkedin_url", "search_text"]
                bulk_insert(conn, table("contact"), columns, rows)
                done += len(batch)
                _tick(progress, done, total)
            filled = _fill_known(conn, known, by_email, by_url)
            tag_ids = self._tag_ids(conn, {t for p in plan.contacts for t in p.tags})
            wanted = {(cid, tag_ids[t]) for cid, p in zip(new_ids, new, strict=True) for t in p.tags}
            known_pairs = {(cid, tag_ids[t]) for cid, p in known for t in p.tags}
            existing = _existing_tags(conn, sorted({cid for cid, _ in known}))
            fresh = known_pairs - existing
            pairs = sorted(wanted | fresh)
            for start in range(0, len(pairs), BATCH * 4):
                bulk_insert(conn, table("contact_tag"), ["contact_id", "tag_id"], pairs[start : start + BATCH * 4])
            done += len(known)
            _tick(progress, done, total)
            retagged = {cid for cid, _ in fresh}
            report.added = len(new)
            report.updated = len(filled | retagged)
            report.unchanged = len(known) - report.updated
            self._enroll_new_members(conn, sorted(set(new_ids) | retagged))
            self._later(Change("contacts"))
        return report

    def import_interactions(self, plan: InteractionImport, progress: Progress | None = None) -> ImportReport:
        """Record the file's interactions with known contacts and sender profiles, in one transaction.

        A row with an outcome (SPEC §10) records it for the contact's enrollment with that sender
        profile (its latest, if several), after the plain interactions, oldest first; the outcome's
        own rules apply, and a row they refuse is named with the reason.
        """
        report = ImportReport(plan.source, "interactions", refused=list(plan.refused))
        with self._write() as conn:
            by_email, by_url = _known_contacts(conn)
            profiles: dict[str, int | None] = {}
            for pid, name in query(conn, "SELECT id, name FROM sender_profile ORDER BY id"):
                key = _profile_key(name)
                profiles[key] = None if key in profiles else pid  # None: two profiles answer to this name
            seen = set(query(conn, "SELECT contact_id, sender_profile_id, day FROM interaction"))
            seen_outcomes = set(query(conn, "SELECT contact_id, sender_profile_id, day, kind FROM outcome"))
            rows = []
            outcomes: list[tuple[int, int, int, int, Outcome]] = []  # (day, line, contact, profile, outcome)
            for item in plan.interactions:
                contact = (by_email.get(item.email) if item.email else None) or (
                    by_url.get(item.linkedin_url) if item.linkedin_url else None
                )
                key = _profile_key(item.sender_profile)
                profile = profiles.get(key)
                if contact is None:
                    report.refused.append(Refused(item.line, f"no contact has {item.email or item.linkedin_url}"))
                elif key in profiles and profile is None:
                    report.refused.append(
                        Refused(item.line, f"more than one sender profile is called '{item.sender_profile}'")
                    )
                elif profile is None:
                    report.refused.append(Refused(item.line, f"no sender profile is called '{item.sender_profile}'"))
                elif item.outcome is not None:
                    if (contact, profile, item.day.toordinal(), item.outcome.value) in seen_outcomes:
                        report.unchanged += 1
                    else:
                        seen_outcomes.add((contact, profile, item.day.toordinal(), item.outcome.value))
                        outcomes.append((item.day.toordinal(), item.line, contact, profile, item.outcome))
                elif (contact, profile, item.day.toordinal()) in seen:
                    report.unchanged += 1
                else:
                    key = (contact, profile, item.day.toordinal())
                    seen.add(key)
                    rows.append(key)
            outcomes.sort()
            if not rows and not report.unchanged and not outcomes:
                raise WorkspaceError(nothing_to_import(report.source, report.refused))
            # Recorded oldest first, so R2's "latest" follows the days, then the file's order.
            rows.sort(key=lambda r: r[2])
            before = query(conn, "SELECT max(id) FROM interaction")[0][0] or 0
            for start in range(0, len(rows), BATCH):
                bulk_insert(
                    conn, table("interaction"), ["contact_id", "sender_profile_id", "day"], rows[start : start + BATCH]
                )
                _tick(progress, min(start + BATCH, len(rows)), len(rows))
            report.added = len(rows)
            # Writers take turns (the revision row's lock), so the ids past the highest before are these rows'.
            added = [i for (i,) in query(conn, "SELECT id FROM interaction WHERE id > ? ORDER BY id", (before,))]
            recorded: list[RecordedOutcome] = []
            automations = self._import_outcomes(conn, outcomes, report, recorded)
            report.history = ImportedHistory(tuple(added), tuple(rows), tuple(recorded))
            if not rows and not report.unchanged and not report.outcomes:
                raise WorkspaceError(nothing_to_import(report.source, report.refused))
            self._later(Change("contacts"), *(Change("tasks", a) for a in sorted(automations)))
            if automations:
                self._later(Change("outcomes"))
        return report

    def _import_outcomes(
        self,
        conn: Connection,
        outcomes: list[tuple[int, int, int, int, Outcome]],
        report: ImportReport,
        recorded: list[RecordedOutcome],
    ) -> set[int]:
        """Record each row's outcome for the contact's latest enrollment with that sender profile."""
        automations: set[int] = set()
        for day, line, contact, profile, outcome in outcomes:
            found = query(
                conn,
                "SELECT id FROM enrollment WHERE contact_id = ? AND sender_profile_id = ? ORDER BY id DESC LIMIT 1",
                (contact, profile),
            )
            if not found:
                report.refused.append(
                    Refused(line, f"'{outcome.value}': the contact is not enrolled with that sender profile")
                )
                continue
            try:
                recorded.append(record_in(conn, found[0][0], outcome, day, source="import"))
            except WorkspaceError as error:
                report.refused.append(Refused(line, f"'{outcome.value}': {error}"))
                continue
            automations.add(recorded[-1].automation_id)
            report.outcomes += 1
        return automations

    def take_back_interaction_import(self, history: ImportedHistory) -> None:
        """Undo an interactions import: its interactions and outcomes go, and what the outcomes changed is back."""
        with self._write() as conn:
            for recorded in reversed(history.outcomes):
                if not query(conn, "SELECT 1 FROM outcome WHERE id = ?", (recorded.outcome_id,)):
                    raise WorkspaceError("Part of that import is not recorded any more.")
                take_back_in(conn, recorded)
            for chunk in chunks(list(history.interaction_ids)):
                marks = ",".join("?" * len(chunk))
                execute(conn, f"DELETE FROM interaction WHERE id IN ({marks})", chunk)
            self._later(Change("contacts"), *_outcome_changes(history))

    def put_back_interaction_import(self, history: ImportedHistory) -> ImportedHistory:
        """Redo an interactions import taken back; the rows are recorded again, now."""
        with self._write() as conn:
            before = query(conn, "SELECT max(id) FROM interaction")[0][0] or 0
            for start in range(0, len(history.interactions), BATCH):
                bulk_insert(
                    conn,
                    table("interaction"),
                    ["contact_id", "sender_profile_id", "day"],
                    history.interactions[start : start + BATCH],
                )
            added = [i for (i,) in query(conn, "SELECT id FROM interaction WHERE id > ? ORDER BY id", (before,))]
            outcomes = tuple(put_back_in(conn, recorded) for recorded in history.outcomes)
            self._later(Change("contacts"), *_outcome_changes(history))
        return ImportedHistory(tuple(added), history.interactions, outcomes)


def _outcome_changes(history: ImportedHistory) -> list[Change]:
    automations = sorted({r.automation_id for r in history.outcomes})
    return [Change("tasks", a) for a in automations] + ([Change("outcomes")] if automations else [])


def _tick(progress: Progress | None, done: int, total: int) -> None:
    if progress is not None and progress(done, total) is False:
        raise ImportCanceled("The import was cancelled; nothing was changed.")


def _profile_key(name: str) -> str:
    """A sender profile's name as the file and the workspace are compared: case and spacing aside."""
    return " ".join(name.split()).lower()


def _known_contacts(conn: Connection) -> tuple[dict[str, int], dict[str, int]]:
    """Every contact's email (lower case) and LinkedIn profile address, to match people by."""
    by_email: dict[str, int] = {}
    by_url: dict[str, int] = {}
    for cid, email, url in query(
        conn,
        "SELECT id, email, linkedin_url FROM contact WHERE email IS NOT NULL OR linkedin_url IS NOT NULL ORDER BY id",
    ):
        if email:
            by_email.setdefault(email.strip().lower(), cid)
        if url:
            profile = linkedin_profile(url)
            if profile:
                by_url.setdefault(profile, cid)
    return by_email, by_url


def _fill_known(
    conn: Connection, known: Sequence[tuple[int, ContactRow]], by_email: dict[str, int], by_url: dict[str, int]
) -> set[int]:
    """Fill the known contacts' empty fields from the file; nothing they have is overwritten.

    An email or profile address that belongs to another contact is not copied:
    two contacts with one address would send that person's history to either.
    """
    ids = sorted({cid for cid, _ in known})
    current: dict[int, tuple] = {}
    names: dict[int, str] = {}
    for chunk in chunks(ids):
        marks = ",".join("?" * len(chunk))
        for row in query(
            conn, f"SELECT id, email, company, title, linkedin_url, name FROM contact WHERE id IN ({marks})", chunk
        ):
            current[row[0]] = row[1:5]
            names[row[0]] = row[5]
    updates = []
    for cid, person in known:
        email, company, title, url = current[cid]
        new_email = email or _unclaimed(person.email, cid, by_email)
        new_url = url or _unclaimed(person.linkedin_url, cid, by_url)
        new = (new_email, company or person.company, title or person.title, new_url)
        if new != (email, company, title, url):
            updates.append((*new, contact_search_text(names[cid], new[0], new[1]), cid))
            current[cid] = new
    bulk_update(
        conn,
        "UPDATE contact SET email = ?, company = ?, title = ?, linkedin_url = ?, search_text = ? WHERE id = ?",
        updates,
    )
    return {row[-1] for row in updates}


def _unclaimed(address: str | None, contact: int, owners: dict[str, int]) -> str | None:
    """The address, claimed for ``contact``, unless another contact has it already."""
    if address is None or owners.setdefault(address, contact) != contact:
        return None
    return address


def _existing_tags(conn: Connection, contact_ids: Sequence[int]) -> set[tuple[int, int]]:
    found: set[tuple[int, int]] = set()
    for chunk in chunks(list(contact_ids)):
        marks = ",".join("?" * len(chunk))
        found.update(query(conn, f"SELECT contact_id, tag_id FROM contact_tag WHERE contact_id IN ({marks})", chunk))
    return found
