"""No text sets the window's minimum size: it fits a 1280 × 720 screen on every page and in every state.

Long texts wrap or elide (with the whole text in a tooltip); a problem list of
500 lines, a long automation name or a forecast that cannot be computed never
push the window past the screen.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication, QMainWindow, QWidget

from builder.engine.words import NodeKind
from builder.store.demo import build_demo
from builder.ui.resources import style_sheet
from tests.store.builders import build_outreach

SCREEN_WIDTH, SCREEN_HEIGHT = 1280, 720
LONG_NAME = "Quarterly outreach to every founder, CTO and head of growth we met at the spring events " * 3


def window_minimum(window: QMainWindow) -> tuple[int, int]:
    """What the window really enforces: its own minimum, its hint, and its layout's effective minimum."""
    for _ in range(8):  # each layout that settles asks its parent's to settle next
        QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
    layout = window.layout()
    layout.activate()
    sizes = [window.minimumSizeHint(), window.minimumSize(), layout.minimumSize(), layout.totalMinimumSize()]
    return max(s.width() for s in sizes), max(s.height() for s in sizes)


def widest_widgets(window: QMainWindow) -> list[str]:
    """The shown widgets that alone ask for more than the screen, innermost first: the culprits."""
    found = []
    for widget in window.findChildren(QWidget):  # hidden ones too: a stack is as wide as its widest page
        hint = widget.minimumSizeHint().expandedTo(widget.minimumSize())
        if hint.width() > SCREEN_WIDTH or hint.height() > SCREEN_HEIGHT:
            name = widget.objectName() or type(widget).__name__
            found.append((-len(name), f"{name} ({hint.width()} × {hint.height()})", widget))
    inner = [text for _, text, w in found if not any(o is not w and w.isAncestorOf(o) for _, _, o in found)]
    return inner


def settled(window, qtbot) -> None:
    """The simulation pane has shown its result (or its sentence saying why not)."""
    pane = window.simulation
    qtbot.waitUntil(
        lambda: not pane.debounce.isActive() and not pane.worker.busy and not pane.status.text().startswith("Comput")
    )


def assert_fits_on_every_page(window, qtbot, state: str) -> None:
    settled(window, qtbot)
    for index in range(window.pages.count()):
        window.pages.setCurrentIndex(index)
        width, height = window_minimum(window)
        page = window.pages.tabText(index)
        assert width <= SCREEN_WIDTH and height <= SCREEN_HEIGHT, (
            f"{state}, page '{page}': the window needs {width} × {height} px because of {widest_widgets(window)}"
        )
    window.pages.setCurrentIndex(0)


def test_the_empty_workspace_fits(make_window, qtbot):
    window = make_window()
    assert_fits_on_every_page(window, qtbot, "empty workspace")


def test_the_demo_fits_with_the_settings_panel_on_each_node(make_window, qtbot):
    window = make_window(build_demo)
    assert_fits_on_every_page(window, qtbot, "demo")
    for kind in (NodeKind.SEGMENT, NodeKind.SENDER_PROFILE, NodeKind.WAIT):
        node = next(n for n, item in window.scene.nodes.items() if item.kind is kind)
        window.open_settings(node, animated=False)
        assert window.settings.node_id == node
        assert_fits_on_every_page(window, qtbot, f"demo, settings of a {kind.label} node")


def _draft_with_many_problems(ws) -> None:
    for name in ("Anna", "Bob", LONG_NAME):
        ws.create_sender_profile(name, daily_limit=10)
    ws.add_contacts([{"name": LONG_NAME, "company": LONG_NAME, "tags": ["cto", LONG_NAME[:40]]}])
    outreach = build_outreach(ws, name=LONG_NAME)
    ws.attach_sender_profile(outreach.profile_node, ws.sender_profiles()[-1].id)
    ws.disconnect(outreach.profile_node, outreach.steps[0])
    long_title = "A-step-title-with-no-spaces-at-all-" * 8
    for i in range(12):
        ws.add_node(outreach.automation, "linkedin_message", title=f"{long_title}{i}", x=i * 40, y=400)


