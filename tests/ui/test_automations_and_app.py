"""The automation list, the node cards' live summaries, the demo and --screenshot."""

from __future__ import annotations

import os
import subprocess
import sys

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QLineEdit

from builder.store.demo import build_demo
from tests.ui.gestures import click


def test_create_rename_duplicate_delete_and_undo_from_the_list(make_window, reopen, qtbot):
    window = make_window(lambda ws: ws.create_automation("CTO outreach"))
    panel = window.automations

    qtbot.mouseClick(panel.new_button, Qt.MouseButton.LeftButton)
    assert [a.name for a in reopen().automations()] == ["CTO outreach", "New automation"]
    created = reopen().automations()[1].id
    assert window.scene.automation_id == created

    qtbot.mouseClick(panel.rename_button, Qt.MouseButton.LeftButton)
    editor = QApplication.focusWidget()
    assert isinstance(editor, QLineEdit), "renaming opens the name for typing"
    qtbot.keyClicks(editor, "Founders in Berlin")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: [a.name for a in reopen().automations()][-1] == "Founders in Berlin")

    qtbot.mouseClick(panel.duplicate_button, Qt.MouseButton.LeftButton)
    assert [a.name for a in reopen().automations()] == [
        "CTO outreach",
        "Founders in Berlin",
        "Founders in Berlin (copy)",
    ]

    qtbot.mouseClick(panel.delete_button, Qt.MouseButton.LeftButton)
    assert [a.name for a in reopen().automations()] == ["CTO outreach", "Founders in Berlin"]
    window.undo_action.trigger()
    assert [a.name for a in reopen().automations()] == [
        "CTO outreach",
        "Founders in Berlin",
        "Founders in Berlin (copy)",
    ]


def test_switching_automations_shows_each_ones_nodes(make_window):
    def prepare(ws):
        first = ws.create_automation("First")
        ws.add_node(first, "email", x=0, y=0)
        second = ws.create_automation("Second")
        ws.add_node(second, "wait", x=0, y=0)
        ws.add_node(second, "email", x=300, y=0)

    window = make_window(prepare)
    panel = window.automations
    assert len(window.scene.nodes) == 1
    rect = panel.list.visualItemRect(panel.list.item(1))
    click(panel.list.viewport(), rect.center())
    assert len(window.scene.nodes) == 2


def test_node_cards_show_the_workspaces_live_counts(make_window, reopen, qtbot):
    window = make_window(build_demo)
    ws = reopen()
    automation = ws.automations()[0].id
    nodes = {n.id: n for n in ws.nodes(automation)}
    segment = next(n for n in nodes.values() if n.kind.value == "segment")
    members = len(ws.segment_members(segment.segment_id))
    enrolled = sum(
        1
        for e in ws.enrollments(automation)
        if e.branch_node_id in {t for s, t in ws.edges(automation) if s == segment.id}
    )
    qtbot.waitUntil(window.scene.counted)  # the cards count off the GUI thread, a moment later
    lines = window.scene.nodes[segment.id].lines
    assert lines[-1] == f"{members:,} members · {enrolled:,} enrolled"
    # SPEC §10: its contacts by status; the demo's have done nothing yet.
    assert lines[1:3] == [f"{enrolled:,} in progress · 0 finished", "0 accepted · 0 replied"]

    profile_node = next(n for n in nodes.values() if n.kind.value == "sender_profile")
    expected = [f"{a.name}: {a.contacts:,} contacts" for a in ws.attachments(profile_node.id)]
    assert window.scene.nodes[profile_node.id].lines == expected


def test_a_workspace_with_contacts_but_no_automation_says_so_and_keeps_the_demo_out(make_window, reopen, qtbot):
    def imported(ws) -> None:
        ws.create_sender_profile("Anna")
        ws.add_contacts([{"name": f"Lead {i}"} for i in range(1200)])

    window = make_window(imported)
    assert window.empty.isVisible()
    assert window.empty.text.text() == (
        "This workspace has 1,200 contacts and 1 sender profile, and no automation yet: start one."
    )
    assert not window.empty.demo_button.isVisible()  # 3,000 made-up contacts are never mixed into a team's
    qtbot.mouseClick(window.empty.scratch_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.empty.isVisible())
    assert len(reopen().automations()) == 1 and reopen().contact_count() == 1200


