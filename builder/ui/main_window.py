"""The main window (SPEC §8): automations and palette on the left, the canvas in the middle."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QEvent, QObject, QPointF, QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShortcut, QUndoStack
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QInputDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from builder import __version__
from builder.app_log import log
from builder.engine.words import NodeKind
from builder.store.base import Change
from builder.store.database import WorkspaceError
from builder.store.demo import build_demo
from builder.store.workspace import Workspace
from builder.ui.automation_bar import AutomationBar
from builder.ui.automation_list import AutomationList
from builder.ui.canvas.editor import AutomationEditor
from builder.ui.canvas.items import em
from builder.ui.canvas.scene import AutomationScene
from builder.ui.canvas.view import Canvas
from builder.ui.change_watch import ChangeWatch
from builder.ui.commands import BranchChangeCommand
from builder.ui.events import WorkspaceEvents
from builder.ui.page import DeferredPage
from builder.ui.palette import NodePalette
from builder.ui.panels.settings_panel import PanelSlide, SettingsPanel
from builder.ui.resources import icon
from builder.ui.simulation.pane import SimulationPane

if TYPE_CHECKING:
    from builder.engine.scenario import Scenario
    from builder.ui.crm.crm_view import CrmView
    from builder.ui.profiles_view import SenderProfilesView
    from builder.ui.tasks_view import TasksView


EMPTY_WELCOME = (
    "This workspace is empty. Load the demo — a team of five sender profiles, 3,000 contacts and a "
    "running automation — or start from scratch."
)


def plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


class EmptyWorkspace(QWidget):
    """Shown over the canvas while the workspace has no automation yet; it always covers the whole canvas."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("EmptyWorkspace")
        title = QLabel("<h2>Welcome to Automation Builder</h2>", self)
        title.setObjectName("welcomeTitle")
        title.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.text = text = QLabel(EMPTY_WELCOME, self)
        text.setObjectName("welcomeText")
        text.setWordWrap(True)
        text.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        # A wrapped label placed by alignment gets a guessed height and is clipped: give it its width and the
        # height its lines need at that width.
        text.setFixedWidth(round(em() * 28))
        self._fit_text()
        title.setMinimumHeight(title.sizeHint().height())
        self.demo_button = QPushButton("Load the demo", self)
        self.demo_button.setObjectName("loadDemoButton")
        self.scratch_button = QPushButton("Start from scratch", self)
        self.scratch_button.setObjectName("startFromScratchButton")
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        for widget in (title, text, self.demo_button, self.scratch_button):
            layout.addWidget(widget, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)
        parent.installEventFilter(self)
        self.setGeometry(parent.rect())

    def show_holding(self, contacts: int, profiles: int) -> None:
        """Say what the workspace holds: the demo is offered only to an empty one, never mixed into a team's."""
        if contacts or profiles:
            self.text.setText(
                f"This workspace has {plural(contacts, 'contact')} and {plural(profiles, 'sender profile')}, "
                "and no automation yet: start one."
            )
        else:
            self.text.setText(EMPTY_WELCOME)
        self.demo_button.setVisible(not (contacts or profiles))
        self._fit_text()

    def _fit_text(self) -> None:
        self.text.setMinimumHeight(self.text.heightForWidth(self.text.width()))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.parent() and event.type() == QEvent.Type.Resize:
            self.setGeometry(self.parentWidget().rect())
        return False


