"""Recording outcomes as a marketer does (SPEC §10, issue 13): on Today's tasks and on the Contacts page."""

from __future__ import annotations

from datetime import timedelta
from itertools import pairwise

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from builder.engine.words import EnrollmentStatus, Outcome, TaskStatus
from tests.store.builders import build_outreach
from tests.ui.conftest import TODAY
from tests.ui.gestures import click


def _running(ws) -> None:
    anna = ws.create_sender_profile("Anna", daily_limit=2)
    ws.add_contacts([{"name": f"Lead {i}", "tags": ["cto"]} for i in range(3)])
    flow = build_outreach(ws)
    ws.attach_sender_profile(flow.profile_node, anna)
    ws.start(flow.automation)


def _rows(tasks) -> list[str]:
    if tasks.tree.topLevelItemCount() == 0:
        return []
    top = tasks.tree.topLevelItem(0)
    return [top.child(i).text(0) for i in range(top.childCount())]


def _button(tasks, contact: str, name: str) -> QPushButton:
    top = tasks.tree.topLevelItem(0)
    row = next(top.child(i) for i in range(top.childCount()) if top.child(i).text(0) == contact)
    button = tasks.tree.itemWidget(row, 4).findChild(QPushButton, name)
    assert button is not None and button.isVisible()
    return button


def _lead0(ws):
    automation = ws.automations()[0].id
    contact = next(c for c, name in _names(ws).items() if name == "Lead 0")
    enrollment = next(e for e in ws.enrollments(automation) if e.contact_id == contact)
    tasks = [t.status for t in ws.tasks(automation) if t.contact_id == contact]
    return enrollment.status, tasks


def _names(ws) -> dict[int, str]:
    return {c.id: c.name for c in ws.contact_listings(ws.contact_ids())}


def test_a_reply_on_todays_tasks_cancels_the_contacts_tasks_and_ctrl_z_restores(make_window, qtbot, reopen):
    window = make_window(_running)
    bar = window.pages.tabBar()
    click(bar, bar.tabRect(2).center())
    tasks = window.tasks
    qtbot.waitUntil(lambda: _rows(tasks) == ["Lead 0", "Lead 1"])
    # A connect row offers Accepted and Replied; bouncing is for emails.
    assert tasks.tree.itemWidget(tasks.tree.topLevelItem(0).child(0), 4).findChild(QPushButton, "bouncedButton") is None

    qtbot.mouseClick(_button(tasks, "Lead 0", "repliedButton"), Qt.MouseButton.LeftButton)
    # Lead 0's tasks are canceled: its row goes, and the limit it freed brings Lead 2 in.
    qtbot.waitUntil(lambda: _rows(tasks) == ["Lead 1", "Lead 2"])
    assert window.statusBar().currentMessage() == "Lead 0 replied in 'CTO outreach'."
    assert _lead0(reopen()) == (EnrollmentStatus.REPLIED, [TaskStatus.CANCELED, TaskStatus.CANCELED])

    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: _rows(tasks) == ["Lead 0", "Lead 1"])
    assert _lead0(reopen()) == (EnrollmentStatus.ACTIVE, [TaskStatus.PENDING, TaskStatus.PENDING])

    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: _rows(tasks) == ["Lead 1", "Lead 2"])
    assert _lead0(reopen())[0] is EnrollmentStatus.REPLIED


