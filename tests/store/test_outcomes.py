"""Outcomes recorded in a workspace (SPEC §10, issue 13): each rule, its refusals and its undo, on both databases."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest

from builder.engine.words import EnrollmentStatus, Outcome, TaskStatus
from builder.store.database import WorkspaceError
from builder.store.workspace import Workspace
from tests.store.builders import MONDAY


@dataclass
class Run:
    automation: int
    profile: int
    contact: int
    enrollment: int


def start_run(ws: Workspace, steps: list[tuple[str, int]], *, stop_on_reply: bool = True) -> Run:
    """One contact tagged 'lead' in a running automation with the given steps, and one profile."""
    profile = ws.create_sender_profile("Anna", daily_limit=10)
    contact = ws.add_contact("Jo Lee", tags=["lead"], email="jo@acme.test")
    segment = ws.create_segment("Leads", tags_any=["lead"])
    automation = ws.create_automation("Leads outreach")
    previous = ws.add_node(automation, "segment", segment_id=segment)
    profile_node = ws.add_node(automation, "sender_profile", y=100)
    ws.connect(previous, profile_node)
    previous = profile_node
    for i, (kind, days) in enumerate(steps):
        node = ws.add_node(automation, kind, wait_days=days, y=200 + 100 * i)
        ws.connect(previous, node)
        previous = node
    ws.attach_sender_profile(profile_node, profile)
    if not stop_on_reply:
        with ws._write() as conn:
            conn.exec_driver_sql(f"UPDATE automation SET stop_on_reply = FALSE WHERE id = {automation}")
    ws.start(automation)
    return Run(automation, profile, contact, ws.enrollments(automation)[0].id)


def statuses(ws: Workspace, run: Run) -> list[tuple[str, str, int | None]]:
    return [
        (t.kind, t.status.value, None if t.due is None else (t.due - MONDAY).days) for t in ws.tasks(run.automation)
    ]


def interactions(ws: Workspace, contact: int) -> list[tuple[int, int]]:
    with ws._read() as conn:
        return [
            tuple(r)
            for r in conn.exec_driver_sql(
                f"SELECT sender_profile_id, day FROM interaction WHERE contact_id = {contact} ORDER BY id"
            )
        ]


def do_first_task(ws: Workspace, run: Run) -> None:
    ws.mark_done(next(t.id for t in ws.tasks(run.automation) if t.status is TaskStatus.PENDING))


def test_a_reply_stops_the_enrollment_and_is_an_interaction_and_undo_puts_all_back(open_workspace):
    ws = open_workspace()
    run = start_run(ws, [("linkedin_connect", 0), ("wait", 2), ("linkedin_message", 0), ("email", 1)])
    do_first_task(ws, run)
    before_tasks, before_history = statuses(ws, run), interactions(ws, run.contact)
    revision = ws._seen_revision
    recorded = ws.record_outcome(run.enrollment, Outcome.REPLIED)
    assert ws._seen_revision == revision + 1
    assert statuses(ws, run) == [
        ("linkedin_connect", "done", 0),
        ("linkedin_message", "canceled", 2),
        ("email", "canceled", None),
    ]
    assert ws.enrollments(run.automation)[0].status is EnrollmentStatus.REPLIED
    # The reply is the profile's interaction of today, recorded after the task's (R2 "latest").
    assert interactions(ws, run.contact) == [*before_history, (run.profile, MONDAY.toordinal())]
    assert [o[4] for o in ws.outcomes(run.automation)] == [Outcome.REPLIED]
    ws.close()

    ws = open_workspace()
    ws.delete_outcome(recorded)
    assert statuses(ws, run) == before_tasks
    assert ws.enrollments(run.automation)[0].status is EnrollmentStatus.ACTIVE
    assert interactions(ws, run.contact) == before_history
    assert ws.outcomes() == []
    ws.close()

    ws = open_workspace()
    again = ws.restore_outcome(recorded)
    assert statuses(ws, run)[1:] == [("linkedin_message", "canceled", 2), ("email", "canceled", None)]
    assert ws.enrollments(run.automation)[0].status is EnrollmentStatus.REPLIED
    assert len(interactions(ws, run.contact)) == len(before_history) + 1
    ws.delete_outcome(again)
    assert statuses(ws, run) == before_tasks


def test_a_reply_without_stop_on_reply_only_records(open_workspace):
    ws = open_workspace()
    run = start_run(ws, [("linkedin_message", 0), ("wait", 1), ("email", 0)], stop_on_reply=False)
    do_first_task(ws, run)
    before = statuses(ws, run)
    ws.record_outcome(contact_id=run.contact, automation_id=run.automation, outcome="replied")
    assert statuses(ws, run) == before
    assert ws.enrollments(run.automation)[0].status is EnrollmentStatus.ACTIVE
    assert len(interactions(ws, run.contact)) == 2


def test_accepted_needs_a_done_connect_and_is_an_interaction(open_workspace):
    ws = open_workspace()
    run = start_run(ws, [("linkedin_connect", 0), ("wait", 2), ("linkedin_message", 0)])
    before = statuses(ws, run)
    with pytest.raises(WorkspaceError, match="Jo Lee cannot have accepted yet: no LinkedIn connect"):
        ws.record_outcome(run.enrollment, "accepted")
    assert statuses(ws, run) == before and ws.outcomes() == [] and interactions(ws, run.contact) == []
    do_first_task(ws, run)
    tomorrow = MONDAY + timedelta(days=1)
    recorded = ws.record_outcome(run.enrollment, "accepted", tomorrow)
    assert recorded.interaction_id is not None
    assert interactions(ws, run.contact)[-1] == (run.profile, tomorrow.toordinal())
    assert statuses(ws, run) == [("linkedin_connect", "done", 0), ("linkedin_message", "pending", 2)]
    ws.delete_outcome(recorded)
    assert len(interactions(ws, run.contact)) == 1


def test_bounced_cancels_pending_emails_and_the_next_task_falls_due_from_the_bounce_day(open_workspace):
    ws = open_workspace()
    run = start_run(
        ws, [("email", 0), ("wait", 3), ("email", 0), ("wait", 2), ("linkedin_message", 0), ("wait", 1), ("email", 0)]
    )
    with pytest.raises(WorkspaceError, match="An email to Jo Lee cannot have bounced: none is done"):
        ws.record_outcome(run.enrollment, "bounced")
    do_first_task(ws, run)  # the first email, on day 0: the follow-up falls due on day 3
    assert statuses(ws, run)[1] == ("email", "pending", 3)
    bounce_day = MONDAY + timedelta(days=1)
    recorded = ws.record_outcome(run.enrollment, Outcome.BOUNCED, bounce_day)
    assert recorded.interaction_id is None and interactions(ws, run.contact) == [(run.profile, MONDAY.toordinal())]
    # Both emails left are canceled; the message falls due as if the follow-up was done on day 1: 1 + 2.
    assert statuses(ws, run) == [
        ("email", "done", 0),
        ("email", "canceled", 3),
        ("linkedin_message", "pending", 3),
        ("email", "canceled", None),
    ]
    assert ws.enrollments(run.automation)[0].status is EnrollmentStatus.ACTIVE
    ws.close()
    ws = open_workspace()
    ws.delete_outcome(recorded)
    assert statuses(ws, run) == [
        ("email", "done", 0),
        ("email", "pending", 3),
        ("linkedin_message", "pending", None),
        ("email", "pending", None),
    ]


def test_outcomes_are_refused_for_contacts_not_enrolled_or_waiting(open_workspace):
    ws = open_workspace()
    run = start_run(ws, [("linkedin_connect", 0)])
    stranger = ws.add_contact("Max Moro", tags=["other"])
    with pytest.raises(WorkspaceError, match="Max Moro is not enrolled in 'Leads outreach'"):
        ws.record_outcome(contact_id=stranger, automation_id=run.automation, outcome="replied")
    # With no sender profile left, a new lead waits (R4): nobody has contacted them.
    node = ws.enrollments(run.automation)[0].branch_node_id
    ws.remove_sender_profile(node, run.profile, "continue")
    waiting = ws.add_contact("Ann Waits", tags=["lead"])
    with pytest.raises(WorkspaceError, match="Ann Waits is waiting for a sender profile in 'Leads outreach'"):
        ws.record_outcome(contact_id=waiting, automation_id=run.automation, outcome="replied")
    with pytest.raises(WorkspaceError, match="'maybe' is not an outcome"):
        ws.record_outcome(run.enrollment, "maybe")
    assert ws.outcomes() == []


def test_a_reply_counts_for_r2_in_another_automation(open_workspace):
    ws = open_workspace()
    run = start_run(ws, [("linkedin_message", 0)])
    bob = ws.create_sender_profile("Bob")
    do_first_task(ws, run)
    ws.record_outcome(run.enrollment, "replied")
    # A second automation with Bob first in rotation: the reply to Anna (today, after the task) decides R2.
    segment = ws.create_segment("Leads again", tags_any=["lead"])
    second = ws.create_automation("Second")
    seg = ws.add_node(second, "segment", segment_id=segment)
    prof = ws.add_node(second, "sender_profile")
    step = ws.add_node(second, "email")
    ws.connect(seg, prof)
    ws.connect(prof, step)
    ws.attach_sender_profile(prof, bob)
    ws.attach_sender_profile(prof, run.profile)
    ws.start(second)
    enrolled = ws.enrollments(second)[0]
    assert (enrolled.sender_profile_id, enrolled.reason.value) == (run.profile, "previous_interaction")


def test_an_automation_with_outcomes_is_deleted_and_put_back_with_them(open_workspace):
    ws = open_workspace()
    run = start_run(ws, [("linkedin_message", 0), ("email", 0)])
    do_first_task(ws, run)
    ws.record_outcome(run.enrollment, "replied")
    snapshot = ws.delete_automation(run.automation)
    # The reply stays in the contact's history (R2 counts it), no longer tied to an automation.
    assert [(o[1], o[2], o[4]) for o in ws.outcomes()] == [(run.contact, None, Outcome.REPLIED)]
    assert len(interactions(ws, run.contact)) == 2
    ws.close()
    ws = open_workspace()
    ws.restore_automation(snapshot)
    assert [(o[2], o[4]) for o in ws.outcomes(run.automation)] == [(run.enrollment, Outcome.REPLIED)]
    assert ws.enrollments(run.automation)[0].status is EnrollmentStatus.REPLIED


def test_a_bounce_before_the_contact_reaches_a_later_email_skips_it_when_its_turn_comes(open_workspace):
    ws = open_workspace()
    run = start_run(
        ws, [("email", 0), ("linkedin_message", 0), ("wait", 1), ("email", 0), ("wait", 2), ("linkedin_connect", 0)]
    )
    do_first_task(ws, run)
    ws.record_outcome(run.enrollment, "bounced")
    assert [s for _, s, _ in statuses(ws, run)] == ["done", "pending", "canceled", "pending"]
    do_first_task(ws, run)  # the message, on day 0; the canceled email counts as done on the bounce day (day 0)
    assert statuses(ws, run)[-1] == ("linkedin_connect", "pending", 2)  # as simulate has it (SPEC §10)
