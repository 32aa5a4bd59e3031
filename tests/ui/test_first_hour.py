"""Issue 11, "the first hour of a marketer": screens that say what they show, and what was done."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QLabel, QStyle, QStyleOptionComboBox, QToolButton, QWidget

from builder.ui.resources import style_sheet
from tests.ui.test_settings_panel import (
    _add_two_and_start,
    _profile_node,
    _team,
    add_through_picker,
    open_panel,
    remove_choosing,
)


def _background(button: QWidget) -> tuple[int, int, int]:
    """The colour a button is filled with, in the middle of its top edge (above its text)."""
    image = button.grab().toImage()
    colour = image.pixelColor(QPoint(image.width() // 2, 3 * round(button.devicePixelRatioF())))
    return colour.red(), colour.green(), colour.blue()


def test_a_disabled_button_never_looks_like_an_enabled_one(make_window, qtbot):
    app = QApplication.instance()
    app.setStyleSheet(style_sheet())
    try:
        window = make_window(_team)  # a draft is open: its bar's buttons can be enabled
        buttons = [
            window.bar.start_button,  # a filled button (Start, Pause, Resume, …)
            window.empty.scratch_button,  # the outlined one
            window.automations.findChild(QToolButton, "renameAutomationButton"),  # a tool button
        ]
        for button in buttons:
            button.setEnabled(True)
            enabled = _background(button), button.grab().toImage()
            button.setEnabled(False)
            disabled = _background(button), button.grab().toImage()
            assert enabled[0] != disabled[0], f"{button.objectName()} is filled the same when disabled"
            assert enabled[1] != disabled[1]
    finally:
        app.setStyleSheet("")


def test_the_welcome_text_is_whole_and_covers_the_canvas(make_window, qtbot):
    window = make_window()
    assert window.empty.isVisible()
    for name in ("welcomeTitle", "welcomeText"):
        label = window.empty.findChild(QLabel, name)
        needed = label.heightForWidth(label.width()) if label.wordWrap() else label.sizeHint().height()
        assert label.height() >= needed, f"{name} is clipped: {label.height()} px of {needed}"
        assert window.empty.rect().contains(label.geometry())
    window.resize(1500, 900)
    qtbot.waitUntil(lambda: window.empty.geometry() == window.canvas.rect())
    window.splitter.setSizes([300, 900, 0])
    qtbot.waitUntil(lambda: window.empty.geometry() == window.canvas.rect())


def test_the_status_bar_says_what_adding_profiles_did(make_window, qtbot):
    window = make_window(_team)
    open_panel(window, qtbot, _profile_node(window))
    add_through_picker(window, qtbot, ["Anna", "Bob"])
    qtbot.waitUntil(lambda: window.settings.profiles.table.rowCount() == 2)
    assert window.statusBar().currentMessage() == "Added Anna and Bob to 'Sender Profile 1'."


def test_the_status_bar_says_what_removing_with_continue_did(make_window, reopen, qtbot):
    window = make_window(_team)
    _add_two_and_start(window, qtbot, reopen)
    remove_choosing(window, qtbot, "Bob", "continueTasksButton")
    qtbot.waitUntil(lambda: window.settings.profiles.table.item(1, 2).text() == "draining")
    assert window.statusBar().currentMessage() == "Bob finishes the 6 pending tasks here and takes no new contacts."


def test_the_status_bar_says_what_removing_with_cancel_did(make_window, reopen, qtbot):
    window = make_window(_team)
    _add_two_and_start(window, qtbot, reopen)
    remove_choosing(window, qtbot, "Bob", "cancelTasksButton")
    qtbot.waitUntil(lambda: window.settings.profiles.table.item(1, 2).text() == "removed")
    assert window.statusBar().currentMessage() == "Bob's 6 pending tasks were canceled; Bob takes no new contacts."


def test_the_crm_filters_show_their_any_choice_whole(make_window, qtbot):
    from builder.store.demo import build_demo

    window = make_window(lambda ws: build_demo(ws, contacts=200))
    window.pages.setCurrentWidget(window.crm_tab)
    crm = window.crm
    qtbot.waitUntil(lambda: crm.segment_filter.count() > 1)
    for combo, text in ((crm.segment_filter, "Any segment"), (crm.tag_filter, "Any tag")):
        assert combo.currentText() == text
        option = QStyleOptionComboBox()
        combo.initStyleOption(option)
        field = combo.style().subControlRect(
            QStyle.ComplexControl.CC_ComboBox, option, QStyle.SubControl.SC_ComboBoxEditField, combo
        )
        assert field.width() >= combo.fontMetrics().horizontalAdvance(text), f"'{text}' is clipped"


def test_the_status_bar_says_what_a_steps_setting_did(make_window, qtbot):
    window = make_window(_team)
    wait = next(n for n, i in window.scene.nodes.items() if i.kind.value == "wait")
    open_panel(window, qtbot, wait)
    box = window.settings.step.days
    box.selectAll()
    qtbot.keyClicks(box, "5")
    qtbot.keyClick(box, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.scene.nodes[wait].lines == ["5 days"])
    assert window.statusBar().currentMessage() == "'Wait 1' now waits 5 days."


def test_the_status_bar_says_what_choosing_a_segment_did(make_window, qtbot):
    def prepare(ws):
        ws.add_contacts([{"name": "Jo", "tags": ["cfo"]}])
        ws.create_segment("CFOs", tags_any=["cfo"])
        automation = ws.create_automation("CFOs")
        ws.add_node(automation, "segment", x=0, y=0)

    window = make_window(prepare)
    (segment,) = window.scene.nodes
    open_panel(window, qtbot, segment)
    choice = window.settings.segment.choice
    qtbot.keyClick(choice, Qt.Key.Key_Down)  # from "— choose a segment —" to the first segment
    qtbot.waitUntil(lambda: window.statusBar().currentMessage() == "'Segment 1' now contacts the segment 'CFOs'.")
