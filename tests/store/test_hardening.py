"""Issue 12: no password on screen or disk, damaged and odd files refused untouched, every error one sentence.

Commands run as a user runs them (real processes, exit codes, stderr), or
in-process through ``builder.cli.main`` where a lock must be held meanwhile.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from builder.store import database
from builder.store.database import WorkspaceError, shown_url
from builder.store.workspace import Workspace
from tests.store.conftest import POSTGRES, empty_postgres

SECRET = "s3cret-pw"
NOWHERE = f"postgresql+psycopg://anna:{SECRET}@127.0.0.1:1/nowhere"  # port 1: nothing listens there
DATA = Path(__file__).parents[1] / "data"


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "builder", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen", **(env or {})},
    )


def one_sentence(text: str) -> None:
    """What a person is told: one line, no traceback, nothing of SQLAlchemy's own text."""
    lines = [line for line in text.splitlines() if line.strip() and "propagateSizeHints" not in line]
    assert len(lines) == 1, text
    assert "Traceback" not in text and "[SQL:" not in text and "sqlalche.me" not in text, text


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def make_workspace(path: Path, contacts: int = 300) -> Path:
    with Workspace.open(path) as ws:
        ws.add_contacts(
            [{"name": f"Lead {i}", "email": f"lead{i}@example.com", "tags": ["lead"]} for i in range(contacts)]
        )
    return path


# -- 1. secrets ----------------------------------------------------------------------------------


def test_shown_url_masks_the_password_and_leaves_files_alone():
    assert SECRET not in shown_url(NOWHERE)
    assert shown_url(NOWHERE) == "postgresql+psycopg://anna:***@127.0.0.1:1/nowhere"
    assert shown_url("sqlite:////tmp/team.sqlite") == "sqlite:////tmp/team.sqlite"
    assert SECRET not in shown_url(f"not a url://anna:{SECRET}@host")


def test_a_password_reaches_neither_the_terminal_nor_the_title_nor_the_log(tmp_path):
    from builder.ui.app import window_title

    assert SECRET not in window_title(NOWHERE)
    status = run("status", "--db", NOWHERE)
    assert status.returncode == 2
    one_sentence(status.stderr)
    assert "cannot be reached" in status.stderr and "127.0.0.1:1" in status.stderr
    no_driver = run("status", "--db", NOWHERE.replace("psycopg", "pg8000"))
    assert no_driver.returncode == 2
    one_sentence(no_driver.stderr)
    assert "driver is not installed" in no_driver.stderr
    shot = run(
        "--db", NOWHERE, "--screenshot", str(tmp_path / "shot.png"), env={"AUTOMATION_BUILDER_LOG_DIR": str(tmp_path)}
    )
    assert shot.returncode == 2
    one_sentence(shot.stderr)
    log = (tmp_path / "automation-builder.log").read_text()
    assert "could not open the workspace" in log
    for text in (status.stdout, status.stderr, no_driver.stderr, shot.stdout, shot.stderr, log):
        assert SECRET not in text


@pytest.mark.skipif(not POSTGRES, reason="no PostgreSQL server given (AUTOMATION_BUILDER_TEST_POSTGRES)")
def test_a_workspace_opened_with_a_password_is_shown_and_logged_without_it(tmp_path):
    # The test server trusts its local users: the password is taken and never checked, so the window opens.
    url = make_url(empty_postgres()).set(password=SECRET).render_as_string(hide_password=False)
    Workspace.open(url).close()
    shot = run(
        "--db", url, "--screenshot", str(tmp_path / "shot.png"), env={"AUTOMATION_BUILDER_LOG_DIR": str(tmp_path)}
    )
    assert shot.returncode == 0, shot.stderr
    status = run("status", "--db", url)
    assert status.returncode == 0, status.stderr
    log = (tmp_path / "automation-builder.log").read_text()
    assert "opened workspace postgresql+psycopg://postgres:***@" in log
    for text in (shot.stdout, shot.stderr, status.stdout, status.stderr, log):
        assert SECRET not in text


# -- 2. a damaged file ---------------------------------------------------------------------------------


