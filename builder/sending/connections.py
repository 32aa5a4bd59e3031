"""Connections to a mailbox's servers, and what went wrong said in words (SPEC §11).

Every failure becomes a :class:`MailboxError` whose sentence names the
server and the cause; no password is ever part of it.
"""

from __future__ import annotations

import contextlib
import smtplib
import socket
import ssl

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError, LoginError

from builder.store.database import WorkspaceError
from builder.store.mailboxes import Mailbox, Security

TIMEOUT = 30.0


class MailboxError(WorkspaceError):
    """A mail server could not be reached, refused the sign-in or broke off; the sentence says which."""


def sentence(text: str) -> str:
    """``text`` starting a sentence: its first letter upper-case, the rest as it is."""
    return text[:1].upper() + text[1:]


def _network_words(error: BaseException) -> str:
    if isinstance(error, TimeoutError | socket.timeout):
        return "it did not answer in time"
    if isinstance(error, ConnectionRefusedError):
        return "nothing answers on that port"
    if isinstance(error, socket.gaierror):
        return "that host name is unknown"
    if isinstance(error, ssl.SSLError):
        return f"TLS failed ({error.reason or 'handshake'}); check the security setting"
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return "it closed the connection"
    return getattr(error, "strerror", None) or type(error).__name__


def open_smtp(mailbox: Mailbox, password: str, timeout: float = TIMEOUT) -> smtplib.SMTP:
    """Connect and sign in to the mailbox's SMTP server."""
    where = f"the SMTP server {mailbox.smtp_host}:{mailbox.smtp_port}"
    context = ssl.create_default_context()
    try:
        if mailbox.security is Security.TLS:
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                mailbox.smtp_host, mailbox.smtp_port, timeout=timeout, context=context
            )
        else:
            smtp = smtplib.SMTP(mailbox.smtp_host, mailbox.smtp_port, timeout=timeout)
    except (OSError, smtplib.SMTPException) as error:
        raise MailboxError(f"Cannot reach {where}: {_network_words(error)}.") from None
    try:
        smtp.ehlo()
        if mailbox.security is Security.STARTTLS:
            if not smtp.has_extn("starttls"):
                raise MailboxError(f"{sentence(where)} does not offer STARTTLS; choose security 'tls' or 'none'.")
            smtp.starttls(context=context)
            smtp.ehlo()
        smtp.login(mailbox.user, password)
    except smtplib.SMTPAuthenticationError as error:
        _close(smtp)
        raise MailboxError(
            f"{sentence(where)} refused the password of {mailbox.user} ({error.smtp_code}). Set the right one again."
        ) from None
    except smtplib.SMTPNotSupportedError:
        _close(smtp)
        raise MailboxError(
            f"{sentence(where)} does not ask for a sign-in (no AUTH); check the port and security."
        ) from None
    except smtplib.SMTPResponseException as error:
        _close(smtp)
        raise MailboxError(f"{sentence(where)} answered {error.smtp_code}: {_answer(error.smtp_error)}") from None
    except MailboxError:
        _close(smtp)
        raise
    except (OSError, smtplib.SMTPException) as error:
        _close(smtp)
        raise MailboxError(f"The connection to {where} failed: {_network_words(error)}.") from None
    return smtp


def _answer(raw: bytes | str) -> str:
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    return " ".join(text.split())[:300]


def _close(smtp: smtplib.SMTP) -> None:
    try:
        smtp.quit()
    except (OSError, smtplib.SMTPException):
        smtp.close()


def close_smtp(smtp: smtplib.SMTP) -> None:
    _close(smtp)


def open_imap(mailbox: Mailbox, password: str, timeout: float = TIMEOUT) -> IMAPClient:
    """Connect and sign in to the mailbox's IMAP server."""
    if not mailbox.has_imap:
        raise MailboxError(f"{mailbox.profile_name}'s mailbox has no IMAP server.")
    where = f"the IMAP server {mailbox.imap_host}:{mailbox.imap_port}"
    context = ssl.create_default_context()
    try:
        client = IMAPClient(
            mailbox.imap_host, port=mailbox.imap_port, ssl=mailbox.security is Security.TLS,
            ssl_context=context, timeout=timeout,
        )  # fmt: skip
    except (OSError, IMAPClientError) as error:
        raise MailboxError(f"Cannot reach {where}: {_network_words(error)}.") from None
    try:
        if mailbox.security is Security.STARTTLS:
            client.starttls(context)
        client.login(mailbox.user, password)
    except LoginError:
        _logout(client)
        raise MailboxError(
            f"{sentence(where)} refused the password of {mailbox.user}. Set the right one again."
        ) from None
    except (OSError, IMAPClientError) as error:
        _logout(client)
        raise MailboxError(f"The connection to {where} failed: {_network_words(error)}.") from None
    return client


def _logout(client: IMAPClient) -> None:
    with contextlib.suppress(OSError, IMAPClientError):
        client.logout()


def close_imap(client: IMAPClient) -> None:
    _logout(client)


def test_connection(mailbox: Mailbox, password: str, timeout: float = 15.0) -> str:
    """Sign in to the SMTP (and IMAP) server and out again; what worked, in words, or a MailboxError."""
    close_smtp(open_smtp(mailbox, password, timeout))
    said = f"Signed in to {mailbox.smtp_host}:{mailbox.smtp_port} for sending"
    if mailbox.has_imap:
        close_imap(open_imap(mailbox, password, timeout))
        said += f" and to {mailbox.imap_host}:{mailbox.imap_port} for replies"
    return said + "."
