"""GUI tests drive the real main window on a real workspace file, as a user would."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QSettings
from PySide6.QtWidgets import QApplication

from builder.store.workspace import Workspace
from builder.ui.main_window import MainWindow

TODAY = date(2026, 3, 2)


@pytest.fixture(autouse=True)
def private_settings(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Remembered window state (QSettings) goes to a fresh folder per test, not the user's."""
    QCoreApplication.setOrganizationName("Automation Builder Tests")
    QCoreApplication.setApplicationName("Automation Builder Tests")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path_factory.mktemp("settings")))


@pytest.fixture
def workspace_path(tmp_path: Path) -> Path:
    return tmp_path / "team.sqlite"


@pytest.fixture
def reopen(workspace_path: Path) -> Iterator[Callable[[], Workspace]]:
    """A second, independent look at the workspace file: what a restarted app would see."""
    opened: list[Workspace] = []

    def _reopen() -> Workspace:
        ws = Workspace.open(workspace_path, today=TODAY)
        opened.append(ws)
        return ws

    yield _reopen
    for ws in opened:
        ws.close()


@pytest.fixture
def make_window(qtbot, workspace_path: Path) -> Iterator[Callable[..., MainWindow]]:
    """Open the main window on the test's workspace (after ``prepare`` filled it)."""
    before = {id(w) for w in QApplication.topLevelWidgets() if w.isVisible()}
    made: list[tuple[MainWindow, Workspace]] = []

    def _make(prepare: Callable[[Workspace], object] | None = None) -> MainWindow:
        workspace = Workspace.open(workspace_path, today=TODAY)
        if prepare is not None:
            prepare(workspace)
        window = MainWindow(workspace, workspace_path.name)
        qtbot.addWidget(window)
        window.resize(1280, 800)
        window.show()
        qtbot.waitExposed(window)
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow)  # keyboard shortcuts go to the active window
        made.append((window, workspace))
        return window

    yield _make
    for window, workspace in made:
        window.close()
        workspace.close()
    leaked = [w for w in QApplication.topLevelWidgets() if w.isVisible() and id(w) not in before]
    assert not leaked, f"test left windows open: {[w.objectName() or type(w).__name__ for w in leaked]}"