def test_accepted_before_the_connect_is_done_is_refused_with_a_sentence(make_window, qtbot, reopen):
    window = make_window(_running)
    bar = window.pages.tabBar()
    click(bar, bar.tabRect(2).center())
    tasks = window.tasks
    qtbot.waitUntil(lambda: _rows(tasks) == ["Lead 0", "Lead 1"])
    qtbot.mouseClick(_button(tasks, "Lead 0", "acceptedButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "cannot have accepted yet" in window.statusBar().currentMessage())
    assert window.undo_stack.count() == 0
    assert reopen().outcomes() == []


def test_a_bounce_recorded_on_the_contacts_page_and_undone(make_window, qtbot, reopen):
    def prepare(ws) -> None:
        anna = ws.create_sender_profile("Anna", channel="email", daily_limit=5)
        ws.add_contacts([{"name": "Lead 0", "email": "l0@acme.test", "tags": ["cto"]}])
        segment = ws.create_segment("CTOs", tags_any=["cto"])
        automation = ws.create_automation("Mail CTOs")
        nodes = [ws.add_node(automation, "segment", segment_id=segment), ws.add_node(automation, "sender_profile")]
        nodes += [ws.add_node(automation, kind, wait_days=days) for kind, days in [("email", 0), ("wait", 2)]]
        nodes += [ws.add_node(automation, "email"), ws.add_node(automation, "linkedin_message")]
        for a, b in pairwise(nodes):
            ws.connect(a, b)
        ws.attach_sender_profile(nodes[1], anna)
        ws.start(automation)
        ws.mark_done(ws.tasks(automation)[0].id)

    window = make_window(prepare)
    bar = window.pages.tabBar()
    click(bar, bar.tabRect(1).center())
    crm = window.crm
    qtbot.waitUntil(lambda: crm.model.rowCount() == 1)
    box = crm.outcome_box
    assert not box.buttons[Outcome.BOUNCED].isEnabled()
    row = crm.table.visualRect(crm.model.index(0, 0)).center()
    qtbot.mouseClick(crm.table.viewport(), Qt.MouseButton.LeftButton, pos=row)
    qtbot.waitUntil(lambda: box.enrollments.count() == 1)
    assert box.enrollments.currentText() == "Mail CTOs — Anna (active)"
    qtbot.mouseClick(box.buttons[Outcome.BOUNCED], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.statusBar().currentMessage() == "An email to Lead 0 bounced in 'Mail CTOs'.")
    ws = reopen()
    automation = ws.automations()[0].id
    assert [(t.kind, t.status.value, t.due) for t in ws.tasks(automation)] == [
        ("email", "done", TODAY),
        ("email", "canceled", TODAY + timedelta(days=2)),
        ("linkedin_message", "pending", TODAY),
    ]
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: reopen().outcomes() == [])
    assert [(t.status.value, t.due) for t in reopen().tasks(automation)] == [
        ("done", TODAY),
        ("pending", TODAY + timedelta(days=2)),
        ("pending", None),
    ]


def test_importing_history_with_outcomes_is_one_undo_step(make_window, qtbot, reopen, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from builder.ui.dialogs.import_file import ImportDialog
    from tests.ui.test_settings_panel import when_dialog_opens

    def prepare(ws) -> None:
        _running(ws)
        with ws._write() as conn:  # the leads get addresses the file can name them by
            conn.exec_driver_sql("UPDATE contact SET email = 'lead' || (id - 1) || '@acme.test'")

    window = make_window(prepare)
    history = tmp_path / "replies.csv"
    history.write_text("Email,Sender Profile,Date,Outcome\nlead1@acme.test,Anna,2026-03-02,replied\n", encoding="utf-8")
    bar = window.pages.tabBar()
    click(bar, bar.tabRect(1).center())
    crm = window.crm
    qtbot.waitUntil(lambda: crm.model.rowCount() == 3)
    monkeypatch.setattr(crm, "_ask_file", lambda _title: str(history))
    seen: dict[str, str] = {}

    def map_and_import(dialog: ImportDialog) -> None:
        seen["outcome"] = dialog.columns["outcome"].currentText()
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
        when_dialog_opens(QMessageBox, lambda box: seen.setdefault("report", box.text()) and box.accept())

    when_dialog_opens(ImportDialog, map_and_import)
    qtbot.mouseClick(crm.import_interactions_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.undo_stack.count() == 1)
    assert seen == {"outcome": "Outcome", "report": "replies.csv: 0 interactions recorded, 1 outcome recorded."}

    def lead1(ws) -> EnrollmentStatus:
        automation = ws.automations()[0].id
        return next(e.status for e in ws.enrollments(automation) if _names(ws)[e.contact_id] == "Lead 1")

    assert lead1(reopen()) is EnrollmentStatus.REPLIED
    window.activateWindow()  # back from the import's dialogs
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.undo_stack.index() == 0)
    qtbot.waitUntil(lambda: reopen().outcomes() == [])
    assert lead1(reopen()) is EnrollmentStatus.ACTIVE
