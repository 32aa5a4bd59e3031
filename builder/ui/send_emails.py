"""'Send due emails' in the app (SPEC §11): the same sender as ``automation-builder send --once``.

It runs in a background thread on a workspace connection of its own; the
status bar says what is being sent, and when it is over the window reloads
from the workspace (the sender wrote through another connection) and says
how many went per profile, or why a mailbox could not send.
"""

from __future__ import annotations

import threading
from datetime import date

from PySide6.QtCore import QObject, Signal

from builder.store.workspace import Workspace


class EmailSending(QObject):
    """One run of the sender at a time; ``progress`` and ``finished`` carry sentences for the status bar."""

    progress = Signal(str)
    finished = Signal(str)

    def __init__(self, workspace: Workspace, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self._thread: threading.Thread | None = None
        self.finished.connect(self._reload)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> bool:
        """Start sending in the background; False when a run is already going."""
        if self.running:
            return False
        url = self.workspace.engine.url.render_as_string(hide_password=False)
        today: date | None = self.workspace._fixed_today
        self._thread = threading.Thread(target=self._run, args=(url, today), name="send-emails", daemon=True)
        self._thread.start()
        return True

    def wait(self, timeout: float = 60.0) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self, url: str, today: date | None) -> None:
        from builder.sending.sender import EmailSender, SendReport
        from builder.store.database import WorkspaceError

        try:
            with Workspace.open(url, today=today) as ws:
                if not ws.mailboxes():
                    self.finished.emit("No email profile has a mailbox yet: set one in the profile's editor.")
                    return
                sender = EmailSender(ws, progress=self.progress.emit)
                report = SendReport(warnings=sender.settle())
                sender.read_replies(sender.send_due(report))
        except WorkspaceError as error:
            self.finished.emit(str(error))
            return
        except Exception as error:  # a sentence, never a traceback on the screen
            self.finished.emit(f"Sending stopped: {type(error).__name__}.")
            return
        parts = [f"{name}: {count} sent" for name, count in sorted(report.sent.items())]
        parts += [f"{name}: {count} refused, to be tried again" for name, count in sorted(report.refused.items())]
        if report.replies or report.bounces:
            parts.append(f"{report.replies} replies and {report.bounces} bounces read")
        said = "; ".join(parts) or "No email was due."
        problems = " ".join(report.problems + report.warnings)
        self.finished.emit(f"{said}. {problems}".strip() if problems else f"{said}.")

    def _reload(self, _said: str) -> None:
        self.workspace.changed_elsewhere()
