"""The CRM page used as a marketer would: search, select, Mass Actions, then a running automation.

Each test checks the workspace file after reopening it.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt

from builder.engine.words import Reason
from tests.store.builders import build_outreach
from tests.ui.gestures import click


def _running_team(ws) -> None:
    anna = ws.create_sender_profile("Anna", daily_limit=10)
    bob = ws.create_sender_profile("Bob", daily_limit=10)
    flow = build_outreach(ws)  # Segment: tagged "cto"
    for profile in (anna, bob):
        ws.attach_sender_profile(flow.profile_node, profile)
    ws.start(flow.automation)  # nobody is tagged "cto" yet
    ws.add_contacts([{"name": f"Lead {i}", "email": f"lead{i}@example.com"} for i in range(6)])


def open_contacts(window, qtbot) -> None:
    bar = window.pages.tabBar()
    click(bar, bar.tabRect(1).center())
    qtbot.waitUntil(lambda: window.crm.isVisible() and window.crm.model.rowCount() > 0)


def row_point(window, row: int) -> QPoint:
    table = window.crm.table
    return table.visualRect(window.crm.model.index(row, 0)).center()


def test_pinned_contacts_go_to_their_profile_when_they_join_a_running_segment(make_window, qtbot, reopen):
    window = make_window(_running_team)
    open_contacts(window, qtbot)
    crm, viewport = window.crm, window.crm.table.viewport()
    qtbot.waitUntil(lambda: crm.found.text() == "6 contacts")

    qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=row_point(window, 0))
    qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ShiftModifier, row_point(window, 2))
    qtbot.waitUntil(lambda: crm.mass.count.text() == "3 contacts selected.")
    crm.mass.profiles.setFocus()
    qtbot.keyClicks(crm.mass.profiles, "Bob")
    assert crm.mass.profiles.currentText() == "Bob (LinkedIn)"
    qtbot.waitUntil(lambda: crm.mass.override_preview.text() == "3 of 3 selected contacts would be pinned to Bob.")
    qtbot.mouseClick(crm.mass.set_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: crm.model.data(crm.model.index(2, 5)) == "Bob")
    assert window.statusBar().currentMessage() == "3 of 3 selected contacts are now pinned to Bob."

    qtbot.mouseClick(crm.select_all_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: crm.mass.count.text() == "6 contacts selected.")
    qtbot.keyClicks(crm.mass.tag, "cto")
    qtbot.mouseClick(crm.mass.add_tag_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: crm.model.data(crm.model.index(5, 4)) == "cto")

    ws = reopen()
    automation = ws.automations()[0].id
    names = {p.name: p.id for p in ws.sender_profiles()}
    got = [(e.contact_id, e.sender_profile_id, e.reason) for e in ws.enrollments(automation)]
    assert [(p, r) for _, p, r in got[:3]] == [(names["Bob"], Reason.OVERRIDE)] * 3
    assert [(p, r) for _, p, r in got[3:]] == [
        (names["Anna"], Reason.EVEN_DISTRIBUTION),
        (names["Bob"], Reason.EVEN_DISTRIBUTION),
        (names["Anna"], Reason.EVEN_DISTRIBUTION),
    ]


def test_search_narrows_the_table_and_undo_takes_the_pins_back(make_window, qtbot, reopen):
    window = make_window(_running_team)
    open_contacts(window, qtbot)
    crm = window.crm
    crm.search.setFocus()
    qtbot.keyClicks(crm.search, "lead4")
    qtbot.waitUntil(lambda: crm.found.text() == "1 contact")
    qtbot.mouseClick(crm.table.viewport(), Qt.MouseButton.LeftButton, pos=row_point(window, 0))
    qtbot.waitUntil(lambda: crm.mass.count.text() == "1 contact selected.")
    qtbot.mouseClick(crm.mass.set_button, Qt.MouseButton.LeftButton)  # the first profile: Anna
    qtbot.waitUntil(lambda: crm.model.data(crm.model.index(0, 5)) == "Anna")
    lead4 = crm.model.id_of_row(0)
    assert reopen().override_state([lead4]) == {lead4: reopen().sender_profiles()[0].id}

    window.undo_action.trigger()
    qtbot.waitUntil(lambda: crm.model.data(crm.model.index(0, 5)) == "")
    assert reopen().override_state([lead4]) == {lead4: None}


def test_importing_a_hubspot_export_through_the_dialog(make_window, qtbot, reopen, monkeypatch):
    from pathlib import Path

    from PySide6.QtWidgets import QMessageBox

    from builder.ui.dialogs.import_file import ImportDialog
    from tests.ui.test_settings_panel import when_dialog_opens

    data = Path(__file__).resolve().parents[1] / "data"
    window = make_window(_running_team)
    open_contacts(window, qtbot)
    crm = window.crm
    monkeypatch.setattr(crm, "_ask_file", lambda _title: str(data / "hubspot-contacts.csv"))
    seen: dict[str, str] = {}

    def map_and_import(dialog: ImportDialog) -> None:
        seen["email"] = dialog.columns["email"].currentText()
        seen["company"] = dialog.columns["company"].currentText()
        qtbot.keyClicks(dialog.tags, "cto")  # everyone joins the running automation's segment
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
        when_dialog_opens(QMessageBox, lambda box: seen.setdefault("report", box.text()) and box.accept())

    when_dialog_opens(ImportDialog, map_and_import)
    qtbot.mouseClick(crm.import_contacts_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: crm.found.text() == "10 contacts")
    assert seen == {
        "email": "Email",
        "company": "Company Name",
        "report": "hubspot-contacts.csv: 4 new contacts, 0 known updated, 0 known unchanged, 1 repeated row merged.",
    }
    ws = reopen()
    automation = ws.automations()[0].id
    assert len(ws.enrollments(automation)) == 4  # tagged "cto" on the way in: enrolled at once
