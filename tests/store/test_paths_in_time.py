"""Contacts of a running automation move on along their paths as days go by (SPEC §10), on both databases.

A wait that ends, or a Wait for whose days run out, moves a contact on when
the workspace's date moves, when the app opens on a later day, and when the
calendar passes midnight while it is open — by the same walk as the forecast.
"""

from __future__ import annotations

from datetime import timedelta

from builder.engine.words import TaskStatus
from builder.store.workspace import Workspace
from tests.store.builders import MONDAY


def tree(ws: Workspace) -> tuple[int, int]:
    """Connect, then wait up to 3 days for an accepted invitation: yes, a message; no, an email."""
    anna = ws.create_sender_profile("Anna", daily_limit=10)
    ws.add_contact("Jo Lee", tags=["lead"], email="jo@acme.test")
    segment = ws.create_segment("Leads", tags_any=["lead"])
    automation = ws.create_automation("Leads")
    first = ws.add_node(automation, "segment", segment_id=segment)
    team = ws.add_node(automation, "sender_profile", y=100)
    ws.connect(first, team)
    ws.attach_sender_profile(team, anna)
    connect = ws.add_node(automation, "linkedin_connect", y=200)
    ws.connect(team, connect)
    accepted = ws.add_node(automation, "wait_for", y=300, settings={"outcome": "accepted", "days": 3})
    ws.connect(connect, accepted)
    ws.connect(accepted, ws.add_node(automation, "linkedin_message", x=300, y=300), "yes")
    ws.connect(accepted, ws.add_node(automation, "email", x=300, y=400), "no")
    ws.start(automation)
    return automation, accepted


def kinds(ws: Workspace, automation: int) -> list[tuple[str, str]]:
    return [(t.kind, t.status.value) for t in ws.tasks(automation)]


def test_a_wait_for_whose_days_run_out_takes_no_when_the_date_moves(open_workspace):
    ws = open_workspace()
    automation, accepted = tree(ws)
    ws.mark_done(ws.tasks(automation)[0].id)
    assert ws.contacts_at(accepted) == 1
    ws.set_today(MONDAY + timedelta(days=2))
    assert kinds(ws, automation) == [("linkedin_connect", "done")]  # still waiting
    ws.set_today(MONDAY + timedelta(days=3))
    assert kinds(ws, automation) == [("linkedin_connect", "done"), ("email", "pending")]
    email = ws.tasks(automation)[1]
    assert email.due == MONDAY + timedelta(days=3)


def test_the_app_opening_on_a_later_day_catches_up(open_workspace):
    ws = open_workspace()
    automation, _ = tree(ws)
    ws.mark_done(ws.tasks(automation)[0].id)
    later = open_workspace(MONDAY + timedelta(days=5))
    assert later.advance_paths() == 1
    assert kinds(later, automation) == [("linkedin_connect", "done"), ("email", "pending")]
    assert later.tasks(automation)[1].due == MONDAY + timedelta(days=3)  # decided on its day, so overdue now
    assert later.advance_paths() == 0  # nothing written twice


def test_an_accepted_invitation_answers_the_wait_for_at_once(open_workspace):
    ws = open_workspace()
    automation, accepted = tree(ws)
    ws.mark_done(ws.tasks(automation)[0].id)
    ws.set_today(MONDAY + timedelta(days=1))
    enrollment = ws.enrollments(automation)[0].id
    recorded = ws.record_outcome(enrollment, "accepted")
    assert kinds(ws, automation) == [("linkedin_connect", "done"), ("linkedin_message", "pending")]
    assert ws.tasks(automation)[1].due == MONDAY + timedelta(days=1)
    assert ws.contacts_at(accepted) == 1  # it reached the Wait for: counted there for good
    ws.delete_outcome(recorded)  # undo: back to waiting, the message gone
    assert kinds(ws, automation) == [("linkedin_connect", "done")]
    ws.restore_outcome(recorded)
    assert kinds(ws, automation) == [("linkedin_connect", "done"), ("linkedin_message", "pending")]


def test_the_calendar_passing_midnight_moves_contacts_on(open_workspace):
    ws = open_workspace()
    automation, _ = tree(ws)
    ws.mark_done(ws.tasks(automation)[0].id)
    ws._fixed_today = None  # the calendar's date from now on, as in the app
    ws._calendar_day = ws.today_number - 3  # the app was opened three days ago
    assert ws.follow_calendar()
    assert [s for _, s in kinds(ws, automation)] == [TaskStatus.DONE.value, TaskStatus.PENDING.value]
    assert not ws.follow_calendar()  # the same day: nothing to do


def test_an_outcome_on_the_wait_fors_last_day_wins_when_the_days_timeouts_are_not_taken_yet(open_workspace):
    """SPEC §10: "no" comes right after the day's events, so an outcome of that day still wins (a script, an import)."""
    ws = open_workspace()
    automation, _ = tree(ws)
    ws.mark_done(ws.tasks(automation)[0].id)
    ws.set_today(MONDAY + timedelta(days=3), catch_up=False)  # the last day begins; its events come first
    ws.record_outcome(ws.enrollments(automation)[0].id, "accepted")
    ws.advance_paths()
    assert kinds(ws, automation) == [("linkedin_connect", "done"), ("linkedin_message", "pending")]


def test_once_the_day_began_in_the_app_its_no_is_taken_and_a_later_acceptance_changes_nothing(open_workspace):
    """The reading kept for a day the app already began: the "no" was taken, and its tasks may be under way."""
    ws = open_workspace()
    automation, _ = tree(ws)
    ws.mark_done(ws.tasks(automation)[0].id)
    ws.set_today(MONDAY + timedelta(days=3))
    ws.record_outcome(ws.enrollments(automation)[0].id, "accepted")
    assert kinds(ws, automation) == [("linkedin_connect", "done"), ("email", "pending")]
