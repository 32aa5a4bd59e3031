"""The canvas as a marketer uses it, checked in the workspace file after reopening it."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt

from builder.engine.words import NodeKind
from tests.ui.gestures import click, double_click_in_palette, drag, drop_from_palette, port_point, title_point


def _draft(ws):
    return ws.create_automation("CTO outreach")


def _node_ids(window) -> set[int]:
    return set(window.scene.nodes)


def _drop(window, kind, at) -> int:
    before = _node_ids(window)
    drop_from_palette(window, kind, at)
    (new,) = _node_ids(window) - before
    return new


def test_build_connect_move_delete_then_undo_and_redo_everything(make_window, reopen, qtbot):
    window = make_window(_draft)
    automation = window.scene.automation_id
    viewport = window.canvas.viewport()

    segment = _drop(window, NodeKind.SEGMENT, QPoint(150, 200))
    profiles = _drop(window, NodeKind.SENDER_PROFILE, QPoint(500, 220))
    drag(viewport, port_point(window, segment, output=True), port_point(window, profiles, output=False))
    assert reopen().edges(automation) == [(segment, profiles)]

    start = title_point(window, profiles)
    drag(viewport, start, start + QPoint(120, 90))
    moved = {n.id: (n.x, n.y) for n in reopen().nodes(automation)}

    click(viewport, title_point(window, segment))
    qtbot.keyClick(window.canvas, Qt.Key.Key_Delete)
    after_edits = reopen()
    assert [n.id for n in after_edits.nodes(automation)] == [profiles]
    assert after_edits.edges(automation) == []
    assert window.undo_stack.count() == 5  # add, add, connect, move, delete

    for _ in range(5):
        qtbot.keyClick(window.canvas, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert not window.undo_stack.canUndo()
    empty = reopen()
    assert empty.nodes(automation) == [] and empty.edges(automation) == []

    for _ in range(5):
        qtbot.keyClick(
            window.canvas, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
        )
    assert not window.undo_stack.canRedo()
    again = reopen()
    assert {n.id: (n.x, n.y) for n in again.nodes(automation)} == {profiles: moved[profiles]}
    assert again.edges(automation) == []


def test_undoing_a_delete_restores_the_node_and_its_connections_in_place(make_window, reopen, qtbot):
    window = make_window(_draft)
    automation = window.scene.automation_id
    viewport = window.canvas.viewport()
    segment = _drop(window, NodeKind.SEGMENT, QPoint(120, 150))
    profiles = _drop(window, NodeKind.SENDER_PROFILE, QPoint(450, 150))
    email = _drop(window, NodeKind.EMAIL, QPoint(780, 150))
    drag(viewport, port_point(window, segment, True), port_point(window, profiles, False))
    drag(viewport, port_point(window, profiles, True), port_point(window, email, False))
    before = reopen()
    nodes_before, edges_before = before.nodes(automation), before.edges(automation)

    click(viewport, title_point(window, profiles))
    qtbot.keyClick(window.canvas, Qt.Key.Key_Delete)
    assert reopen().edges(automation) == []
    window.undo_action.trigger()

    after = reopen()
    assert after.nodes(automation) == nodes_before
    assert after.edges(automation) == edges_before
    assert set(window.scene.edges) == set(edges_before)


def test_a_refused_connection_is_marked_while_dragging_and_leaves_no_edge(make_window, reopen, qtbot):
    from tests.ui.gestures import move, press, release

    window = make_window(_draft)
    automation = window.scene.automation_id
    viewport = window.canvas.viewport()
    segment = _drop(window, NodeKind.SEGMENT, QPoint(150, 200))
    step = _drop(window, NodeKind.LINKEDIN_CONNECT, QPoint(500, 200))

    target = port_point(window, step, output=False)
    press(viewport, port_point(window, segment, True))
    move(viewport, target + QPoint(-30, 0))
    move(viewport, target)
    assert window.scene.nodes[step].input_port.state.value == "refuse"
    release(viewport, target)

    assert reopen().edges(automation) == []
    assert "must lead to a Sender Profile node" in window.statusBar().currentMessage()
    assert window.scene.nodes[step].input_port.state.value == "idle"
    assert window.undo_stack.count() == 2  # the two drops only


def test_a_loop_is_refused_with_its_reason(make_window, reopen):
    window = make_window(_draft)
    automation = window.scene.automation_id
    viewport = window.canvas.viewport()
    first = _drop(window, NodeKind.EMAIL, QPoint(150, 300))
    second = _drop(window, NodeKind.WAIT, QPoint(480, 300))
    drag(viewport, port_point(window, first, True), port_point(window, second, False))
    drag(viewport, port_point(window, second, True), port_point(window, first, False))
    assert reopen().edges(automation) == [(first, second)]
    assert "loop back" in window.statusBar().currentMessage()


def test_rubber_band_and_ctrl_click_select_and_delete_together(make_window, reopen, qtbot):
    window = make_window(_draft)
    automation = window.scene.automation_id
    viewport = window.canvas.viewport()
    a = _drop(window, NodeKind.EMAIL, QPoint(150, 150))
    b = _drop(window, NodeKind.WAIT, QPoint(150, 250))
    c = _drop(window, NodeKind.EMAIL, QPoint(600, 150))
    window.scene.clearSelection()

    # A rubber band around a and b where they are on screen now (the view kept c in sight as it was added).
    canvas = window.canvas
    around = canvas.mapFromScene(window.scene.nodes[a].sceneBoundingRect()).boundingRect()
    around = around.united(canvas.mapFromScene(window.scene.nodes[b].sceneBoundingRect()).boundingRect())
    drag(viewport, around.topLeft() - QPoint(12, 12), around.bottomRight() + QPoint(12, 12))
    assert {n.node_id for n in window.scene.selected_nodes()} == {a, b}
    click(viewport, title_point(window, c), Qt.KeyboardModifier.ControlModifier)
    assert {n.node_id for n in window.scene.selected_nodes()} == {a, b, c}

    qtbot.keyClick(window.canvas, Qt.Key.Key_Delete)
    assert reopen().nodes(automation) == []
    window.undo_action.trigger()
    assert {n.id for n in reopen().nodes(automation)} == {a, b, c}


def test_arrow_keys_nudge_as_one_undo_step(make_window, reopen, qtbot):
    window = make_window(_draft)
    automation = window.scene.automation_id
    node = _drop(window, NodeKind.EMAIL, QPoint(300, 300))
    (start,) = [(n.x, n.y) for n in reopen().nodes(automation)]
    click(window.canvas.viewport(), title_point(window, node))
    for _ in range(3):
        qtbot.keyClick(window.canvas, Qt.Key.Key_Right)
    (moved,) = [(n.x, n.y) for n in reopen().nodes(automation)]
    assert moved[0] > start[0] and moved[1] == start[1]
    window.undo_action.trigger()
    assert [(n.x, n.y) for n in reopen().nodes(automation)] == [start]


def test_wheel_zoom_is_clamped_and_fit_shows_everything(make_window, qtbot):
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication

    from builder.ui.canvas.view import MAX_ZOOM, MIN_ZOOM

    window = make_window(_draft)
    _drop(window, NodeKind.SEGMENT, QPoint(100, 100))
    _drop(window, NodeKind.EMAIL, QPoint(600, 250))
    canvas = window.canvas
    at = QPoint(300, 250)
    fixed = canvas.mapToScene(at)

    def wheel(delta: int) -> None:
        event = QWheelEvent(
            QPointF(at), QPointF(canvas.viewport().mapToGlobal(at)), QPoint(0, 0), QPoint(0, delta),
            Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False,
        )  # fmt: skip
        QApplication.sendEvent(canvas.viewport(), event)

    wheel(240)
    assert canvas.zoom() > 1.0
    moved = canvas.mapToScene(at) - fixed
    assert abs(moved.x()) < 2 and abs(moved.y()) < 2  # zoomed around the cursor
    for _ in range(30):
        wheel(480)
    assert canvas.zoom() == MAX_ZOOM
    assert not window.zoom_in_action.isEnabled()
    for _ in range(60):
        wheel(-480)
    assert canvas.zoom() == MIN_ZOOM

    window.fit_action.trigger()
    visible = canvas.mapToScene(canvas.viewport().rect()).boundingRect()
    assert visible.contains(window.scene.itemsBoundingRect())


def test_middle_drag_pans_the_view_without_moving_cards(make_window, reopen):
    from builder.ui.canvas.view import Canvas

    window = make_window(_draft)
    automation = window.scene.automation_id
    _drop(window, NodeKind.EMAIL, QPoint(300, 300))
    canvas: Canvas = window.canvas
    canvas.set_zoom(2.0)
    before = canvas.mapToScene(QPoint(0, 0))
    positions = [(n.x, n.y) for n in reopen().nodes(automation)]
    drag(canvas.viewport(), QPoint(400, 400), QPoint(300, 350), button=Qt.MouseButton.MiddleButton)
    after = canvas.mapToScene(QPoint(0, 0))
    assert after.x() > before.x() and after.y() > before.y()
    assert [(n.x, n.y) for n in reopen().nodes(automation)] == positions


def test_auto_layout_is_one_undoable_step(make_window, reopen):
    window = make_window(_draft)
    automation = window.scene.automation_id
    viewport = window.canvas.viewport()
    segment = _drop(window, NodeKind.SEGMENT, QPoint(600, 500))
    profiles = _drop(window, NodeKind.SENDER_PROFILE, QPoint(100, 100))
    drag(viewport, port_point(window, segment, True), port_point(window, profiles, False))
    before = {n.id: (n.x, n.y) for n in reopen().nodes(automation)}

    window.layout_action.trigger()
    laid = {n.id: (n.x, n.y) for n in reopen().nodes(automation)}
    assert laid[segment][0] < laid[profiles][0]  # left to right
    assert laid[segment][1] == laid[profiles][1]
    window.undo_action.trigger()
    assert {n.id: (n.x, n.y) for n in reopen().nodes(automation)} == before


def test_a_selected_connection_is_deleted_and_undo_brings_it_back(make_window, reopen, qtbot):
    window = make_window(_draft)
    automation = window.scene.automation_id
    viewport = window.canvas.viewport()
    segment = _drop(window, NodeKind.SEGMENT, QPoint(120, 200))
    profiles = _drop(window, NodeKind.SENDER_PROFILE, QPoint(600, 320))
    drag(viewport, port_point(window, segment, True), port_point(window, profiles, False))
    window.scene.clearSelection()

    edge = window.scene.edges[(segment, profiles)]
    middle = window.canvas.mapFromScene(edge.path().pointAtPercent(0.5))
    click(viewport, middle)
    assert window.scene.selected_edges() == [edge]
    qtbot.keyClick(window.canvas, Qt.Key.Key_Delete)
    assert reopen().edges(automation) == []
    assert {n.id for n in reopen().nodes(automation)} == {segment, profiles}
    window.undo_action.trigger()
    assert reopen().edges(automation) == [(segment, profiles)]


def test_f2_renames_the_selected_node(make_window, reopen, qtbot):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QInputDialog

    window = make_window(_draft)
    automation = window.scene.automation_id
    node = _drop(window, NodeKind.EMAIL, QPoint(300, 300))
    click(window.canvas.viewport(), title_point(window, node))

    def type_the_name() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, QInputDialog)
        dialog.setTextValue("Welcome email")
        dialog.accept()

    QTimer.singleShot(0, type_the_name)
    qtbot.keyClick(window.canvas, Qt.Key.Key_F2)
    assert [n.title for n in reopen().nodes(automation)] == ["Welcome email"]
    assert window.scene.nodes[node].title == "Welcome email"
    window.undo_action.trigger()
    assert [n.title for n in reopen().nodes(automation)] == ["Email 1"]


# -- issue 11: the first hour of a marketer --------------------------------------------------


def test_zoomed_out_cards_draw_a_large_title_and_drop_the_small_lines():
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtWidgets import QStyleOptionGraphicsItem

    from builder.ui.canvas.items import NodeItem, readable_zoom

    class Recording(QPainter):
        """A painter that remembers the texts it drew, and in what pixel size."""

        def __init__(self, image: QImage) -> None:
            super().__init__(image)
            self.texts: dict[str, float] = {}

        def drawText(self, *args) -> None:
            size = self.font().pixelSize() if self.font().pixelSize() > 0 else self.font().pointSizeF() * 96 / 72
            self.texts[args[-1]] = size * self.worldTransform().m11()
            super().drawText(*args)

    card = NodeItem(7, NodeKind.LINKEDIN_MESSAGE, "Intro")
    card.show_state("Intro", ["12 pending · 3 done"], 0, 0)

    def drawn_at(zoom: float) -> dict[str, float]:
        image = QImage(800, 400, QImage.Format.Format_ARGB32)
        painter = Recording(image)
        painter.scale(zoom, zoom)
        card.paint(painter, QStyleOptionGraphicsItem(), None)
        painter.end()
        return painter.texts

    near = drawn_at(1.0)
    assert "12 pending · 3 done" in near and "Intro" in near
    far = drawn_at(readable_zoom() * 0.5)
    assert list(far) == ["Intro"]  # only the title
    assert far["Intro"] >= 10  # screen pixels: readable at a glance


def test_the_demo_opens_at_a_readable_zoom_showing_its_start(make_window, qtbot):
    from builder.ui.canvas.items import body_text_px, readable_zoom

    window = make_window()
    qtbot.mouseClick(window.empty.demo_button, Qt.MouseButton.LeftButton)
    canvas = window.canvas
    qtbot.waitUntil(lambda: bool(window.scene.nodes))
    assert canvas.zoom() >= readable_zoom() - 1e-6
    assert body_text_px() * canvas.zoom() >= 7.9  # summary lines on screen, in pixels
    shown = canvas.viewport().rect()
    segments = [n for n in window.scene.nodes.values() if n.kind is NodeKind.SEGMENT]
    assert segments
    for item in segments:
        card = canvas.mapFromScene(item.mapRectToScene(item.card_rect())).boundingRect()
        assert shown.contains(card), "a Segment node is out of sight"


def test_two_nodes_added_by_double_click_do_not_cover_each_other(make_window, reopen, qtbot):
    window = make_window(_draft)
    automation = window.scene.automation_id
    double_click_in_palette(window, NodeKind.EMAIL)
    double_click_in_palette(window, NodeKind.WAIT)
    double_click_in_palette(window, NodeKind.EMAIL)

    nodes = reopen().nodes(automation)
    assert len(nodes) == 3
    size = {n.id: window.scene.nodes[n.id].card_rect().size() for n in nodes}
    for a in nodes:
        for b in nodes:
            if a.id < b.id:
                apart_x = b.x >= a.x + size[a.id].width() or a.x >= b.x + size[b.id].width()
                apart_y = b.y >= a.y + size[a.id].height() or a.y >= b.y + size[b.id].height()
                assert apart_x or apart_y, f"{a.title} and {b.title} overlap"


def test_a_dropped_node_is_selected_and_its_settings_are_shown(make_window, qtbot):
    window = make_window(_draft)
    first = _drop(window, NodeKind.SEGMENT, QPoint(150, 150))
    click(window.canvas.viewport(), title_point(window, first))
    assert window.settings.node_id == first

    second = _drop(window, NodeKind.EMAIL, QPoint(450, 150))
    assert window.settings.node_id == second
    assert "Email 1" in window.settings.title.text()
    assert [n.node_id for n in window.scene.selected_nodes()] == [second]


def test_a_card_dropped_near_the_edge_stays_whole_in_sight_as_its_settings_slide_in(make_window, qtbot):
    """The panel narrows the canvas; the new card (ports included) is kept in view, so it can be connected."""
    window = make_window(_draft)
    viewport = window.canvas.viewport()
    dropped = _drop(window, NodeKind.EMAIL, QPoint(viewport.width() - 30, 150))
    qtbot.waitUntil(
        lambda: window.slide.open and window.slide.animation.state() != window.slide.animation.State.Running
    )
    item = window.scene.nodes[dropped]
    card = window.canvas.mapFromScene(item.sceneBoundingRect()).boundingRect()
    assert viewport.rect().contains(card), f"{card} is not wholly inside the canvas {viewport.rect()}"


def test_a_connection_made_is_said_and_the_hint_is_gone(make_window, reopen, qtbot):
    from tests.ui.gestures import move, press, release

    window = make_window(_draft)
    automation = window.scene.automation_id
    viewport = window.canvas.viewport()
    segment = _drop(window, NodeKind.SEGMENT, QPoint(120, 150))
    profiles = _drop(window, NodeKind.SENDER_PROFILE, QPoint(450, 150))

    target = port_point(window, profiles, output=False)
    press(viewport, port_point(window, segment, output=True))
    move(viewport, target + QPoint(-40, 10))
    move(viewport, target)
    assert window.statusBar().currentMessage() == "Release to connect to 'Sender Profile 1'"
    release(viewport, target)

    assert reopen().edges(automation) == [(segment, profiles)]
    assert window.statusBar().currentMessage() == "Connected 'Segment 1' to 'Sender Profile 1'"


def test_a_started_automation_takes_a_step_but_refuses_a_new_branch_with_the_reason(make_window, reopen):
    from tests.store.builders import build_outreach

    def started(ws) -> None:
        anna = ws.create_sender_profile("Anna")
        ws.add_contacts([{"name": f"Lead {i}", "tags": ["cto"]} for i in range(3)])
        flow = build_outreach(ws)
        ws.attach_sender_profile(flow.profile_node, anna)
        ws.start(flow.automation)

    window = make_window(started)
    automation = window.scene.automation_id
    before = reopen().nodes(automation)
    drop_from_palette(window, NodeKind.SEGMENT, QPoint(300, 150))

    assert reopen().nodes(automation) == before
    assert "has started, so it can take new steps at the end of a path" in window.statusBar().currentMessage()
    assert window.undo_stack.count() == 0

    # SPEC §10: a step may be added, to connect at the end of a path.
    drop_from_palette(window, NodeKind.EMAIL, QPoint(300, 150))
    assert len(reopen().nodes(automation)) == len(before) + 1
    assert window.undo_stack.count() == 1


def test_fit_shows_all_of_a_big_automation_and_switching_frames_the_other_readably(make_window, qtbot):
    """Ctrl+0 (Fit) shows everything, however small (SPEC §8); opening another automation frames it readably."""
    from builder.store.demo import build_demo
    from builder.ui.canvas.items import readable_zoom

    def two_automations(ws):
        build_demo(ws, contacts=30)
        small = ws.create_automation("Small")
        ws.add_node(small, "segment", x=0, y=0)

    window = make_window(two_automations)
    canvas = window.canvas
    demo, small = (a.id for a in window.workspace.automations())
    window.automations.choose(demo)
    qtbot.waitUntil(lambda: window.scene.automation_id == demo and bool(window.scene.nodes))
    qtbot.keyClick(canvas.viewport(), Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    visible = canvas.mapToScene(canvas.viewport().rect()).boundingRect()
    assert visible.contains(window.scene.itemsBoundingRect())
    assert canvas.zoom() < readable_zoom()  # the demo is too wide to read whole in the test window

    window.automations.choose(small)
    qtbot.waitUntil(lambda: window.scene.automation_id == small and canvas.zoom() >= readable_zoom() - 1e-6)
    window.automations.choose(demo)
    qtbot.waitUntil(lambda: window.scene.automation_id == demo and canvas.zoom() >= readable_zoom() - 1e-6)


def test_a_card_clicked_near_the_right_edge_stays_in_sight_as_its_settings_slide_in(make_window, qtbot):
    from PySide6.QtCore import QAbstractAnimation

    window = make_window()
    qtbot.mouseClick(window.empty.demo_button, Qt.MouseButton.LeftButton)
    canvas = window.canvas
    qtbot.waitUntil(lambda: bool(window.scene.nodes))
    qtbot.wait(50)  # the demo is framed once the view has its size

    def on_screen(item):
        return canvas.mapFromScene(item.mapRectToScene(item.card_rect())).boundingRect()

    shown = canvas.viewport().rect()
    visible = [item for item in window.scene.nodes.values() if shown.contains(on_screen(item))]
    rightmost = max(visible, key=lambda item: on_screen(item).right())
    assert on_screen(rightmost).left() > shown.width() * 0.5, "the demo shows no card on the right half"
    click(canvas.viewport(), title_point(window, rightmost.node_id))
    qtbot.waitUntil(lambda: window.slide.open and window.settings.width() > 100)
    qtbot.waitUntil(lambda: window.slide.animation.state() != QAbstractAnimation.State.Running)
    assert canvas.viewport().width() < shown.width(), "the settings panel did not narrow the canvas"
    assert canvas.viewport().rect().contains(on_screen(rightmost)), "the clicked card went under the panel"
