"""File ▸ New workspace from scenario… (issue 13): a scenario file becomes a workspace, opened in its own window."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog

from builder.engine.words import AutomationState
from tests.ui.conftest import TODAY

EXAMPLES = Path("/work/shared/examples")
if not EXAMPLES.exists():
    EXAMPLES = Path(__file__).parents[2] / "resources" / "examples"


def test_a_scenario_becomes_a_workspace_in_a_new_window(make_window, qtbot, tmp_path, monkeypatch):
    window = make_window()
    scenario = EXAMPLES / "04-wait-for-accepted.json"
    target = tmp_path / "from-scenario.sqlite"
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_a, **_k: (str(scenario), ""))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a, **_k: (str(target), ""))
    window.findChild(QAction, "newWorkspaceFromScenarioAction").trigger()
    qtbot.waitUntil(lambda: len(window.scenario_windows) == 1)
    made = window.scenario_windows[0]
    try:
        qtbot.waitExposed(made)
        assert made.windowTitle() == "Automation Builder — from-scenario.sqlite"
        ws = made.workspace
        assert ws.today == TODAY  # --today is kept
        (automation,) = ws.automations()
        assert automation.state is AutomationState.RUNNING
        qtbot.waitUntil(lambda: len(made.scene.nodes) == 6)  # segment, profiles, connect, wait for, message, email
        assert len(ws.enrollments(automation.id)) == 2
        assert "1 later event (day 2) is the forecast's" in made.statusBar().currentMessage()
    finally:
        made.close()
    # The same file again is refused with a sentence: a scenario goes into a new workspace.
    window.findChild(QAction, "newWorkspaceFromScenarioAction").trigger()
    assert window.statusBar().currentMessage() == (
        "from-scenario.sqlite exists already: choose a new file for the new workspace."
    )
    assert len(window.scenario_windows) == 1
