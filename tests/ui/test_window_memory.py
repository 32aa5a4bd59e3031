"""The window remembers its layout between runs, keeps a log, and says its version (issue 7)."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox

from builder import __version__
from tests.ui.gestures import click
from tests.ui.test_settings_panel import when_dialog_opens


def test_the_layout_comes_back_in_the_next_window(make_window, qtbot):
    first = make_window()
    first.resize(1111, 777)
    bar = first.pages.tabBar()
    click(bar, bar.tabRect(1).center())
    qtbot.waitUntil(lambda: first.pages.currentIndex() == 1)
    first.close()
    from PySide6.QtCore import QSettings

    assert not QSettings().value("window/geometry").isEmpty()

    second = make_window()
    assert second.pages.currentIndex() == 1  # the Contacts page, as left
    assert not second.simulation_dock.isVisible()  # it goes with the automations page
    click(second.pages.tabBar(), second.pages.tabBar().tabRect(0).center())
    qtbot.waitUntil(second.simulation_dock.isVisible)


def test_about_says_the_version(make_window, qtbot):
    window = make_window()
    said: list[str] = []
    when_dialog_opens(QMessageBox, lambda box: (said.append(box.text()), box.accept()))
    window.about()
    assert __version__ in said[0]


def test_what_the_app_says_is_logged(make_window, qtbot, tmp_path, monkeypatch):
    import logging

    from builder.app_log import log

    records: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record.getMessage())

    handler = Keep()
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    try:
        window = make_window()
        window.show_message("Anna stays in this branch.")
    finally:
        log.removeHandler(handler)
    assert "said: Anna stays in this branch." in records


def test_the_window_follows_another_process_and_refuses_a_stale_edit(make_window, qtbot, reopen):
    from tests.store.builders import build_outreach

    window = make_window(lambda ws: build_outreach(ws))
    window.watch_other_processes()
    automation = window.automations.current
    other = reopen()  # another app on the same workspace file
    other.rename_automation(automation, "Renamed elsewhere")
    qtbot.waitUntil(lambda: window.automations.list.item(0).text() == "Renamed elsewhere", timeout=5000)
    assert window.statusBar().currentMessage() == "The workspace was changed elsewhere — reloaded."

    other.rename_automation(automation, "Renamed again")
    window.watch.stop()  # a stale view: the next edit here comes before the window looked
    node = next(iter(window.scene.nodes))
    window.editor.rename(node, "Stale title")
    qtbot.waitUntil(lambda: window.automations.list.item(0).text() == "Renamed again")
    assert window.statusBar().currentMessage().startswith("The workspace was changed elsewhere — reloaded.")
    assert reopen().automation(automation).name == "Renamed again"
    assert "Stale title" not in {n.title for n in reopen().nodes(automation)}
