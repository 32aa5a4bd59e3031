"""The app's side of sending (SPEC §11): the mailbox in the profile editor, its test, 'Send due emails'."""

from __future__ import annotations

import keyring
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from builder.ui.dialogs.profile_editor import SenderProfileEditor
from tests.sending.conftest import PASSWORD, SmtpServer, build_email_outreach, give_mailbox
from tests.ui.conftest import make_window, private_settings, reopen, workspace_path
from tests.ui.test_profiles_view import choose_row, open_profiles
from tests.ui.test_settings_panel import when_dialog_opens

__all__ = ["make_window", "private_settings", "reopen", "workspace_path"]


def test_a_new_email_profile_gets_its_mailbox_in_the_new_dialog_as_one_undo_step(make_window, qtbot, reopen) -> None:
    window = make_window()
    open_profiles(window, qtbot)
    view = window.profiles
    shown: list[bool] = []

    def fill(editor: SenderProfileEditor, password: str) -> None:
        box = editor.mailbox
        assert box is not None
        shown.append(box.isVisible())  # a LinkedIn profile first: no mailbox
        qtbot.keyClicks(editor.name, "Ann Email")
        editor.channel.setFocus()
        qtbot.keyClick(editor.channel, Qt.Key.Key_Down)  # LinkedIn -> Email
        qtbot.waitUntil(box.isVisible)
        qtbot.keyClicks(box.smtp_host, "smtp.example.test")
        qtbot.keyClicks(box.user, "ann@example.test")
        qtbot.keyClicks(box.password, password)
        qtbot.keyClicks(box.imap_host, "imap.example.test")
        qtbot.mouseClick(editor.ok_button, Qt.MouseButton.LeftButton)
        if not password:  # refused in words, nothing made; then cancelled
            assert editor.problem.text() == "Type the mailbox's password: it is kept in the system's keyring."
            editor.reject()

    when_dialog_opens(SenderProfileEditor, lambda editor: fill(editor, ""))
    qtbot.mouseClick(view.new_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(shown) == 1 and QApplication.activeModalWidget() is None)
    assert shown == [False] and reopen().sender_profiles() == []

    when_dialog_opens(SenderProfileEditor, lambda editor: fill(editor, PASSWORD))
    qtbot.mouseClick(view.new_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.table.rowCount() == 1)
    (profile,) = reopen().sender_profiles()
    saved = reopen().mailbox(profile.id)
    assert profile.channel.value == "email" and saved is not None
    assert (saved.smtp_host, saved.smtp_port, saved.user, saved.imap_host, saved.imap_port) == (
        "smtp.example.test", 587, "ann@example.test", "imap.example.test", 993,
    )  # fmt: skip
    assert keyring.get_password("automation-builder", saved.keyring_id) == PASSWORD
    assert window.statusBar().currentMessage().endswith("sends from ann@example.test.")

    window.undo_action.trigger()  # the profile, its mailbox and its password go together, and come back together
    qtbot.waitUntil(lambda: view.table.rowCount() == 0)
    assert reopen().sender_profiles() == [] and reopen().mailboxes() == []
    assert keyring.get_password("automation-builder", saved.keyring_id) is None  # no password of no profile
    window.redo_action.trigger()
    qtbot.waitUntil(lambda: view.table.rowCount() == 1)
    assert reopen().mailbox(profile.id) == saved
    assert keyring.get_password("automation-builder", saved.keyring_id) == PASSWORD


