from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest

from builder.store.workspace import Workspace
from tests.store.builders import MONDAY


@pytest.fixture
def workspace_file(tmp_path: Path) -> Path:
    return tmp_path / "team.sqlite"


@pytest.fixture
def open_workspace(workspace_file: Path) -> Iterator[Callable[..., Workspace]]:
    """Open the test's workspace file (again); every one opened is closed at the end."""
    opened: list[Workspace] = []

    def _open(today: date = MONDAY) -> Workspace:
        ws = Workspace.open(workspace_file, today=today)
        opened.append(ws)
        return ws

    yield _open
    for ws in opened:
        ws.close()
