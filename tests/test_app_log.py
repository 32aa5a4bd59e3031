"""The log file in the app-data folder: created on start, with the version, rotated at 1 MB."""

from __future__ import annotations

import logging
import os
import stat
from logging.handlers import RotatingFileHandler

from builder import __version__
from builder.app_log import log, start_logging


def test_the_log_file_starts_with_the_version(tmp_path, monkeypatch):
    monkeypatch.setenv("AUTOMATION_BUILDER_LOG_DIR", str(tmp_path / "data"))
    kept = list(log.handlers)
    try:
        path = start_logging()
        assert path == tmp_path / "data" / "automation-builder.log"
        log.info("hello")
        for handler in log.handlers:
            handler.flush()
        text = path.read_text(encoding="utf-8")
        assert f"Automation Builder {__version__} started" in text and "hello" in text
        assert any(isinstance(h, RotatingFileHandler) and h.maxBytes == 1_000_000 for h in log.handlers)
    finally:
        for handler in log.handlers[:]:
            if handler not in kept:
                handler.close()
                log.removeHandler(handler)
        log.setLevel(logging.NOTSET)


def test_an_unwritable_log_folder_is_not_an_error(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("AUTOMATION_BUILDER_LOG_DIR", str(blocker / "data"))
    assert start_logging() is None


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_the_log_and_its_folders_are_readable_by_their_owner_only(tmp_path, monkeypatch):
    """Issue 12: 0700 folders, 0600 log files — the first one and each one rotation makes — whatever the umask."""
    monkeypatch.setenv("AUTOMATION_BUILDER_LOG_DIR", str(tmp_path / "app-data" / "logs"))
    kept = list(log.handlers)
    before = os.umask(0o022)
    try:
        path = start_logging()
        assert path is not None and _mode(path) == 0o600
        assert _mode(tmp_path / "app-data") == 0o700 and _mode(tmp_path / "app-data" / "logs") == 0o700
        handler = next(h for h in log.handlers if h not in kept)
        assert isinstance(handler, RotatingFileHandler)
        handler.doRollover()
        assert _mode(path) == 0o600 and _mode(path.with_name(path.name + ".1")) == 0o600
    finally:
        os.umask(before)
        for handler in log.handlers[:]:
            if handler not in kept:
                handler.close()
                log.removeHandler(handler)
        log.setLevel(logging.NOTSET)


def test_the_default_workspace_and_its_folder_are_readable_by_their_owner_only(tmp_path, monkeypatch):
    from builder.store import database
    from builder.store.workspace import Workspace

    default = tmp_path / "app-data" / "workspace.sqlite"
    monkeypatch.setattr(database, "default_workspace_path", lambda: default)
    before = os.umask(0o022)
    try:
        workspace = Workspace.open(None)
        try:
            workspace.create_sender_profile("Anna")
            assert _mode(default) == 0o600 and _mode(default.parent) == 0o700
            assert _mode(default.with_name("workspace.sqlite-wal")) == 0o600
        finally:
            workspace.close()
        chosen = tmp_path / "chosen" / "team.sqlite"  # a file the person names keeps the usual mode
        Workspace.open(chosen).close()
        assert _mode(chosen) == 0o644
    finally:
        os.umask(before)


def test_a_workspace_refusal_met_later_is_shown_as_its_sentence_and_logged_without_a_traceback(monkeypatch, caplog):
    from PySide6.QtWidgets import QMessageBox

    from builder.store.database import WorkspaceError
    from builder.ui import app

    app.application()
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, _title, text: shown.append(text))
    sentence = "'/data/team.sqlite' is busy: another program is writing to it; try again in a moment."
    with caplog.at_level(logging.INFO, logger="automation_builder"):
        app._unexpected(WorkspaceError, WorkspaceError(sentence), None)
    assert shown == [sentence]
    assert [record.getMessage() for record in caplog.records] == [sentence]
    assert all(record.exc_info is None for record in caplog.records)
