"""Starting the desktop app, or rendering its window to a PNG (``--screenshot``)."""

from __future__ import annotations

import atexit
import gc
import importlib
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QPointF, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from builder.app_log import log, log_folder, log_unexpected, start_logging
from builder.store.database import WorkspaceError, check_sqlite_file, database_url, shown_url, sqlite_path
from builder.store.demo import build_demo
from builder.store.workspace import Workspace
from builder.ui.canvas.items import em
from builder.ui.main_window import MainWindow
from builder.ui.resources import icon, style_sheet
from builder.ui.upgrade_notice import UpgradeNotice

# Debian/Ubuntu packages of the libraries Qt's X11 plugin (libqxcb.so) links, by library file.
DEBIAN_PACKAGES = {
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libGLX.so.0": "libglx0",
    "libGLdispatch.so.0": "libglvnd0",
    "libX11.so.6": "libx11-6",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libxcb.so.1": "libxcb1",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libdbus-1.so.3": "libdbus-1-3",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
}
FIRST_FRAME = "AUTOMATION_BUILDER_EXIT_AFTER_FIRST_FRAME"  # internal: for tests/bench/bench_startup.py


def missing_libraries(ldd_output: str) -> list[str]:
    """The libraries ``ldd`` reports as ``not found``, each once, in its order."""
    missing: list[str] = []
    for line in ldd_output.splitlines():
        name, _, where = line.strip().partition("=>")
        if where.strip().startswith("not found") and name.strip() not in missing:
            missing.append(name.strip())
    return missing


def missing_libraries_sentence(missing: list[str]) -> str:
    """One sentence: which system libraries the X11 plugin needs, and the Debian/Ubuntu packages that hold them."""
    packages = list(dict.fromkeys(DEBIAN_PACKAGES[name] for name in missing if name in DEBIAN_PACKAGES))
    sentence = f"The window cannot open: Qt's X11 plugin needs these system libraries: {', '.join(missing)}"
    if packages:
        sentence += f" — on Debian or Ubuntu: sudo apt-get install {' '.join(packages)}"
    return sentence + "."


def xcb_plugin() -> str:
    import PySide6

    return os.path.join(os.path.dirname(PySide6.__file__), "Qt", "plugins", "platforms", "libqxcb.so")


