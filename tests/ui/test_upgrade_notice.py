"""Opening a workspace of an older version: the app says it is bringing it up to date, then opens it."""

from __future__ import annotations

import sqlite3

from PySide6.QtWidgets import QApplication, QProgressDialog

from builder.store.migrations import LATEST
from builder.ui.app import open_workspace
from builder.ui.upgrade_notice import UPGRADING, UpgradeNotice
from tests.store.builders import MONDAY
from tests.store.test_migrations import version_1_workspace


def shown_notices() -> list[str]:
    return [w.labelText() for w in QApplication.topLevelWidgets() if isinstance(w, QProgressDialog) and w.isVisible()]


def test_an_old_workspace_opens_with_a_word_while_it_is_brought_up_to_date(qtbot, tmp_path):
    path = tmp_path / "old.sqlite"
    version_1_workspace(path)
    notice = UpgradeNotice()
    seen: list[list[str]] = []

    def upgrading(old: int, new: int) -> None:
        notice(old, new)
        seen.append(shown_notices())  # on screen while the upgrade runs

    workspace, _ = open_workspace(str(path), MONDAY, False, upgrading=upgrading)
    notice.close()
    try:
        assert seen == [[UPGRADING]]
        assert shown_notices() == []
        assert [p.name for p in workspace.sender_profiles()] == ["Anna"]
    finally:
        workspace.close()
    with sqlite3.connect(path) as raw:
        assert raw.execute("SELECT max(version) FROM schema_version").fetchone() == (LATEST,)
