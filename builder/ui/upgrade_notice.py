"""What the app shows while it brings a workspace of an older version up to date.

An upgrade runs once, in one transaction, before the window opens; on a
workspace of a million contacts it takes up to a minute (building the search
index). Without a word the app would look as if it had not started.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QProgressDialog

from builder.ui.canvas.items import em

UPGRADING = (
    "Bringing this workspace up to date for this version of Automation Builder. It happens once; "
    "a workspace of a million contacts takes up to a minute."
)


class UpgradeNotice:
    """Told by :meth:`Workspace.open` that an upgrade starts: a small window says so until :meth:`close`."""

    def __init__(self) -> None:
        self.dialog: QProgressDialog | None = None

    def __call__(self, old: int, new: int) -> None:
        dialog = QProgressDialog(UPGRADING, "", 0, 0)  # no range: a busy bar, as the steps are not counted
        label = QLabel(UPGRADING, dialog)
        label.setWordWrap(True)
        label.setFixedWidth(round(em() * 26))
        label.setMinimumHeight(label.heightForWidth(label.width()))
        dialog.setLabel(label)
        dialog.setWindowTitle("Automation Builder")
        dialog.setCancelButton(None)  # one transaction: stopped halfway, nothing would be kept anyway
        dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
        dialog.setMinimumDuration(0)
        dialog.setToolTip(f"Workspace version {old} → {new}")
        dialog.show()
        for _ in range(3):  # painted now: the upgrade that follows keeps the event loop busy
            QApplication.processEvents()
        self.dialog = dialog

    def close(self) -> None:
        if self.dialog is not None:
            self.dialog.close()
            self.dialog.deleteLater()
            self.dialog = None