def x11_libraries_problem(environ: Mapping[str, str] = os.environ, plugin: str | None = None) -> str | None:
    """Before Qt tries the X11 plugin (and aborts with a message that blames one library): what it lacks, or None.

    Only when Qt would use X11 (``QT_QPA_PLATFORM`` unset or ``xcb``, ``DISPLAY`` set; unset in a
    Wayland session, where Qt tries Wayland first) and ``ldd`` and the plugin are there to ask.
    """
    platform = environ.get("QT_QPA_PLATFORM", "")
    if platform not in ("", "xcb") or not environ.get("DISPLAY"):
        return None
    if not platform and (environ.get("WAYLAND_DISPLAY") or environ.get("XDG_SESSION_TYPE") == "wayland"):
        return None
    plugin = plugin or xcb_plugin()
    ldd = shutil.which("ldd")
    if ldd is None or not os.path.exists(plugin):
        return None
    try:
        output = subprocess.run([ldd, plugin], capture_output=True, text=True, timeout=10, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    missing = missing_libraries(output)
    return missing_libraries_sentence(missing) if missing else None


def application() -> QApplication:
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(sys.argv[:1])
    app.setApplicationName("Automation Builder")
    app.setOrganizationName("Automation Builder")
    app.setWindowIcon(icon("app"))
    app.setStyleSheet(style_sheet())
    return app


def window_title(target: str | None) -> str:
    """What the window's title names: an SQLite file's name, or the URL with its password masked."""
    url = database_url(target)
    return Path(url.removeprefix("sqlite:///")).name if url.startswith("sqlite") else shown_url(url)


def temporary_demo_folder() -> Path:
    """A folder for ``--demo``'s throwaway workspace, removed with all it holds when the app ends."""
    folder = Path(tempfile.mkdtemp(prefix="automation-builder-demo-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


def open_workspace(
    target: str | None,
    today: date | None,
    demo: bool,
    *,
    check_pages: bool = False,
    upgrading: Callable[[int, int], None] | None = None,
) -> tuple[Workspace, str]:
    """The workspace to show; ``--demo`` without ``--db`` uses a fresh temporary file, removed at the end.

    ``check_pages`` (``--screenshot``, run once like a command): an SQLite file is read page by page
    first and refused if damaged. The app itself does that before its first write instead, off the
    way to the first frame (about 0.1 s per 100,000 contacts).
    """
    folder = None
    if demo and target is None:
        folder = temporary_demo_folder()
        target = str(folder / "demo.sqlite")
    try:
        path = sqlite_path(database_url(target))
        if check_pages and path is not None:
            check_sqlite_file(path, thorough=True)
        workspace = Workspace.open(target, today=today, upgrading=upgrading)
    except WorkspaceError:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
        raise
    if demo and not workspace.automations():
        build_demo(workspace)
    try:
        workspace.advance_paths()  # waits that ended and Wait for days that ran out while the app was closed
    except WorkspaceError as error:
        log.warning("%s", error)
    return workspace, window_title(target)


def screenshot(window: MainWindow, path: str) -> bool:
    window.simulation.worker.wait()
    window.scene.counting.wait()
    QApplication.processEvents()  # deliver the pane's result and the cards' counts
    window.canvas.fit()
    selected = window.scene.selected_nodes()
    if selected and window.canvas.zoom() < 0.6:
        # Too far out to read the cards: show the selected node's neighbourhood instead.
        window.canvas.set_zoom(0.6)
        window.canvas.centerOn(selected[0].sceneBoundingRect().center() + QPointF(em() * 5, em() * 4))
    QApplication.processEvents()
    return window.grab().save(path)


def _unexpected(kind: type[BaseException], error: BaseException, trace: TracebackType | None) -> None:
    """An error nobody foresaw: logged with its traceback, and a sentence for the person, not a traceback.

    A workspace's own refusal (busy, damaged, unreachable…) is a sentence already: shown as it is.
    """
    if isinstance(error, WorkspaceError):
        log.warning("%s", error)
        QMessageBox.warning(QApplication.activeWindow(), "Automation Builder", str(error))
        return
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
    problem = x11_libraries_problem()
    if problem:
        print(problem, file=sys.stderr)
        return 2
    app = application()
    start_logging()
    if not screenshot_path:
        sys.excepthook = _unexpected
    workspace = None
    notice = UpgradeNotice()
    try:
        workspace, title = open_workspace(
            target, today, demo, check_pages=bool(screenshot_path), upgrading=None if screenshot_path else notice
        )
        notice.close()
        log.info("opened workspace %s", shown_url(database_url(target)) if not (demo and target is None) else "(demo)")
        window = MainWindow(workspace, title)
    except WorkspaceError as error:
        notice.close()
        if workspace is not None:
            workspace.close()
        log.warning("could not open the workspace: %s", error)
        if screenshot_path:
            print(error, file=sys.stderr)
        else:
            QMessageBox.critical(None, "Automation Builder", str(error))
        return 2
    if screenshot_path:
        window.resize(1600, 900)
        window.show()
    else:
        show_window(window)
    # What start-up made lives as long as the window: collections from now on look at newer objects only.
    gc.freeze()
    gc.enable()
    if os.environ.get(FIRST_FRAME):
        # Benchmarks only: the moment the first frame is painted, then out without waiting for the forecast.
        app.processEvents()
        window.grab()
        print(f"first-frame {time.time():.6f}", flush=True)
        os._exit(0)
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
    code = app.exec()
    workspace.close()
    return code


def show_window(window: MainWindow) -> None:
    """Show the app's window as a person gets it: where it was left, or sized to the screen; then at work."""
    window.watch_other_processes()
    if not window.geometry_restored:
        room = window.screen().availableGeometry()
        window.resize(min(1440, round(room.width() * 0.94)), min(900, round(room.height() * 0.92)))
    window.show()
    QTimer.singleShot(0, window.canvas.fit)
    # The first edit needs the sqlmodel table classes, kept off the path to the first frame: load them now,
    # beside the window rather than in front of it.
    threading.Thread(target=importlib.import_module, args=("builder.store.tables",), daemon=True).start()


def open_window(target: str | None, today: date | None, demo: bool = False) -> MainWindow:
    """Open the workspace and show its window, as ``automation-builder`` does; WorkspaceError when it cannot."""
    notice = UpgradeNotice()
    try:
        workspace, title = open_workspace(target, today, demo, upgrading=notice)
    finally:
        notice.close()
    window = MainWindow(workspace, title)
    show_window(window)
    return window
