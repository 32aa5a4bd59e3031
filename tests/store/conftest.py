"""The workspace tests run on an SQLite file, and on PostgreSQL when a server is given (issue 7).

``AUTOMATION_BUILDER_TEST_POSTGRES`` names a PostgreSQL database URL (``.ci/run`` starts a
server on 127.0.0.1 and sets it). Each test then also runs there, on an emptied
schema. With ``AUTOMATION_BUILDER_REQUIRE_POSTGRES=1`` (CI), a missing server is a
failure, not a skip. Tests that read the SQLite file itself run on SQLite only.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest

from builder.store.workspace import Workspace
from tests.store.builders import MONDAY

POSTGRES = os.environ.get("AUTOMATION_BUILDER_TEST_POSTGRES", "")
REQUIRED = os.environ.get("AUTOMATION_BUILDER_REQUIRE_POSTGRES") == "1"


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "postgresql" and not POSTGRES:
        if REQUIRED:
            pytest.fail("AUTOMATION_BUILDER_TEST_POSTGRES is not set, but CI requires the PostgreSQL run")
        pytest.skip("no PostgreSQL server given (AUTOMATION_BUILDER_TEST_POSTGRES)")
    return request.param


@pytest.fixture
def workspace_file(tmp_path: Path, request: pytest.FixtureRequest) -> Path:
    if "backend" in request.fixturenames and request.getfixturevalue("backend") == "postgresql":
        pytest.skip("reads the SQLite file itself")
    return tmp_path / "team.sqlite"


def empty_postgres() -> str:
    """The test database with nothing in it: its public schema dropped and made again."""
    import sqlalchemy

    engine = sqlalchemy.create_engine(POSTGRES)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP SCHEMA public CASCADE")
            conn.exec_driver_sql("CREATE SCHEMA public")
    finally:
        engine.dispose()
    return POSTGRES


@pytest.fixture
def workspace_target(backend: str, tmp_path: Path) -> str | Path:
    return empty_postgres() if backend == "postgresql" else tmp_path / "team.sqlite"


@pytest.fixture
def open_workspace(workspace_target: str | Path) -> Iterator[Callable[..., Workspace]]:
    """Open the test's workspace (again); every one opened is closed at the end."""
    opened: list[Workspace] = []

    def _open(today: date = MONDAY) -> Workspace:
        ws = Workspace.open(workspace_target, today=today)
        opened.append(ws)
        return ws

    yield _open
    for ws in opened:
        ws.close()
