"""A task's enrollment, sender profile and step always exist (issue 16, schema 10).

On PostgreSQL the task table's three foreign keys became triggers that check a
whole statement at once (``migrations._to_10``); SQLite keeps the keys. Without
either, a task could name a profile, step or enrollment that is gone: today's
plan would list work for nobody, and a sender would send it. Each test shows the
write that would make such a task refused, on both databases.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy.exc import IntegrityError

from builder.store.bulk import bulk_insert
from builder.store.database import table
from builder.store.workspace import Workspace
from tests.store.builders import build_outreach

MISSING = 999_999


def started(ws: Workspace) -> tuple[int, int, int, int]:
    """A started automation with one contact: (enrollment, sender profile, step node, task) of its first task."""
    profile = ws.create_sender_profile("Ann", daily_limit=20)
    outreach = build_outreach(ws)
    ws.attach_sender_profile(outreach.profile_node, profile)
    ws.add_contacts([{"name": f"Contact {i}", "tags": ["cto"]} for i in range(3)])
    ws.start(outreach.automation)
    with ws.engine.connect() as conn:
        row = conn.exec_driver_sql(
            "SELECT enrollment_id, sender_profile_id, step_node_id, id FROM task ORDER BY id LIMIT 1"
        ).one()
    return row[0], row[1], row[2], row[3]


COLUMNS = ["enrollment_id", "sender_profile_id", "step_node_id", "step_index", "kind", "status"]


@pytest.mark.parametrize("missing", ["enrollment_id", "sender_profile_id", "step_node_id"])
def test_a_bulk_load_naming_a_missing_parent_is_refused(open_workspace: Callable[..., Workspace], missing: str) -> None:
    ws = open_workspace()
    enrollment, profile, step, _ = started(ws)
    good = {"enrollment_id": enrollment, "sender_profile_id": profile, "step_node_id": step}
    bad = {**good, missing: MISSING}
    rows = [(*good.values(), 0, "linkedin_connect", "pending")] * 50 + [
        (*bad.values(), 0, "linkedin_connect", "pending")
    ]
    with pytest.raises(IntegrityError), ws.engine.begin() as conn:
        bulk_insert(conn, table("task"), COLUMNS, rows)
    with ws.engine.connect() as conn:
        assert conn.exec_driver_sql(f"SELECT count(*) FROM task WHERE {missing} = {MISSING}").scalar() == 0


@pytest.mark.parametrize("missing", ["enrollment_id", "sender_profile_id", "step_node_id"])
def test_moving_a_task_to_a_missing_parent_is_refused(open_workspace: Callable[..., Workspace], missing: str) -> None:
    ws = open_workspace()
    *_, task = started(ws)
    with pytest.raises(IntegrityError), ws.engine.begin() as conn:
        conn.exec_driver_sql(f"UPDATE task SET {missing} = {MISSING} WHERE id = {task}")
    with ws.engine.begin() as conn:  # changing anything else stays allowed
        conn.exec_driver_sql("UPDATE task SET status = 'skipped'")


@pytest.mark.parametrize("parent", ["enrollment", "sender_profile", "node"])
def test_deleting_a_parent_a_task_names_is_refused(open_workspace: Callable[..., Workspace], parent: str) -> None:
    ws = open_workspace()
    enrollment, profile, step, _ = started(ws)
    gone = {"enrollment": enrollment, "sender_profile": profile, "node": step}[parent]
    with ws.engine.begin() as conn:  # nothing but the task names the parent any more
        conn.exec_driver_sql("DELETE FROM override")
        conn.exec_driver_sql("DELETE FROM branch_attachment")
        conn.exec_driver_sql("DELETE FROM interaction")
        conn.exec_driver_sql("UPDATE enrollment SET sender_profile_id = NULL")
    with pytest.raises(IntegrityError), ws.engine.begin() as conn:
        conn.exec_driver_sql(f"DELETE FROM {parent} WHERE id = {gone}")
    with ws.engine.connect() as conn:
        assert conn.exec_driver_sql(f"SELECT count(*) FROM {parent} WHERE id = {gone}").scalar() == 1


def test_deleting_an_automation_with_its_tasks_still_works(open_workspace: Callable[..., Workspace]) -> None:
    """Parents whose tasks go first (in the same transaction) are deleted as before."""
    ws = open_workspace()
    started(ws)
    with ws.engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM task")
        conn.exec_driver_sql("DELETE FROM enrollment")
        conn.exec_driver_sql("DELETE FROM automation")
    with ws.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM node").scalar() == 0
