"""Removing a sender profile with "move" (SPEC §12) from the running demo, as a marketer would.

Each test clicks through the real panel and dialog, then checks the workspace
file as a restarted app would see it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton

from builder.engine.words import ProfileState, TaskStatus
from builder.store.demo import build_demo
from builder.ui.dialogs.remove_profile import RemoveProfileDialog
from tests.store.builders import build_outreach
from tests.ui.test_settings_panel import open_panel, when_dialog_opens

OMAR = "Omar Haddad"


def _demo_with_work_done(ws) -> None:
    """The demo, with Omar's first three tasks of today done: those contacts stay with him."""
    build_demo(ws, contacts=600)
    omar = next(p.id for p in ws.sender_profiles() if p.name == OMAR)
    for task in ws.plan_today()[omar][:3]:
        ws.mark_done(task.task_id)


def _founders_team(window) -> int:
    return next(n for n, item in window.scene.nodes.items() if item.title == "Founders: team")


def _branch(ws, node: int):
    automation = ws.automations()[0].id
    enrollments = {e.id: e for e in ws.enrollments(automation) if e.branch_node_id == node}
    tasks = [t for t in ws.tasks(automation) if t.enrollment_id in enrollments]
    return enrollments, tasks


def _remove_choosing(window, qtbot, name: str, seen: dict) -> None:
    def choose(dialog: RemoveProfileDialog) -> None:
        button = dialog.findChild(QPushButton, "moveContactsButton")
        seen["text"], seen["enabled"] = button.text(), button.isEnabled()
        seen["refusal"] = dialog.findChild(QLabel, "moveRefusal")
        seen["refusal_text"] = seen["refusal"].text()
        seen["refusal_shown"] = not seen["refusal"].isHidden()
        seen["tooltip"] = button.toolTip()
        if button.isEnabled():
            qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        else:
            qtbot.mouseClick(dialog.findChild(QPushButton, "keepProfileButton"), Qt.MouseButton.LeftButton)

    when_dialog_opens(RemoveProfileDialog, choose)
    qtbot.mouseClick(window.settings.profiles.button_for(name), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "text" in seen)


def test_moving_the_contacts_omar_has_not_contacted_on_the_running_demo_and_undoing_it(make_window, reopen, qtbot):
    window = make_window(_demo_with_work_done)
    node = _founders_team(window)
    before_ws = reopen()
    ids = {p.name: p.id for p in before_ws.sender_profiles()}
    omar = ids[OMAR]
    before_enrollments, before_tasks = _branch(before_ws, node)
    contacted = {t.enrollment_id for t in before_tasks if t.status is TaskStatus.DONE and t.sender_profile_id == omar}
    omars = {e for e, row in before_enrollments.items() if row.sender_profile_id == omar}
    assert len(contacted) == 3 and len(omars) > 3

    open_panel(window, qtbot, node)
    seen: dict = {}
    _remove_choosing(window, qtbot, OMAR, seen)
    moving = len(omars) - 3
    assert seen["enabled"] and not seen["refusal_shown"]
    assert seen["text"] == (
        f"Move the {moving:,} contacts {OMAR} has not contacted yet to Anna Berg and Mark Ruiz; "
        f"{OMAR} finishes the 3 conversations already started"
    )
    message = window.statusBar().currentMessage()
    assert message.startswith(f"Moved {moving:,} contacts {OMAR} had not contacted yet to Anna Berg and Mark Ruiz")

    after_ws = reopen()
    enrollments, tasks = _branch(after_ws, node)
    for enrollment in omars:
        expected = {omar} if enrollment in contacted else {ids["Anna Berg"], ids["Mark Ruiz"]}
        assert enrollments[enrollment].sender_profile_id in expected
    moved_to = {enrollments[e].sender_profile_id for e in omars - contacted}
    assert moved_to == {ids["Anna Berg"], ids["Mark Ruiz"]}
    # Their tasks went with them, keeping their due days; nothing else changed.
    before_by_id = {t.id: t for t in before_tasks}
    for task in tasks:
        old = before_by_id[task.id]
        assert (task.due, task.status, task.step_index) == (old.due, old.status, old.step_index)
        if task.enrollment_id in omars - contacted and task.status is TaskStatus.PENDING:
            assert task.sender_profile_id == enrollments[task.enrollment_id].sender_profile_id
        else:
            assert task.sender_profile_id == old.sender_profile_id
    states = {a.name: a.state for a in after_ws.attachments(node)}
    assert states[OMAR] is ProfileState.DRAINING

    # One undo step puts everything back as it was.
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    undone_ws = reopen()
    assert _branch(undone_ws, node) == (before_enrollments, before_tasks)
    assert {a.name: a.state for a in undone_ws.attachments(node)}[OMAR] is ProfileState.ACTIVE


def test_move_is_disabled_with_the_reason_when_no_other_profile_is_active(make_window, reopen, qtbot):
    def alone(ws) -> None:
        anna = ws.create_sender_profile("Anna", daily_limit=10)
        ws.add_contacts([{"name": f"Lead {i}", "tags": ["cto"]} for i in range(4)])
        flow = build_outreach(ws)
        ws.attach_sender_profile(flow.profile_node, anna)
        ws.start(flow.automation)

    window = make_window(alone)
    node = next(n for n, item in window.scene.nodes.items() if item.kind.value == "sender_profile")
    before = _branch(reopen(), node)
    open_panel(window, qtbot, node)
    seen: dict = {}
    _remove_choosing(window, qtbot, "Anna", seen)
    assert not seen["enabled"]
    assert seen["refusal_shown"] and "no other sender profile" in seen["refusal_text"]
    assert seen["tooltip"] == seen["refusal_text"]
    assert _branch(reopen(), node) == before
