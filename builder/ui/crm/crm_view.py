"""The CRM page: search and filters above the contacts table, the Mass Actions beside it."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QItemSelection, QItemSelectionModel, Qt, QTimer
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from builder.store.base import Change
from builder.store.contact_search import ContactQuery
from builder.store.database import WorkspaceError
from builder.store.workspace import Workspace
from builder.ui.canvas.items import em
from builder.ui.commands import push
from builder.ui.crm.contacts_model import ContactsModel, Found
from builder.ui.crm.mass_actions import MassActionsPanel
from builder.ui.crm.outcome_box import OutcomeBox
from builder.ui.crm.query_worker import Answer, ContactQueries
from builder.ui.dialogs.import_file import import_csv
from builder.ui.outcome_commands import ImportedInteractionsCommand
from builder.ui.page import Page


class CrmView(Page):
    follows = ("contacts", "sender_profiles", "segments")

    def __init__(
        self, workspace: Workspace, undo_stack: QUndoStack, report: Callable[[str], None], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("CrmView")
        self.workspace, self.report, self.undo_stack = workspace, report, undo_stack
        self.model = ContactsModel(workspace, self)
        self.queries = ContactQueries(self)
        self.queries.answered.connect(self._answered)
        self.counts = ContactQueries(self)  # the exact count, when the first answer said "more than"
        self.counts.answered.connect(self._counted)
        self._noted = False
        self.model.query_changed.connect(self.apply_filters)

        self.search = QLineEdit()
        self.search.setObjectName("contactSearch")
        self.search.setPlaceholderText("Search name, email or company")
        self.search.setClearButtonEnabled(True)
        self.tag_filter = QComboBox()
        self.tag_filter.setObjectName("tagFilter")
        self.segment_filter = QComboBox()
        self.segment_filter.setObjectName("segmentFilter")
        for combo, everyone in ((self.tag_filter, "Any tag"), (self.segment_filter, "Any segment")):
            # As wide as its "Any …" choice, whatever the names in it: a long name never widens the window.
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(len(everyone) + 1)
        self.found = QLabel("")
        self.found.setObjectName("contactCount")
        self.select_all_button = QPushButton("Select all matching")
        self.select_all_button.setObjectName("selectAllMatchingButton")
        self.import_contacts_button = QPushButton("Import contacts…")
        self.import_contacts_button.setObjectName("importContactsButton")
        self.import_interactions_button = QPushButton("Import interactions…")
        self.import_interactions_button.setObjectName("importInteractionsButton")
        top = QHBoxLayout()
        top.addWidget(self.search, 3)
        top.addWidget(QLabel("Tag"))
        top.addWidget(self.tag_filter, 1)
        top.addWidget(QLabel("Segment"))
        top.addWidget(self.segment_filter, 1)
        top.addWidget(self.found)
        top.addWidget(self.select_all_button)
        top.addWidget(self.import_contacts_button)
        top.addWidget(self.import_interactions_button)

        self.table = QTableView()
        self.table.setObjectName("ContactsTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in enumerate((14, 16, 12, 12, 10)):
            self.table.setColumnWidth(column, round(em() * width))
        rows = self.table.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # no per-row measuring on a million rows
        rows.setDefaultSectionSize(round(em() * 1.8))

        self.mass = MassActionsPanel(workspace, undo_stack, self.selected_ids, report)
        self.outcome_box = OutcomeBox(workspace, undo_stack, self._one_selected, report)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.mass, 1)
        right_layout.addWidget(self.outcome_box)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(6, 6, 0, 6)
        left_layout.addLayout(top)
        left_layout.addWidget(self.table, 1)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 1)
        splitter.setSizes([round(em() * 60), round(em() * 20)])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(250)
        self._search_timer.timeout.connect(self.apply_filters)
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        self.search.returnPressed.connect(self.apply_filters)
        self.tag_filter.currentIndexChanged.connect(lambda _i: self.apply_filters())
        self.segment_filter.currentIndexChanged.connect(lambda _i: self.apply_filters())
        self.select_all_button.clicked.connect(self.select_all_matching)
        self.import_contacts_button.clicked.connect(lambda: self.import_file("contacts"))
        self.import_interactions_button.clicked.connect(lambda: self.import_file("interactions"))
        self.table.selectionModel().selectionChanged.connect(lambda *_: self.mass.selection_changed())
        self.model.modelReset.connect(self.mass.selection_changed)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self.outcome_box.selection_changed())
        self.model.modelReset.connect(self.outcome_box.selection_changed)

    # -- loading -------------------------------------------------------------------------

    def refresh(self) -> None:
        self.reload_filters()
        self.mass.reload_choices()
        self.apply_filters()

    def reload_filters(self) -> None:
        for combo, items, everyone in (
            (self.tag_filter, self.workspace.tags(), "Any tag"),
            (self.segment_filter, [(i, n) for i, n, _ in self.workspace.segments()], "Any segment"),
        ):
            current = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(everyone, None)
            for item_id, name in items:
                combo.addItem(name, item_id)
            found = combo.findData(current)
            combo.setCurrentIndex(found if found >= 0 else 0)
            combo.blockSignals(False)

    def apply_filters(self) -> None:
        """Ask (off the GUI thread) for the contacts the search and filters match."""
        if not self.loaded:
            return  # asked when the page is first shown
        self.model.search = self.search.text()
        self.model.tag_id = self.tag_filter.currentData()
        self.model.segment_id = self.segment_filter.currentData()
        self.found.setText("Searching…")
        self.queries.ask(self.model.question())

    def _answered(self, answer: Answer[Found]) -> None:
        found = answer.value
        if found is None:
            self.found.setText("")
            self.report(answer.error or "The contacts could not be read.")
            return
        if self.model.same_as(found):
            self.model.forget_rows()  # the same rows: keep the selection, show what changed in them
        else:
            self.model.set_found(found)
        self.mass.selection_changed()
        self.found.setText(found.sentence())
        if not found.exact:
            self.counts.ask(self.model.count_question())
        if found.note and not self._noted:
            self._noted = True  # said once a session: it stays true until the server has pg_trgm
            self.report(found.note)

    def _counted(self, answer: Answer[tuple[ContactQuery, int]]) -> None:
        if answer.value is None:
            return  # the first answer's "more than" stays; the next query asks again
        wanted, count = answer.value
        if wanted == self.model.wanted:
            self.model.set_count(wanted, count)
            self.found.setText(f"{count:,} contact{'s' if count != 1 else ''}")
            self.mass.selection_changed()

    def on_change(self, change: Change) -> None:
        super().on_change(change)
        if self.loaded and change.what in ("enrollments", "outcomes", "tasks", "automations"):
            self.outcome_box.reload()  # the selected contact's enrollments and their statuses

    def wait(self) -> None:
        self.queries.wait()
        self.counts.wait()

    # -- importing ------------------------------------------------------------------------------

    def _ask_file(self, title: str) -> str | None:
        path, _ = QFileDialog.getOpenFileName(self, title, "", "CSV files (*.csv *.txt);;All files (*)")
        return path or None

    def import_file(self, what: str) -> None:
        path = self._ask_file(f"Import {what} from a CSV export")
        if not path:
            return
        report = import_csv(self, self.workspace, path, what, self.report)
        if report is not None and report.history is not None:
            # History and outcomes from a file are one undoable step (SPEC §10: outcomes are undone exactly).
            push(
                self.undo_stack, ImportedInteractionsCommand(self.workspace, report.source, report.history), self.report
            )

    # -- selection ---------------------------------------------------------------------------

    def selected_ids(self) -> list[int]:
        ranges = [(r.top(), r.bottom()) for r in self.table.selectionModel().selection()]
        return self.model.ids_of_rows(ranges)

    def _one_selected(self) -> list[int]:
        """The selected contact when exactly one is selected (never reads a million selected ids)."""
        selection = self.table.selectionModel().selection()
        if len(selection) != 1 or selection[0].top() != selection[0].bottom():
            return []
        return self.model.ids_of_rows([(selection[0].top(), selection[0].top())])

    def select_all_matching(self) -> None:
        """Select every contact the search and filters match, also those not on screen."""
        if not self.model.exact:  # "more than 10,000" so far: all means all, so count them now
            try:
                self._counted(Answer((self.model.wanted, self.workspace.matching_count(self.model.wanted)), None))
            except WorkspaceError as error:
                self.report(str(error))
                return
        if not self.model.count:
            return
        everything = QItemSelection(self.model.index(0, 0), self.model.index(self.model.count - 1, 0))
        self.table.selectionModel().select(
            everything, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        )
