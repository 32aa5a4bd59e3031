"""Building trees on the canvas (SPEC §10), as a marketer does, checked in the reopened workspace file."""

from __future__ import annotations

from itertools import combinations

from PySide6.QtCore import QPoint, Qt

from builder.engine.words import NodeKind
from tests.ui.gestures import click, drag, drop_from_palette, move, port_point, press, release, title_point


def _draft(ws):
    return ws.create_automation("Accepted or not")


def _drop(window, kind, at) -> int:
    before = set(window.scene.nodes)
    drop_from_palette(window, kind, at)
    (new,) = set(window.scene.nodes) - before
    return new


def output_point(window, node_id: int, output: str) -> QPoint:
    port = window.scene.nodes[node_id].output_ports[output]
    return window.canvas.mapFromScene(port.scenePos())


def _wait_for_with_two_steps(window):
    wait_for = _drop(window, NodeKind.WAIT_FOR, QPoint(150, 250))
    message = _drop(window, NodeKind.LINKEDIN_MESSAGE, QPoint(600, 100))
    email = _drop(window, NodeKind.EMAIL, QPoint(600, 420))
    return wait_for, message, email


def test_a_wait_for_from_the_palette_connects_both_outputs_with_the_mouse(make_window, reopen, qtbot):
    window = make_window(_draft)
    automation = window.scene.automation_id
    viewport = window.canvas.viewport()
    wait_for, message, email = _wait_for_with_two_steps(window)
    card = window.scene.nodes[wait_for]
    assert list(card.output_ports) == ["yes", "no"]
    assert all(port.open for port in card.output_ports.values())  # both paths end there, for now
    assert "the path ends here" in card.output_ports["no"].toolTip()

    drag(viewport, output_point(window, wait_for, "yes"), port_point(window, message, output=False))
    assert window.statusBar().currentMessage() == "Connected 'Wait for 1' from 'Yes' to 'LinkedIn message 1'"
    drag(viewport, output_point(window, wait_for, "no"), port_point(window, email, output=False))

    assert sorted(reopen().edges_with_outputs(automation)) == sorted(
        [(wait_for, message, "yes"), (wait_for, email, "no")]
    )
    assert not any(port.open for port in card.output_ports.values())
    labels = {edge.output: edge.label.text() for edge in window.scene.edges.values()}
    assert labels == {"yes": "Yes", "no": "No"}
    # An edge starts at its own output's port.
    yes_edge = window.scene.edges[(wait_for, message)]
    assert yes_edge.curve().pointAtPercent(0) == card.output_ports["yes"].scenePos()

    window.undo_action.trigger()
    assert reopen().edges_with_outputs(automation) == [(wait_for, message, "yes")]
    assert card.output_ports["no"].open


def test_a_second_edge_from_a_connected_output_is_refused_with_the_reason(make_window, reopen, qtbot):
    window = make_window(_draft)
    automation = window.scene.automation_id
    viewport = window.canvas.viewport()
    wait_for, message, email = _wait_for_with_two_steps(window)
    drag(viewport, output_point(window, wait_for, "yes"), port_point(window, message, output=False))
    steps = window.undo_stack.count()

    target = port_point(window, email, output=False)
    press(viewport, output_point(window, wait_for, "yes"))
    move(viewport, target + QPoint(-30, 0))
    move(viewport, target)
    assert window.scene.nodes[email].input_port.state.value == "refuse"
    release(viewport, target)

    assert window.statusBar().currentMessage() == (
        "Not connected: 'Wait for 1' already leads on from 'yes' to 'LinkedIn message 1'."
    )
    assert reopen().edges_with_outputs(automation) == [(wait_for, message, "yes")]
    assert window.undo_stack.count() == steps


