"""The simulation pane (SPEC §8, §10): contacts per sender profile and why, the work day by day,
what contacts do (accepted, replied, bounced), how they split at each control node, and their routes.

It follows the open automation and every workspace change within a moment,
computing off the GUI thread. It writes to the workspace only when the user
edits the automation's outcome rates, as one undoable command.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableView,
    QTableWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from builder.engine.preview import Outlook
from builder.engine.scenario import Scenario, load_scenario
from builder.engine.scenario_writer import scenario_text
from builder.store.base import Change
from builder.store.workspace import Workspace
from builder.ui.elided_label import ElidedLabel
from builder.ui.simulation.held_back import day_namer, held_back_warnings
from builder.ui.simulation.paths_view import (
    CONTROL_COLUMNS,
    ROUTE_COLUMNS,
    ContactRoutesModel,
    canvas_names,
    fill_controls,
    route_row,
)
from builder.ui.simulation.profile_table import (
    COMPARE_COLUMNS,
    TABLE_COLUMNS,
    TABLE_HEADERS,
    fill_comparison,
    fill_profile_table,
    profile_rows,
    spreadsheet_safe,
)
from builder.ui.simulation.rates import OutcomeRates, push_rates
from builder.ui.simulation.worker import Computed, OutlookWorker

DEBOUNCE_MS = 150


class SimulationPane(QWidget):
    """Chart and table of the spread, warnings, the forecast, and the what-if inputs."""

    def __init__(
        self,
        workspace: Workspace,
        parent: QWidget | None = None,
        *,
        undo_stack: QUndoStack | None = None,
        report: Callable[[str], None] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("SimulationPane")
        self.workspace = workspace
        self._undo_stack, self._report = undo_stack, report
        self.automation_id: int | None = None
        self.opened: str | None = None
        self.outlook: Outlook | None = None
        self.scenario: Scenario | None = None
        self.worker = OutlookWorker(self)
        self.worker.ready.connect(self._show)
        self.debounce = QTimer(self)
        self.debounce.setSingleShot(True)
        self.debounce.setInterval(DEBOUNCE_MS)
        self.debounce.timeout.connect(self.recompute)

        self.days = QSpinBox(self)
        self.days.setObjectName("forecastDays")
        self.days.setRange(1, 3650)
        self.days.setValue(60)
        self.days.setSuffix(" days")
        self.new_per_day = QSpinBox(self)
        self.new_per_day.setObjectName("newContactsPerDay")
        self.new_per_day.setRange(0, 2_000)  # up to 120,000 more contacts over 60 days
        self.new_per_day.setSuffix(" new contacts a day")
        for box in (self.days, self.new_per_day):
            box.valueChanged.connect(lambda _value: self.debounce.start())
        self.status = ElidedLabel("", self)
        self.status.setObjectName("simulationStatus")
        self.save_button = QPushButton("Save as scenario…", self)
        self.save_button.setObjectName("saveScenarioButton")
        self.save_button.clicked.connect(self._save_clicked)
        self.open_button = QPushButton("Open scenario…", self)
        self.open_button.setObjectName("openScenarioButton")
        self.open_button.clicked.connect(self._open_clicked)
        self.png_button = QPushButton("Chart as PNG…", self)
        self.png_button.setObjectName("exportChartButton")
        self.png_button.clicked.connect(self._png_clicked)
        self.csv_button = QPushButton("Table as CSV…", self)
        self.csv_button.setObjectName("exportTableButton")
        self.csv_button.clicked.connect(self._csv_clicked)
        inputs = QHBoxLayout()
        inputs.addWidget(QLabel("Forecast", self))
        inputs.addWidget(self.days)
        inputs.addWidget(QLabel("What if", self))
        inputs.addWidget(self.new_per_day)
        inputs.addWidget(self.status, 1)
        for button in (self.save_button, self.open_button, self.png_button, self.csv_button):
            inputs.addWidget(button)
        self.rates = OutcomeRates(self)
        self.rates.edited.connect(self._rates_edited)

        from builder.ui.simulation.charts import chart_view, fit_names  # Qt Charts loads when a pane is built

        bottom, right = Qt.AlignmentFlag.AlignBottom, Qt.AlignmentFlag.AlignRight
        title = "Contacts per sender profile, by reason"
        self.spread_view = chart_view(title, "distributionChart", bottom, self)
        self.spread_chart = self.spread_view.chart()
        self.spread_chart.plotAreaChanged.connect(lambda _area: fit_names(self.spread_chart))
        # One entry a profile: in a column beside the lines, so every name shows whole.
        self.forecast_view = chart_view("Tasks done per day", "forecastChart", right, self)
        self.forecast_chart = self.forecast_view.chart()
        self.outcomes_view = chart_view("Accepted and replied per day", "outcomesChart", right, self)
        self.outcomes_chart = self.outcomes_view.chart()
        self.charts = QTabWidget(self)
        self.charts.setObjectName("forecastTabs")
        self.charts.addTab(self.forecast_view, "Tasks")
        self.charts.addTab(self.outcomes_view, "Outcomes")
        self.controls = QTableWidget(0, len(CONTROL_COLUMNS), self)
        self.controls.setObjectName("controlNodesTable")
        self.controls.setHorizontalHeaderLabels(CONTROL_COLUMNS)
        self.controls.verticalHeader().setVisible(False)
        self.controls.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.controls.horizontalHeader().setStretchLastSection(True)
        self.routes_model = ContactRoutesModel(self)
        self.routes = QTableView(self)
        self.routes.setObjectName("contactRoutesTable")
        self.routes.setModel(self.routes_model)
        self.routes.verticalHeader().setVisible(False)
        self.routes.setWordWrap(False)  # one line a contact; the whole route in its tooltip
        self.routes.horizontalHeader().setStretchLastSection(True)
        self.table = QTableWidget(0, len(TABLE_COLUMNS), self)
        self.table.setObjectName("distributionTable")
        self.table.setHorizontalHeaderLabels(TABLE_HEADERS)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(round(self.fontMetrics().height() * 1.6))
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.warnings = QListWidget(self)
        self.warnings.setObjectName("warningsList")
        self.warnings.setWordWrap(True)
        self.comparison_title = QLabel(self)
        self.comparison_title.setObjectName("comparisonTitle")
        self.comparison_title.setWordWrap(True)
        self.comparison = QTableWidget(0, len(COMPARE_COLUMNS), self)
        self.comparison.setObjectName("comparisonTable")
        self.comparison.setHorizontalHeaderLabels(COMPARE_COLUMNS)
        self.comparison.verticalHeader().setVisible(False)
        self.comparison.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.close_comparison = QPushButton("Back to now", self)
        self.close_comparison.setObjectName("closeComparisonButton")
        self.close_comparison.clicked.connect(self.recompute)
        self.comparing = QWidget(self)
        comparing = QVBoxLayout(self.comparing)
        comparing.setContentsMargins(0, 0, 0, 0)
        header = QHBoxLayout()
        header.addWidget(self.comparison_title, 1)
        header.addWidget(self.close_comparison)
        comparing.addLayout(header)
        comparing.addWidget(self.comparison)
        self.comparing.hide()
        self.finish = QLabel(self)
        self.finish.setObjectName("branchFinish")
        self.finish.setWordWrap(True)

        middle = QWidget(self)
        middle_layout = QVBoxLayout(middle)
        middle_layout.setContentsMargins(0, 0, 0, 0)
        spread = QWidget(self)
        spread_layout = QVBoxLayout(spread)
        spread_layout.setContentsMargins(0, 0, 0, 0)
        spread_layout.addWidget(self.comparing, 1)
        spread_layout.addWidget(self.table, 1)
        self.tables = QTabWidget(self)
        self.tables.setObjectName("simulationTables")
        self.tables.addTab(spread, "Sender profiles")
        self.tables.addTab(self.controls, "Control nodes")
        self.tables.addTab(self.routes, "Contacts")
        middle_layout.addWidget(self.tables, 1)
        middle_layout.addWidget(self.finish)
        middle_layout.addWidget(self.warnings)
        # The table takes the room; warnings show a few lines and scroll (each whole in its tooltip).
        self.warnings.setMaximumHeight(self.fontMetrics().height() * 4)
        # Minimums below Qt's default hints, so the pane's tabs and rates still fit a short dock.
        self.warnings.setMinimumHeight(self.fontMetrics().height() * 2)
        for table in (self.table, self.controls, self.routes):
            table.setMinimumHeight(self.fontMetrics().height() * 3)
        self.charts.setMinimumHeight(self.fontMetrics().height() * 8)
        middle_layout.setSpacing(2)
        self.warnings.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self.spread_view)
        splitter.addWidget(middle)
        splitter.addWidget(self.charts)
        # The tables take the most room: the profiles' columns, with the outcomes', show whole.
        for index, stretch in enumerate((2, 5, 2)):
            splitter.setStretchFactor(index, stretch)
        unit = self.fontMetrics().height()
        splitter.setSizes([unit * 22, unit * 54, unit * 22])
        for view in (self.spread_view, self.forecast_view, self.outcomes_view):
            view.setMinimumWidth(round(self.fontMetrics().height() * 16))
            # Below its own hint: the dock may be made short (the window fits 1280 × 720); the charts then scale.
            view.setMinimumHeight(round(self.fontMetrics().height() * 6))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(inputs)
        layout.addWidget(self.rates)
        layout.addWidget(splitter, 1)

    # -- following the workspace ---------------------------------------------------------

    def show_automation(self, automation_id: int | None) -> None:
        """Follow the open automation: another one's numbers are cleared at once, never shown meanwhile."""
        if automation_id != self.automation_id:
            self.clear()
        self.automation_id = automation_id
        self._show_rates()
        self.recompute()

    def _show_rates(self) -> None:
        """The open automation's outcome rates in the spin boxes; none to edit without one."""
        self.rates.setEnabled(self.automation_id is not None)
        try:
            stored = self.workspace.rates(self.automation_id) if self.automation_id is not None else {}
        except ValueError:  # deleted meanwhile: its list follows in a moment
            stored = {}
        self.rates.show_rates(stored)

    def _rates_edited(self) -> None:
        """The user changed a rate: keep it with the automation, one undo step; the pane follows the announcement."""
        if self.automation_id is None:
            return
        window = self.window()
        stack = self._undo_stack or getattr(window, "undo_stack", None)
        report = self._report or getattr(window, "show_message", None) or self.status.setText
        if stack is None:
            stack = self._undo_stack = QUndoStack(self)
        try:
            stored = self.workspace.rates(self.automation_id)
            push_rates(stack, self.workspace, self.automation_id, self.rates.value(stored), report)
        except ValueError as error:  # the automation is gone
            report(str(error))

    def clear(self) -> None:
        """Nothing shown: no table rows, bars, lines, finish dates or warnings."""
        self.outlook = self.scenario = None
        self.opened = None
        self.comparing.hide()
        self.comparison.setRowCount(0)
        self.table.show()
        self.table.setRowCount(0)
        self.warnings.clear()
        self.finish.clear()
        self.controls.setRowCount(0)
        self.routes_model.show_routes([])
        from builder.ui.simulation.charts import clear_chart

        for chart in (self.spread_chart, self.forecast_chart, self.outcomes_chart):
            clear_chart(chart)

    def on_change(self, change: Change) -> None:
        if change.what == "automations":
            self._show_rates()  # an edit, its undo, or another automation's rates: the boxes show what is kept
        if change.what in (
            "graph",
            "sender_profile_node",
            "enrollments",
            "tasks",
            "contacts",
            "sender_profiles",
            "segments",
            "automations",
            "today",
        ):
            self.debounce.start()

    def recompute(self) -> None:
        automation = self.automation_id
        if automation is None:
            self.worker.generation += 1  # a result still on its way is for an automation no longer open
            self.clear()
            self.status.setText("No automation open.")
            return
        days, per_day = self.days.value(), self.new_per_day.value()
        self.status.setText("Computing…")
        self.worker.request(
            lambda: self.workspace.scenario_model(automation, days=days, new_contacts_per_day=per_day),
            names=lambda: canvas_names(self.workspace, automation),
        )

    def preview_change(self, label: str, change: Callable[[Scenario], Scenario]) -> None:
        """Show the numbers as they would be after ``change``, beside now; nothing is changed."""
        automation = self.automation_id
        if automation is None:
            return
        days, per_day = self.days.value(), self.new_per_day.value()
        self.status.setText(f"Computing: {label}…")
        self.worker.request(
            lambda: self.workspace.scenario_model(automation, days=days, new_contacts_per_day=per_day),
            change,
            label,
            names=lambda: canvas_names(self.workspace, automation),
        )

    def open_scenario(self, path: str | Path) -> None:
        """Show a scenario file's outlook (SPEC §7) instead of the open automation's, until it changes."""
        self.opened = Path(path).name
        self.status.setText(f"Computing {self.opened}…")
        self.worker.request(lambda: load_scenario(path), label=self.opened, saveable=False)

    # -- showing a result ------------------------------------------------------------------

    def _show(self, computed: Computed) -> None:
        if computed.outlook is None:
            self.clear()
            self.status.setText(computed.error or "Nothing to show.")
            return
        self.outlook, self.scenario = computed.outlook, computed.scenario
        outlook = computed.outlook
        if computed.scenario is None and computed.label:
            self.status.setText(
                f"Scenario file {computed.label}: {outlook.days} days (not your workspace; any edit returns to it)."
            )
        else:
            self.status.setText(f"Forecast for {outlook.days} days from today.")
        fill_profile_table(self.table, outlook)
        from builder.ui.simulation.charts import draw_forecast, draw_outcomes, draw_spread

        draw_spread(self.spread_chart, outlook)
        draw_forecast(self.forecast_chart, outlook)
        draw_outcomes(self.outcomes_chart, outlook)
        fill_controls(self.controls, outlook.controls)
        self.routes_model.show_routes(outlook.routes)
        for tab in (self.tables.indexOf(self.controls), self.tables.indexOf(self.routes)):
            self.tables.setTabEnabled(tab, outlook.paths)
            self.tables.setTabToolTip(
                tab, "" if outlook.paths else "For a path with a Wait for, Condition or A/B split, or outcome rates."
            )
        # A scenario file counts days from its day 0; the workspace's forecast from today, on real dates.
        day_name = day_namer(self.workspace.today if computed.scenario is not None else None)
        held = held_back_warnings(
            computed.held_back,
            computed.branch_profiles,
            outlook.branch_finished,
            {p.profile: p.name for p in outlook.profiles},
            outlook.days,
            day_name,
        )
        self.warnings.clear()
        # A weekly limit holding a branch back first: it says what to change and the date it costs.
        for text in [f"⚠ {w}" for w in [*held, *outlook.warnings]] or ["No warnings."]:
            item = QListWidgetItem(text)
            item.setToolTip(text)
            self.warnings.addItem(item)
        finished = [
            f"'{branch}' finishes on {day_name(day)}" + (f" (day {day})" if computed.scenario is not None else "")
            if day is not None
            else f"'{branch}' is not finished within {outlook.days} days"
            for branch, day in outlook.branch_finished.items()
        ]
        self.finish.setText("; ".join(finished) + ".")
        self._fill_comparison(computed)

    def _fill_comparison(self, computed: Computed) -> None:
        after = computed.after
        self.comparing.setVisible(after is not None)
        self.table.setVisible(after is None)
        if after is None or computed.outlook is None:
            return
        self.tables.setCurrentIndex(0)
        self.comparison_title.setText(f"<b>What if {computed.label}</b> — nothing is changed until you do it.")
        fill_comparison(self.comparison, computed.outlook, after)

    def rows(self) -> list[list[str]]:
        """The table's cells, as shown (and as exported)."""
        return profile_rows(self.outlook) if self.outlook is not None else []

    # -- saving and exporting ------------------------------------------------------------------

    def save_scenario(self, path: str | Path) -> None:
        if self.scenario is None:
            raise ValueError("Nothing to save yet: the forecast is still being computed.")
        Path(path).write_text(scenario_text(self.scenario), encoding="utf-8")

    def export_csv(self, path: str | Path) -> None:
        with Path(path).open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(TABLE_COLUMNS)
            for row in self.rows():
                writer.writerow([spreadsheet_safe(cell) for cell in row])

    def export_routes_csv(self, path: str | Path) -> None:
        """Every contact of the forecast with its route (SPEC §10), as the Contacts tab shows them."""
        with Path(path).open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(ROUTE_COLUMNS)
            for route in self.outlook.routes if self.outlook is not None else ():
                writer.writerow([spreadsheet_safe(cell) for cell in route_row(route)])

    def export_png(self, path: str | Path) -> bool:
        return self.spread_view.grab().save(str(path))

    def _ask(self, title: str, pattern: str, suffix: str) -> str | None:
        path, _ = QFileDialog.getSaveFileName(self, title, "", pattern)
        if not path:
            return None
        return path if path.endswith(suffix) else path + suffix

    def _save_clicked(self) -> None:
        path = self._ask("Save the what-if as a scenario", "Scenario files (*.json)", ".json")
        if path:
            try:
                self.save_scenario(path)
            except (OSError, ValueError) as error:
                self.status.setText(f"Not saved: {error}")
                return
            self.status.setText(f"Saved {Path(path).name}; `automation-builder simulate` gives these same numbers.")

    def _open_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open a scenario", "", "Scenario files (*.json);;All files (*)")
        if path:
            self.open_scenario(path)

    def _png_clicked(self) -> None:
        path = self._ask("Export the chart", "PNG images (*.png)", ".png")
        if path and not self.export_png(path):
            self.status.setText(f"Could not write {path}.")

    def _csv_clicked(self) -> None:
        path = self._ask("Export the table", "CSV files (*.csv)", ".csv")
        if path:
            try:
                if self.tables.currentWidget() is self.routes:
                    self.export_routes_csv(path)
                else:
                    self.export_csv(path)
            except OSError as error:
                self.status.setText(f"Not exported: {error.strerror or error}")
