"""Replies and bounces read over IMAP from a real Dovecot (SPEC §10, §11), and a crash settled from Sent."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

from builder.engine.words import Outcome
from builder.sending.sender import EmailSender
from builder.store import email_queue
from builder.store.loading import query
from builder.store.workspace import Workspace
from tests.sending.conftest import MONDAY, USER, ImapServer, SmtpServer, build_email_outreach, give_mailbox


def _reply(to_id: str, references: str | None = None) -> bytes:
    message = EmailMessage()
    message["From"] = "person0@example.test"
    message["To"] = USER
    message["Subject"] = "Re: Hello"
    message["Message-ID"] = "<reply-1@example.test>"
    if references is None:
        message["In-Reply-To"] = to_id
    else:
        message["References"] = references
    message.set_content("Sounds good, let's talk.")
    return message.as_bytes()


def _delivery_report(original_id: str, action: str = "failed") -> bytes:
    """A DSN as mail servers write them (RFC 3464): multipart/report; report-type=delivery-status."""
    boundary = "DSN-boundary"
    return (
        "From: MAILER-DAEMON@example.test\r\n"
        f"To: {USER}\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        "Message-ID: <dsn-1@example.test>\r\n"
        "MIME-Version: 1.0\r\n"
        f'Content-Type: multipart/report; report-type=delivery-status; boundary="{boundary}"\r\n\r\n'
        f"--{boundary}\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
        f"--{boundary}\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example.test\r\n\r\n"
        f"Final-Recipient: rfc822; person1@example.test\r\nAction: {action}\r\nStatus: 5.1.1\r\n\r\n"
        f"--{boundary}\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"From: {USER}\r\nTo: person1@example.test\r\nMessage-ID: {original_id}\r\nSubject: Hello\r\n\r\n"
        f"--{boundary}--\r\n"
    ).encode()


def _sent_ids(ws: Workspace) -> dict[int, str]:
    """Contact -> the Message-ID of the email sent to it."""
    with ws._read() as conn:
        rows = query(
            conn,
            "SELECT e.contact_id, t.message_id FROM task t JOIN enrollment e ON e.id = t.enrollment_id "
            "WHERE t.status = 'done' ORDER BY t.id",
        )
    return dict(rows)


def test_a_reply_becomes_replied_and_cancels_the_contacts_pending_tasks_and_a_dsn_becomes_bounced(
    tmp_path: Path, smtp_server: SmtpServer, imap_server: ImapServer
) -> None:
    with Workspace.open(tmp_path / "w.sqlite", today=MONDAY) as ws:
        outreach = build_email_outreach(ws, 3, {"Ann": {"daily_limit": 10}}, steps=2)
        give_mailbox(ws, outreach.profiles["Ann"], smtp_server, imap_server)
        sender = EmailSender(ws, "t")
        assert sender.send_due().sent["Ann"] == 3
        sent = _sent_ids(ws)
        contacts = sorted(sent)
        # Something unrelated, a reply naming our email in References only, and a bounce of another.
        client = imap_server.client()
        client.append("INBOX", _reply("<unknown@example.test>"))
        client.append("INBOX", _reply("", references=f"<older@example.test> {sent[contacts[0]]}"))
        client.append("INBOX", _delivery_report(sent[contacts[1]]))
        client.append("INBOX", _delivery_report(sent[contacts[2]], action="delayed"))  # a delay is no bounce
        client.logout()

        report = sender.read_replies()
        assert (report.replies, report.bounces, report.problems) == (1, 1, [])
        outcomes = {(c, o, source) for _, c, _, _, o, _, source in ws.outcomes(outreach.automation)}
        assert outcomes == {(contacts[0], Outcome.REPLIED, "email"), (contacts[1], Outcome.BOUNCED, "email")}
        tasks = {(t.contact_id, t.step_index): t.status.value for t in ws.tasks(outreach.automation)}
        assert tasks[(contacts[0], 2)] == "canceled"  # stop on reply
        assert tasks[(contacts[1], 2)] == "canceled"  # a bounce cancels the emails left
        assert tasks[(contacts[2], 2)] == "pending"
        enrollments = {e.contact_id: e.status.value for e in ws.enrollments(outreach.automation)}
        assert enrollments[contacts[0]] == "replied"
        assert ws.mailbox(outreach.profiles["Ann"]).last_uid == 4

        # Read again: the messages already seen are not read twice.
        assert sender.read_replies().replies == 0
        assert len(ws.outcomes(outreach.automation)) == 2


def test_a_claim_left_by_a_crash_is_settled_from_the_sent_folder_or_released_when_never_handed_over(
    tmp_path: Path, smtp_server: SmtpServer, imap_server: ImapServer
) -> None:
    with Workspace.open(tmp_path / "w.sqlite", today=MONDAY) as ws:
        outreach = build_email_outreach(ws, 2, {"Ann": {"daily_limit": 10}})
        give_mailbox(ws, outreach.profiles["Ann"], smtp_server, imap_server)
        ids = iter(["<first@example.test>", "<second@example.test>"])
        claimed, _ = email_queue.claim_due(ws, outreach.profiles.values(), "crashed", 0, lambda *_: next(ids))
        assert len(claimed) == 2
        email_queue.mark_handed(ws, claimed[0].task_id, 0)  # the first was with the server, and it kept a copy
        client = imap_server.client()
        client.append("Sent", f"Message-ID: {claimed[0].message_id}\r\nSubject: Hello\r\n\r\nHi\r\n".encode())
        client.logout()

        warnings = EmailSender(ws, "crashed").settle()
        assert warnings == []  # found in Sent: sent, no doubt
        rows = {t.id: t.status.value for t in ws.tasks(outreach.automation)}
        assert rows[claimed[0].task_id] == "done" and rows[claimed[1].task_id] == "pending"
        assert not smtp_server.store.messages  # settling sends nothing
        report = EmailSender(ws, "crashed").send_due()
        assert report.sent["Ann"] == 1 and len(smtp_server.store.messages) == 1
