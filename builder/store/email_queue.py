"""Email tasks as a sender takes them (SPEC §11): claimed, handed to the server, done or released.

A task goes ``pending`` → ``sending`` (claimed, with its Message-ID, in the
transaction that chose it under today's limits) → handed to the server (a
commit of its own, just before the server gets it) → ``done`` with its
interaction, the contact going on along its path. A server that refuses puts
it back to ``pending`` with one attempt more, the server's answer and a time to
try again. A claim left by a crash is settled from what was committed: never
handed means never sent (back to ``pending``); handed means the server may
have it, so it is taken as sent, never sent again.

Claims count against the limits like done tasks (``daily_work``), and on
PostgreSQL the chosen rows are locked ``FOR UPDATE SKIP LOCKED``, so several
senders on one workspace share the day's work without sending anything twice.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection

from builder.engine.words import NodeKind, TaskStatus
from builder.store.bulk import bulk_insert
from builder.store.database import database_problem, table
from builder.store.loading import execute, parse_settings, query
from builder.store.path_moves import StoredPaths
from builder.store.workspace import Workspace

SENDING, PENDING, DONE = TaskStatus.SENDING.value, TaskStatus.PENDING.value, TaskStatus.DONE.value


@dataclass(frozen=True)
class ClaimedEmail:
    """An email task a sender has claimed, with what it needs to write the message."""

    task_id: int
    sender_profile_id: int
    message_id: str
    to: str
    contact_name: str
    company: str | None
    title: str | None
    profile_name: str
    subject: str
    text: str
    attempts: int = 0


@dataclass(frozen=True)
class WaitingEmail:
    """A due email task a sender cannot take now, and why."""

    task_id: int
    sender_profile_id: int
    reason: str


@dataclass(frozen=True)
class StuckClaim:
    """A claim a sender left behind: ``handed`` when the server may have the message."""

    task_id: int
    sender_profile_id: int
    message_id: str
    handed: bool


def _chunks(ids: Sequence[int], size: int = 500) -> Iterable[Sequence[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _details(conn: Connection, ids: Sequence[int]) -> list[tuple]:
    rows: list[tuple] = []
    for chunk in _chunks(ids):
        marks = ",".join("?" * len(chunk))
        lock = " FOR UPDATE OF t SKIP LOCKED" if conn.dialect.name == "postgresql" else ""
        rows += query(
            conn,
            "SELECT t.id, t.sender_profile_id, t.kind, t.next_try, t.attempts, c.name, c.email, c.company, c.title, p.name, "
            "n.settings FROM task t JOIN enrollment e ON e.id = t.enrollment_id JOIN contact c ON c.id = e.contact_id "
            "JOIN sender_profile p ON p.id = t.sender_profile_id JOIN node n ON n.id = t.step_node_id "
            f"WHERE t.status = ? AND t.id IN ({marks}){lock}",
            (PENDING, *chunk),
        )
    return rows


def claim_due(
    ws: Workspace, profile_ids: Iterable[int], sender: str, now: int, make_id, at_most: int = 50
) -> tuple[list[ClaimedEmail], list[WaitingEmail]]:
    """Claim up to ``at_most`` of today's due email tasks of each profile, within every limit (SPEC §5, §12).

    One transaction: today's plan is made under the workspace's write lock, and the tasks chosen are marked
    ``sending`` with a Message-ID from ``make_id(task_id, profile_id)``. Tasks waiting for a retry, whose
    contact has no email address or whose step has no subject or text are left due, and said why.
    """
    wanted = set(profile_ids)
    claimed: list[ClaimedEmail] = []
    waiting: list[WaitingEmail] = []
    with ws._write() as conn:
        plan = ws._plan(conn)
        order = [t for p in sorted(wanted) for t in plan.chosen.get(p, [])]
        rows = {row[0]: row for row in _details(conn, order)}
        taken: dict[int, int] = defaultdict(int)
        updates = []
        for task_id in order:
            row = rows.get(task_id)
            if row is None:  # another sender holds it
                continue
            _, profile, kind, next_try, attempts, name, email, company, title, profile_name, settings = row
            if kind != NodeKind.EMAIL.value or taken[profile] >= at_most:
                continue
            if next_try is not None and next_try > now:
                continue
            message = parse_settings(settings) or {}
            subject, text = message.get("subject"), message.get("text")
            if not email or "@" not in email:
                waiting.append(WaitingEmail(task_id, profile, f"{name} has no email address"))
                continue
            if not isinstance(subject, str) or not isinstance(text, str) or not subject.strip():
                waiting.append(WaitingEmail(task_id, profile, "its email step has no subject or text yet"))
                continue
            message_id = make_id(task_id, profile)
            taken[profile] += 1
            updates.append((message_id, sender, ws.today_number, task_id))
            claimed.append(
                ClaimedEmail(
                    task_id, profile, message_id, email, name, company, title, profile_name, subject, text, attempts
                )
            )
        if updates:
            conn.exec_driver_sql(
                _marks(conn, "UPDATE task SET status = 'sending', message_id = ?, claimed_by = ?, done_day = ?, "
                "handed_at = NULL WHERE id = ?"),
                updates,
            )  # fmt: skip
    return claimed, waiting


def _marks(conn: Connection, sql: str) -> str:
    return sql if conn.dialect.paramstyle == "qmark" else sql.replace("?", "%s")


class HandOver:
    """Commits, just before the server gets each message, that it is being handed over (SPEC §11).

    From that commit on, a crash is settled as sent. A commit of its own on every email, so it is the lightest
    there is: one row of the sender's own claim, on a driver connection kept for the whole send, without
    moving the workspace's revision on (no window shows it, so none need reload for it).
    """

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self.raw = ws.engine.raw_connection()
        mark = "?" if ws.engine.dialect.paramstyle == "qmark" else "%s"
        self.sql = f"UPDATE task SET handed_at = {mark} WHERE id = {mark} AND status = {mark}"

    def mark(self, task_id: int, now: int) -> None:
        try:
            cursor = self.raw.cursor()
            cursor.execute(self.sql, (now, task_id, SENDING))  # SQLite: its own transaction (autocommit)
            cursor.close()
            self.raw.commit()
        except self.ws._database_errors as error:
            raise database_problem(error, self.ws.engine.url) from None

    def close(self) -> None:
        self.raw.close()


def mark_handed(ws: Workspace, task_id: int, now: int) -> None:
    """One hand-over, on a connection of its own (see :class:`HandOver`)."""
    hand_over = HandOver(ws)
    try:
        hand_over.mark(task_id, now)
    finally:
        hand_over.close()


def complete_sent(ws: Workspace, sent: Sequence[tuple[int, str]]) -> int:
    """Mark sent emails done, each with its interaction, and move their contacts on (SPEC §5, §10).

    ``sent`` holds (task id, Message-ID); a task no longer ``sending`` with that Message-ID is left alone.
    Returns how many were marked done.
    """
    if not sent:
        return 0
    today = ws.today_number
    with ws._write() as conn:
        found: list[tuple] = []
        wanted = dict(sent)
        for chunk in _chunks([t for t, _ in sent]):
            marks = ",".join("?" * len(chunk))
            found += query(
                conn,
                "SELECT t.id, t.message_id, t.sender_profile_id, e.id, e.contact_id, e.automation_id FROM task t "
                f"JOIN enrollment e ON e.id = t.enrollment_id WHERE t.status = ? AND t.id IN ({marks})",
                (SENDING, *chunk),
            )
        found = [row for row in found if wanted.get(row[0]) == row[1]]
        if not found:
            return 0
        conn.exec_driver_sql(
            _marks(conn, "UPDATE task SET status = 'done', claimed_by = NULL, last_error = NULL WHERE id = ?"),
            [(row[0],) for row in found],
        )
        bulk_insert(
            conn,
            table("interaction"),
            ["contact_id", "sender_profile_id", "day", "automation_id", "task_id"],
            [(contact, profile, today, automation, task) for task, _, profile, _, contact, automation in found],
        )
        by_automation: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for task, _, _, enrollment, _, automation in found:
            by_automation[automation].append((enrollment, task))
        for automation, tasks in by_automation.items():
            paths = StoredPaths(conn, automation, today)
            paths.load([enrollment for enrollment, _ in tasks])  # read together, not one by one
            for enrollment, task in tasks:
                paths.task_done(enrollment, task, today, TaskStatus.DONE)
            ws._paths_moved(conn, automation, paths.write())
        return len(found)


def release(ws: Workspace, task_id: int, error: str, next_try: int, *, failed: bool = True) -> None:
    """Put a claimed email back to ``pending``: with one attempt more and the server's answer when it failed."""
    with ws._write() as conn:
        execute(
            conn,
            "UPDATE task SET status = ?, done_day = NULL, message_id = NULL, claimed_by = NULL, handed_at = NULL, "
            "attempts = attempts + ?, last_error = ?, next_try = ? WHERE id = ? AND status = ?",
            (PENDING, 1 if failed else 0, error if failed else None, next_try if failed else None, task_id, SENDING),
        )


