"""``automation-builder mailbox`` and ``automation-builder send`` (SPEC §11).

Each refusal is one sentence on stderr and exit code 2; no password is ever printed.
"""

from __future__ import annotations

import gc
import logging
import signal
import sys
import threading
from datetime import date
from typing import TYPE_CHECKING

from builder.store.database import WorkspaceError

if TYPE_CHECKING:
    from builder.sending.sender import SendReport


def _host_port(text: str, what: str) -> tuple[str, int]:
    host, colon, port = text.rpartition(":")
    if not colon or not host or not port.isdigit():
        raise WorkspaceError(f"--{what} is HOST:PORT, like {what}.example.com:{587 if what == 'smtp' else 993}.")
    return host.strip("[]"), int(port)


def run_mailbox(
    target: str | None,
    today: date | None,
    profile: str,
    smtp: str,
    imap: str | None,
    security: str,
    user: str,
    password_stdin: bool,
) -> int:
    """Set a sender profile's mailbox; the password, read from standard input, goes to the keyring."""
    from builder.sending.passwords import store_password
    from builder.store.workspace import Workspace

    try:
        if not password_stdin:
            raise WorkspaceError("Give the password on standard input with --password-stdin (never as an argument).")
        smtp_host, smtp_port = _host_port(smtp, "smtp")
        imap_host, imap_port = _host_port(imap, "imap") if imap else (None, None)
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise WorkspaceError("No password came on standard input.")
        with Workspace.open(target, today=today) as ws:
            profile_id = ws.profile_named(profile)
            mailbox = ws.set_mailbox(
                profile_id, smtp_host=smtp_host, smtp_port=smtp_port, user=user, security=security,
                imap_host=imap_host, imap_port=imap_port,
            )  # fmt: skip
            store_password(mailbox.keyring_id, password)
    except WorkspaceError as error:
        print(error, file=sys.stderr)
        return 2
    where = f"SMTP {smtp_host}:{smtp_port}" + (f", IMAP {imap_host}:{imap_port}" if imap_host else "")
    print(f"{profile}'s mailbox: {user} on {where} ({security}); the password is in the keyring.")
    return 0


def _lines(report: SendReport) -> None:
    """How many emails each profile sent, on stdout; warnings and problems, one sentence a line, on stderr."""
    for name in sorted(set(report.sent) | set(report.refused)):
        refused = report.refused.get(name, 0)
        said = f"{name}: {report.sent.get(name, 0)} sent" + (
            f", {refused} refused (to be tried again)" if refused else ""
        )
        print(said, flush=True)
    if report.replies or report.bounces:
        print(f"{report.replies} replies and {report.bounces} bounces read", flush=True)
    for said in report.warnings:
        print(f"warning: {said}", file=sys.stderr)
    for said in report.problems:
        print(said, file=sys.stderr)


def run_send(target: str | None, today: date | None, once: bool, name: str | None) -> int:
    """Send the due emails (``--once``: now, then exit), or keep sending until Ctrl+C."""
    from builder.sending.sender import EmailSender, SendReport
    from builder.store.workspace import Workspace

    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(message)s")
    try:
        with Workspace.open(target, today=today) as ws:
            if not ws.mailboxes():
                raise WorkspaceError(
                    "No sender profile has a mailbox yet: give one with 'automation-builder mailbox PROFILE_NAME ...'."
                )
            sender = EmailSender(ws, name)
            # What start-up made lives as long as the sender: the collector need not walk it again on every
            # collection while thousands of emails go (a tenth of the send's own time, measured).
            gc.freeze()
            if once:
                report = SendReport(warnings=sender.settle())
                sender.read_replies(sender.send_due(report))
                if not report.sent and not report.refused and not report.problems:
                    print("Nothing due to send now.")
                _lines(report)
                return 2 if report.problems else 0
            stop = threading.Event()
            signal.signal(signal.SIGTERM, lambda *_: stop.set())
            print("Sending due emails; Ctrl+C stops.", flush=True)
            try:
                sender.run(stop, on_round=_lines)
            except KeyboardInterrupt:
                stop.set()
            print("Stopped.")
            return 0
    except WorkspaceError as error:
        print(error, file=sys.stderr)
        return 2
