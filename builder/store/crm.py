"""The workspace's CRM side: sender profiles, contacts and tags, segments, overrides."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection

from builder.engine.limits import ProfileLimits
from builder.engine.segments import SegmentDefinition, SegmentRule
from builder.engine.words import DEFAULT_DAILY_LIMIT, DEFAULT_WEIGHT, Channel
from builder.store.base import Change
from builder.store.bulk import bulk_insert
from builder.store.database import WorkspaceError, table
from builder.store.loading import allocate_ids, chunks, execute, load_segment, query, segment_member_ids
from builder.store.mailboxes import check_mailbox, put_mailbox
from builder.store.profile_limits import (
    EVERY_DAY,
    LINKEDIN_DEFAULTS,
    check_limits,
    check_working_days,
    days_text,
    engine_limits,
    limits_text,
    parse_days,
    parse_limits,
)
from builder.store.running import RunningMixin
from builder.store.search_text import contact_search_text

CONTACT_FIELDS = ("name", "email", "company", "title", "linkedin_url")
PROFILE_COLUMNS = ["id", "name", "channel", "daily_limit", "weight", "limits", "weekly_limits", "working_days"]

__all__ = ["LINKEDIN_DEFAULTS", "CrmMixin", "SenderProfileInfo"]


@dataclass(frozen=True)
class SenderProfileInfo:
    """A sender profile as the app shows it: its daily limit, and SPEC §12's limits per action, per week
    (``{"linkedin_connect": 100}``: kind -> tasks over the last 7 days) and working days (0 = Monday)."""

    id: int
    name: str
    channel: Channel
    daily_limit: int
    weight: int
    limits: dict[str, int] = field(default_factory=dict, hash=False, compare=True)
    weekly_limits: dict[str, int] = field(default_factory=dict, hash=False, compare=True)
    working_days: tuple[int, ...] = EVERY_DAY

    def profile_limits(self) -> ProfileLimits:
        """The engine's view of this profile's limits and working days."""
        return engine_limits(self.daily_limit, self.limits, self.weekly_limits, self.working_days)


def _clean_name(name: str, what: str) -> str:
    if not isinstance(name, str) or not name.strip():
        raise WorkspaceError(f"A {what} needs a name.")
    return name.strip()


def _check_limit(daily_limit: int) -> int:
    if isinstance(daily_limit, bool) or not isinstance(daily_limit, int) or daily_limit < 0:
        raise WorkspaceError("A daily limit is a whole number of 0 or more.")
    return daily_limit


def _check_weight(weight: int) -> int:
    if isinstance(weight, bool) or not isinstance(weight, int) or weight < 1:
        raise WorkspaceError("A weight is a whole number of 1 or more.")
    return weight


class CrmMixin(RunningMixin):
    # -- sender profiles ------------------------------------------------------------

    def create_sender_profile(
        self,
        name: str,
        channel: Channel | str = Channel.LINKEDIN,
        daily_limit: int = DEFAULT_DAILY_LIMIT,
        weight: int = DEFAULT_WEIGHT,
        *,
        limits: Mapping[str, int] | None = None,
        weekly_limits: Mapping[str, int] | None = None,
        working_days: Iterable[int] | None = None,
        mailbox: Mapping[str, Any] | None = None,
    ) -> int:
        """A new sender profile; ``limits`` / ``weekly_limits`` per action kind and ``working_days`` (SPEC §12)
        default to none and all seven days (the editor pre-fills :data:`LINKEDIN_DEFAULTS` for LinkedIn).

        ``mailbox``, for an email profile: :func:`~builder.store.mailboxes.check_mailbox`'s fields, written in
        the same transaction (its password goes to the keyring apart, under the mailbox's ``keyring_id``)."""
        name = _clean_name(name, "sender profile")
        try:
            channel = Channel(channel)
        except ValueError:
            raise WorkspaceError("A sender profile's channel is LinkedIn or email.") from None
        row = (
            name,
            channel.value,
            _check_limit(daily_limit),
            _check_weight(weight),
            limits_text(check_limits(limits)),
            limits_text(check_limits(weekly_limits, weekly=True)),
            days_text(check_working_days(working_days)),
        )
        fields = None if mailbox is None else check_mailbox(**mailbox)
        with self._write() as conn:
            # Numbered by the workspace: a deleted profile's id is never given to another (undo, pins).
            profile_id = allocate_ids(conn, "sender_profile", 1)
            bulk_insert(conn, table("sender_profile"), PROFILE_COLUMNS, [(profile_id, *row)])
            if fields is not None:
                put_mailbox(conn, profile_id, fields)
            self._later(Change("sender_profiles"))
            return profile_id

    def update_sender_profile(self, profile_id: int, **changes: Any) -> None:
        """Change name, channel, daily_limit, weight, limits, weekly_limits or working_days of a sender profile."""
        allowed = {"name", "channel", "daily_limit", "weight", "limits", "weekly_limits", "working_days"}
        unknown = set(changes) - allowed
        if unknown:
            raise WorkspaceError(f"A sender profile has no {', '.join(sorted(unknown))}.")
        values: dict[str, Any] = {}
        if "name" in changes:
            values["name"] = _clean_name(changes["name"], "sender profile")
        if "channel" in changes:
            try:
                values["channel"] = Channel(changes["channel"]).value
            except ValueError:
                raise WorkspaceError("A sender profile's channel is LinkedIn or email.") from None
        if "daily_limit" in changes:
            values["daily_limit"] = _check_limit(changes["daily_limit"])
        if "weight" in changes:
            values["weight"] = _check_weight(changes["weight"])
        if "limits" in changes:
            values["limits"] = limits_text(check_limits(changes["limits"]))
        if "weekly_limits" in changes:
            values["weekly_limits"] = limits_text(check_limits(changes["weekly_limits"], weekly=True))
        if "working_days" in changes:
            values["working_days"] = days_text(check_working_days(changes["working_days"]))
        if not values:
            return
        with self._write() as conn:
            names = list(values)
            sets = ", ".join(f"{n} = ?" for n in names)
            if not execute(conn, f"UPDATE sender_profile SET {sets} WHERE id = ?", (*values.values(), profile_id)):
                raise WorkspaceError("That sender profile no longer exists.")
            self._later(Change("sender_profiles"))

    def sender_profiles(self) -> list[SenderProfileInfo]:
        with self._read() as conn:
            rows = query(conn, f"SELECT {', '.join(PROFILE_COLUMNS)} FROM sender_profile ORDER BY id")
        return [
            SenderProfileInfo(i, n, Channel(c), d, w, parse_limits(pl), parse_limits(wl), parse_days(wd))
            for i, n, c, d, w, pl, wl, wd in rows
        ]

    # -- contacts and tags -----------------------------------------------------------------

    def _tag_ids(self, conn: Connection, names: Iterable[str]) -> dict[str, int]:
        wanted = sorted({n.strip() for n in names if isinstance(n, str) and n.strip()})
        if not wanted:
            return {}
        found: dict[str, int] = {}
        for chunk in chunks(wanted):  # type: ignore[arg-type]
            marks = ",".join("?" * len(chunk))
            found.update(query(conn, f"SELECT name, id FROM tag WHERE name IN ({marks})", chunk))
        missing = [n for n in wanted if n not in found]
        if missing:
            bulk_insert(conn, table("tag"), ["name"], [(n,) for n in missing])
            for chunk in chunks(missing):  # type: ignore[arg-type]
                marks = ",".join("?" * len(chunk))
                found.update(query(conn, f"SELECT name, id FROM tag WHERE name IN ({marks})", chunk))
        return found

    def add_contacts(self, contacts: Sequence[Mapping[str, Any]]) -> list[int]:
        """Add contacts (name, email, company, title, linkedin_url, tags) in the order given.

        ``override`` may pin a contact to a sender profile id from the start. Those who belong to a started automation's segment enroll at once.
        """
        rows = []
        for i, contact in enumerate(contacts):
            name = contact.get("name")
            if not isinstance(name, str) or not name.strip():
                raise WorkspaceError(f"Contact {i + 1} needs a name.")
            rows.append(tuple((contact.get(f) or None) if f != "name" else name.strip() for f in CONTACT_FIELDS))
        if not rows:
            return []
        with self._write() as conn:
            first = allocate_ids(conn, "contact", len(rows))
            ids = list(range(first, first + len(rows)))
            bulk_insert(
                conn,
                table("contact"),
                ["id", *CONTACT_FIELDS, "search_text"],
                [(i, *r, contact_search_text(r[0], r[1], r[2])) for i, r in zip(ids, rows, strict=True)],
            )
            tag_ids = self._tag_ids(conn, (t for c in contacts for t in c.get("tags", ())))
            bulk_insert(
                conn,
                table("contact_tag"),
                ["contact_id", "tag_id"],
                sorted(
                    {
                        (cid, tag_ids[t.strip()])
                        for cid, c in zip(ids, contacts, strict=True)
                        for t in c.get("tags", ())
                        if t.strip()
                    }
                ),
            )
            pinned = [
                (cid, c["override"]) for cid, c in zip(ids, contacts, strict=True) if c.get("override") is not None
            ]
            bulk_insert(conn, table("override"), ["contact_id", "sender_profile_id"], pinned)
            self._enroll_new_members(conn, ids)
            self._later(Change("contacts"))
        return ids

    def add_contact(self, name: str, tags: Sequence[str] = (), **fields: Any) -> int:
        return self.add_contacts([{"name": name, "tags": tags, **fields}])[0]

    def tag_contacts(self, contact_ids: Sequence[int], tags: Sequence[str]) -> None:
        """Add tags to contacts; those who join a started automation's segment enroll at once."""
        if not contact_ids or not tags:
            return
        with self._write() as conn:
            tag_ids = self._tag_ids(conn, tags)
            existing: set[tuple[int, int]] = set()
            for chunk in chunks(sorted(set(contact_ids))):
                marks = ",".join("?" * len(chunk))
                existing.update(
                    query(conn, f"SELECT contact_id, tag_id FROM contact_tag WHERE contact_id IN ({marks})", chunk)
                )
            new = sorted({(c, t) for c in contact_ids for t in tag_ids.values()} - existing)
            bulk_insert(conn, table("contact_tag"), ["contact_id", "tag_id"], new)
            self._enroll_new_members(conn, sorted({c for c, _ in new}))
            self._later(Change("contacts"))

    def untag_contacts(self, contact_ids: Sequence[int], tags: Sequence[str]) -> None:
        """Remove tags; contacts already enrolled stay enrolled."""
        with self._write() as conn:
            found = dict(query(conn, "SELECT name, id FROM tag")) if tags else {}
            for name in tags:
                if name in found:
                    for chunk in chunks(sorted(set(contact_ids))):
                        marks = ",".join("?" * len(chunk))
                        execute(
                            conn,
                            f"DELETE FROM contact_tag WHERE tag_id = ? AND contact_id IN ({marks})",
                            (found[name], *chunk),
                        )
            self._later(Change("contacts"))

    def contact_count(self) -> int:
        with self._read() as conn:
            return int(query(conn, "SELECT count(*) FROM contact")[0][0])

    def contact_ids_by_email(self, emails: Sequence[str]) -> dict[str, int]:
        with self._read() as conn:
            found: dict[str, int] = {}
            for start in range(0, len(emails), 500):
                chunk = list(emails[start : start + 500])
                marks = ",".join("?" * len(chunk))
                found.update(query(conn, f"SELECT email, id FROM contact WHERE email IN ({marks})", chunk))
        return found

    # -- segments ---------------------------------------------------------------------

    def create_segment(
        self,
        name: str,
        *,
        tags_any: Sequence[str] | None = None,
        tags_all: Sequence[str] | None = None,
        contacts: Sequence[int] | None = None,
        everyone: bool = False,
    ) -> int:
        """A segment: tagged with any of / all of some tags, a static list, or everyone."""
        name = _clean_name(name, "segment")
        given = [x for x in (tags_any, tags_all, contacts) if x is not None] + ([True] if everyone else [])
        if len(given) != 1:
            raise WorkspaceError("A segment is defined by tags (any of / all of), a list of contacts, or everyone.")
        rule = (
            SegmentRule.TAGS_ANY if tags_any is not None
            else SegmentRule.TAGS_ALL if tags_all is not None
            else SegmentRule.STATIC if contacts is not None
            else SegmentRule.EVERYONE
        )  # fmt: skip
        tags = tags_any if tags_any is not None else tags_all
        if tags is not None and not [t for t in tags if t.strip()]:
            raise WorkspaceError("Choose at least one tag for the segment.")
        with self._write() as conn:
            result = conn.execute(table("segment").insert(), {"name": name, "rule": rule.value})
            segment_id = int(result.inserted_primary_key[0])
            if tags is not None:
                tag_ids = self._tag_ids(conn, tags)
                bulk_insert(
                    conn,
                    table("segment_tag"),
                    ["segment_id", "tag_id"],
                    [(segment_id, t) for t in sorted(set(tag_ids.values()))],
                )
            if contacts is not None:
                bulk_insert(
                    conn,
                    table("segment_member"),
                    ["segment_id", "contact_id"],
                    [(segment_id, c) for c in sorted(set(contacts))],
                )
            self._later(Change("segments"))
        return segment_id

    def segments(self) -> list[tuple[int, str, SegmentDefinition]]:
        """Every saved segment: id, name and definition (tag ids or contact ids)."""
        with self._read() as conn:
            rows = query(conn, "SELECT id, name FROM segment ORDER BY name, id")
            return [(i, n, definition) for i, n in rows if (definition := load_segment(conn, i)) is not None]

    def tag_names(self, tag_ids: Sequence[int] | None = None) -> dict[int, str]:
        with self._read() as conn:
            return {i: n for i, n in query(conn, "SELECT id, name FROM tag") if tag_ids is None or i in tag_ids}

    def segment_definition(self, segment_id: int) -> SegmentDefinition | None:
        with self._read() as conn:
            return load_segment(conn, segment_id)

    def segment_members(self, segment_id: int) -> list[int]:
        """The segment's contacts in creation order, decided by the engine's rule."""
        with self._read() as conn:
            definition = load_segment(conn, segment_id)
            if definition is None:
                raise WorkspaceError("That segment no longer exists.")
            return segment_member_ids(conn, definition)

    # -- overrides (Mass Actions "Sender Profile", SPEC R1) -----------------------------------

    def set_override(self, contact_ids: Sequence[int], profile_id: int | None) -> None:
        """Pin contacts to a sender profile, or clear the pin with None.

        Contacts already enrolled keep their profile; the override decides for
        enrollments from now on.
        """
        ids = sorted(set(contact_ids))
        with self._write() as conn:
            if profile_id is not None and not query(conn, "SELECT 1 FROM sender_profile WHERE id = ?", (profile_id,)):
                raise WorkspaceError("That sender profile no longer exists.")
            for chunk in chunks(ids):
                marks = ",".join("?" * len(chunk))
                execute(conn, f"DELETE FROM override WHERE contact_id IN ({marks})", chunk)
            if profile_id is not None:
                bulk_insert(
                    conn, table("override"), ["contact_id", "sender_profile_id"], [(c, profile_id) for c in ids]
                )
            self._later(Change("contacts"))

    def overrides(self) -> dict[int, int]:
        with self._read() as conn:
            return dict(query(conn, "SELECT contact_id, sender_profile_id FROM override"))
