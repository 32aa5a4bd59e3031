"""Outcomes in a workspace (SPEC §10): what a contact did in answer to its sender profile.

A marketer records them (Today's tasks, the Contacts page, an import): each is
one transaction that stores the ``outcome`` row and acts on the enrollment —

- ``accepted`` and ``replied`` are also interactions of the enrollment's sender
  profile on their day (R2 counts them); recorded after that day's task
  interactions, which their later id says;
- ``replied``, in an automation that stops on reply, cancels every pending task
  of the enrollment, takes it off any node it waits at and makes its status
  ``replied``;
- ``bounced`` cancels the enrollment's pending email tasks; the next task left
  falls due counting from the bounce day, as if the canceled ones had been done
  that day.

What one changed is returned as a :class:`RecordedOutcome`, so undo takes back
exactly that (:meth:`OutcomesMixin.delete_outcome`) and redo puts it back
(:meth:`OutcomesMixin.restore_outcome`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from sqlalchemy import Connection

from builder.engine.words import EnrollmentStatus, NodeKind, Outcome, TaskStatus
from builder.store.base import Change, WorkspaceBase
from builder.store.database import WorkspaceError
from builder.store.loading import execute, query
from builder.store.path_moves import PathChanges, StoredPaths

PENDING, CANCELED = TaskStatus.PENDING.value, TaskStatus.CANCELED.value


@dataclass(frozen=True)
class RecordedOutcome:
    """One recorded outcome and everything it changed, with the values from before."""

    outcome_id: int
    enrollment_id: int
    automation_id: int
    contact_id: int
    sender_profile_id: int
    outcome: Outcome
    day: int
    source: str
    interaction_id: int | None = None
    # What it did along the enrollment's path (tasks canceled or falling due, a Wait for answered, the
    # enrollment stopped), as the engine's walk did it, with the values from before.
    changes: PathChanges = field(default_factory=PathChanges)

    @property
    def canceled_tasks(self) -> tuple[int, ...]:
        return tuple(t for t, (before, after) in self.changes.tasks.items() if before[0] != after[0] == CANCELED)


@dataclass(frozen=True)
class EnrollmentChoice:
    """An enrollment of a contact that an outcome can be recorded for, as the Contacts page lists it."""

    enrollment_id: int
    automation_id: int
    automation_name: str
    sender_profile_id: int | None
    sender_profile_name: str | None
    status: EnrollmentStatus


def _enrollment_row(conn: Connection, enrollment_id: int) -> tuple:
    found = query(
        conn,
        "SELECT e.id, e.automation_id, e.contact_id, e.sender_profile_id, e.status, e.at_node_id, e.arrived_day, "
        "a.name, a.stop_on_reply, c.name FROM enrollment e JOIN automation a ON a.id = e.automation_id "
        "JOIN contact c ON c.id = e.contact_id WHERE e.id = ?",
        (enrollment_id,),
    )
    if not found:
        raise WorkspaceError("That enrollment no longer exists.")
    return found[0]


def find_enrollment(conn: Connection, contact_id: int, automation_id: int) -> int:
    """The contact's enrollment in the automation, or a sentence saying it has none."""
    found = query(
        conn, "SELECT id FROM enrollment WHERE contact_id = ? AND automation_id = ?", (contact_id, automation_id)
    )
    if found:
        return int(found[0][0])
    names = query(
        conn,
        "SELECT (SELECT name FROM contact WHERE id = ?), (SELECT name FROM automation WHERE id = ?)",
        (contact_id, automation_id),
    )[0]
    if names[0] is None:
        raise WorkspaceError("That contact no longer exists.")
    if names[1] is None:
        raise WorkspaceError("That automation no longer exists.")
    raise WorkspaceError(f"{names[0]} is not enrolled in '{names[1]}', so no outcome can be recorded there.")


def _has_done(conn: Connection, enrollment_id: int, kind: NodeKind) -> bool:
    return bool(
        query(
            conn,
            "SELECT 1 FROM task WHERE enrollment_id = ? AND kind = ? AND status = ? LIMIT 1",
            (enrollment_id, kind.value, TaskStatus.DONE.value),
        )
    )