def _tree(ws):
    automation = ws.create_automation("Tree")
    seg = ws.add_node(automation, "segment", x=900, y=900)
    prof = ws.add_node(automation, "sender_profile", x=0, y=0)
    connect = ws.add_node(automation, "linkedin_connect", x=0, y=0)
    wait_for = ws.add_node(automation, "wait_for", x=0, y=0)
    split = ws.add_node(automation, "split", x=0, y=0)
    ws.set_node_settings(
        split, {"variants": [{"name": "A", "percent": 40}, {"name": "B", "percent": 30}, {"name": "C", "percent": 30}]}
    )
    a, b, c = (ws.add_node(automation, "linkedin_message", x=0, y=0) for _ in range(3))
    no = ws.add_node(automation, "email", x=0, y=0)
    tag = ws.add_node(automation, "add_tag", x=0, y=0)
    for source, target in [(seg, prof), (prof, connect), (connect, wait_for), (no, tag)]:
        ws.connect(source, target)
    # Made in the opposite order of the outputs: the layout still puts yes above no, A above B above C.
    ws.connect(wait_for, no, "no")
    ws.connect(wait_for, split, "yes")
    for variant, step in (("C", c), ("B", b), ("A", a)):
        ws.connect(split, step, variant)


def test_ctrl_l_lays_the_tree_out_without_overlaps_as_one_undoable_step(make_window, reopen, qtbot):
    window = make_window(_tree)
    automation = window.scene.automation_id
    before = {n.id: (n.x, n.y) for n in reopen().nodes(automation)}
    steps = window.undo_stack.count()

    qtbot.keyClick(window.canvas, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)

    assert window.undo_stack.count() == steps + 1
    cards = {node_id: item.mapRectToScene(item.card_rect()) for node_id, item in window.scene.nodes.items()}
    for (one, first), (other, second) in combinations(cards.items(), 2):
        assert not first.intersects(second), f"cards {one} and {other} overlap"
    laid = {n.id: (n.x, n.y) for n in reopen().nodes(automation)}  # positions persist
    edges = {(s, o): t for s, t, o in reopen().edges_with_outputs(automation) if o is not None}
    wait_for = next(s for s, o in edges if o == "yes")
    split = edges[(wait_for, "yes")]
    assert laid[edges[(wait_for, "yes")]][1] < laid[edges[(wait_for, "no")]][1]  # yes above no
    ys = [laid[edges[(split, v)]][1] for v in "ABC"]
    assert ys == sorted(ys) and len(set(ys)) == 3  # variants in order

    window.undo_action.trigger()
    assert {n.id: (n.x, n.y) for n in reopen().nodes(automation)} == before


def test_stop_on_reply_switch_is_stored_and_undoable(make_window, reopen, qtbot):
    window = make_window(_draft)
    automation = window.scene.automation_id
    switch = window.bar.stop_on_reply
    assert switch.isChecked()  # on by default

    qtbot.mouseClick(switch, Qt.MouseButton.LeftButton)

    assert reopen().stop_on_reply(automation) is False
    assert not switch.isChecked()
    window.undo_action.trigger()
    assert reopen().stop_on_reply(automation) is True
    qtbot.waitUntil(switch.isChecked)


