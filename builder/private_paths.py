"""Folders and files the app makes for a person's data are theirs alone (issue 12).

The app-data folder holds the default workspace and the log: contacts, names
and what was said to them. Made 0700 (folders) and 0600 (files) from the
moment they exist, whatever the umask, so another account on the machine
cannot read them. Folders and files that already exist are left as they are.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

FOLDER_MODE = 0o700
FILE_MODE = 0o600


def make_private_folder(folder: Path) -> None:
    """Make ``folder`` and any missing parents, each readable by its owner only."""
    missing: list[Path] = []
    for candidate in (folder, *folder.parents):
        if candidate.exists():
            break
        missing.append(candidate)
    for candidate in reversed(missing):
        try:
            candidate.mkdir(mode=FOLDER_MODE)
        except FileExistsError:
            continue  # made meanwhile by someone else: theirs to decide
        os.chmod(candidate, FOLDER_MODE)  # the umask may have taken bits off; never adds any
    if not folder.is_dir():
        folder.mkdir(parents=True, exist_ok=True)  # raises the reason it is not a folder


def open_private(path: str, flags: int) -> int:
    """An ``opener`` for :func:`open`: a file it creates is readable by its owner only."""
    return os.open(path, flags, FILE_MODE)


def make_private_file(path: Path) -> None:
    """Create ``path`` empty, readable by its owner only, unless it exists; its folder as :func:`make_private_folder`."""
    make_private_folder(path.parent)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
