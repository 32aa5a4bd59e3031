"""A process killed with SIGKILL in the middle of a big write leaves a sound workspace with all of it or none.

A child process runs the real operation and, from inside its transaction,
says "ready" and waits on its stdin; the test then kills it with SIGKILL and
checks the file with ``PRAGMA integrity_check`` and by counting rows.
"""

from __future__ import annotations

import csv
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from builder.store.workspace import Workspace
from tests.store.builders import MONDAY, build_outreach

ROOT = Path(__file__).resolve().parents[2]

IMPORT_CHILD = """
import sys
from datetime import date
from builder.imports.contacts import read_contacts
from builder.store.workspace import Workspace

def stop_here(done, total):
    print("ready", done, total, flush=True)
    sys.stdin.readline()  # never answered: the parent kills us here, inside the transaction
    return True

with Workspace.open(sys.argv[1], today=date(2026, 3, 2)) as ws:
    ws.import_contacts(read_contacts(sys.argv[2]), progress=stop_here)
"""

START_CHILD = """
import sys
from datetime import date
import builder.store.running as running
from builder.store.workspace import Workspace

plain = running.bulk_insert

def stop_in_the_task_insert(conn, table, columns, rows):
    plain(conn, table, columns, rows)
    if table.name == "task":
        print("ready", len(rows), flush=True)
        sys.stdin.readline()  # never answered: killed with the enrollments and tasks written, not committed

running.bulk_insert = stop_in_the_task_insert
with Workspace.open(sys.argv[1], today=date(2026, 3, 2)) as ws:
    ws.start(int(sys.argv[2]))
"""


def kill_when_ready(script: str, *args: str) -> str:
    child = subprocess.Popen(
        [sys.executable, "-c", script, *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        line = child.stdout.readline() if child.stdout else ""
        assert line.startswith("ready"), (line, child.stderr.read() if child.stderr else "")
        child.send_signal(signal.SIGKILL)
        assert child.wait(timeout=60) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    return line


def sound(path: Path) -> sqlite3.Connection:
    raw = sqlite3.connect(path)
    assert raw.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert raw.execute("PRAGMA foreign_key_check").fetchall() == []
    return raw


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_a_killed_100000_contact_import_leaves_none_of_it(tmp_path):
    path = tmp_path / "team.sqlite"
    with Workspace.open(path, today=MONDAY) as ws:
        ws.add_contacts([{"name": "Ada", "email": "ada@engines.org"}])
    export = tmp_path / "leads.csv"
    with export.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["First Name", "Last Name", "Email", "Company Name"])
        writer.writerows(["Lead", str(i), f"lead{i}@example.com", f"Company {i % 97}"] for i in range(100_000))
    line = kill_when_ready(IMPORT_CHILD, str(path), str(export))
    assert line.split()[1:] == ["5000", "100000"]  # killed with 5,000 rows written
    raw = sound(path)
    assert raw.execute("SELECT count(*) FROM contact").fetchone() == (1,)
    raw.close()
    with Workspace.open(path, today=MONDAY) as ws:  # and the app opens it as before
        assert ws.contact_count() == 1


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_a_killed_start_of_a_large_automation_leaves_it_a_draft(tmp_path):
    path = tmp_path / "team.sqlite"
    with Workspace.open(path, today=MONDAY) as ws:
        anna = ws.create_sender_profile("Anna")
        bob = ws.create_sender_profile("Bob")
        for start in range(0, 40_000, 20_000):
            ws.add_contacts([{"name": f"Lead {i}", "tags": ["cto"]} for i in range(start, start + 20_000)])
        flow = build_outreach(ws)
        for profile in (anna, bob):
            ws.attach_sender_profile(flow.profile_node, profile)
    line = kill_when_ready(START_CHILD, str(path), str(flow.automation))
    assert line.split() == ["ready", "80000"]  # two tasks per contact written, then killed
    raw = sound(path)
    assert raw.execute("SELECT state FROM automation WHERE id = ?", (flow.automation,)).fetchone() == ("draft",)
    assert raw.execute("SELECT count(*) FROM enrollment").fetchone() == (0,)
    assert raw.execute("SELECT count(*) FROM task").fetchone() == (0,)
    raw.close()
    with Workspace.open(path, today=MONDAY) as ws:  # it can still be started, all of it
        assert ws.start(flow.automation) == 40_000
