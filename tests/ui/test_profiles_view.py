"""The Sender profiles page, used as a team lead would; checked in the reopened workspace."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from builder.ui.dialogs.profile_editor import SenderProfileEditor
from builder.ui.dialogs.remove_profile import RemoveProfileDialog
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
    qtbot.waitUntil(lambda: view.table.item(0, 2).text() == "120")
    assert reopen().sender_profiles()[0].daily_limit == 120
    assert window.statusBar().currentMessage() == "Saved Lena Vogt: LinkedIn, 120 a day, weight 1."

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
