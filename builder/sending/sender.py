"""The sender (SPEC §11): today's due emails out through each profile's mailbox, replies and bounces in.

One sender serves the app ("Send due emails") and ``automation-builder send``.
Per profile with a mailbox it signs in once, then claims the due email tasks
that today's limits and schedule allow, a batch at a time, and sends them on
that one connection; each task's Message-ID was stored with its claim, and
its hand-over to the server is committed just before the server gets it.
Sent tasks are marked done with their interaction in batches.

A server that refuses a message (a 4xx or 5xx answer): the task goes back to
due with one attempt more, the answer kept, and a later time to try again
(doubling from a minute, at most a day). A connection that breaks while a
message is with the server: that message is taken as sent (it may have been
accepted), the rest of the batch goes back to due. A crash leaves claims
that the next start settles (:meth:`EmailSender.settle`).
"""

from __future__ import annotations

import logging
import smtplib
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import formatdate

from imapclient.exceptions import IMAPClientError

from builder.engine.words import Outcome
from builder.sending import inbox
from builder.sending.compose import message_bytes, message_id
from builder.sending.connections import MailboxError, close_imap, close_smtp, open_imap, open_smtp
from builder.sending.passwords import password_for
from builder.store import email_queue
from builder.store.database import WorkspaceError
from builder.store.mailboxes import Mailbox
from builder.store.workspace import Workspace

log = logging.getLogger("builder.sending")

BATCH = 1000  # tasks claimed in one transaction: today's plan is made again for each batch
FIRST_RETRY, LAST_RETRY = 60, 24 * 3600  # seconds
IDLE = 300  # seconds between rounds when nothing is waiting sooner

Progress = Callable[[str], None]


def retry_delay(attempts: int) -> int:
    """Seconds to wait before trying a refused email again, after ``attempts`` failed tries."""
    return min(LAST_RETRY, FIRST_RETRY * 2 ** min(attempts, 20))


@dataclass
class SendReport:
    """What one round did: emails sent and refused per profile, and sentences for people."""

    sent: Counter[str] = field(default_factory=Counter)
    refused: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)  # a profile that could not send at all, and why
    warnings: list[str] = field(default_factory=list)
    replies: int = 0
    bounces: int = 0


