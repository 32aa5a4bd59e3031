"""The Sender profiles page, used as a team lead would; checked in the reopened workspace."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from builder.engine.words import NodeKind
from builder.ui.dialogs.profile_editor import NO_LIMIT, SenderProfileEditor
from builder.ui.dialogs.remove_profile import RemoveProfileDialog
from builder.ui.limits_text import KIND_ORDER
from tests.store.builders import build_outreach
from tests.ui.gestures import click
from tests.ui.test_settings_panel import when_dialog_opens


def open_profiles(window, qtbot) -> None:
    bar = window.pages.tabBar()
    click(bar, bar.tabRect(3).center())
    qtbot.waitUntil(lambda: window.profiles.isVisible())


def choose_row(window, qtbot, row: int) -> None:
    table = window.profiles.table
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=table.visualItemRect(table.item(row, 0)).center())


def test_create_edit_delete_and_undo(make_window, qtbot, reopen):
    window = make_window()
    open_profiles(window, qtbot)
    view = window.profiles

    def fill(editor: SenderProfileEditor) -> None:
        qtbot.keyClicks(editor.name, "Lena Vogt")
        editor.limit.selectAll()
        qtbot.keyClicks(editor.limit, "80")
        qtbot.mouseClick(editor.ok_button, Qt.MouseButton.LeftButton)

    when_dialog_opens(SenderProfileEditor, fill)
    qtbot.mouseClick(view.new_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.table.rowCount() == 1)
    assert [(p.name, p.daily_limit) for p in reopen().sender_profiles()] == [("Lena Vogt", 80)]

    choose_row(window, qtbot, 0)

    def raise_limit(editor: SenderProfileEditor) -> None:
        editor.limit.selectAll()
        qtbot.keyClicks(editor.limit, "120")
        qtbot.mouseClick(editor.ok_button, Qt.MouseButton.LeftButton)

    when_dialog_opens(SenderProfileEditor, raise_limit)
    qtbot.mouseClick(view.edit_button, Qt.MouseButton.LeftButton)
    # A new LinkedIn profile started with LinkedIn's usual limits (SPEC §12), kept through the edit.
    linkedin = "connects 20/day, 100/wk; messages 50/day · Mon–Fri"
    qtbot.waitUntil(lambda: view.table.item(0, 2).text() == f"120/day · {linkedin}")
    assert reopen().sender_profiles()[0].daily_limit == 120
    assert window.statusBar().currentMessage() == f"Saved Lena Vogt: LinkedIn, 120 a day, weight 1 · {linkedin}."

    choose_row(window, qtbot, 0)
    when_dialog_opens(QMessageBox, lambda box: box.button(QMessageBox.StandardButton.Yes).click())
    qtbot.mouseClick(view.delete_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.table.rowCount() == 0)
    assert reopen().sender_profiles() == []
    assert window.statusBar().currentMessage() == "Deleted Lena Vogt; Edit ▸ Undo brings Lena Vogt back."

    window.undo_action.trigger()
    qtbot.waitUntil(lambda: view.table.rowCount() == 1)
    assert [(p.name, p.daily_limit) for p in reopen().sender_profiles()] == [("Lena Vogt", 120)]


def test_deleting_a_profile_in_a_running_automation_asks_the_removal_question_first(make_window, qtbot, reopen):
    def team(ws) -> None:
        anna = ws.create_sender_profile("Anna")
        flow = build_outreach(ws)
        ws.attach_sender_profile(flow.profile_node, anna)
        ws.start(flow.automation)

    window = make_window(team)
    open_profiles(window, qtbot)
    view = window.profiles
    assert view.table.item(0, 4).text() == "CTO outreach (active)"
    choose_row(window, qtbot, 0)
    asked: list[str] = []

    def cancel_tasks(dialog: RemoveProfileDialog) -> None:
        asked.append(dialog.windowTitle())
        dialog.cancel_button.click()
        when_dialog_opens(QMessageBox, lambda box: box.button(QMessageBox.StandardButton.Yes).click())

    when_dialog_opens(RemoveProfileDialog, cancel_tasks)
    qtbot.mouseClick(view.delete_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.table.rowCount() == 0)
    assert asked == ["Remove Anna?"]
    assert reopen().sender_profiles() == []
    window.undo_action.trigger()  # one step: Anna is back, active in the branch again
    qtbot.waitUntil(lambda: view.table.rowCount() == 1)
    assert view.table.item(0, 4).text() == "CTO outreach (active)"


def test_a_profile_with_history_is_kept_with_the_reason(make_window, qtbot, reopen):
    def worked(ws) -> None:
        anna = ws.create_sender_profile("Anna")
        (lead,) = ws.add_contacts([{"name": "Lead"}])
        ws.record_interaction(lead, anna)

    window = make_window(worked)
    open_profiles(window, qtbot)
    choose_row(window, qtbot, 0)
    said: list[str] = []
    when_dialog_opens(QMessageBox, lambda box: (said.append(box.text()), box.accept()))
    qtbot.mouseClick(window.profiles.delete_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(said))
    assert said[0].startswith("Anna has worked with contacts")
    assert [p.name for p in reopen().sender_profiles()] == ["Anna"]
    assert window.undo_stack.count() == 0


def _set(qtbot, box, value: str) -> None:
    box.selectAll()
    qtbot.keyClicks(box, value)


def test_a_new_linkedin_profile_is_prefilled_and_says_where_the_numbers_come_from(make_window, qtbot, reopen):
    window = make_window()
    open_profiles(window, qtbot)
    seen: dict[str, object] = {}

    def look_then_change(editor: SenderProfileEditor) -> None:
        connect, message, email = (editor.daily_boxes[k] for k in KIND_ORDER)
        seen["shown"] = (connect.isVisible(), message.isVisible(), email.isVisible())
        seen["tip"] = editor.per_action.toolTip()
        seen["days"] = [c.isChecked() for c in editor.day_checks]
        qtbot.keyClicks(editor.name, "Omar")
        _set(qtbot, connect, "15")
        _set(qtbot, editor.weekly_boxes[NodeKind.LINKEDIN_CONNECT], "80")
        _set(qtbot, message, "0")
        qtbot.mouseClick(editor.day_checks[4], Qt.MouseButton.LeftButton)  # no Fridays
        qtbot.mouseClick(editor.day_checks[5], Qt.MouseButton.LeftButton)  # Saturdays instead
        qtbot.mouseClick(editor.ok_button, Qt.MouseButton.LeftButton)

    when_dialog_opens(SenderProfileEditor, look_then_change)
    qtbot.mouseClick(window.profiles.new_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.profiles.table.rowCount() == 1)
    assert seen["shown"] == (True, True, False)  # a LinkedIn profile does no emails
    assert "Pre-filled" in str(seen["tip"]) and "100 a week" in str(seen["tip"])
    assert seen["days"] == [True] * 5 + [False] * 2

    (omar,) = reopen().sender_profiles()
    assert (omar.limits, omar.weekly_limits, omar.working_days) == (
        {"linkedin_connect": 15, "linkedin_message": 0},
        {"linkedin_connect": 80},
        (0, 1, 2, 3, 5),
    )
    assert window.profiles.table.item(0, 2).text() == "50/day · connects 15/day, 80/wk; messages 0/day · Mon–Thu, Sat"

    window.undo_action.trigger()  # the creation is one undo step
    qtbot.waitUntil(lambda: window.profiles.table.rowCount() == 0)
    assert reopen().sender_profiles() == []


def test_editing_limits_is_one_undo_step_and_shows_on_the_node_rows(make_window, qtbot, reopen):
    def team(ws) -> None:
        anna = ws.create_sender_profile("Anna", daily_limit=30)
        flow = build_outreach(ws)
        ws.attach_sender_profile(flow.profile_node, anna)

    window = make_window(team)
    open_profiles(window, qtbot)
    choose_row(window, qtbot, 0)

    def weekdays_only(editor: SenderProfileEditor) -> None:
        assert editor.daily_boxes[NodeKind.LINKEDIN_CONNECT].value() == NO_LIMIT  # an old profile: nothing set
        _set(qtbot, editor.weekly_boxes[NodeKind.LINKEDIN_CONNECT], "100")
        for day in (5, 6):
            qtbot.mouseClick(editor.day_checks[day], Qt.MouseButton.LeftButton)
        qtbot.mouseClick(editor.ok_button, Qt.MouseButton.LeftButton)

    when_dialog_opens(SenderProfileEditor, weekdays_only)
    qtbot.mouseClick(window.profiles.edit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.profiles.table.item(0, 2).text() == "30/day · connects 100/wk · Mon–Fri")
    (anna,) = reopen().sender_profiles()
    assert (anna.limits, anna.weekly_limits, anna.working_days) == ({}, {"linkedin_connect": 100}, (0, 1, 2, 3, 4))

    node = next(n for n, item in window.scene.nodes.items() if item.kind.value == "sender_profile")
    from tests.ui.test_settings_panel import open_panel

    bar = window.pages.tabBar()
    click(bar, bar.tabRect(0).center())  # back to the canvas
    qtbot.waitUntil(window.canvas.isVisible)
    open_panel(window, qtbot, node)
    assert window.settings.profiles.table.item(0, 4).text() == "30/day · connects 100/wk · Mon–Fri"

    window.undo_action.trigger()
    qtbot.waitUntil(lambda: window.settings.profiles.table.item(0, 4).text() == "30/day")
    (anna,) = reopen().sender_profiles()
    assert (anna.weekly_limits, anna.working_days) == ({}, (0, 1, 2, 3, 4, 5, 6))


def test_no_working_day_is_a_sentence_and_nothing_is_saved(make_window, qtbot, reopen):
    window = make_window(lambda ws: ws.create_sender_profile("Anna", daily_limit=30))
    open_profiles(window, qtbot)
    choose_row(window, qtbot, 0)
    said: list[str] = []

    def no_days(editor: SenderProfileEditor) -> None:
        for check in editor.day_checks:
            qtbot.mouseClick(check, Qt.MouseButton.LeftButton)
        qtbot.mouseClick(editor.ok_button, Qt.MouseButton.LeftButton)
        said.append(editor.problem.text())
        assert editor.isVisible()  # still open: the person can fix it
        editor.reject()

    when_dialog_opens(SenderProfileEditor, no_days)
    qtbot.mouseClick(window.profiles.edit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(said))
    assert said == ["Choose at least one working day."]
    assert reopen().sender_profiles()[0].working_days == (0, 1, 2, 3, 4, 5, 6)
    assert window.undo_stack.count() == 0
