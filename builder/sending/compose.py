"""An email task's message (SPEC §11): subject and text filled in for the contact and the sender profile."""

from __future__ import annotations

import uuid
from email.message import EmailMessage
from email.policy import SMTP
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


def build_message(email: ClaimedEmail, sender: str) -> EmailMessage:
    """The message as it goes out: From the mailbox's user, To the contact, with the task's own Message-ID."""
    subject, text = filled(email)
    message = EmailMessage(policy=SMTP)
    message["From"] = sender
    message["To"] = email.to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = email.message_id
    message.set_content(text)
    return message