class EmailSender:
    """Sends a workspace's due email tasks; ``name`` tells this sender's claims from other senders'."""

    def __init__(
        self,
        ws: Workspace,
        name: str | None = None,
        *,
        progress: Progress | None = None,
        timeout: float = 30.0,
        clock: Callable[[], float] = time.time,
        batch: int = BATCH,
    ) -> None:
        self.ws = ws
        self.name = name or socket.gethostname()
        self.progress = progress or (lambda _said: None)
        self.timeout = timeout
        self.clock = clock
        self.batch = batch

    def _now(self) -> int:
        return int(self.clock())

    # -- a crash's leftovers ---------------------------------------------------------------

    def settle(self) -> list[str]:
        """Settle the claims this sender left behind (a crash, a kill): never sends anything twice.

        A claim never handed to the server goes back to due. One handed over may have been accepted: it is
        looked up by its Message-ID in the mailbox's Sent folder when the mailbox has IMAP; found or not (a
        server that does not keep what it sends leaves no trace), it is taken as sent and marked done, with
        a warning when that could not be confirmed.
        """
        warnings: list[str] = []
        stuck = email_queue.stuck_claims(self.ws, self.name)
        if not stuck:
            return warnings
        mailboxes = {m.sender_profile_id: m for m in self.ws.mailboxes()}
        done: list[tuple[int, str]] = []
        for claim in stuck:
            if not claim.handed:
                email_queue.release(self.ws, claim.task_id, "", 0, failed=False)
                continue
            mailbox = mailboxes.get(claim.sender_profile_id)
            if mailbox is not None and mailbox.has_imap and self._in_sent(mailbox, claim.message_id):
                done.append((claim.task_id, claim.message_id))
                continue
            done.append((claim.task_id, claim.message_id))
            warnings.append(
                f"The email {claim.message_id} (task {claim.task_id}) was with the server when sending stopped; "
                "whether it arrived cannot be told, so it is taken as sent and not sent again."
            )
        email_queue.complete_sent(self.ws, done)
        for said in warnings:
            log.warning(said)
        return warnings

    def _in_sent(self, mailbox: Mailbox, mid: str) -> bool:
        try:
            client = open_imap(mailbox, password_for(mailbox.keyring_id, mailbox.profile_name), self.timeout)
        except WorkspaceError as error:
            log.warning("%s", error)
            return False
        try:
            return inbox.in_sent_folder(client, mid)
        finally:
            close_imap(client)

    # -- sending -------------------------------------------------------------------------

    def send_due(self, report: SendReport | None = None) -> SendReport:
        """Send every email due now within the limits, profile by profile; what happened, in a report."""
        report = report or SendReport()
        for mailbox in self.ws.mailboxes():
            try:
                password = password_for(mailbox.keyring_id, mailbox.profile_name)
                smtp = open_smtp(mailbox, password, self.timeout)
            except WorkspaceError as error:
                report.problems.append(f"{mailbox.profile_name}: {error}")
                log.warning("%s: %s", mailbox.profile_name, error)
                continue
            try:
                self._send_profile(mailbox, smtp, report)
            except MailboxError as error:
                report.problems.append(f"{mailbox.profile_name}: {error}")
                log.warning("%s: %s", mailbox.profile_name, error)
            finally:
                close_smtp(smtp)
        return report

    def _send_profile(self, mailbox: Mailbox, smtp: smtplib.SMTP, report: SendReport) -> None:
        fallback = mailbox.smtp_host

        def make_id(_task: int, _profile: int) -> str:
            return message_id(mailbox.user, fallback)

        hand_over = email_queue.HandOver(self.ws)
        try:
            self._send_batches(mailbox, smtp, report, make_id, hand_over)
        finally:
            hand_over.close()

    def _send_batches(
        self,
        mailbox: Mailbox,
        smtp: smtplib.SMTP,
        report: SendReport,
        make_id: Callable[[int, int], str],
        hand_over: email_queue.HandOver,
    ) -> None:
        name = mailbox.profile_name
        while True:
            now = self._now()
            claimed, _ = email_queue.claim_due(
                self.ws, [mailbox.sender_profile_id], self.name, now, make_id, at_most=self.batch
            )
            if not claimed:
                return
            sent: list[tuple[int, str]] = []
            stamp = formatdate(localtime=True)
            for position, email in enumerate(claimed):
                data = message_bytes(email, mailbox.user, stamp)
                hand_over.mark(email.task_id, now)
                try:
                    smtp.sendmail(mailbox.user, [email.to], data)
                except smtplib.SMTPResponseException as error:
                    answer = _answer(error)
                    email_queue.release(self.ws, email.task_id, answer, now + retry_delay(email.attempts))
                    report.refused[name] += 1
                    log.info("%s: the server refused task %d: %s", name, email.task_id, answer)
                    continue
                except smtplib.SMTPRecipientsRefused as error:
                    answer = "; ".join(_answer_of(code, text) for code, text in error.recipients.values())
                    email_queue.release(self.ws, email.task_id, answer, now + retry_delay(email.attempts))
                    report.refused[name] += 1
                    log.info("%s: the server refused task %d: %s", name, email.task_id, answer)
                    continue
                except (OSError, smtplib.SMTPException) as error:
                    # The message may be with the server: taken as sent. The rest were never handed over.
                    sent.append((email.task_id, email.message_id))
                    report.warnings.append(
                        f"{name}: the connection broke while {email.message_id} was with the server; it is "
                        "taken as sent and not sent again."
                    )
                    email_queue.complete_sent(self.ws, sent)
                    report.sent[name] += len(sent)
                    for rest in claimed[position + 1 :]:
                        email_queue.release(self.ws, rest.task_id, "", 0, failed=False)
                    raise MailboxError(
                        f"The connection to the SMTP server {mailbox.smtp_host}:{mailbox.smtp_port} broke off "
                        f"({type(error).__name__})."
                    ) from None
                sent.append((email.task_id, email.message_id))
                self.progress(f"{name}: sent to {email.contact_name}")
            if done := email_queue.complete_sent(self.ws, sent):
                report.sent[name] += done

    # -- replies and bounces -------------------------------------------------------------

    def read_replies(self, report: SendReport | None = None) -> SendReport:
        """Read each mailbox's new messages: replies become ``replied``, bounces ``bounced`` (SPEC §10, §11)."""
        report = report or SendReport()
        for mailbox in self.ws.mailboxes():
            if not mailbox.has_imap:
                continue
            try:
                client = open_imap(mailbox, password_for(mailbox.keyring_id, mailbox.profile_name), self.timeout)
            except WorkspaceError as error:
                report.problems.append(f"{mailbox.profile_name}: {error}")
                continue
            try:
                sent = email_queue.sent_message_ids(self.ws, mailbox.sender_profile_id)
                heard, last = inbox.new_messages(client, mailbox.last_uid, sent)
            except (OSError, IMAPClientError) as error:
                report.problems.append(f"{mailbox.profile_name}: reading the inbox failed ({type(error).__name__}).")
                continue
            finally:
                close_imap(client)
            for found in heard:
                contact, automation = sent[found.message_id]
                if email_queue.has_outcome(self.ws, contact, automation, found.outcome.value):
                    continue
                try:
                    self.ws.record_outcome(
                        outcome=found.outcome, source="email", contact_id=contact, automation_id=automation
                    )
                except WorkspaceError as error:
                    log.info("%s: %s", mailbox.profile_name, error)
                    continue
                if found.outcome is Outcome.REPLIED:
                    report.replies += 1
                else:
                    report.bounces += 1
            if last != mailbox.last_uid:
                self.ws.set_last_uid(mailbox.sender_profile_id, last)
        return report

    # -- running as a service ------------------------------------------------------------

    def run(self, stop: threading.Event, on_round: Callable[[SendReport], None] | None = None) -> None:
        """Send, read replies, and sleep until the next retry or a few minutes, until ``stop`` is set."""
        for said in self.settle():
            if on_round is not None:
                on_round(SendReport(warnings=[said]))
        while not stop.is_set():
            report = self.read_replies(self.send_due())
            if on_round is not None:
                on_round(report)
            now = self._now()
            soonest = email_queue.next_try_after(self.ws, now)
            stop.wait(IDLE if soonest is None else max(1, min(IDLE, soonest - now)))


def _answer_of(code: int, text: bytes | str) -> str:
    said = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return f"{code} {' '.join(said.split())}"[:500]


def _answer(error: smtplib.SMTPResponseException) -> str:
    return _answer_of(error.smtp_code, error.smtp_error)
