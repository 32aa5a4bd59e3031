"""Starting the desktop app, or rendering its window to a PNG (``--screenshot``)."""

from __future__ import annotations

import sys
import tempfile
from datetime import date
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QPointF, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from builder.app_log import log, log_folder, log_unexpected, start_logging
from builder.store.database import WorkspaceError, database_url
from builder.store.demo import build_demo
from builder.store.workspace import Workspace
from builder.ui.canvas.items import em
from builder.ui.main_window import MainWindow
from builder.ui.resources import icon, style_sheet


def application() -> QApplication:
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(sys.argv[:1])
    app.setApplicationName("Automation Builder")
    app.setOrganizationName("Automation Builder")
    app.setWindowIcon(icon("app"))
    app.setStyleSheet(style_sheet())
    return app


def open_workspace(target: str | None, today: date | None, demo: bool) -> tuple[Workspace, str]:
    """The workspace to show; ``--demo`` without ``--db`` uses a fresh temporary file."""
    if demo and target is None:
        target = str(Path(tempfile.mkdtemp(prefix="automation-builder-demo-")) / "demo.sqlite")
    workspace = Workspace.open(target, today=today)
    if demo and not workspace.automations():
        build_demo(workspace)
    url = database_url(target)
    return workspace, Path(url.removeprefix("sqlite:///")).name if url.startswith("sqlite") else url


def screenshot(window: MainWindow, path: str) -> bool:
    window.simulation.worker.wait()
    QApplication.processEvents()  # deliver the pane's result
    window.canvas.fit()
    selected = window.scene.selected_nodes()
    if selected and window.canvas.zoom() < 0.6:
        # Too far out to read the cards: show the selected node's neighbourhood instead.
        window.canvas.set_zoom(0.6)
        window.canvas.centerOn(selected[0].sceneBoundingRect().center() + QPointF(em() * 5, em() * 4))
    QApplication.processEvents()
    return window.grab().save(path)


def _unexpected(kind: type[BaseException], error: BaseException, trace: TracebackType | None) -> None:
    """An error nobody foresaw: logged with its traceback, and a sentence for the person, not a traceback."""
    log_unexpected(kind, error, trace)
    if issubclass(kind, KeyboardInterrupt):
        QApplication.quit()
        return
    QMessageBox.warning(
        QApplication.activeWindow(),
        "Automation Builder",
        f"Something went wrong: {error}. What you did before is saved; the details are in "
        f"{log_folder() / 'automation-builder.log'}.",
    )


def run_app(target: str | None, today: date | None, demo: bool, screenshot_path: str | None) -> int:
    app = application()
    start_logging()
    if not screenshot_path:
        sys.excepthook = _unexpected
    try:
        workspace, title = open_workspace(target, today, demo)
        log.info("opened workspace %s", database_url(target) if not (demo and target is None) else "(demo)")
    except WorkspaceError as error:
        log.warning("could not open the workspace: %s", error)
        if screenshot_path:
            print(error, file=sys.stderr)
        else:
            QMessageBox.critical(None, "Automation Builder", str(error))
        return 2
    window = MainWindow(workspace, title)
    if not screenshot_path:
        window.watch_other_processes()
    width, height = (1600, 900) if screenshot_path else (1440, 880)
    window.resize(width, height)
    window.show()
    if screenshot_path:
        for _ in range(3):
            app.processEvents()
        if demo:
            window.show_first_sender_profile_node()
        if not screenshot(window, screenshot_path):
            print(f"Could not write the screenshot to '{screenshot_path}'.", file=sys.stderr)
            return 2
        window.close()
        workspace.close()
        return 0
    QTimer.singleShot(0, window.canvas.fit)
    code = app.exec()
    workspace.close()
    return code