def _insert_returning_id(conn: Connection, sql: str, params: tuple) -> int:
    if conn.dialect.paramstyle != "qmark":
        sql = sql.replace("?", "%s")
    return int(conn.exec_driver_sql(sql + " RETURNING id", params).scalar_one())


def record_in(
    conn: Connection, enrollment_id: int, outcome: Outcome, day: int, source: str = "person"
) -> RecordedOutcome:
    """Record an outcome inside the caller's transaction (SPEC §10); refuses with a sentence."""
    enrollment, automation, contact, profile, status, _, _, automation_name, _, contact_name = _enrollment_row(
        conn, enrollment_id
    )
    if status == EnrollmentStatus.WAITING.value or profile is None:
        raise WorkspaceError(
            f"{contact_name} is waiting for a sender profile in '{automation_name}': nobody has contacted them yet."
        )
    needs = outcome.needs_done
    if needs is not None and not _has_done(conn, enrollment, needs):
        if outcome is Outcome.ACCEPTED:
            raise WorkspaceError(
                f"{contact_name} cannot have accepted yet: no LinkedIn connect to them is done in '{automation_name}'."
            )
        raise WorkspaceError(
            f"An email to {contact_name} cannot have bounced: none is done in '{automation_name}' yet."
        )
    # What it does: the engine's walk over the enrollment (SPEC §10), the same as in a forecast. The walk
    # reads the outcomes seen before this one, so it goes first.
    paths = StoredPaths(conn, automation, day)
    paths.outcome(enrollment, outcome, day)
    changes = paths.write()
    interaction = None
    if outcome.is_interaction:
        interaction = _insert_returning_id(
            conn,
            "INSERT INTO interaction (contact_id, sender_profile_id, day, automation_id) VALUES (?, ?, ?, ?)",
            (contact, profile, day, automation),
        )
    outcome_id = _insert_returning_id(
        conn,
        "INSERT INTO outcome (contact_id, enrollment_id, automation_id, sender_profile_id, kind, day, "
        "interaction_id, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (contact, enrollment, automation, profile, outcome.value, day, interaction, source),
    )
    return RecordedOutcome(
        outcome_id, enrollment, automation, contact, profile, outcome, day, source, interaction, changes
    )