def stuck_claims(ws: Workspace, sender: str) -> list[StuckClaim]:
    """The claims this sender left ``sending`` (a crash, a kill), oldest first."""
    with ws._read() as conn:
        rows = query(
            conn,
            "SELECT id, sender_profile_id, message_id, handed_at FROM task WHERE status = ? AND claimed_by = ? "
            "ORDER BY id",
            (SENDING, sender),
        )
    return [StuckClaim(t, p, m, h is not None) for t, p, m, h in rows]


def sent_message_ids(ws: Workspace, profile_id: int) -> dict[str, tuple[int, int]]:
    """Message-ID -> (contact, automation) of the profile's sent emails, for reading replies and bounces."""
    with ws._read() as conn:
        rows = query(
            conn,
            "SELECT t.message_id, e.contact_id, e.automation_id FROM task t JOIN enrollment e ON e.id = t.enrollment_id "
            "WHERE t.sender_profile_id = ? AND t.message_id IS NOT NULL AND t.status = ?",
            (profile_id, DONE),
        )
    return {m: (c, a) for m, c, a in rows}


def failing_tasks(ws: Workspace) -> dict[int, tuple[int, str]]:
    """Task -> (attempts, the server's last answer) of email tasks whose sending failed."""
    with ws._read() as conn:
        rows = query(
            conn, "SELECT id, attempts, last_error FROM task WHERE status = ? AND last_error IS NOT NULL", (PENDING,)
        )
    return {t: (a, e) for t, a, e in rows}


def next_try_after(ws: Workspace, now: int) -> int | None:
    """The earliest time a failed email may be tried again, after ``now``."""
    with ws._read() as conn:
        found = query(conn, "SELECT min(next_try) FROM task WHERE status = ? AND next_try > ?", (PENDING, now))
    return found[0][0] if found and found[0][0] is not None else None


def has_outcome(ws: Workspace, contact_id: int, automation_id: int, kind: str) -> bool:
    """Whether this contact already has an outcome of this kind in the automation (a reply read twice)."""
    with ws._read() as conn:
        return bool(
            query(
                conn,
                "SELECT 1 FROM outcome WHERE contact_id = ? AND automation_id = ? AND kind = ?",
                (contact_id, automation_id, kind),
            )
        )
