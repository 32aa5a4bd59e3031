"""Removing a sender profile with "move" in a workspace (SPEC §12, issue 14).

Its contacts in the branch not yet contacted go to the other profiles by R1–R3
after the reset, their pending tasks keeping their due days; the contacted ones
stay; undo puts every row back.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from builder.engine.words import ProfileState, Reason, TaskStatus
from builder.store.database import WorkspaceError
from builder.store.loading import query
from builder.store.workspace import Workspace
from tests.store.builders import build_outreach

MONDAY = date(2026, 11, 30)


def _team(ws: Workspace, names=("Anna", "Bob", "Omar"), contacts: int = 6):
    ids = [ws.create_sender_profile(name, daily_limit=20) for name in names]
    ws.add_contacts([{"name": f"Lead {i}", "tags": ["cto"]} for i in range(contacts)])
    flow = build_outreach(ws)
    for pid in ids:
        ws.attach_sender_profile(flow.profile_node, pid)
    ws.start(flow.automation)  # R3: Anna, Bob, Omar, Anna, Bob, Omar
    return flow, ids


def _rows(ws: Workspace, flow) -> tuple:
    """Every row the removal may touch, as stored."""
    with ws._read() as conn:
        return (
            query(conn, "SELECT * FROM branch_attachment WHERE node_id = ? ORDER BY id", (flow.profile_node,)),
            query(conn, "SELECT * FROM enrollment WHERE automation_id = ? ORDER BY id", (flow.automation,)),
            query(
                conn,
                "SELECT t.* FROM task t JOIN enrollment e ON e.id = t.enrollment_id WHERE e.automation_id = ? "
                "ORDER BY t.id",
                (flow.automation,),
            ),
        )


def _do_first_task_of(ws: Workspace, contact_name: str) -> None:
    for tasks in ws.plan_today().values():
        for task in tasks:
            if task.contact_name == contact_name:
                ws.mark_done(task.task_id)
                return
    raise AssertionError(f"{contact_name} has no task today")


def test_move_hands_the_uncontacted_contacts_over_with_their_due_days(open_workspace):
    ws = open_workspace(MONDAY)
    flow, (anna, bob, omar) = _team(ws)
    _do_first_task_of(ws, "Lead 1")  # Bob contacted Lead 1; Lead 4 is still untouched
    ws.set_today(MONDAY + timedelta(days=1))
    before = {t.id: t for t in ws.tasks(flow.automation)}
    preview = ws.move_preview(flow.profile_node, bob)
    assert (preview.profile_name, preview.moving, preview.staying, preview.to, preview.refusal) == (
        "Bob", 1, 1, ["Anna"], None
    )  # fmt: skip
    ws.remove_sender_profile(flow.profile_node, bob, "move")

    ws.close()
    again = open_workspace(MONDAY + timedelta(days=1))
    enrollments = again.enrollments(flow.automation)  # Lead i is the i-th to enroll
    moved, stayed = enrollments[4], enrollments[1]
    assert (moved.sender_profile_id, moved.reason, moved.moved_from_id) == (anna, Reason.EVEN_DISTRIBUTION, bob)
    assert (stayed.sender_profile_id, stayed.moved_from_id) == (bob, None)
    assert sum(e.moved_from_id is not None for e in enrollments) == preview.moving
    after = {t.id: t for t in again.tasks(flow.automation)}
    for task_id, task in after.items():
        was = before[task_id]
        assert (task.due, task.status, task.step_index) == (was.due, was.status, was.step_index)
        expected = (
            anna if task.enrollment_id == moved.id and task.status is TaskStatus.PENDING else was.sender_profile_id
        )
        assert task.sender_profile_id == expected
    states = {a.sender_profile_id: a.state for a in again.attachments(flow.profile_node)}
    assert states == {anna: ProfileState.ACTIVE, bob: ProfileState.DRAINING, omar: ProfileState.ACTIVE}


def test_moved_contacts_are_spread_by_r3_after_the_reset_and_the_profile_is_removed_when_none_stays(open_workspace):
    ws = open_workspace(MONDAY)
    flow, (anna, bob, omar) = _team(ws, contacts=9)  # Bob has Lead 1, 4, 7, none contacted
    ws.set_override([ws.enrollments(flow.automation)[7].contact_id], omar)  # R1 for Lead 7
    preview = ws.move_preview(flow.profile_node, bob)
    assert (preview.moving, preview.staying, preview.to) == (3, 0, ["Anna", "Omar"])
    ws.remove_sender_profile(flow.profile_node, bob, "move")
    moved = [e for e in ws.enrollments(flow.automation) if e.moved_from_id == bob]
    assert [(e.sender_profile_id, e.reason) for e in moved] == [
        (anna, Reason.EVEN_DISTRIBUTION),
        (omar, Reason.EVEN_DISTRIBUTION),
        (omar, Reason.OVERRIDE),
    ]
    states = {a.sender_profile_id: a.state for a in ws.attachments(flow.profile_node)}
    assert states[bob] is ProfileState.REMOVED
    assert not [t for t in ws.tasks(flow.automation) if t.sender_profile_id == bob]


def test_move_with_nowhere_to_go_is_refused_and_changes_nothing(open_workspace):
    ws = open_workspace(MONDAY)
    flow, (anna, bob) = _team(ws, names=("Anna", "Bob"), contacts=4)
    ws.remove_sender_profile(flow.profile_node, anna, "continue")
    before = _rows(ws, flow)
    sentence = "Bob cannot hand over the contacts: no other sender profile in this branch can take new contacts."
    assert ws.move_preview(flow.profile_node, bob).refusal == sentence
    with pytest.raises(WorkspaceError, match="Bob cannot hand over the contacts"):
        ws.remove_sender_profile(flow.profile_node, bob, "move")
    assert _rows(ws, flow) == before


def test_undo_of_a_move_puts_every_row_back(open_workspace):
    ws = open_workspace(MONDAY)
    flow, (_, bob, _) = _team(ws, contacts=9)
    _do_first_task_of(ws, "Lead 1")
    before_rows = _rows(ws, flow)
    before = ws.branch_state(flow.profile_node)  # what the app's BranchChangeCommand keeps
    ws.remove_sender_profile(flow.profile_node, bob, "move")
    after = ws.branch_state(flow.profile_node)
    after_rows = _rows(ws, flow)
    assert after_rows != before_rows
    ws.restore_branch(after, before)
    assert _rows(ws, flow) == before_rows
    ws.restore_branch(before, after)  # redo
    assert _rows(ws, flow) == after_rows


def test_the_preview_reads_only(open_workspace):
    ws = open_workspace(MONDAY)
    flow, (_, bob, _) = _team(ws)
    before = _rows(ws, flow)
    ws.move_preview(flow.profile_node, bob)
    assert _rows(ws, flow) == before
