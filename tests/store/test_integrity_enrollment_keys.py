"""An enrollment's automation, contact, branch and the profiles and node it names always exist (issue 16, schema 11).

On PostgreSQL the enrollment table's seven foreign keys became triggers that check
a load in one pass (``migrations._to_11``); SQLite keeps the keys. Without either,
an enrollment could name a contact, automation or branch that is gone (today's
plan and the CRM would show work for nobody), or a sender profile, a pinned
profile it passed over, a control node it waits at or a profile it was moved
from that no longer exists (the path walk and the history would read nothing).
Each test shows the write that is refused, on both databases.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from builder.store.bulk import bulk_insert
from builder.store.database import table
from builder.store.migrations import ENROLLMENT_KEYS
from builder.store.workspace import Workspace
from tests.store.builders import build_outreach

MISSING = 999_999
COLUMNS = [column for column, _ in ENROLLMENT_KEYS]
OTHER = ["reason", "status", "enrolled_day"]


def started(ws: Workspace) -> dict[str, int]:
    """A started automation with three contacts; its first enrollment's row, every key column set."""
    profile = ws.create_sender_profile("Ann", daily_limit=20)
    outreach = build_outreach(ws)
    ws.attach_sender_profile(outreach.profile_node, profile)
    ws.add_contacts([{"name": f"Contact {i}", "tags": ["cto"]} for i in range(3)])
    ws.start(outreach.automation)
    with ws.engine.begin() as conn:  # the four columns that may be NULL name something too
        conn.exec_driver_sql(
            f"UPDATE enrollment SET ignored_override_id = {profile}, moved_from_id = {profile}, "
            f"at_node_id = {outreach.steps[1]}"
        )
    with ws.engine.connect() as conn:
        row = conn.exec_driver_sql(f"SELECT id, {', '.join(COLUMNS)} FROM enrollment ORDER BY id LIMIT 1").one()
    return dict(zip(["id", *COLUMNS], row, strict=True))


def spare(ws: Workspace, parent: str) -> int:
    """A new row of ``parent`` that nothing names yet."""
    if parent == "automation":
        return ws.create_automation("Spare")
    if parent == "contact":
        return ws.add_contacts([{"name": "Spare"}])[0]
    if parent == "sender_profile":
        return ws.create_sender_profile("Spare")
    return ws.add_node(ws.create_automation("Spare"), "linkedin_connect")


def count(conn: Connection, sql: str) -> int:
    return int(conn.exec_driver_sql(sql).scalar_one())


@pytest.mark.parametrize("missing", COLUMNS)
def test_a_bulk_load_naming_a_missing_parent_is_refused(open_workspace: Callable[..., Workspace], missing: str) -> None:
    ws = open_workspace()
    good = started(ws)
    automation = spare(ws, "automation")  # a second automation, so the loaded rows are new (automation, contact)
    with ws.engine.connect() as conn:
        contacts = [c for (c,) in conn.exec_driver_sql("SELECT id FROM contact ORDER BY id")]
    rows = [(*{**good, "automation_id": automation, "contact_id": c}.values(), None, "active", 1) for c in contacts]
    rows[-1] = (*{**good, "automation_id": automation, "contact_id": contacts[-1], missing: MISSING}.values(), None, "active", 1)  # fmt: skip
    rows = [(10_000 + i, *row[1:]) for i, row in enumerate(rows)]
    with pytest.raises(IntegrityError), ws.engine.begin() as conn:
        bulk_insert(conn, table("enrollment"), ["id", *COLUMNS, *OTHER], rows)
    with ws.engine.connect() as conn:
        assert count(conn, "SELECT count(*) FROM enrollment WHERE id >= 10000") == 0
    with ws.engine.begin() as conn:  # the same load without the bad row goes in
        bulk_insert(conn, table("enrollment"), ["id", *COLUMNS, *OTHER], rows[:-1])
    with ws.engine.connect() as conn:
        assert count(conn, "SELECT count(*) FROM enrollment WHERE id >= 10000") == len(rows) - 1