def test_a_deleted_email_profile_takes_its_password_out_of_the_keyring_until_undo(
    make_window, qtbot, reopen, smtp_server: SmtpServer
) -> None:
    kept: list[str] = []

    def ann(ws) -> None:
        profile = ws.create_sender_profile("Ann Email", "email")
        give_mailbox(ws, profile, smtp_server)
        kept.append(ws.mailbox(profile).keyring_id)

    window = make_window(ann)
    open_profiles(window, qtbot)
    view = window.profiles
    assert keyring.get_password("automation-builder", kept[0]) == PASSWORD
    choose_row(window, qtbot, 0)
    when_dialog_opens(QMessageBox, lambda box: box.button(QMessageBox.StandardButton.Yes).click())
    qtbot.mouseClick(view.delete_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.table.rowCount() == 0)
    assert reopen().sender_profiles() == [] and reopen().mailboxes() == []
    assert keyring.get_password("automation-builder", kept[0]) is None

    window.undo_action.trigger()  # Ann, her mailbox and its password are back: she can send again
    qtbot.waitUntil(lambda: view.table.rowCount() == 1)
    (profile,) = reopen().sender_profiles()
    assert reopen().mailbox(profile.id).keyring_id == kept[0]  # type: ignore[union-attr]
    assert keyring.get_password("automation-builder", kept[0]) == PASSWORD


def test_the_profile_editor_keeps_a_mailbox_and_tests_it_in_words(qtbot, tmp_path, smtp_server: SmtpServer) -> None:
    from builder.store.workspace import Workspace

    with Workspace.open(tmp_path / "w.sqlite") as ws:
        outreach = build_email_outreach(ws, 1, {"Ann": {"daily_limit": 10}})
        profile = next(p for p in ws.sender_profiles() if p.id == outreach.profiles["Ann"])
        view = QWidget()
        view.workspace = ws  # the profiles view the editor opens from
        qtbot.addWidget(view)
        editor = SenderProfileEditor(profile, view)
        qtbot.addWidget(editor)
        box = editor.mailbox
        assert box is not None
        box.smtp_host.setText(smtp_server.host)
        box.smtp_port.setValue(smtp_server.port)
        box.security.setCurrentIndex(box.security.findData("none"))
        box.user.setText("ann@example.test")

        box.password.setText("wrong-" + PASSWORD)
        qtbot.mouseClick(box.test_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: box.test_button.isEnabled() and "password" in box.result.text(), timeout=15000)
        assert box.result.text() == (
            f"The SMTP server 127.0.0.1:{smtp_server.port} refused the password of ann@example.test (535). "
            "Set the right one again."
        )
        box.password.setText(PASSWORD)
        qtbot.mouseClick(box.test_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: box.result.text().startswith("✓"), timeout=15000)
        assert box.result.text() == f"✓ Signed in to 127.0.0.1:{smtp_server.port} for sending."
        assert PASSWORD not in box.result.text()

        editor._accept()
        assert editor.result() == SenderProfileEditor.DialogCode.Accepted
        saved = ws.mailbox(profile.id)
        assert saved is not None and saved.smtp_port == smtp_server.port and saved.user == "ann@example.test"
        assert keyring.get_password("automation-builder", saved.keyring_id) == PASSWORD
        # Opened again: the password is never shown, a blank field keeps the keyring's.
        again = SenderProfileEditor(profile, view)
        qtbot.addWidget(again)
        assert again.mailbox is not None and again.mailbox.password.text() == ""
        assert again.mailbox.smtp_host.text() == smtp_server.host


def test_send_due_emails_runs_the_sender_in_the_background_and_says_what_went(
    make_window, qtbot, smtp_server: SmtpServer
) -> None:
    def prepare(ws) -> None:
        outreach = build_email_outreach(ws, 4, {"Ann": {"daily_limit": 3}})
        give_mailbox(ws, outreach.profiles["Ann"], smtp_server, user="ann@example.test")

    window = make_window(prepare)
    said: list[str] = []
    window.statusBar().messageChanged.connect(said.append)
    window.send_emails_action.trigger()
    qtbot.waitUntil(lambda: window.send_emails_action.isEnabled(), timeout=30000)
    assert len(smtp_server.store.messages) == 3
    assert "Ann: 3 sent." in said
    assert any(text.startswith("Ann: sent to ") for text in said)
    assert window.workspace.done_today() == {window.workspace.profile_named("Ann"): 3}