def damage(path: Path) -> None:
    """Overwrite part of a page in the middle of the file, well past the header and the schema's page."""
    pages = path.stat().st_size // 4096
    with path.open("r+b") as handle:
        handle.seek((pages // 2) * 4096 + 64)
        handle.write(b"\xa5" * 1500)


def test_a_damaged_workspace_is_refused_in_one_sentence_and_never_written(tmp_path):
    path = make_workspace(tmp_path / "team.sqlite", contacts=2000)
    damage(path)
    before = digest(path)
    for args in (
        ("status",),
        ("import", "contacts", str(DATA / "contacts-with-bad-rows.csv")),
        ("--screenshot", str(tmp_path / "shot.png")),
    ):
        done = run("--db", str(path), *args)
        assert done.returncode == 2, (args, done.stdout, done.stderr)
        one_sentence(done.stderr)
        assert f"'{path}' is damaged: restore a copy" in done.stderr
        assert digest(path) == before
    assert not (tmp_path / "shot.png").exists()


def test_the_app_checks_a_file_before_its_first_write(tmp_path):
    path = make_workspace(tmp_path / "team.sqlite", contacts=2000)
    ws = Workspace.open(path)  # opening stays cheap: no page-by-page check on the way to the window
    try:
        damage(path)
        before = digest(path)
        with pytest.raises(WorkspaceError, match="is damaged: restore a copy"):
            ws.create_sender_profile("Anna")
        assert digest(path) == before
    finally:
        ws.close()


# -- 3. commands that only read ------------------------------------------------------------------------------


def test_status_reads_while_another_program_writes_and_changes_nothing(tmp_path, capsys):
    from builder.cli import main

    path = make_workspace(tmp_path / "team.sqlite")
    stat, before = path.stat(), digest(path)
    writer = sqlite3.connect(path, isolation_level=None)
    try:
        writer.execute("BEGIN EXCLUSIVE")
        assert main(["status", "--db", str(path)]) == 0
        assert "300 contacts" in capsys.readouterr().out
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert digest(path) == before
    assert path.stat().st_mtime_ns == stat.st_mtime_ns


# -- 4. a WAL-mode file that is not a workspace -----------------------------------------------------------------


@pytest.mark.parametrize("kind", ["foreign", "newer"])
def test_refusing_a_wal_file_leaves_nothing_beside_it(tmp_path, kind):
    path = tmp_path / "other.sqlite"
    raw = sqlite3.connect(path)
    raw.execute("PRAGMA journal_mode=WAL")
    if kind == "foreign":
        raw.execute("CREATE TABLE notes (body TEXT)")
    else:
        raw.execute("CREATE TABLE schema_version (version INTEGER)")
        raw.execute("INSERT INTO schema_version VALUES (999)")
    raw.commit()
    raw.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.sqlite"]
    before = digest(path)
    with pytest.raises(WorkspaceError):
        Workspace.open(path)
    done = run("status", "--db", str(path))
    assert done.returncode == 2
    one_sentence(done.stderr)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.sqlite"]
    assert digest(path) == before


# -- 5. locked, refused, unreachable, missing: one sentence each ---------------------------------------------------------


def test_a_workspace_another_program_is_writing_is_busy(tmp_path, capsys, monkeypatch):
    from builder.cli import main

    path = make_workspace(tmp_path / "team.sqlite")
    monkeypatch.setattr(database, "BUSY_TIMEOUT_MS", 0)  # tell at once, instead of after waiting ten seconds
    writer = sqlite3.connect(path, isolation_level=None)
    try:
        writer.execute("BEGIN EXCLUSIVE")
        assert main(["import", "contacts", str(DATA / "contacts-with-bad-rows.csv"), "--db", str(path)]) == 2
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    err = capsys.readouterr().err
    one_sentence(err)
    assert err == f"'{path}' is busy: another program is writing to it; try again in a moment.\n"


@pytest.mark.skipif(not POSTGRES, reason="no PostgreSQL server given (AUTOMATION_BUILDER_TEST_POSTGRES)")
def test_postgresql_refusals_are_one_sentence_each(capsys):
    from builder.cli import main

    server = make_url(POSTGRES)
    where = f"{server.host}:{server.port}"
    cases = {
        server.set(database="no_such_db"): f"PostgreSQL at {where} has no database 'no_such_db'",
        server.set(username="nobody", password=SECRET): f"PostgreSQL refused the login for user 'nobody' at {where}",
        make_url(NOWHERE): "PostgreSQL at 127.0.0.1:1 cannot be reached",
    }
    for url, sentence in cases.items():
        text = url.render_as_string(hide_password=False)
        for argv in (
            ["status", "--db", text],
            ["import", "contacts", str(DATA / "contacts-with-bad-rows.csv"), "--db", text],
        ):
            assert main(argv) == 2
            err = capsys.readouterr().err
            one_sentence(err)
            assert err.startswith(sentence), err
            assert SECRET not in err


# -- 6. many people opening one empty PostgreSQL database at once -------------------------------------------------------


def _open_and_add(url: str, barrier: object, person: int) -> None:
    barrier.wait()  # type: ignore[attr-defined]
    with Workspace.open(url) as ws:
        ws.add_contacts([{"name": f"Person {person} lead {i}"} for i in range(100)])


@pytest.mark.skipif(not POSTGRES, reason="no PostgreSQL server given (AUTOMATION_BUILDER_TEST_POSTGRES)")
def test_eight_people_opening_one_empty_postgresql_database_at_once_all_succeed():
    import builder.store.tables  # noqa: F401  (loaded once here, not by each person)

    url = empty_postgres()
    context = multiprocessing.get_context("fork")  # the modules loaded already: each person starts at once
    barrier = context.Barrier(8)
    people = [context.Process(target=_open_and_add, args=(url, barrier, n)) for n in range(8)]
    for person in people:
        person.start()
    for person in people:
        person.join(120)
    assert [person.exitcode for person in people] == [0] * 8
    with Workspace.open(url) as ws:
        assert ws.contact_count() == 800


# -- 7. the demo's temporary folder -------------------------------------------------------------------------------------


def test_the_demo_leaves_nothing_in_the_temporary_folder(tmp_path):
    temp = tmp_path / "tmp"
    temp.mkdir()
    done = run(
        "--demo",
        "--screenshot",
        str(tmp_path / "demo.png"),
        env={"TMPDIR": str(temp), "AUTOMATION_BUILDER_LOG_DIR": str(tmp_path)},
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "demo.png").exists()
    assert list(temp.iterdir()) == []
