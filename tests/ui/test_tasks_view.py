"""Today's tasks page, used by a sender: mark done and skip, checked in the reopened workspace."""

from __future__ import annotations

from PySide6.QtCore import Qt

from builder.engine.words import TaskStatus
from tests.store.builders import build_outreach
from tests.ui.gestures import click


def _running(ws) -> None:
    anna = ws.create_sender_profile("Anna", daily_limit=2)
    ws.add_contacts([{"name": f"Lead {i}", "tags": ["cto"]} for i in range(3)])
    flow = build_outreach(ws)
    ws.attach_sender_profile(flow.profile_node, anna)
    ws.start(flow.automation)


def test_a_sender_marks_one_done_and_skips_one(make_window, qtbot, reopen):
    window = make_window(_running)
    bar = window.pages.tabBar()
    click(bar, bar.tabRect(2).center())
    tasks = window.tasks
    qtbot.waitUntil(lambda: tasks.tree.topLevelItemCount() == 1)
    anna = tasks.tree.topLevelItem(0)
    assert anna.text(0) == "Anna — 2 to do, 0 done of 2 a day"
    assert [anna.child(i).text(0) for i in range(anna.childCount())] == ["Lead 0", "Lead 1"]
    assert tasks.heading.text() == "<b>Today, Monday 2 March 2026</b>"

    first = tasks.tree.visualItemRect(anna.child(0)).center()
    qtbot.mouseClick(tasks.tree.viewport(), Qt.MouseButton.LeftButton, pos=first)
    qtbot.mouseClick(tasks.done_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tasks.tree.topLevelItem(0).text(0) == "Anna — 1 to do, 1 done of 2 a day")
    assert window.statusBar().currentMessage() == "1 task done."

    anna = tasks.tree.topLevelItem(0)
    qtbot.mouseClick(
        tasks.tree.viewport(), Qt.MouseButton.LeftButton, pos=tasks.tree.visualItemRect(anna.child(0)).center()
    )
    qtbot.mouseClick(tasks.skip_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tasks.tree.topLevelItem(0).childCount() == 1)
    assert tasks.tree.topLevelItem(0).child(0).text(0) == "Lead 2"  # skipping freed no limit: Lead 2 is next

    ws = reopen()
    statuses = [(t.contact_id, t.step_index, t.status) for t in ws.tasks(ws.automations()[0].id) if t.step_index == 0]
    assert [s for _, _, s in statuses] == [TaskStatus.DONE, TaskStatus.SKIPPED, TaskStatus.PENDING]
    assert ws.done_today() == {ws.sender_profiles()[0].id: 1}


def _weekly_capped(ws) -> None:
    """Anna may send 2 connection requests over any 7 days; 4 leads are due today."""
    anna = ws.create_sender_profile("Anna", daily_limit=10, weekly_limits={"linkedin_connect": 2})
    ws.add_contacts([{"name": f"Lead {i}", "tags": ["cto"]} for i in range(4)])
    flow = build_outreach(ws)
    ws.attach_sender_profile(flow.profile_node, anna)
    ws.start(flow.automation)


def test_due_tasks_left_out_of_the_plan_are_listed_below_it_with_why_and_when(make_window, qtbot, reopen):
    window = make_window(_weekly_capped)
    bar = window.pages.tabBar()
    click(bar, bar.tabRect(2).center())
    tasks = window.tasks
    qtbot.waitUntil(lambda: tasks.held.topLevelItemCount() == 1)
    assert tasks.tree.topLevelItem(0).childCount() == 2
    assert tasks.held_heading.isVisible() and "2 tasks wait" in tasks.held_heading.text()
    anna = tasks.held.topLevelItem(0)
    assert anna.text(0) == "Anna — 2 due, not today"
    (why,) = [anna.child(i) for i in range(anna.childCount())]
    assert why.text(0) == "weekly limit of connection requests reached — next on Monday 9 March (2)"
    assert [why.child(i).text(0) for i in range(why.childCount())] == ["Lead 2", "Lead 3"]
    assert [(h.contact_name, h.reason) for h in reopen().held_today()] == [
        ("Lead 2", "weekly limit of connection requests reached — next on Monday 9 March"),
        ("Lead 3", "weekly limit of connection requests reached — next on Monday 9 March"),
    ]


def test_a_task_over_the_daily_limit_is_listed_for_tomorrow(make_window, qtbot):
    window = make_window(_running)
    bar = window.pages.tabBar()
    click(bar, bar.tabRect(2).center())
    tasks = window.tasks
    qtbot.waitUntil(lambda: tasks.tree.topLevelItemCount() == 1)
    # Anna's daily limit of 2 leaves Lead 2 for tomorrow: that is said too.
    assert tasks.held.topLevelItem(0).child(0).text(0) == (
        "daily limit of 2 reached — next tomorrow, Tuesday 3 March (1)"
    )


def test_an_email_the_server_refused_shows_its_answer_on_the_task(make_window, qtbot):
    """SPEC §11: after failed sends the task says so, with the server's own words (the sender keeps them)."""

    def refused_twice(ws) -> None:
        _running(ws)
        first = min(t.id for t in ws.tasks(ws.automations()[0].id) if t.step_index == 0)
        with ws._write() as conn:  # what builder.store.email_queue.release leaves after two refusals
            conn.exec_driver_sql(
                "UPDATE task SET attempts = 2, last_error = '550 5.1.1 mailbox unavailable' WHERE id = ?", (first,)
            )

    window = make_window(refused_twice)
    bar = window.pages.tabBar()
    click(bar, bar.tabRect(2).center())
    tasks = window.tasks
    qtbot.waitUntil(lambda: tasks.tree.topLevelItemCount() == 1)
    first, second = tasks.tree.topLevelItem(0).child(0), tasks.tree.topLevelItem(0).child(1)
    assert first.text(3).endswith("⚠ not sent")
    assert first.toolTip(0) == "Not sent yet: tried 2 times; the server answered: 550 5.1.1 mailbox unavailable"
    assert "not sent" not in second.text(3) and second.toolTip(0) == ""
