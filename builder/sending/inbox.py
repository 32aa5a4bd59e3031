"""Replies and bounces read from a mailbox over IMAP (SPEC §11).

A message whose In-Reply-To or References names a Message-ID we sent is a
reply of that email's contact; a delivery-status report (``multipart/report;
report-type=delivery-status``) naming one, with a failed action, is a bounce.
Only messages after the last one read are looked at.
"""

from __future__ import annotations

import email
import re
from dataclasses import dataclass
from email.message import Message
from email.policy import compat32

from imapclient import IMAPClient

from builder.engine.words import Outcome

MESSAGE_ID = re.compile(rb"<[^<>\s]+@[^<>\s]+>")
BATCH = 200


@dataclass(frozen=True)
class Heard:
    """What one incoming message says about one of our emails."""

    uid: int
    message_id: str
    outcome: Outcome


def _ids(value: str | None) -> list[str]:
    return [m.decode() for m in MESSAGE_ID.findall(value.encode("utf-8", "replace"))] if value else []


def _is_delivery_report(message: Message) -> bool:
    return message.get_content_type() == "multipart/report" and (
        (message.get_param("report-type") or "").lower() == "delivery-status"
    )


def _failed(message: Message) -> bool:
    """Whether a delivery-status report says the delivery failed (a delay is no bounce)."""
    for part in message.walk():
        if part.get_content_type() == "message/delivery-status":
            text = part.as_string().lower()
            if "action:" in text:
                return "action: failed" in text
    return True


def read_message(uid: int, raw: bytes, sent: set[str] | dict[str, object]) -> Heard | None:
    """Whether a message is a reply to, or a bounce of, one of the ``sent`` Message-IDs."""
    message = email.message_from_bytes(raw, policy=compat32)
    if _is_delivery_report(message):
        if not _failed(message):
            return None
        for found in MESSAGE_ID.findall(raw):
            mid = found.decode()
            if mid in sent:
                return Heard(uid, mid, Outcome.BOUNCED)
        return None
    for header in ("In-Reply-To", "References"):
        for mid in _ids(message.get(header)):
            if mid in sent:
                return Heard(uid, mid, Outcome.REPLIED)
    return None


def new_messages(client: IMAPClient, last_uid: int, sent: set[str] | dict[str, object]) -> tuple[list[Heard], int]:
    """Replies and bounces in the inbox after ``last_uid``, and the last UID now seen."""
    client.select_folder("INBOX", readonly=True)
    uids = [u for u in client.search(["UID", f"{last_uid + 1}:*"]) if u > last_uid]
    heard: list[Heard] = []
    for start in range(0, len(uids), BATCH):
        chunk = sorted(uids[start : start + BATCH])
        for uid, data in sorted(client.fetch(chunk, ["BODY.PEEK[]"]).items()):
            raw = data.get(b"BODY[]")
            if raw and (found := read_message(uid, raw, sent)) is not None:
                heard.append(found)
    return heard, max(uids, default=last_uid)


def in_sent_folder(client: IMAPClient, message_id: str) -> bool:
    """Whether the mailbox's Sent folder holds a message with this Message-ID."""
    folder = client.find_special_folder(b"\\Sent") or "Sent"
    try:
        client.select_folder(folder, readonly=True)
    except Exception:  # no Sent folder at all: nothing there
        return False
    return bool(client.search(["HEADER", "Message-ID", message_id]))
