"""A step's message written in the settings panel, and a LinkedIn task done by hand (SPEC §11), used as a marketer would."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication

from tests.store.builders import build_outreach
from tests.ui.gestures import click
from tests.ui.test_settings_panel import open_panel

NOTE = "Hi {{first_name|there}}, glad to connect. {{sender_first_name}}"


def _draft(ws):
    anna = ws.create_sender_profile("Anna Berg", daily_limit=10)
    ws.add_contacts(
        [
            {
                "name": "Noah Rossi",
                "company": "Tallyhive",
                "tags": ["cto"],
                "linkedin_url": "https://www.linkedin.com/in/noah",
            },
            {"name": "Ava", "tags": ["cto"]},
        ]
    )
    flow = build_outreach(ws)
    ws.attach_sender_profile(flow.profile_node, anna)
    return flow


def _running(ws):
    flow = _draft(ws)
    ws.set_node_settings(flow.steps[0], {"text": NOTE})
    ws.set_node_settings(flow.steps[2], {"text": "Thanks {{first_name}}!"})
    ws.start(flow.automation)


def focus_on(qtbot, editor) -> None:
    """Click into an editor, as a marketer does before typing."""
    qtbot.mouseClick(editor.viewport(), Qt.MouseButton.LeftButton)
    if not editor.hasFocus():  # a click does not always move the focus in an offscreen window
        editor.setFocus()
    qtbot.waitUntil(editor.hasFocus)


def _node(window, kind: str) -> int:
    return next(n for n, item in window.scene.nodes.items() if item.kind.value == kind)


def _bar_lines(window) -> list[str]:
    return [window.bar.problems.item(i).text() for i in range(window.bar.problems.count())]


def test_a_message_typed_with_a_variable_is_saved_as_one_step_and_previewed(make_window, reopen, qtbot):
    window = make_window(_draft)
    message = _node(window, "linkedin_message")
    assert "✎ Write the message of 'LinkedIn message 1' before starting." in _bar_lines(window)
    card = window.scene.nodes[message]  # the card is marked too, and says why when pointed at
    assert card.problem == ("✎", "✎ Write the message of 'LinkedIn message 1' before starting.")
    assert card.toolTip().endswith("✎ Write the message of 'LinkedIn message 1' before starting.")
    open_panel(window, qtbot, message)
    editor = window.settings.step.message
    assert editor.isVisible() and not editor.subject.isVisible()
    assert editor.contact.currentText() == "Noah Rossi"  # the segment's first contact
    steps = window.undo_stack.count()
    focus_on(qtbot, editor.text)
    qtbot.keyClicks(editor.text, "Thanks ")
    editor.variables.menu().findChild(type(editor.variables.menu().actions()[0]), "insert_first_name").trigger()
    qtbot.keyClicks(editor.text, ", how is {{company|your team}}?")
    assert editor.preview.text() == "Thanks Noah, how is Tallyhive?"
    assert editor.lacking.text() == "1 contact has no company: they get 'your team'."
    editor.contact.setCurrentIndex(1)
    assert editor.preview.text() == "Thanks Ava, how is your team?"

    # Saved after a pause in typing, as one undoable step.
    written = "Thanks {{first_name}}, how is {{company|your team}}?"
    qtbot.waitUntil(lambda: reopen().node_settings(message) == {"text": written})
    assert window.undo_stack.count() == steps + 1
    assert not [line for line in _bar_lines(window) if "LinkedIn message 1" in line]
    assert card.problem is None and "✎" not in card.toolTip()
    assert editor.contact.currentText() == "Ava"  # the reload keeps the contact chosen
    window.undo_stack.undo()
    assert reopen().node_settings(message) == {}
    qtbot.waitUntil(lambda: editor.text.toPlainText() == "")


def test_an_unknown_variable_is_a_problem_on_the_node_in_the_automation_bar(make_window, reopen, qtbot):
    window = make_window(_draft)
    message = _node(window, "linkedin_message")
    open_panel(window, qtbot, message)
    editor = window.settings.step.message
    focus_on(qtbot, editor.text)
    qtbot.keyClicks(editor.text, "Hi {{firstname}}")
    assert "There is no variable '{{firstname}}'" in editor.problems.text()
    assert editor.preview.text() == "(the preview shows once the variables are fixed)"
    window.bar.name.setFocus()  # leaving the editor saves at once, before any pause
    assert reopen().node_settings(message) == {"text": "Hi {{firstname}}"}
    problem = "⚠ There is no variable '{{firstname}}' at character 4 of the message of 'LinkedIn message 1'"
    qtbot.waitUntil(lambda: any(line.startswith(problem) for line in _bar_lines(window)))
    assert reopen().node_settings(message) == {"text": "Hi {{firstname}}"}
    mark = window.scene.nodes[message].problem  # refused, not only asked for: the card's mark says so
    assert mark is not None and mark[0] == "⚠" and problem in mark[1]
    item = next(
        window.bar.problems.item(i)
        for i in range(window.bar.problems.count())
        if problem[2:] in window.bar.problems.item(i).text()
    )
    assert item.data(Qt.ItemDataRole.UserRole) == message
    qtbot.mouseClick(window.bar.start_button, Qt.MouseButton.LeftButton)
    assert reopen().automations()[0].state.value == "draft"


def test_a_connect_note_of_301_characters_is_a_problem(make_window, reopen, qtbot):
    window = make_window(_draft)
    connect = _node(window, "linkedin_connect")
    open_panel(window, qtbot, connect)
    editor = window.settings.step.message
    focus_on(qtbot, editor.text)
    qtbot.keyClicks(editor.text, "x" * 301)
    assert editor.length.text() == "301 of 300 characters for this contact"
    window.bar.name.setFocus()
    problem = (
        "⚠ Shorten the connect note of 'LinkedIn connect 1': LinkedIn takes 300 characters, "
        "and it has 301 without its variables."
    )
    qtbot.waitUntil(lambda: problem in _bar_lines(window))
    assert reopen().node_settings(connect) == {"text": "x" * 301}


def test_a_connect_note_too_long_for_some_contacts_says_how_many(make_window, qtbot):
    window = make_window(_draft)
    connect = _node(window, "linkedin_connect")
    open_panel(window, qtbot, connect)
    editor = window.settings.step.message
    focus_on(qtbot, editor.text)
    qtbot.keyClicks(editor.text, "x" * 292 + "{{company}}")
    window.bar.name.setFocus()
    qtbot.waitUntil(lambda: "1 contact go over 300" in editor.length.text())
    assert editor.length.text() == "301 of 300 characters for this contact · 1 contact go over 300"
    assert any("over 300 characters once filled in for 1 contact" in line for line in _bar_lines(window))


def _linkedin_row(window, qtbot, name: str):
    bar = window.pages.tabBar()
    click(bar, bar.tabRect(2).center())
    tasks = window.tasks
    qtbot.waitUntil(lambda: tasks.tree.topLevelItemCount() == 1)
    anna = tasks.tree.topLevelItem(0)
    item = next(anna.child(i) for i in range(anna.childCount()) if anna.child(i).text(0) == name)
    return tasks.tree.itemWidget(item, 4)


def test_copy_message_puts_the_filled_in_note_on_the_clipboard(make_window, qtbot):
    window = make_window(_running)
    row = _linkedin_row(window, qtbot, "Noah Rossi")
    QApplication.clipboard().clear()
    qtbot.mouseClick(row.findChild(type(window.tasks.done_button), "copyMessageButton"), Qt.MouseButton.LeftButton)
    assert QApplication.clipboard().text() == "Hi Noah, glad to connect. Anna"
    assert window.statusBar().currentMessage().startswith("Copied the message for Noah Rossi")


def test_open_profile_opens_the_contacts_linkedin_url_and_is_off_without_one(make_window, qtbot, monkeypatch):
    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toString()) or True)
    window = make_window(_running)
    row = _linkedin_row(window, qtbot, "Noah Rossi")
    button = row.findChild(type(window.tasks.done_button), "openProfileButton")
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert opened == ["https://www.linkedin.com/in/noah"]
    ava = _linkedin_row(window, qtbot, "Ava").findChild(type(window.tasks.done_button), "openProfileButton")
    assert not ava.isEnabled() and ava.toolTip() == "Ava has no LinkedIn profile in the CRM"