def test_an_empty_workspace_offers_the_demo(make_window, reopen, qtbot):
    window = make_window()
    assert window.empty.isVisible() and window.empty.demo_button.isVisible()
    assert window.empty.text.text().startswith("This workspace is empty. Load the demo")
    qtbot.mouseClick(window.empty.demo_button, Qt.MouseButton.LeftButton)
    (demo,) = reopen().automations()
    assert demo.name == "Q3 founders and CTOs" and demo.state.value == "running"
    assert reopen().contact_count() == 3000
    assert not window.empty.isVisible()
    assert set(window.scene.nodes) == {n.id for n in reopen().nodes(demo.id)}
    assert len(window.scene.nodes) == 15  # two branches; the Founders path has a Wait for and an A/B split


def test_screenshot_renders_the_demo_headless(tmp_path):
    shot = tmp_path / "shot.png"
    done = subprocess.run(
        [sys.executable, "-m", "builder", "--demo", "--today", "2026-03-02", "--screenshot", str(shot)],
        capture_output=True, text=True, timeout=120, check=False,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    image = QImage(str(shot))
    assert image.width() >= 1000 and image.height() >= 600
    colours = {image.pixel(x, y) for x in range(0, image.width(), 37) for y in range(0, image.height(), 23)}
    assert len(colours) > 20, "the picture is (almost) blank"


def test_undoing_the_delete_of_a_running_automation_enrolls_who_joined_meanwhile(
    make_window, reopen, qtbot, monkeypatch
):
    """SPEC §4: the contact tagged while the automation was deleted enrolls when Ctrl+Z brings it back."""
    from PySide6.QtWidgets import QMessageBox

    from tests.store.builders import build_outreach

    def prepare(ws) -> None:
        flow = build_outreach(ws)
        ws.attach_sender_profile(flow.profile_node, ws.create_sender_profile("Anna"))
        ws.add_contact("Early", tags=["cto"])
        ws.start(flow.automation)

    window = make_window(prepare)
    automation = reopen().automations()[0].id
    asked: list[str] = []

    def answer_yes(*args, **kwargs) -> QMessageBox.StandardButton:
        asked.append(args[1])
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", answer_yes)
    qtbot.mouseClick(window.automations.delete_button, Qt.MouseButton.LeftButton)
    assert asked == ["Delete automation"] and reopen().automations() == []

    late = window.workspace.add_contact("Late", tags=["cto"])
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)

    qtbot.waitUntil(lambda: [a.id for a in reopen().automations()] == [automation])
    assert [e.contact_id for e in reopen().enrollments(automation)][1:] == [late]


def test_cards_show_at_once_and_their_counts_follow_a_change_made_elsewhere_in_the_app(make_window, qtbot):
    """The cards are drawn before their counts (counted off the GUI thread), and recounted after each change."""
    from builder.store.demo import build_demo

    window = make_window(lambda ws: build_demo(ws, contacts=60))
    scene = window.scene
    assert scene.nodes and all(item.title for item in scene.nodes.values())
    qtbot.waitUntil(scene.counted)
    segment = next(item for item in scene.nodes.values() if item.kind.value == "segment" and item.lines[1:])
    before = segment.lines[-1]
    ws = window.workspace
    definition = ws.segment_definition(scene.rows[segment.node_id].segment_id)
    tag = ws.tag_names(list(definition.tags))[min(definition.tags)]
    ws.add_contacts([{"name": f"Newcomer {i}", "tags": [tag]} for i in range(3)])
    qtbot.waitUntil(lambda: scene.counted() and segment.lines[-1] != before)
    members = int(before.split()[0].replace(",", ""))
    assert segment.lines[-1].startswith(f"{members + 3:,} members")