@pytest.mark.parametrize("nullable", ["sender_profile_id", "ignored_override_id", "at_node_id", "moved_from_id"])
def test_a_key_that_may_be_null_names_nothing_when_null(
    open_workspace: Callable[..., Workspace], nullable: str
) -> None:
    ws = open_workspace()
    good = started(ws)
    automation = spare(ws, "automation")
    values = {**good, "automation_id": automation, nullable: None}
    row = (20_000, *(values[c] for c in COLUMNS), None, "waiting", 1)
    with ws.engine.begin() as conn:
        bulk_insert(conn, table("enrollment"), ["id", *COLUMNS, *OTHER], [row])
        conn.exec_driver_sql(f"UPDATE enrollment SET {nullable} = NULL")
    with ws.engine.connect() as conn:
        assert count(conn, f"SELECT count(*) FROM enrollment WHERE {nullable} IS NULL") == 4


@pytest.mark.parametrize("missing", COLUMNS)
def test_changing_a_key_to_a_missing_parent_is_refused(open_workspace: Callable[..., Workspace], missing: str) -> None:
    ws = open_workspace()
    good = started(ws)
    with pytest.raises(IntegrityError), ws.engine.begin() as conn:
        conn.exec_driver_sql(f"UPDATE enrollment SET {missing} = {MISSING} WHERE id = {good['id']}")
    with ws.engine.connect() as conn:
        assert count(conn, f"SELECT count(*) FROM enrollment WHERE {missing} = {MISSING}") == 0
    with ws.engine.begin() as conn:  # changing anything else stays allowed, and so does an existing parent
        conn.exec_driver_sql("UPDATE enrollment SET status = 'canceled', arrived_day = 3")
        conn.exec_driver_sql(f"UPDATE enrollment SET {missing} = {good[missing]} WHERE id = {good['id']}")


@pytest.mark.parametrize(("column", "parent"), ENROLLMENT_KEYS)
def test_deleting_a_parent_an_enrollment_names_is_refused(
    open_workspace: Callable[..., Workspace], column: str, parent: str
) -> None:
    ws = open_workspace()
    good = started(ws)
    named = spare(ws, parent)
    with ws.engine.begin() as conn:  # only this enrollment's column names the spare row
        conn.exec_driver_sql(f"UPDATE enrollment SET {column} = {named} WHERE id = {good['id']}")
    with pytest.raises(IntegrityError), ws.engine.begin() as conn:
        conn.exec_driver_sql(f"DELETE FROM {parent} WHERE id = {named}")
    with ws.engine.connect() as conn:
        assert count(conn, f"SELECT count(*) FROM {parent} WHERE id = {named}") == 1
    with ws.engine.begin() as conn:  # once nothing names it, it goes
        conn.exec_driver_sql(f"UPDATE enrollment SET {column} = {good[column]} WHERE id = {good['id']}")
        conn.exec_driver_sql(f"DELETE FROM {parent} WHERE id = {named}")


def test_postgresql_checks_with_triggers_and_sqlite_with_keys(open_workspace: Callable[..., Workspace]) -> None:
    """Schema 11's change itself: no row-by-row key left on PostgreSQL's enrollment table, all seven on SQLite."""
    ws = open_workspace()
    with ws.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            keys = count(
                conn, "SELECT count(*) FROM pg_constraint WHERE conrelid = 'enrollment'::regclass AND contype = 'f'"
            )
            assert keys == 0
            triggers = {
                name
                for (name,) in conn.exec_driver_sql(
                    "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgrelid = 'enrollment'::regclass"
                )
            }
            assert {"enrollment_parents_on_insert", "enrollment_parents_on_update"} <= triggers
        else:
            named = {(row[3], row[2]) for row in conn.exec_driver_sql("PRAGMA foreign_key_list(enrollment)")}
            assert named == {(column, parent) for column, parent in ENROLLMENT_KEYS}
