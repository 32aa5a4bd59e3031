"""The app's log file, beside the default workspace in the app-data folder.

What the app did and every sentence it showed a person, with the version,
so a problem can be followed up; an unexpected error is logged with its
traceback there, and the person gets a sentence instead.
"""

from __future__ import annotations

import logging
import os
import sys
from io import TextIOWrapper
from logging.handlers import RotatingFileHandler
from pathlib import Path
from types import TracebackType

import platformdirs

from builder import __version__
from builder.private_paths import make_private_folder, open_private

log = logging.getLogger("automation_builder")


class PrivateRotatingFileHandler(RotatingFileHandler):
    """Rotates like its parent; every log file it creates is readable by its owner only (0600)."""

    def _open(self) -> TextIOWrapper:
        return open(self.baseFilename, self.mode, encoding=self.encoding, errors=self.errors, opener=open_private)


def log_folder() -> Path:
    override = os.environ.get("AUTOMATION_BUILDER_LOG_DIR")
    return Path(override) if override else platformdirs.user_data_path("automation-builder", appauthor=False)


def start_logging() -> Path | None:
    """Log to ``automation-builder.log`` in the app-data folder (1 MB, 3 kept); None if it cannot be written."""
    path = log_folder() / "automation-builder.log"
    if any(isinstance(h, RotatingFileHandler) for h in log.handlers):
        return path
    try:
        make_private_folder(path.parent)
        handler = PrivateRotatingFileHandler(path, maxBytes=1_000_000, backupCount=3, encoding="utf-8")
    except OSError:
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.info("Automation Builder %s started (Python %s)", __version__, sys.version.split()[0])
    return path


def log_unexpected(kind: type[BaseException], error: BaseException, trace: TracebackType | None) -> None:
    log.error("unexpected error", exc_info=(kind, error, trace))