def test_a_draft_with_many_problems_and_long_names_fits(make_window, qtbot):
    window = make_window(_draft_with_many_problems)
    assert window.bar.problems.count() > 10
    window.show_message(LONG_NAME * 4)  # a long sentence in the status bar
    assert_fits_on_every_page(window, qtbot, "draft with many problems")
    assert window.simulation.status.toolTip().startswith("Fix the ")
    for kind in (NodeKind.LINKEDIN_MESSAGE, NodeKind.SENDER_PROFILE, NodeKind.SEGMENT):
        node = next(n for n, item in window.scene.nodes.items() if item.kind is kind)
        window.open_settings(node, animated=False)
        assert_fits_on_every_page(window, qtbot, f"draft, settings of a {kind.label} node with long names")


def _five_hundred_nodes(ws) -> None:
    automation = ws.create_automation("Five hundred steps")
    segment = ws.create_segment("Everyone", tags_any=["cto"])
    ws.add_node(automation, "segment", segment_id=segment)
    for i in range(499):
        ws.add_node(automation, "linkedin_message", x=(i % 25) * 320, y=(i // 25) * 160)


def test_a_500_node_automation_fits(make_window, qtbot):
    window = make_window(_five_hundred_nodes)
    assert window.bar.problems.count() >= 499
    assert_fits_on_every_page(window, qtbot, "500-node automation")


def _all_columns_show(table, qtbot) -> None:
    """Every column within the viewport, no horizontal scrollbar, every row shown."""
    qtbot.waitUntil(lambda: not table.horizontalScrollBar().isVisible())  # once the layout has settled
    header = table.horizontalHeader()
    last = max(range(header.count()), key=header.sectionViewportPosition)
    right = header.sectionViewportPosition(last) + header.sectionSize(last)
    assert right <= table.viewport().width(), (right, table.viewport().width())
    assert table.verticalHeader().length() <= table.viewport().height()


@pytest.mark.parametrize("size", [(1600, 1000), (1440, 900)], ids=["1600x1000", "first-run-1440x900"])
def test_the_demos_tables_show_every_column_and_row(make_window, qtbot, size):
    """At a big window and at the size the app first opens at on a 1600 × 1000 screen."""
    app = QApplication.instance()
    app.setStyleSheet(style_sheet())  # as the app looks: padding changes what fits
    try:
        _tables_show_everything(make_window(build_demo), qtbot, size)
    finally:
        app.setStyleSheet("")


def _tables_show_everything(window, qtbot, size: tuple[int, int]) -> None:
    window.resize(*size)
    window.show_first_sender_profile_node()  # at the panel's default width
    pane, profiles = window.simulation, window.settings.profiles
    qtbot.waitUntil(lambda: pane.table.rowCount() == 5 and not pane.status.text().startswith("Comput"))
    _all_columns_show(profiles.table, qtbot)
    what_if = profiles.table.cellWidget(0, profiles.table.columnCount() - 1)
    assert what_if.text() == "What if…" and what_if.isVisible()
    assert what_if.width() >= what_if.sizeHint().width()  # its text whole
    assert (
        what_if.mapTo(profiles.table.viewport(), what_if.rect().bottomRight()).x() <= profiles.table.viewport().width()
    )
    names = profiles.table.horizontalHeader().sectionSize(0)
    assert names >= profiles.table.fontMetrics().horizontalAdvance("Omar Haddad")
    _all_columns_show(pane.table, qtbot)
    assert pane.table.rowCount() == 5
    for column in range(pane.table.columnCount()):  # no header clipped: "Even distribution" whole
        text = pane.table.horizontalHeaderItem(column).text()
        widest = max(pane.table.fontMetrics().horizontalAdvance(line) for line in text.splitlines())
        assert pane.table.horizontalHeader().sectionSize(column) >= widest, text


def test_a_short_automation_name_is_shown_whole_not_squeezed_away(make_window, qtbot):
    """Eliding is for names too long for the bar: a normal one is there in full, in the style sheet's font."""
    app = QApplication.instance()
    app.setStyleSheet(style_sheet())
    try:
        window = make_window(build_demo)
        name = window.bar.name
        qtbot.waitUntil(lambda: name.text() == "Q3 founders and CTOs")
        QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
        assert name.isVisible() and not name.is_elided()
        assert name.width() >= name.fontMetrics().horizontalAdvance(name.text())
    finally:
        app.setStyleSheet("")
