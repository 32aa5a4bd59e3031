"""CRM benchmark: a workspace of 1,000,000 contacts, the contacts table on it, and a 100,000-row import.

    QT_QPA_PLATFORM=offscreen .venv/bin/python tests/bench/bench_crm.py [--contacts 1000000] [--rows 100000]

Each measurement runs in its own interpreter (peak memory is its own) and
against a floor measured in the same run with plain sqlite3 on the same rows:
- creating the workspace: ``Workspace.add_contacts`` in batches of 50,000
  (two tags each) against ``executemany`` of the same contact and tag rows;
- opening the CRM page: from ``show()`` until the first rows are painted,
  against reading the ids in order and the first page of rows;
- scrolling to the end: ``scrollToBottom`` and a repaint, against reading the
  last page of rows;
- a search (a name that matches one contact): against the same LIKE query;
- importing a 100,000-row HubSpot-style CSV into a new workspace, tagging
  everyone: against parsing it with ``csv`` and inserting the contact and tag
  rows with ``executemany``.
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import sqlite3
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.bench.benchlib import emit, machine, peak_rss_mib, run_phase

TODAY = date(2026, 3, 2)
SCRIPT = Path(__file__).resolve()
INDUSTRIES = ("saas", "fintech", "ai", "health", "retail")


def people(count: int, start: int = 0) -> list[dict]:
    return [
        {
            "name": f"Lead {i}",
            "email": f"lead{i}@company{i % 9973}.com",
            "company": f"Company {i % 9973}",
            "title": ("CTO", "VP Engineering", "Founder")[i % 3],
            "tags": ["lead", INDUSTRIES[i % len(INDUSTRIES)]],
        }
        for i in range(start, start + count)
    ]


def phase_create(folder: Path, contacts: int) -> dict:
    from builder.engine.bulk import collector_paused
    from builder.store.workspace import Workspace

    path = folder / "crm.sqlite"
    with Workspace.open(path, today=TODAY) as ws:
        started = time.perf_counter()
        with collector_paused():
            for start in range(0, contacts, 50_000):
                ws.add_contacts(people(min(50_000, contacts - start), start))
        seconds = time.perf_counter() - started
    return {"seconds": seconds, "peak": peak_rss_mib()}


def phase_create_floor(folder: Path, contacts: int) -> dict:
    from builder.store.workspace import Workspace

    path = folder / "floor.sqlite"
    with Workspace.open(path, today=TODAY):
        pass  # the schema only
    rows = people(contacts)
    raw = sqlite3.connect(path)
    raw.execute("PRAGMA journal_mode=WAL")
    raw.execute("PRAGMA synchronous=NORMAL")
    started = time.perf_counter()
    raw.executemany(
        "INSERT INTO tag (id, name) VALUES (?, ?)", [(1, "lead")] + [(i + 2, n) for i, n in enumerate(INDUSTRIES)]
    )
    raw.executemany(
        "INSERT INTO contact (id, name, email, company, title) VALUES (?, ?, ?, ?, ?)",
        [(i + 1, p["name"], p["email"], p["company"], p["title"]) for i, p in enumerate(rows)],
    )
    raw.executemany(
        "INSERT INTO contact_tag (contact_id, tag_id) VALUES (?, ?)",
        [(i + 1, t) for i in range(len(rows)) for t in (1, 2 + i % len(INDUSTRIES))],
    )
    raw.commit()
    seconds = time.perf_counter() - started
    raw.close()
    return {"seconds": seconds, "peak": peak_rss_mib()}


def phase_table(folder: Path) -> dict:
    from PySide6.QtCore import QEventLoop
    from PySide6.QtGui import QUndoStack
    from PySide6.QtWidgets import QApplication

    from builder.store.workspace import Workspace
    from builder.ui.crm.crm_view import CrmView

    _app = QApplication.instance() or QApplication([])  # kept alive for the widgets
    ws = Workspace.open(folder / "crm.sqlite", today=TODAY)
    stack = QUndoStack()
    view = CrmView(ws, stack, lambda _text: None)
    view.resize(1280, 800)

    waiting = QEventLoop()
    view.queries.answered.connect(lambda _answer: waiting.quit())  # after the view has shown the answer

    def settle() -> None:
        """Until the query worker has answered and the answer is shown (the time a person waits)."""
        while view.found.text() in ("", "Searching…"):
            waiting.exec()  # the event loop, idle while the worker reads
        view.table.viewport().repaint()

    started = time.perf_counter()
    view.show()
    settle()
    opened = time.perf_counter() - started
    assert view.model.rowCount() > 0 and view.model.data(view.model.index(0, 0)) == "Lead 0"

    started = time.perf_counter()
    view.table.scrollToBottom()
    view.table.viewport().repaint()
    scrolled = time.perf_counter() - started
    last = view.model.rowCount() - 1
    assert view.model.data(view.model.index(last, 0)) == f"Lead {last}"

    target = f"Lead {last // 2}"
    started = time.perf_counter()
    view.search.setText(target)
    view.apply_filters()
    settle()
    searched = time.perf_counter() - started
    matches = view.model.rowCount()
    view.close()
    view.wait()
    ws.close()
    return {"open": opened, "scroll": scrolled, "search": searched, "matches": matches, "peak": peak_rss_mib()}


def phase_table_floor(folder: Path) -> dict:
    raw = sqlite3.connect(folder / "crm.sqlite")
    columns = "id, name, email, company, title, linkedin_url"
    started = time.perf_counter()
    ids = [i for (i,) in raw.execute("SELECT id FROM contact ORDER BY id")]
    marks = ",".join("?" * 200)
    raw.execute(f"SELECT {columns} FROM contact WHERE id IN ({marks})", ids[:200]).fetchall()
    opened = time.perf_counter() - started
    started = time.perf_counter()
    raw.execute(f"SELECT {columns} FROM contact WHERE id IN ({marks})", ids[-200:]).fetchall()
    scrolled = time.perf_counter() - started
    target = f"%Lead {(len(ids) - 1) // 2}%"
    started = time.perf_counter()
    raw.execute(
        "SELECT id FROM contact WHERE name LIKE ? OR email LIKE ? OR company LIKE ? ORDER BY id", (target,) * 3
    ).fetchall()
    searched = time.perf_counter() - started
    raw.close()
    painted = bare_table(len(ids))
    return {
        "open": opened + painted["open"],
        "scroll": scrolled + painted["scroll"],
        "search": searched + painted["search"],
        "sql": {"open": opened, "scroll": scrolled, "search": searched},
        "paint": painted,
        "peak": peak_rss_mib(),
    }


def bare_table(rows: int) -> dict:
    """The painting floor: a plain QTableView of the same size over a model that makes up its cells."""
    from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
    from PySide6.QtWidgets import QApplication, QTableView

    class Made(QAbstractTableModel):
        def __init__(self, count: int) -> None:
            super().__init__()
            self.count = count

        def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
            return 0 if parent.isValid() else self.count

        def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
            return 0 if parent.isValid() else 6

        def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
            return f"cell {index.row()}" if role == Qt.ItemDataRole.DisplayRole else None

    app = QApplication.instance() or QApplication([])
    view = QTableView()
    model = Made(rows)
    view.setModel(model)
    view.verticalHeader().setDefaultSectionSize(24)
    view.resize(1000, 740)
    started = time.perf_counter()
    view.show()
    app.processEvents()
    view.viewport().repaint()
    opened = time.perf_counter() - started
    started = time.perf_counter()
    view.scrollToBottom()
    view.viewport().repaint()
    scrolled = time.perf_counter() - started
    started = time.perf_counter()
    model.beginResetModel()
    model.count = 1
    model.endResetModel()
    view.viewport().repaint()
    searched = time.perf_counter() - started
    view.close()
    return {"open": opened, "scroll": scrolled, "search": searched}


def write_csv(path: Path, rows: int) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Record ID", "First Name", "Last Name", "Email", "Company Name", "Job Title", "Create Date"])
        for i in range(rows):
            writer.writerow(
                [i + 1, "Lead", str(i), f"lead{i}@import{i % 997}.com", f"Import {i % 997}", "CTO", "2026-01-12"]
            )


def phase_import(folder: Path, rows: int) -> dict:
    from builder.engine.bulk import collector_paused
    from builder.imports.contacts import read_contacts
    from builder.store.workspace import Workspace

    with Workspace.open(folder / "import.sqlite", today=TODAY) as ws:
        started = time.perf_counter()
        with collector_paused():
            report = ws.import_contacts(read_contacts(str(folder / "import.csv"), ["imported"]))
        seconds = time.perf_counter() - started
    assert report.added == rows, report.lines()
    return {"seconds": seconds, "peak": peak_rss_mib()}


def phase_import_floor(folder: Path, rows: int) -> dict:
    from builder.store.workspace import Workspace

    path = folder / "import-floor.sqlite"
    with Workspace.open(path, today=TODAY):
        pass
    raw = sqlite3.connect(path)
    raw.execute("PRAGMA journal_mode=WAL")
    raw.execute("PRAGMA synchronous=NORMAL")
    started = time.perf_counter()
    with (folder / "import.csv").open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        next(reader)
        found = [(f"{r[1]} {r[2]}", r[3], r[4], r[5]) for r in reader]
    raw.executemany(
        "INSERT INTO contact (id, name, email, company, title) VALUES (?, ?, ?, ?, ?)",
        [(i + 1, *r) for i, r in enumerate(found)],
    )
    raw.execute("INSERT INTO tag (id, name) VALUES (1, 'imported')")
    raw.executemany("INSERT INTO contact_tag (contact_id, tag_id) VALUES (?, 1)", [(i + 1,) for i in range(len(found))])
    raw.commit()
    seconds = time.perf_counter() - started
    raw.close()
    assert len(found) == rows
    return {"seconds": seconds, "peak": peak_rss_mib()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--phase")
    parser.add_argument("--folder")
    args = parser.parse_args()
    if args.phase:
        folder = Path(args.folder)
        phases = {
            "create": lambda: phase_create(folder, args.contacts),
            "create-floor": lambda: phase_create_floor(folder, args.contacts),
            "table": lambda: phase_table(folder),
            "table-floor": lambda: phase_table_floor(folder),
            "import": lambda: phase_import(folder, args.rows),
            "import-floor": lambda: phase_import_floor(folder, args.rows),
        }
        emit(phases[args.phase]())
        return
    folder = Path(tempfile.mkdtemp(prefix="bench-crm-"))
    print(f"machine: {machine()}")
    common = ["--folder", str(folder), "--contacts", str(args.contacts), "--rows", str(args.rows)]
    create = run_phase(SCRIPT, ["--phase", "create", *common])
    floor = run_phase(SCRIPT, ["--phase", "create-floor", *common])
    print(
        f"create {args.contacts:,} contacts: {create['seconds']:.2f} s (peak {create['peak']['vmhwm_mib']:.0f} MiB); "
        f"floor {floor['seconds']:.2f} s (peak {floor['peak']['vmhwm_mib']:.0f} MiB); "
        f"ratio {create['seconds'] / floor['seconds']:.2f}x"
    )
    table = run_phase(SCRIPT, ["--phase", "table", *common])
    tfloor = run_phase(SCRIPT, ["--phase", "table-floor", *common])
    for key, label in (("open", "open the CRM"), ("scroll", "scroll to the end"), ("search", "search")):
        print(
            f"{label}: {table[key] * 1000:.0f} ms; floor {tfloor[key] * 1000:.1f} ms "
            f"(sqlite3 {tfloor['sql'][key] * 1000:.1f} + a bare table's paint {tfloor['paint'][key] * 1000:.1f}); "
            f"ratio {table[key] / tfloor[key]:.1f}x"
        )
    print(
        f"  (search matched {table['matches']} contacts; peak {table['peak']['vmhwm_mib']:.0f} MiB, "
        f"floor {tfloor['peak']['vmhwm_mib']:.0f} MiB)"
    )
    write_csv(folder / "import.csv", args.rows)
    imported = run_phase(SCRIPT, ["--phase", "import", *common])
    ifloor = run_phase(SCRIPT, ["--phase", "import-floor", *common])
    print(
        f"import {args.rows:,} CSV rows: {imported['seconds']:.2f} s (peak {imported['peak']['vmhwm_mib']:.0f} MiB); "
        f"floor {ifloor['seconds']:.2f} s (peak {ifloor['peak']['vmhwm_mib']:.0f} MiB); "
        f"ratio {imported['seconds'] / ifloor['seconds']:.2f}x"
    )
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
