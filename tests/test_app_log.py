"""The log file in the app-data folder: created on start, with the version, rotated at 1 MB."""

from __future__ import annotations

import logging
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
