"""A workspace made by schema version 1 opens and is upgraded, all at once or not at all (issue 7)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from builder.store.database import WorkspaceError
from builder.store.migrations import LATEST
from builder.store.workspace import Workspace
from tests.store.builders import MONDAY

V1 = Path(__file__).resolve().parents[1] / "data" / "schema-v1.sql"


def version_1_workspace(path: Path) -> None:
    """A file as version 1 of the app made it, with a team and a few contacts."""
    with sqlite3.connect(path) as raw:
        raw.executescript(V1.read_text(encoding="utf-8"))
        raw.execute(
            "INSERT INTO sender_profile (id, name, channel, daily_limit, weight) VALUES (1, 'Anna', 'linkedin', 40, 1)"
        )
        raw.executemany(
            "INSERT INTO contact (id, name, email, company) VALUES (?, ?, ?, ?)",
            [
                (1, "mei", "mei@kumo.ai", "Kumo"),
                (2, "Anna Berg", "anna@northwind.io", None),
                (3, "jonas", None, "Brightpath"),
            ],
        )


def indexes(path: Path) -> set[str]:
    with sqlite3.connect(path) as raw:
        return {name for (name,) in raw.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}


def test_a_version_1_workspace_is_upgraded_and_keeps_everything(tmp_path):
    path = tmp_path / "old.sqlite"
    version_1_workspace(path)
    assert "ix_contact_name_nocase" not in indexes(path)
    with Workspace.open(path, today=MONDAY) as ws:
        assert [p.name for p in ws.sender_profiles()] == ["Anna"]
        assert ws.contact_ids(sort="name") == [2, 3, 1]  # Anna Berg, jonas, mei: the new index's order
    with sqlite3.connect(path) as raw:
        assert raw.execute("SELECT version FROM schema_version").fetchall() == [(LATEST,)]
        plan = " ".join(
            row[-1] for row in raw.execute("EXPLAIN QUERY PLAN SELECT id FROM contact ORDER BY name COLLATE NOCASE, id")
        )
        assert "ix_contact_name_nocase" in plan  # sorting a million contacts reads the index, no sort
    assert {"ix_contact_name_nocase", "ix_contact_company_nocase"} <= indexes(path)


def test_a_new_workspace_is_made_by_the_same_steps(tmp_path):
    path = tmp_path / "new.sqlite"
    Workspace.open(path).close()
    old = tmp_path / "old.sqlite"
    version_1_workspace(old)
    Workspace.open(old).close()
    assert indexes(path) == indexes(old)


def test_an_upgrade_that_fails_leaves_the_file_at_version_1(tmp_path):
    path = tmp_path / "old.sqlite"
    version_1_workspace(path)
    with sqlite3.connect(path) as raw:  # something in the way of the step's index
        raw.execute("CREATE TABLE ix_contact_company_nocase (x)")
    with pytest.raises(WorkspaceError, match="Cannot open the workspace"):
        Workspace.open(path)
    with sqlite3.connect(path) as raw:
        assert raw.execute("SELECT version FROM schema_version").fetchall() == [(1,)]
    assert "ix_contact_name_nocase" not in indexes(path)  # the first index of the step was rolled back too


def test_whoever_opens_is_told_before_an_upgrade_and_only_then(tmp_path):
    path = tmp_path / "old.sqlite"
    version_1_workspace(path)
    told: list[tuple[int, int]] = []

    def upgrading(old: int, new: int) -> None:
        told.append((old, new))
        with sqlite3.connect(path) as raw:  # before: the file is still as version 1 left it
            assert raw.execute("SELECT max(version) FROM schema_version").fetchone() == (1,)

    Workspace.open(path, today=MONDAY, upgrading=upgrading).close()
    Workspace.open(path, today=MONDAY, upgrading=upgrading).close()  # up to date now: nothing to say
    Workspace.open(tmp_path / "new.sqlite", upgrading=upgrading).close()  # a new one is made, not upgraded
    assert told == [(1, LATEST)]