class MainWindow(QMainWindow):
    def __init__(self, workspace: Workspace, title: str = "") -> None:
        super().__init__()
        self.setObjectName("MainWindow")
        self.workspace = workspace
        self.setWindowTitle(f"Automation Builder — {title}" if title else "Automation Builder")
        self.setWindowIcon(icon("app"))
        self.events = WorkspaceEvents(workspace, self)
        self.undo_stack = QUndoStack(self)
        self.scenario_windows: list[MainWindow] = []  # windows of workspaces made from scenario files

        self.scene = AutomationScene(workspace, self)
        self.editor = AutomationEditor(workspace, self.undo_stack, self.scene, self)
        self.canvas = Canvas(self.editor)
        self.palette = NodePalette()
        self.automations = AutomationList(workspace, self.undo_stack)
        self.empty = EmptyWorkspace(self.canvas)

        left = QWidget()
        left.setObjectName("leftPanel")
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(6, 6, 0, 6)
        for text, widget, stretch in (
            ("Automations", self.automations, 2),
            ("Nodes — drag onto the canvas", self.palette, 3),
        ):
            label = QLabel(text)
            label.setObjectName("sectionTitle")
            left_layout.addWidget(label)
            left_layout.addWidget(widget, stretch)
        self.bar = AutomationBar(workspace, self.undo_stack, self.show_message)
        center = QWidget()
        center_layout = QVBoxLayout(center)
        center_layout.setContentsMargins(0, 0, 0, 0)
        center_layout.setSpacing(0)
        center_layout.addWidget(self.bar)
        center_layout.addWidget(self.canvas, 1)
        self.settings = SettingsPanel(workspace, self.undo_stack, self.show_message)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("MainSplitter")
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(left)
        self.splitter.addWidget(center)
        self.splitter.addWidget(self.settings)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([round(em() * 14), round(em() * 60), 0])
        self.pages = QTabWidget()
        self.pages.setObjectName("Pages")
        self.pages.setDocumentMode(True)
        self.pages.addTab(self.splitter, "Automations")
        self.crm_tab = DeferredPage(self._make_crm)
        self.pages.addTab(self.crm_tab, "Contacts")
        self.tasks_tab = DeferredPage(self._make_tasks)
        self.pages.addTab(self.tasks_tab, "Today's tasks")
        self.profiles_tab = DeferredPage(self._make_profiles)
        self.pages.addTab(self.profiles_tab, "Sender profiles")
        self.setCentralWidget(self.pages)
        self.pages.currentChanged.connect(self._page_changed)
        self.slide = PanelSlide(self.splitter, self.settings)
        self.simulation = SimulationPane(workspace)
        self.simulation_dock = QDockWidget("Simulation", self)
        self.simulation_dock.setObjectName("SimulationDock")
        self.simulation_dock.setWidget(self.simulation)
        self.simulation_dock.setAllowedAreas(
            Qt.DockWidgetArea.BottomDockWidgetArea | Qt.DockWidgetArea.TopDockWidgetArea
        )
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.simulation_dock)
        self.resizeDocks([self.simulation_dock], [round(em() * 26)], Qt.Orientation.Vertical)
        self.settings.setMinimumWidth(0)
        self.settings.hide()

        # Another process may write to the workspace too: told at once on PostgreSQL, a look every 1.5 s on SQLite.
        self.changes = ChangeWatch(workspace, self)
        self.changes.look.connect(self._look_elsewhere)
        self.watch = self.changes.poll  # the poll timer (a slow safety net on PostgreSQL)
        self._stale_check = QTimer(self)
        self._stale_check.setSingleShot(True)
        self._stale_check.setInterval(0)
        self._stale_check.timeout.connect(self._drop_stale_undo)
        self.events.changed.connect(self._on_change)
        self.automations.chosen.connect(self.open_automation)
        self.automations.message.connect(self.show_message)
        self.editor.message.connect(self.show_message)
        self.canvas.hint.connect(self._show_hint)
        self.canvas.node_clicked.connect(self.open_settings)
        self.canvas.empty_clicked.connect(self.close_settings)
        self.canvas.escape_pressed.connect(self.close_settings)
        self.settings.closed.connect(self.close_settings)
        self.bar.problem_chosen.connect(self.frame_node)
        self.settings.what_if.connect(self.simulation.preview_change)
        escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), self.settings)
        escape.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        escape.activated.connect(self.close_settings)
        self.palette.add_requested.connect(self._add_at_center)
        self.empty.demo_button.clicked.connect(self.load_demo)
        self.empty.scratch_button.clicked.connect(self.automations.create)
        self._build_menus()
        self._restore_layout()
        self.statusBar().showMessage("Ready")
        self.open_automation(self.automations.current)

    # -- the pages beside the automations, made when first opened ------------------------------

    def _make_crm(self) -> CrmView:
        from builder.ui.crm.crm_view import CrmView

        return CrmView(self.workspace, self.undo_stack, self.show_message)

    def _make_tasks(self) -> TasksView:
        from builder.ui.tasks_view import TasksView

        return TasksView(self.workspace, self.show_message, undo_stack=self.undo_stack)

    def _make_profiles(self) -> SenderProfilesView:
        from builder.ui.profiles_view import SenderProfilesView

        return SenderProfilesView(self.workspace, self.undo_stack, self.show_message)

    @property
    def crm(self) -> CrmView:
        return self.crm_tab.built()

    @property
    def tasks(self) -> TasksView:
        return self.tasks_tab.built()

    @property
    def profiles(self) -> SenderProfilesView:
        return self.profiles_tab.built()

    # -- menus ---------------------------------------------------------------------------------

    def _action(self, text: str, slot: object, shortcuts: list[QKeySequence] | None = None, name: str = "") -> QAction:
        action = QAction(text, self)
        if shortcuts:
            action.setShortcuts(shortcuts)
        action.triggered.connect(slot)
        if name:
            action.setObjectName(name)
        return action

    def _build_menus(self) -> None:
        menu = self.menuBar()
        file_menu = menu.addMenu("&File")
        file_menu.addAction(self._action("&New automation", self.automations.create, [QKeySequence.StandardKey.New]))
        file_menu.addAction(
            self._action(
                "New workspace from &scenario…", self.new_workspace_from_scenario, name="newWorkspaceFromScenarioAction"
            )
        )
        file_menu.addSeparator()
        file_menu.addAction(self._action("&Quit", self.close, [QKeySequence.StandardKey.Quit]))

        edit = menu.addMenu("&Edit")
        self.undo_action = self.undo_stack.createUndoAction(self, "&Undo")
        self.undo_action.setShortcuts([QKeySequence.StandardKey.Undo])
        self.undo_action.setObjectName("undoAction")
        self.redo_action = self.undo_stack.createRedoAction(self, "&Redo")
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        self.redo_action.setObjectName("redoAction")
        edit.addAction(self.undo_action)
        edit.addAction(self.redo_action)
        edit.addSeparator()
        edit.addAction(self._action("&Delete", self.editor.delete_selection, [QKeySequence.StandardKey.Delete]))
        edit.addAction(self._action("Select &all", self._select_all, [QKeySequence.StandardKey.SelectAll]))
        edit.addAction(self._action("Re&name node…", self.rename_selected_node, [QKeySequence("F2")]))

        view = menu.addMenu("&View")
        self.zoom_in_action = self._action(
            "Zoom &in", self.canvas.zoom_in, [QKeySequence.StandardKey.ZoomIn, QKeySequence("Ctrl+=")]
        )
        self.zoom_out_action = self._action("Zoom &out", self.canvas.zoom_out, [QKeySequence.StandardKey.ZoomOut])
        # Fit shows all (SPEC §8), however small: zoomed-out cards still show their titles.
        self.fit_action = self._action("&Fit", self.canvas.fit_all, [QKeySequence("Ctrl+0")], "fitAction")
        self.layout_action = self._action(
            "Auto-&layout", self.editor.auto_layout, [QKeySequence("Ctrl+L")], "autoLayoutAction"
        )
        for action in (self.zoom_in_action, self.zoom_out_action, self.fit_action, self.layout_action):
            view.addAction(action)
        self.canvas.zoom_changed.connect(self._zoom_limits)

        tools = menu.addMenu("&Tools")
        self.send_emails_action = self._action("&Send due emails", self.send_due_emails, name="sendEmailsAction")
        tools.addAction(self.send_emails_action)

        help_menu = menu.addMenu("&Help")
        help_menu.addAction(self._action("&About Automation Builder", self.about))
        for action in (self.undo_action, self.redo_action):
            self.addAction(action)

    def _page_changed(self, index: int) -> None:
        """The simulation follows the open automation: it is shown with the automations, not the contacts."""
        self.simulation_dock.setVisible(self.pages.widget(index) is self.splitter)

    def _zoom_limits(self, zoom: float) -> None:
        from builder.ui.canvas.view import MAX_ZOOM, MIN_ZOOM

        self.zoom_in_action.setEnabled(zoom < MAX_ZOOM - 1e-6)
        self.zoom_out_action.setEnabled(zoom > MIN_ZOOM + 1e-6)

    # -- behaviour -------------------------------------------------------------------------------

    def open_automation(self, automation_id: int | None) -> None:
        switched = automation_id != self.scene.automation_id
        if switched:
            self.close_settings()
        self.scene.show_automation(automation_id)
        if switched and automation_id is not None:
            # Once the view has its size: another automation opens framed at a readable zoom.
            QTimer.singleShot(0, self.canvas.fit)
        self.bar.show_automation(automation_id)
        self.simulation.show_automation(automation_id)
        if automation_id is None:
            self.empty.show_holding(self.workspace.contact_count(), len(self.workspace.sender_profiles()))
        self.empty.setVisible(automation_id is None)

    def watch_other_processes(self) -> None:
        """Refuse edits made on a stale view and reload when another process writes (the app does this)."""
        self.workspace.guard_stale_edits = True
        self.changes.start()

    def _look_elsewhere(self) -> None:
        try:
            self.workspace.changed_elsewhere()  # announces "reloaded" when it did
            self.workspace.follow_calendar()  # past midnight: contacts whose wait is over move on (SPEC §10)
        except WorkspaceError as error:
            self.show_message(str(error))

    def _reload_everything(self) -> None:
        """Another process changed the workspace: every view reads it again; undo starts afresh."""
        self.undo_stack.clear()  # its steps describe a workspace that is no longer there
        for what in ("automations", "graph", "sender_profiles", "sender_profile_node", "segments", "contacts", "tasks"):
            self._on_change(Change(what))
        if not self.statusBar().currentMessage().startswith("The workspace was changed elsewhere"):
            self.show_message("The workspace was changed elsewhere — reloaded.")

    def _on_change(self, change: Change) -> None:
        if change.what == "reloaded":
            # After the command being run (a refused one, maybe) has finished: never inside a push.
            QTimer.singleShot(0, self._reload_everything)
            return
        self.automations.on_change(change)
        self.scene.on_change(change)
        self.bar.on_change(change)
        self.settings.on_change(change)
        self.simulation.on_change(change)
        for tab in (self.crm_tab, self.tasks_tab, self.profiles_tab):
            tab.on_change(change)
        if change.what in ("tasks", "enrollments", "today"):
            # After the command being run (if any) has finished: never inside an undo.
            self._stale_check.start()
        if change.what == "automations":
            self.open_automation(self.automations.current)

    def open_settings(self, node_id: int, animated: bool = True) -> None:
        """Slide the settings panel in with this node's settings (another node switches it)."""
        self.settings.show_node(node_id)
        self.slide.slide_in(animated=animated)

    def show_first_sender_profile_node(self) -> None:
        """Open the settings of the open automation's first Sender Profile node (for the demo picture)."""
        profiles = [item for item in self.scene.nodes.values() if item.kind is NodeKind.SENDER_PROFILE]
        if profiles:
            first = min(profiles, key=lambda item: (item.pos().y(), item.pos().x()))
            first.setSelected(True)
            self.open_settings(first.node_id, animated=False)

    def close_settings(self) -> None:
        self.settings.show_node(None)
        self.slide.slide_out()

    def frame_node(self, node_id: int) -> None:
        """Select a node, bring it into view and show its settings (from a problem in the bar)."""
        item = self.scene.nodes.get(node_id)
        if item is None:
            return
        self.scene.clearSelection()
        item.setSelected(True)
        self.canvas.ensureVisible(item, round(em() * 4), round(em() * 4))
        self.open_settings(node_id)

    def _drop_stale_undo(self) -> None:
        """A change to sender profiles that undo can no longer restore exactly is not offered."""
        index = self.undo_stack.index()
        top = self.undo_stack.command(index - 1) if index > 0 else None
        if isinstance(top, BranchChangeCommand) and not top.still_exact():
            text = top.text()
            top.setObsolete(True)
            self.undo_stack.undo()  # an obsolete command is dropped (and deleted), not undone
            self.show_message(f"'{text}' can no longer be undone: work has happened in that branch since.")

    def send_due_emails(self) -> None:
        """Send today's due emails through the profiles' mailboxes in the background (SPEC §11)."""
        from builder.ui.send_emails import EmailSending

        current = getattr(self, "email_sending", None)
        if current is None or (current.workspace is not self.workspace and not current.running):
            self.email_sending = EmailSending(self.workspace, self)
            self.email_sending.progress.connect(self._show_hint)
            self.email_sending.finished.connect(self._emails_sent)
        if self.email_sending.start():
            self.send_emails_action.setEnabled(False)
            self._show_hint("Sending due emails…")

    def _emails_sent(self, said: str) -> None:
        self.send_emails_action.setEnabled(True)
        self.show_message(said)

    def show_message(self, text: str) -> None:
        log.info("said: %s", text)
        self.statusBar().showMessage(text, 8000)

    def _show_hint(self, text: str) -> None:
        if text:
            self.statusBar().showMessage(text)
        else:
            self.statusBar().clearMessage()

    def _add_at_center(self, kind: NodeKind) -> None:
        center = self.canvas.mapToScene(self.canvas.viewport().rect().center())
        self.editor.add_node(kind, QPointF(center.x() - em() * 7, center.y() - em() * 2))

    def _select_all(self) -> None:
        for item in self.scene.nodes.values():
            item.setSelected(True)

    def rename_selected_node(self) -> None:
        nodes = self.scene.selected_nodes()
        if len(nodes) != 1:
            self.show_message("Select one node to rename it.")
            return
        title, ok = QInputDialog.getText(self, "Rename node", "Title:", text=nodes[0].title)
        if ok:
            self.editor.rename(nodes[0].node_id, title)

    def load_demo(self) -> None:
        try:
            automation = build_demo(self.workspace)
        except WorkspaceError as error:
            self.show_message(str(error))
            return
        self.undo_stack.clear()  # earlier steps name ids the demo may now reuse
        self.automations.choose(automation)
        self.canvas.fit()

    def new_workspace_from_scenario(self) -> MainWindow | None:
        """File ▸ New workspace from scenario…: a new workspace file holding a scenario, opened in its own window.

        The reverse of Save as scenario (SPEC §7): profiles, contacts, history, overrides and the automation,
        started when the file starts it on day 0 (today); later events are the forecast's.
        """
        from builder.engine.scenario import ScenarioError, load_scenario

        scenario_path, _ = QFileDialog.getOpenFileName(
            self, "Make a workspace from a scenario", "", "Scenario files (*.json);;All files (*)"
        )
        if not scenario_path:
            return None
        try:
            scenario = load_scenario(scenario_path)
        except ScenarioError as error:
            QMessageBox.warning(self, "This scenario cannot be loaded", "\n".join(error.problems[:12]))
            return None
        suggested = str(Path(scenario_path).with_suffix(".sqlite"))
        target, _ = QFileDialog.getSaveFileName(self, "Save the new workspace as", suggested, "Workspaces (*.sqlite)")
        if not target:
            return None
        return self.open_scenario_workspace(scenario, target, Path(scenario_path).name)

    def open_scenario_workspace(self, scenario: Scenario, target: str, source: str) -> MainWindow | None:
        """Fill the (new or empty) workspace at ``target`` from ``scenario`` and open it in a window beside this one."""
        from builder.store.scenario_import import load_into
        from builder.ui.app import show_window

        if Path(target).exists() and Path(target).stat().st_size > 0:
            self.show_message(f"{Path(target).name} exists already: choose a new file for the new workspace.")
            return None
        workspace = None
        try:
            workspace = Workspace.open(target, today=self.workspace._fixed_today)
            loaded = load_into(workspace, scenario)
            summary = loaded.lines(workspace)
            window = MainWindow(workspace, Path(target).name)
        except WorkspaceError as error:
            if workspace is not None:
                workspace.close()
            self.show_message(str(error))
            return None
        window.owns_workspace = True
        self.scenario_windows.append(window)
        show_window(window)
        window.show_message(f"Made from {source}: " + " ".join(summary))
        return window

    def about(self) -> None:
        QMessageBox.about(
            self,
            "About Automation Builder",
            f"<b>Automation Builder</b> {__version__}<br>Outreach automations, and how their contacts spread "
            "over your sender profiles.",
        )

    # -- the window's layout, remembered between runs ---------------------------------------

    geometry_restored = False  # the window came back at the size and place it was left at
    owns_workspace = False  # a window made from a scenario closes its workspace with it

    def _restore_layout(self) -> None:
        settings = QSettings()
        geometry, state = settings.value("window/geometry"), settings.value("window/state")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.geometry_restored = self.restoreGeometry(geometry)
        if isinstance(state, QByteArray) and not state.isEmpty():
            self.restoreState(state)
        sizes = settings.value("window/splitter")
        if isinstance(sizes, list) and len(sizes) == 3:
            try:
                left, center = int(sizes[0]), int(sizes[1])
            except (TypeError, ValueError):
                left = center = 0
            if left > 0 and center > 0:
                self.splitter.setSizes([left, center, 0])  # the settings panel opens on a click, not at start
        page = str(settings.value("window/page", 0))
        if page.isdigit():  # a damaged settings file is ignored, not obeyed
            self.pages.setCurrentIndex(int(page))

    def _save_layout(self) -> None:
        settings = QSettings()
        settings.setValue("window/geometry", self.saveGeometry())
        settings.setValue("window/state", self.saveState())
        settings.setValue("window/splitter", [str(size) for size in self.splitter.sizes()])
        settings.setValue("window/page", self.pages.currentIndex())

    def closeEvent(self, event: QCloseEvent) -> None:
        self.changes.stop()
        self._save_layout()
        self.simulation.debounce.stop()
        self.simulation.worker.wait()  # no computation outlives the window
        self.scene.counting.wait()
        if self.crm_tab.page is not None:
            self.crm_tab.page.wait()
        self.events.detach()
        super().closeEvent(event)
        if self.owns_workspace:
            self.workspace.close()
