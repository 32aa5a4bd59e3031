"""The settings panel, the profile picker, the removal dialog and the automation bar, used as a marketer would.

Each test checks the workspace file after reopening it: task statuses, profile
states, and who got which contacts.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtWidgets import QApplication, QLabel, QPushButton

from builder.engine.words import EnrollmentStatus, ProfileState, TaskStatus
from builder.ui.dialogs.profile_picker import SenderProfilePicker
from builder.ui.dialogs.remove_profile import RemoveProfileDialog
from tests.store.builders import build_outreach
from tests.ui.gestures import click, title_point


def _team(ws):
    for name in ("Anna", "Bob", "Lena"):
        ws.create_sender_profile(name, daily_limit=10)
    ws.add_contacts([{"name": f"Lead {i}", "tags": ["cto"]} for i in range(6)])
    build_outreach(ws)


def _profiles(ws) -> dict[str, int]:
    return {p.name: p.id for p in ws.sender_profiles()}


def _profile_node(window) -> int:
    return next(n for n, item in window.scene.nodes.items() if item.kind.value == "sender_profile")


def open_panel(window, qtbot, node_id: int) -> None:
    click(window.canvas.viewport(), title_point(window, node_id))
    qtbot.waitUntil(
        lambda: (
            window.settings.isVisible()
            and window.settings.width() > 100
            and window.slide.animation.state() == window.slide.animation.State.Stopped
        )
    )
    assert window.settings.node_id == node_id


def when_dialog_opens(kind, act) -> None:
    """Act on the next modal dialog of this kind as soon as it is shown."""

    def poll() -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, kind):
            act(dialog)
        else:
            QTimer.singleShot(10, poll)

    QTimer.singleShot(0, poll)


def add_through_picker(window, qtbot, names: list[str]) -> None:
    def pick(picker: SenderProfilePicker) -> None:
        for name in names:
            qtbot.keyClicks(picker.search, name[:3])
            item = picker.item_for(name)
            assert not item.isHidden()
            item.setCheckState(Qt.CheckState.Checked)
            picker.search.clear()
        qtbot.mouseClick(picker.ok_button, Qt.MouseButton.LeftButton)

    when_dialog_opens(SenderProfilePicker, pick)
    qtbot.mouseClick(window.settings.profiles.add_button, Qt.MouseButton.LeftButton)


def remove_choosing(window, qtbot, name: str, button: str) -> str:
    seen = {}

    def choose(dialog: RemoveProfileDialog) -> None:
        seen["stake"] = dialog.findChild(QLabel, "stakeLabel").text()
        qtbot.mouseClick(dialog.findChild(QPushButton, button), Qt.MouseButton.LeftButton)

    when_dialog_opens(RemoveProfileDialog, choose)
    qtbot.mouseClick(window.settings.profiles.button_for(name), Qt.MouseButton.LeftButton)
    return seen["stake"]


def _add_two_and_start(window, qtbot, reopen) -> dict[str, int]:
    open_panel(window, qtbot, _profile_node(window))
    add_through_picker(window, qtbot, ["Anna", "Bob"])
    qtbot.mouseClick(window.bar.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.bar.badge.text() == "Running")
    return _profiles(reopen())


def test_adding_two_profiles_through_the_picker_then_starting_spreads_the_segment(make_window, reopen, qtbot):
    window = make_window(_team)
    ids = _add_two_and_start(window, qtbot, reopen)
    ws = reopen()
    automation = ws.automations()[0].id
    assert [(a.name, a.state) for a in ws.attachments(_profile_node(window))] == [
        ("Anna", ProfileState.ACTIVE),
        ("Bob", ProfileState.ACTIVE),
    ]
    assert [e.sender_profile_id for e in ws.enrollments(automation)] == [ids["Anna"], ids["Bob"]] * 3
    table = window.settings.profiles.table
    assert [table.item(row, 5).text() for row in range(table.rowCount())] == ["3", "3"]
    qtbot.waitUntil(window.scene.counted)  # the cards count off the GUI thread, a moment later
    card = window.scene.nodes[_profile_node(window)].lines
    assert card == ["Anna: 3 contacts", "Bob: 3 contacts"]


def test_remove_and_cancel_her_tasks(make_window, reopen, qtbot):
    window = make_window(_team)
    ids = _add_two_and_start(window, qtbot, reopen)
    stake = remove_choosing(window, qtbot, "Bob", "cancelTasksButton")
    assert stake == "<b>Bob</b> has 3 contacts and 6 pending tasks in 'CTO outreach'."

    ws = reopen()
    automation = ws.automations()[0].id
    states = {a.name: a.state for a in ws.attachments(_profile_node(window))}
    assert states == {"Anna": ProfileState.ACTIVE, "Bob": ProfileState.REMOVED}
    enrollments = ws.enrollments(automation)
    assert [e.sender_profile_id for e in enrollments] == [ids["Anna"], ids["Bob"]] * 3  # nobody moved
    assert {e.status for e in enrollments if e.sender_profile_id == ids["Bob"]} == {EnrollmentStatus.CANCELED}
    tasks = ws.tasks(automation)
    assert {t.status for t in tasks if t.sender_profile_id == ids["Bob"]} == {TaskStatus.CANCELED}
    assert {t.status for t in tasks if t.sender_profile_id == ids["Anna"]} == {TaskStatus.PENDING}
    qtbot.waitUntil(lambda: window.settings.profiles.table.item(1, 2).text() == "removed")


def test_remove_but_continue_her_tasks(make_window, reopen, qtbot):
    window = make_window(_team)
    ids = _add_two_and_start(window, qtbot, reopen)
    remove_choosing(window, qtbot, "Bob", "continueTasksButton")
    reopen().add_contact("Newcomer", tags=["cto"])

    ws = reopen()
    automation = ws.automations()[0].id
    assert {a.name: a.state for a in ws.attachments(_profile_node(window))}["Bob"] is ProfileState.DRAINING
    enrollments = ws.enrollments(automation)
    assert enrollments[-1].sender_profile_id == ids["Anna"]  # no new contacts for Bob
    assert {t.status for t in ws.tasks(automation)} == {TaskStatus.PENDING}
    assert ids["Bob"] in ws.plan_today()


def test_keep_the_profile_changes_nothing(make_window, reopen, qtbot):
    window = make_window(_team)
    _add_two_and_start(window, qtbot, reopen)
    before = reopen()
    automation = before.automations()[0].id
    rows = (before.attachments(_profile_node(window)), before.enrollments(automation), before.tasks(automation))
    qtbot.waitUntil(lambda: not window._stale_check.isActive())  # the start retired the stale "Add" step
    stack_size = window.undo_stack.count()

    remove_choosing(window, qtbot, "Bob", "keepProfileButton")

    after = reopen()
    assert (after.attachments(_profile_node(window)), after.enrollments(automation), after.tasks(automation)) == rows
    assert window.undo_stack.count() == stack_size
    assert "Bob stays" in window.statusBar().currentMessage()


def test_undo_of_a_removal_restores_it_exactly_but_not_after_work_was_done(make_window, reopen, qtbot):
    window = make_window(_team)
    ids = _add_two_and_start(window, qtbot, reopen)
    node = _profile_node(window)
    remove_choosing(window, qtbot, "Bob", "cancelTasksButton")
    window.undo_action.trigger()
    ws = reopen()
    automation = ws.automations()[0].id
    assert {a.name: a.state for a in ws.attachments(node)}["Bob"] is ProfileState.ACTIVE
    assert {t.status for t in ws.tasks(automation)} == {TaskStatus.PENDING}

    window.redo_action.trigger()
    (task, *_) = reopen().plan_today()[ids["Anna"]]
    reopen().mark_done(task.task_id)  # work happens: the removal can no longer be undone exactly
    window.undo_action.trigger()
    assert "can no longer be undone" in window.statusBar().currentMessage()
    assert {a.name: a.state for a in reopen().attachments(node)}["Bob"] is ProfileState.REMOVED


def test_a_removal_is_no_longer_offered_for_undo_once_work_is_done_in_the_app(make_window, reopen, qtbot):
    window = make_window(_team)
    ids = _add_two_and_start(window, qtbot, reopen)
    remove_choosing(window, qtbot, "Bob", "continueTasksButton")
    assert window.undo_action.text() == "&Undo Drain Bob"
    (task, *_) = window.workspace.plan_today()[ids["Bob"]]
    window.workspace.mark_done(task.task_id)
    qtbot.waitUntil(lambda: window.undo_action.text() != "&Undo Drain Bob")
    assert "can no longer be undone" in window.statusBar().currentMessage()
    assert {a.name: a.state for a in reopen().attachments(_profile_node(window))}["Bob"] is ProfileState.DRAINING


def test_a_profile_added_mid_run_gets_only_new_contacts_visible_in_the_panel(make_window, reopen, qtbot):
    window = make_window(_team)
    ids = _add_two_and_start(window, qtbot, reopen)
    add_through_picker(window, qtbot, ["Lena"])
    # New contacts join the segment through the app's own workspace (the CRM's path).
    window.workspace.add_contacts([{"name": f"New {i}", "tags": ["cto"]} for i in range(3)])

    table = window.settings.profiles.table
    qtbot.waitUntil(lambda: table.rowCount() == 3 and table.item(2, 5).text() == "1")
    assert [table.item(row, 5).text() for row in range(3)] == ["4", "4", "1"]
    ws = reopen()
    enrollments = ws.enrollments(ws.automations()[0].id)
    assert [e.sender_profile_id for e in enrollments[:6]] == [ids["Anna"], ids["Bob"]] * 3
    assert [e.sender_profile_id for e in enrollments[6:]] == [ids["Anna"], ids["Bob"], ids["Lena"]]


def test_the_panel_slides_in_switches_and_slides_out(make_window, qtbot):
    window = make_window(_team)
    profiles, segment = (
        _profile_node(window),
        next(n for n, i in window.scene.nodes.items() if i.kind.value == "segment"),
    )
    open_panel(window, qtbot, profiles)
    assert window.settings.pages.currentWidget() is window.settings.profiles

    click(window.canvas.viewport(), title_point(window, segment))
    assert window.settings.node_id == segment
    assert window.settings.pages.currentWidget() is window.settings.segment

    qtbot.keyClick(window.canvas, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not window.settings.isVisible())

    open_panel(window, qtbot, profiles)
    qtbot.mouseClick(window.settings.close_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.settings.isVisible())

    open_panel(window, qtbot, profiles)
    click(
        window.canvas.viewport(), QPoint(window.canvas.viewport().width() - 20, window.canvas.viewport().height() - 20)
    )
    qtbot.waitUntil(lambda: not window.settings.isVisible())


def test_the_panel_width_is_dragged_and_remembered(make_window, qtbot):
    from tests.ui.gestures import drag

    window = make_window(_team)
    open_panel(window, qtbot, _profile_node(window))
    handle = window.splitter.handle(2)
    before = window.settings.width()
    drag(handle, QPoint(2, 100), QPoint(102, 100))
    qtbot.waitUntil(lambda: window.settings.width() < before - 80)
    narrower = window.settings.width()
    qtbot.keyClick(window.canvas, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not window.settings.isVisible())
    open_panel(window, qtbot, _profile_node(window))
    assert abs(window.settings.width() - narrower) <= 2


def test_the_panel_never_takes_more_room_than_the_canvas(make_window, qtbot):
    """However wide it was once dragged (a remembered width from a bigger screen), the canvas keeps half."""
    from PySide6.QtCore import QSettings

    from builder.ui.panels.settings_panel import WIDTH_KEY

    QSettings().setValue(WIDTH_KEY, 5000)
    window = make_window(_team)
    open_panel(window, qtbot, _profile_node(window))
    qtbot.waitUntil(lambda: window.slide.animation.state() != window.slide.animation.State.Running)
    assert window.settings.width() <= window.canvas.width() + 2


def test_start_is_refused_with_problems_and_a_problem_frames_its_node(make_window, reopen, qtbot):
    window = make_window(_team)
    bar = window.bar
    assert bar.problems.isVisible()
    assert bar.problems.item(0).text() == "⚠ Add a sender profile to 'Sender Profile 1' before starting."
    qtbot.mouseClick(bar.start_button, Qt.MouseButton.LeftButton)
    assert reopen().automations()[0].state.value == "draft"
    assert "Not started" in window.statusBar().currentMessage()

    rect = bar.problems.visualItemRect(bar.problems.item(0))
    click(bar.problems.viewport(), rect.center())
    assert [n.node_id for n in window.scene.selected_nodes()] == [_profile_node(window)]
    qtbot.waitUntil(lambda: window.settings.node_id == _profile_node(window))


def test_pause_resume_and_the_ignore_previous_interactions_switch(make_window, reopen, qtbot):
    window = make_window(_team)
    _add_two_and_start(window, qtbot, reopen)
    bar = window.bar
    qtbot.mouseClick(bar.pause_button, Qt.MouseButton.LeftButton)
    assert reopen().automations()[0].state.value == "paused"
    assert bar.badge.text() == "Paused" and bar.resume_button.isVisible()
    qtbot.mouseClick(bar.resume_button, Qt.MouseButton.LeftButton)
    assert reopen().automations()[0].state.value == "running"

    qtbot.mouseClick(bar.ignore, Qt.MouseButton.LeftButton)
    assert reopen().automations()[0].ignore_previous_interactions is True
    window.undo_action.trigger()
    assert reopen().automations()[0].ignore_previous_interactions is False


def test_segment_node_defines_a_segment_and_shows_its_members(make_window, reopen, qtbot):
    def prepare(ws):
        ws.add_contacts(
            [
                {"name": "Jo", "tags": ["cfo"]},
                {"name": "Kim", "tags": ["cfo", "saas"]},
                {"name": "Lou", "tags": ["cto"]},
            ]
        )
        automation = ws.create_automation("CFOs")
        ws.add_node(automation, "segment", x=0, y=0)

    window = make_window(prepare)
    (segment,) = window.scene.nodes
    open_panel(window, qtbot, segment)
    page = window.settings.segment
    qtbot.keyClicks(page.name, "CFOs")
    page.rule.setCurrentIndex(page.rule.findData("tags_any"))
    qtbot.keyClicks(page.values, "cfo")
    qtbot.mouseClick(page.create, Qt.MouseButton.LeftButton)

    (node,) = reopen().nodes(reopen().automations()[0].id)
    assert node.segment_id is not None
    assert reopen().segment_members(node.segment_id) == [1, 2]
    qtbot.waitUntil(lambda: page.members.text() == "2 contacts in this segment")
    window.undo_action.trigger()
    assert reopen().nodes(reopen().automations()[0].id)[0].segment_id is None


def test_wait_step_days_are_edited_in_the_panel(make_window, reopen, qtbot):
    window = make_window(_team)
    wait = next(n for n, i in window.scene.nodes.items() if i.kind.value == "wait")
    open_panel(window, qtbot, wait)
    box = window.settings.step.days
    box.selectAll()
    qtbot.keyClicks(box, "5")
    qtbot.keyClick(box, Qt.Key.Key_Return)
    automation = reopen().automations()[0].id
    assert next(n for n in reopen().nodes(automation) if n.id == wait).wait_days == 5
    assert window.scene.nodes[wait].lines == ["5 days"]


def test_undoing_a_removal_after_earlier_work_keeps_the_interaction_history(make_window, reopen, qtbot):
    window = make_window(_team)
    ids = _add_two_and_start(window, qtbot, reopen)
    (task, *_) = window.workspace.plan_today()[ids["Bob"]]
    window.workspace.mark_done(task.task_id)  # work done before the change
    remove_choosing(window, qtbot, "Bob", "cancelTasksButton")
    window.undo_action.trigger()
    ws = reopen()
    assert {a.name: a.state for a in ws.attachments(_profile_node(window))}["Bob"] is ProfileState.ACTIVE
    done = [t for t in ws.tasks(ws.automations()[0].id) if t.status is TaskStatus.DONE]
    assert [t.id for t in done] == [task.task_id]


def test_creating_an_automation_is_not_undone_once_it_has_started(make_window, reopen, qtbot):
    window = make_window()
    window.automations.create()
    automation = reopen().automations()[0].id
    _team_into(window.workspace, automation)
    window.workspace.start(automation)
    window.undo_action.trigger()
    assert [a.id for a in reopen().automations()] == [automation]
    assert "has started since it was created" in window.statusBar().currentMessage()


def _team_into(ws, automation):
    anna = ws.create_sender_profile("Anna")
    ws.add_contact("Jo", tags=["cto"])
    segment = ws.create_segment("CTOs", tags_any=["cto"])
    seg = ws.add_node(automation, "segment", segment_id=segment)
    node = ws.add_node(automation, "sender_profile", x=320)
    email = ws.add_node(automation, "email", x=640)
    ws.connect(seg, node)
    ws.connect(node, email)
    ws.attach_sender_profile(node, anna)