def test_wait_for_and_split_settings_in_the_panel(make_window, reopen, qtbot):
    window = make_window(_draft)
    viewport = window.canvas.viewport()
    wait_for = _drop(window, NodeKind.WAIT_FOR, QPoint(150, 250))
    split = _drop(window, NodeKind.SPLIT, QPoint(150, 500))
    click(viewport, title_point(window, wait_for))
    panel = window.settings.path_node
    qtbot.waitUntil(panel.isVisible)
    assert panel.outcome.currentData() == "accepted" and panel.wait_days.value() == 7

    panel.wait_days.setValue(3)
    panel.wait_days.editingFinished.emit()
    assert reopen().node_settings(wait_for) == {"outcome": "accepted", "days": 3}
    panel.outcome.setCurrentIndex(panel.outcome.findData("replied"))
    panel.outcome.activated.emit(panel.outcome.currentIndex())
    assert reopen().node_settings(wait_for) == {"outcome": "replied", "days": 3}
    problems = [p.message for p in reopen().problems(window.scene.automation_id) if p.node == wait_for]
    assert any("Turn off 'Stop on reply'" in m for m in problems)
    window.undo_action.trigger()
    assert reopen().node_settings(wait_for)["outcome"] == "accepted"

    click(viewport, title_point(window, split))
    qtbot.waitUntil(lambda: panel.split.isVisible())
    assert panel.split_sum.text() == "Total: 100 %"
    qtbot.mouseClick(panel.add_variant, Qt.MouseButton.LeftButton)
    assert [v["name"] for v in reopen().node_settings(split)["variants"]] == ["A", "B", "C"]
    assert list(window.scene.nodes[split].output_ports) == ["A", "B", "C"]
    percent = panel.findChild(type(panel.wait_days), "variantPercent0")
    percent.setValue(60)
    percent.editingFinished.emit()
    assert panel.split_sum.text() == "Total: 110 % — make it 100 %"


def test_condition_and_tag_settings_in_the_panel(make_window, reopen, qtbot):
    window = make_window(_draft)
    viewport = window.canvas.viewport()
    condition = _drop(window, NodeKind.CONDITION, QPoint(150, 250))
    tag = _drop(window, NodeKind.ADD_TAG, QPoint(150, 500))
    click(viewport, title_point(window, condition))
    panel = window.settings.path_node
    qtbot.waitUntil(lambda: panel.condition.isVisible())
    assert panel.rule.currentText() == "Has an email"

    panel.rule.setCurrentIndex(panel.rule.findText("Tagged with all of"))
    panel.rule.activated.emit(panel.rule.currentIndex())
    assert reopen().node_settings(condition) == {"tags_all": []}
    assert any(p.code == "condition_tags" for p in reopen().problems(window.scene.automation_id))
    panel.condition_tags.setText("cto, berlin")
    panel.condition_tags.editingFinished.emit()
    assert reopen().node_settings(condition) == {"tags_all": ["cto", "berlin"]}
    assert window.scene.nodes[condition].lines[0] == "All of: cto, berlin"

    click(viewport, title_point(window, tag))
    qtbot.waitUntil(lambda: panel.tag.isVisible())
    panel.tag_name.setText("warm")
    panel.tag_name.editingFinished.emit()
    assert reopen().node_settings(tag) == {"tag": "warm"}
    window.undo_action.trigger()
    assert reopen().node_settings(tag) == {"tag": "tag"}


def _running(ws):
    from tests.store.builders import build_outreach

    anna = ws.create_sender_profile("Anna")
    ws.add_contacts([{"name": f"Lead {i}", "tags": ["cto"]} for i in range(3)])
    flow = build_outreach(ws)
    ws.attach_sender_profile(flow.profile_node, anna)
    ws.start(flow.automation)


def test_a_running_automation_grows_at_the_end_and_keeps_a_node_contacts_reached(make_window, reopen, qtbot):
    window = make_window(_running)
    automation = window.scene.automation_id
    viewport = window.canvas.viewport()
    ws = reopen()
    connect, _wait, message = (n.id for n in ws.nodes(automation) if n.kind.is_step)
    wait_for = _drop(window, NodeKind.WAIT_FOR, QPoint(300, 420))

    drag(viewport, port_point(window, message, output=True), port_point(window, wait_for, output=False))
    assert (message, wait_for, None) in reopen().edges_with_outputs(automation)

    click(viewport, title_point(window, connect))
    qtbot.keyClick(window.canvas, Qt.Key.Key_Delete)
    assert window.statusBar().currentMessage() == (
        "Cannot delete 'LinkedIn connect 1': 3 contacts of this running automation have reached it."
    )
    assert connect in {n.id for n in reopen().nodes(automation)}