class OutcomesMixin(WorkspaceBase):
    def record_outcome(
        self,
        enrollment_id: int | None = None,
        outcome: Outcome | str = Outcome.REPLIED,
        day: date | None = None,
        source: str = "person",
        *,
        contact_id: int | None = None,
        automation_id: int | None = None,
    ) -> RecordedOutcome:
        """Record that a contact accepted, replied or bounced (SPEC §10), in one transaction.

        Name the enrollment, or the contact and the automation. ``day`` is the
        workspace's today unless given. Refused with a sentence when the contact
        is not enrolled, waits for a sender profile, or has no done LinkedIn
        connect (accepted) or email (bounced) there.
        """
        try:
            outcome = Outcome(outcome)
        except ValueError:
            raise WorkspaceError(f"'{outcome}' is not an outcome: accepted, replied or bounced.") from None
        when = (day or self.today).toordinal()
        with self._write() as conn:
            if enrollment_id is None:
                if contact_id is None or automation_id is None:
                    raise WorkspaceError("Say whose outcome this is: an enrollment, or a contact and an automation.")
                enrollment_id = find_enrollment(conn, contact_id, automation_id)
            recorded = record_in(conn, enrollment_id, outcome, when, source)
            self._announce_outcome(recorded.automation_id)
        return recorded

    def _announce_outcome(self, automation_id: int) -> None:
        self._later(Change("tasks", automation_id), Change("enrollments", automation_id), Change("outcomes"))

    def delete_outcome(self, recorded: RecordedOutcome) -> None:
        """Undo a recorded outcome: its rows go, and tasks and the enrollment are as they were before it."""
        with self._write() as conn:
            if not query(conn, "SELECT 1 FROM outcome WHERE id = ?", (recorded.outcome_id,)):
                raise WorkspaceError("That outcome is not recorded any more.")
            take_back_in(conn, recorded)
            self._announce_outcome(recorded.automation_id)

    def restore_outcome(self, recorded: RecordedOutcome) -> RecordedOutcome:
        """Redo an outcome taken back: the same changes again; its rows get new ids (the order recorded is now)."""
        with self._write() as conn:
            restored = put_back_in(conn, recorded)
            self._announce_outcome(recorded.automation_id)
        return restored

    def outcomes(self, automation_id: int | None = None) -> list[tuple[int, int, int, int, Outcome, date, str]]:
        """Recorded outcomes in the order recorded: (id, contact, enrollment, sender profile, outcome, day, source)."""
        where, params = ("WHERE automation_id = ?", (automation_id,)) if automation_id is not None else ("", ())
        with self._read() as conn:
            rows = query(
                conn,
                "SELECT id, contact_id, enrollment_id, sender_profile_id, kind, day, source FROM outcome "
                f"{where} ORDER BY id",
                params,
            )
        return [(i, c, e, p, Outcome(k), date.fromordinal(d), s) for i, c, e, p, k, d, s in rows]

    def contact_enrollments(self, contact_id: int) -> list[EnrollmentChoice]:
        """The contact's enrollments in every automation, by automation name: where an outcome can go."""
        with self._read() as conn:
            rows = query(
                conn,
                "SELECT e.id, a.id, a.name, p.id, p.name, e.status FROM enrollment e "
                "JOIN automation a ON a.id = e.automation_id LEFT JOIN sender_profile p ON p.id = e.sender_profile_id "
                "WHERE e.contact_id = ? ORDER BY a.name, a.id",
                (contact_id,),
            )
        return [EnrollmentChoice(e, a, an, p, pn, EnrollmentStatus(s)) for e, a, an, p, pn, s in rows]


def take_back_in(conn: Connection, recorded: RecordedOutcome) -> None:
    """Undo one outcome inside the caller's transaction: its rows go, tasks and enrollment are as before."""
    execute(conn, "DELETE FROM outcome WHERE id = ?", (recorded.outcome_id,))
    if recorded.interaction_id is not None:
        execute(conn, "DELETE FROM interaction WHERE id = ?", (recorded.interaction_id,))
    recorded.changes.take_back(conn)


def put_back_in(conn: Connection, recorded: RecordedOutcome) -> RecordedOutcome:
    """Redo an outcome taken back, inside the caller's transaction; refused when its tasks moved on since."""
    if not query(conn, "SELECT 1 FROM enrollment WHERE id = ?", (recorded.enrollment_id,)):
        raise WorkspaceError("That enrollment no longer exists.")
    moved_on = [
        t
        for t, (before, _) in recorded.changes.tasks.items()
        if query(conn, "SELECT status, due_day, done_day FROM task WHERE id = ?", (t,)) != [before]
    ]
    if moved_on:
        raise WorkspaceError("Some of the tasks this outcome canceled were worked on since; record it again instead.")
    interaction = None
    if recorded.interaction_id is not None:
        interaction = _insert_returning_id(
            conn,
            "INSERT INTO interaction (contact_id, sender_profile_id, day, automation_id) VALUES (?, ?, ?, ?)",
            (recorded.contact_id, recorded.sender_profile_id, recorded.day, recorded.automation_id),
        )
    outcome_id = _insert_returning_id(
        conn,
        "INSERT INTO outcome (contact_id, enrollment_id, automation_id, sender_profile_id, kind, day, "
        "interaction_id, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            recorded.contact_id,
            recorded.enrollment_id,
            recorded.automation_id,
            recorded.sender_profile_id,
            recorded.outcome.value,
            recorded.day,
            interaction,
            recorded.source,
        ),
    )
    restored = replace(recorded, outcome_id=outcome_id, interaction_id=interaction)
    recorded.changes.put_back(conn)
    return restored
