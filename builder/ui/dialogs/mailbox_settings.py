"""An email sender profile's mailbox in the profile editor (SPEC §11): servers, user, password, a test.

The password field is write-only: it is never filled from the keyring, and a
blank field keeps the password the keyring has. "Test connection" signs in to
the servers off the GUI thread and says what went wrong in words.
"""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from builder.store.database import WorkspaceError
from builder.store.mailboxes import Mailbox, Security, check_mailbox
from builder.store.workspace import Workspace

SECURITY_LABELS = {Security.STARTTLS: "STARTTLS", Security.TLS: "TLS", Security.NONE: "None (plain text)"}


class _Answer(QObject):
    said = Signal(bool, str)


def _port_box(name: str, value: int) -> QSpinBox:
    box = QSpinBox()
    box.setObjectName(name)
    box.setRange(1, 65535)
    box.setValue(value)
    return box


class MailboxSettings(QGroupBox):
    """SMTP and IMAP servers, security, user and password of one email sender profile."""

    def __init__(self, workspace: Workspace, profile_id: int | None, parent: QWidget | None = None) -> None:
        """``profile_id`` None: the mailbox of a profile being made, written with it (:meth:`fields`)."""
        super().__init__("Mailbox (sending for real)", parent)
        self.setObjectName("mailboxSettings")
        self.workspace, self.profile_id = workspace, profile_id
        self.saved: Mailbox | None = workspace.mailbox(profile_id) if profile_id is not None else None
        saved = self.saved
        self.smtp_host = QLineEdit(saved.smtp_host if saved else "")
        self.smtp_host.setObjectName("smtpHost")
        self.smtp_host.setPlaceholderText("smtp.example.com")
        self.smtp_port = _port_box("smtpPort", saved.smtp_port if saved else 587)
        self.security = QComboBox()
        self.security.setObjectName("mailSecurity")
        for security, label in SECURITY_LABELS.items():
            self.security.addItem(label, security.value)
        self.security.setCurrentIndex(self.security.findData((saved.security if saved else Security.STARTTLS).value))
        self.user = QLineEdit(saved.user if saved else "")
        self.user.setObjectName("mailUser")
        self.user.setPlaceholderText("you@example.com (also the From address)")
        self.password = QLineEdit()
        self.password.setObjectName("mailPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("kept in the keyring" if saved else "kept in the system's keyring")
        self.imap_host = QLineEdit((saved.imap_host or "") if saved else "")
        self.imap_host.setObjectName("imapHost")
        self.imap_host.setPlaceholderText("imap.example.com (for replies and bounces; optional)")
        self.imap_port = _port_box("imapPort", (saved.imap_port or 993) if saved else 993)
        self.test_button = QPushButton("Test connection")
        self.test_button.setObjectName("testConnection")
        self.test_button.clicked.connect(self.test_connection)
        self.result = QLabel("")
        self.result.setObjectName("mailboxResult")
        self.result.setWordWrap(True)
        smtp = QHBoxLayout()
        smtp.addWidget(self.smtp_host, 1)
        smtp.addWidget(self.smtp_port)
        imap = QHBoxLayout()
        imap.addWidget(self.imap_host, 1)
        imap.addWidget(self.imap_port)
        form = QFormLayout(self)
        form.addRow("SMTP server", smtp)
        form.addRow("Security", self.security)
        form.addRow("User", self.user)
        form.addRow("Password", self.password)
        form.addRow("IMAP server", imap)
        form.addRow(self.test_button, self.result)
        self._answer = _Answer()
        self._answer.said.connect(self._show_answer)

    def is_filled(self) -> bool:
        return bool(self.smtp_host.text().strip() or self.user.text().strip())

    def _mailbox(self) -> Mailbox:
        """The mailbox as the fields say, checked by the workspace's rules (not saved)."""
        host, user = self.smtp_host.text().strip(), self.user.text().strip()
        if not host:
            raise WorkspaceError("The SMTP server needs a host name.")
        if not user:
            raise WorkspaceError("A mailbox needs the user to sign in as.")
        imap_host = self.imap_host.text().strip() or None
        return Mailbox(
            self.profile_id or 0, "", host, self.smtp_port.value(), Security(self.security.currentData()), user,
            imap_host, self.imap_port.value() if imap_host else None, self.saved.keyring_id if self.saved else "",
        )  # fmt: skip

    def _password(self) -> str:
        from builder.sending.passwords import password_for

        if self.password.text():
            return self.password.text()
        if self.saved is None:
            raise WorkspaceError("Type the mailbox's password.")
        return password_for(self.saved.keyring_id, "this profile")

    def test_connection(self) -> None:
        """Sign in to the servers in the background; the answer, in words, below the button."""
        try:
            mailbox, password = self._mailbox(), self._password()
        except WorkspaceError as error:
            self._show_answer(False, str(error))
            return
        self.test_button.setEnabled(False)
        self.result.setText("Signing in…")

        def run() -> None:
            from builder.sending.connections import test_connection

            try:
                said, ok = test_connection(mailbox, password), True
            except WorkspaceError as error:
                said, ok = str(error), False
            except Exception as error:  # an unexpected failure is still a sentence here
                said, ok = f"The test failed ({type(error).__name__}).", False
            self._answer.said.emit(ok, said)

        self._tester = threading.Thread(target=run, name="mailbox-test", daemon=True)
        self._tester.start()

    def wait_for_test(self, timeout: float = 30.0) -> None:
        tester = getattr(self, "_tester", None)
        if tester is not None:
            tester.join(timeout)

    def _show_answer(self, ok: bool, said: str) -> None:
        self.test_button.setEnabled(True)
        self.result.setText(("✓ " if ok else "") + said)
        self.result.setProperty("problem", not ok)

    def fields(self) -> dict[str, object] | None:
        """For a profile being made: the mailbox as ``create_sender_profile(mailbox=…)`` takes it, checked by the
        workspace's rules, or None when left empty; a half-filled one or a missing password is a sentence."""
        if not self.is_filled():
            return None
        mailbox = self._mailbox()
        fields = {
            "smtp_host": mailbox.smtp_host, "smtp_port": mailbox.smtp_port, "user": mailbox.user,
            "security": mailbox.security.value, "imap_host": mailbox.imap_host, "imap_port": mailbox.imap_port,
        }  # fmt: skip
        check_mailbox(**fields)  # type: ignore[arg-type]
        if not self.password.text():
            raise WorkspaceError("Type the mailbox's password: it is kept in the system's keyring.")
        return fields

    def keep_password(self, profile_id: int) -> None:
        """After the profile was made with :meth:`fields`: the typed password into the keyring, by its name."""
        from builder.sending.passwords import store_password

        stored = self.workspace.mailbox(profile_id)
        if stored is not None and self.password.text():
            store_password(stored.keyring_id, self.password.text())
            self.profile_id, self.saved = profile_id, stored

    def save(self) -> None:
        """Keep the mailbox in the workspace and a typed password in the keyring; refused with a sentence."""
        from builder.sending.passwords import store_password

        if not self.is_filled() and self.saved is None:
            return
        mailbox = self._mailbox()
        if self.saved is None and not self.password.text():
            raise WorkspaceError("Type the mailbox's password: it is kept in the system's keyring.")
        stored = self.workspace.set_mailbox(
            self.profile_id, smtp_host=mailbox.smtp_host, smtp_port=mailbox.smtp_port, user=mailbox.user,
            security=mailbox.security, imap_host=mailbox.imap_host, imap_port=mailbox.imap_port,
        )  # fmt: skip
        if self.password.text():
            store_password(stored.keyring_id, self.password.text())
        self.saved = stored
