"""An email task's message (SPEC §11): subject and text filled in for the contact and the sender profile.

The message is written directly as RFC 5322 bytes (plain text, UTF-8): the
standard library's ``EmailMessage`` takes four times as long as sending it on
a local connection, and ten thousand emails should cost about what the server
takes. Headers that are not plain ASCII, or too long for a line, are encoded
by the standard library (RFC 2047); a body that is not ASCII, or has a line
too long, goes quoted-printable.
"""

from __future__ import annotations

import uuid
from email.header import Header
from email.quoprimime import body_encode
from email.utils import formatdate

from builder.engine.messages import contact_values
from builder.engine.report_messages import template
from builder.store.email_queue import ClaimedEmail


class _Contact:
    __slots__ = ("company", "name", "title")

    def __init__(self, name: str, company: str | None, title: str | None) -> None:
        self.name, self.company, self.title = name, company, title


def message_id(user: str, fallback_domain: str) -> str:
    """A Message-ID of our own, made before the message is sent and stored with its task."""
    domain = user.rpartition("@")[2] if "@" in user else fallback_domain
    return f"<{uuid.uuid4().hex}@{domain or 'automation-builder.invalid'}>"


def filled(email: ClaimedEmail) -> tuple[str, str]:
    """The email's subject and text, filled in for its contact and profile (the same templates as ``simulate``)."""
    values = contact_values(_Contact(email.contact_name, email.company, email.title), email.profile_name)
    return template(email.subject).fill(values), template(email.text).fill(values)


def _header(name: str, value: str) -> str:
    value = " ".join(value.split())  # no line breaks may reach a header
    if value.isascii() and len(name) + len(value) < 76:
        return f"{name}: {value}\r\n"
    return f"{name}: {Header(value, 'utf-8', header_name=name).encode(linesep=chr(13) + chr(10))}\r\n"


def _body(text: str) -> tuple[str, str]:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if text.isascii() and all(len(line) < 990 for line in lines):
        return "7bit", "\r\n".join(lines)
    return "quoted-printable", body_encode("\n".join(lines), eol="\r\n")


def message_bytes(email: ClaimedEmail, sender: str, date: str | None = None) -> bytes:
    """The message as it goes out: From the mailbox's user, To the contact, with the task's own Message-ID."""
    subject, text = filled(email)
    encoding, body = _body(text)
    head = (
        _header("From", sender)
        + _header("To", email.to)
        + _header("Subject", subject)
        + f"Date: {date or formatdate(localtime=True)}\r\n"
        + f"Message-ID: {email.message_id}\r\n"
        + "MIME-Version: 1.0\r\n"
        + 'Content-Type: text/plain; charset="utf-8"\r\n'
        + f"Content-Transfer-Encoding: {encoding}\r\n"
    )
    return (head + "\r\n" + body + "\r\n").encode("utf-8")
