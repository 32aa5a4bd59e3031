"""Importing a CSV export (SPEC §8 "CRM"): which column is which, then all of it or none of it.

The dialog shows what the file is (rows, separator, encoding), proposes a
column for each field from the header, shows the first rows, and lets a
person change the mapping. Importing runs in one transaction behind a progress
dialog whose Cancel leaves the workspace as it was; the report lists each
refused row by line number.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressDialog,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from builder.imports.columns import CONTACT_FIELDS, FIELD_LABELS, INTERACTION_FIELDS, guess_mapping, recogniser
from builder.imports.contacts import plan_contacts
from builder.imports.csv_table import CsvRefused, CsvTable, read_csv_file
from builder.imports.interactions import plan_interactions
from builder.store.database import WorkspaceError
from builder.store.importing import ImportReport
from builder.store.workspace import Workspace

PREVIEW_ROWS = 5


class ImportDialog(QDialog):
    """Map the file's columns, then import; ``report`` is set when the import landed."""

    def __init__(self, workspace: Workspace, table: CsvTable, what: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ImportDialog")
        self.setWindowTitle(f"Import {what} from {table.source}")
        self.workspace, self.table, self.what = workspace, table, what
        self.report: ImportReport | None = None
        fields = CONTACT_FIELDS if what == "contacts" else INTERACTION_FIELDS
        guessed = guess_mapping(table.header, fields)

        about = QLabel(f"<b>{table.source}</b>: {table.describe()}.")
        about.setWordWrap(True)
        form = QFormLayout()
        self.columns: dict[str, QComboBox] = {}
        for field in fields:
            combo = QComboBox()
            combo.setObjectName(f"column_{field}")
            combo.addItem("— not in the file —", None)
            for index, name in enumerate(table.header):
                combo.addItem(name or f"(column {index + 1})", index)
            combo.setCurrentIndex(combo.findData(guessed[field]) if field in guessed else 0)
            self.columns[field] = combo
            form.addRow(FIELD_LABELS[field], combo)
        self.tags = QLineEdit()
        self.tags.setObjectName("importTags")
        self.tags.setPlaceholderText("optional, e.g. webinar-2026")
        if what == "contacts":
            form.addRow("Tag everyone", self.tags)

        preview = QTableWidget(min(PREVIEW_ROWS, len(table.rows)), len(table.header))
        preview.setObjectName("importPreview")
        preview.setHorizontalHeaderLabels(table.header)
        preview.setVerticalHeaderLabels([str(row.line) for row in table.rows[:PREVIEW_ROWS]])
        for r, row in enumerate(table.rows[:PREVIEW_ROWS]):
            for c, cell in enumerate(row.cells[: len(table.header)]):
                preview.setItem(r, c, QTableWidgetItem(cell))
        preview.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)

        self.problem = QLabel("")
        self.problem.setObjectName("importProblem")
        self.problem.setWordWrap(True)
        note = QLabel(
            "People are matched by email, else by LinkedIn URL: known contacts get their empty fields filled and "
            "the tags; nothing they have is overwritten. The import is all or nothing, and Cancel changes nothing."
        )
        note.setWordWrap(True)
        note.setObjectName("hint")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.import_button = buttons.addButton("Import", QDialogButtonBox.ButtonRole.AcceptRole)
        self.import_button.setObjectName("importButton")
        buttons.rejected.connect(self.reject)
        self.import_button.clicked.connect(self.run_import)

        layout = QVBoxLayout(self)
        layout.addWidget(about)
        layout.addLayout(form)
        layout.addWidget(QLabel("The first rows, by line number:"))
        layout.addWidget(preview)
        layout.addWidget(note)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        self.resize(720, 560)

    def mapping(self) -> dict[str, int]:
        return {f: combo.currentData() for f, combo in self.columns.items() if combo.currentData() is not None}

    def run_import(self) -> None:
        try:
            if self.what == "contacts":
                tags = [t.strip() for t in self.tags.text().split(",") if t.strip()]
                plan = plan_contacts(self.table, self.mapping(), tags)
                total = len(plan.contacts)
            else:
                plan = plan_interactions(self.table, self.mapping(), self.workspace.today)  # type: ignore[assignment]
                total = len(plan.interactions)  # type: ignore[attr-defined]
        except CsvRefused as error:
            self.problem.setText(str(error).split(": ", 1)[-1])
            return
        progress = QProgressDialog(f"Importing {total:,} rows…", "Cancel", 0, max(total, 1), self)
        progress.setObjectName("importProgress")
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(300)

        def step(done: int, of: int) -> bool:
            progress.setMaximum(max(of, 1))
            progress.setValue(done)
            QApplication.processEvents()
            return not progress.wasCanceled()

        try:
            if self.what == "contacts":
                self.report = self.workspace.import_contacts(plan, progress=step)  # type: ignore[arg-type]
            else:
                self.report = self.workspace.import_interactions(plan, progress=step)  # type: ignore[arg-type]
        except WorkspaceError as error:
            progress.close()
            self.problem.setText(str(error))
            return
        progress.close()
        self.accept()


def import_csv(
    parent: QWidget,
    workspace: Workspace,
    path: str,
    what: str,
    report: Callable[[str], None],
    show: Callable[[QDialog], int] | None = None,
) -> ImportReport | None:
    """Read ``path``, let the person map and import it, and show the report. None if nothing landed."""
    fields = CONTACT_FIELDS if what == "contacts" else INTERACTION_FIELDS
    try:
        table = read_csv_file(path, recogniser(fields))
    except CsvRefused as error:
        QMessageBox.warning(parent, "This file cannot be imported", str(error))
        return None
    dialog = ImportDialog(workspace, table, what, parent)
    if (show or (lambda d: d.exec()))(dialog) != QDialog.DialogCode.Accepted or dialog.report is None:
        return None
    lines = dialog.report.lines()
    report(lines[0])
    box = QMessageBox(QMessageBox.Icon.Information, "Import finished", lines[0], QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("importReport")
    if len(lines) > 1:
        box.setDetailedText("\n".join(lines[1:]))
        box.setInformativeText(lines[1])
    box.exec()
    return dialog.report
