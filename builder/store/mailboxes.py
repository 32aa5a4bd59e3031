"""The mailbox of an email sender profile (SPEC §11): where its emails go out and its replies come in.

The workspace keeps the servers and the user; the password lives in the
operating system's keyring under a name the workspace keeps
(``keyring_id``), never in the workspace, a log, an error or the screen.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import Connection

from builder.engine.words import Channel
from builder.store.base import Change, WorkspaceBase
from builder.store.database import WorkspaceError
from builder.store.loading import execute, query

KEYRING_SERVICE = "automation-builder"


class Security(StrEnum):
    """How the connection to a mail server is protected."""

    NONE = "none"
    STARTTLS = "starttls"
    TLS = "tls"


@dataclass(frozen=True)
class Mailbox:
    """An email sender profile's servers and user; the password is in the keyring under ``keyring_id``."""

    sender_profile_id: int
    profile_name: str
    smtp_host: str
    smtp_port: int
    security: Security
    user: str
    imap_host: str | None
    imap_port: int | None
    keyring_id: str
    last_uid: int = 0

    @property
    def has_imap(self) -> bool:
        return bool(self.imap_host) and self.imap_port is not None


def _check_port(port: int, what: str) -> int:
    if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
        raise WorkspaceError(f"The {what} port is a whole number from 1 to 65535.")
    return port


def _check_host(host: str, what: str) -> str:
    host = (host or "").strip()
    if not host or any(c.isspace() for c in host):
        raise WorkspaceError(f"The {what} server needs a host name without spaces.")
    return host


_COLUMNS = (
    "m.sender_profile_id, p.name, m.smtp_host, m.smtp_port, m.security, m.user_name, m.imap_host, m.imap_port, "
    "m.keyring_id, m.last_uid FROM mailbox m JOIN sender_profile p ON p.id = m.sender_profile_id"
)


def _mailbox(row: tuple) -> Mailbox:
    pid, name, host, port, security, user, imap_host, imap_port, key, last_uid = row
    return Mailbox(pid, name, host, port, Security(security), user, imap_host, imap_port, key, last_uid)


@dataclass(frozen=True)
class MailboxFields:
    """A mailbox's servers and user as checked by :func:`check_mailbox`, not yet written."""

    smtp_host: str
    smtp_port: int
    security: Security
    user: str
    imap_host: str | None
    imap_port: int | None


def check_mailbox(
    smtp_host: str,
    smtp_port: int,
    user: str,
    security: Security | str = Security.STARTTLS,
    imap_host: str | None = None,
    imap_port: int | None = None,
) -> MailboxFields:
    """The mailbox's fields by the workspace's rules; a bad one is refused with a sentence."""
    try:
        security = Security(security)
    except ValueError:
        raise WorkspaceError("The security of a mail server is none, starttls or tls.") from None
    smtp_host = _check_host(smtp_host, "SMTP")
    _check_port(smtp_port, "SMTP")
    user = (user or "").strip()
    if not user:
        raise WorkspaceError("A mailbox needs the user to sign in as.")
    if imap_host is not None or imap_port is not None:
        if imap_host is None or imap_port is None:
            raise WorkspaceError("The IMAP server needs both a host and a port.")
        imap_host = _check_host(imap_host, "IMAP")
        _check_port(imap_port, "IMAP")
    return MailboxFields(smtp_host, smtp_port, security, user, imap_host, imap_port)


def put_mailbox(conn: Connection, profile_id: int, fields: MailboxFields) -> Mailbox:
    """Write the mailbox of an email profile, in the caller's transaction; a LinkedIn profile is refused."""
    found = query(conn, "SELECT name, channel FROM sender_profile WHERE id = ?", (profile_id,))
    if not found:
        raise WorkspaceError("That sender profile no longer exists.")
    name, channel = found[0]
    if channel != Channel.EMAIL.value:
        raise WorkspaceError(f"{name} is a LinkedIn profile; only an email profile has a mailbox.")
    old = query(conn, "SELECT keyring_id FROM mailbox WHERE sender_profile_id = ?", (profile_id,))
    f = fields
    values = (f.smtp_host, f.smtp_port, f.security.value, f.user, f.imap_host, f.imap_port)
    if old:
        key = old[0][0]
        execute(
            conn,
            "UPDATE mailbox SET smtp_host = ?, smtp_port = ?, security = ?, user_name = ?, imap_host = ?, "
            "imap_port = ? WHERE sender_profile_id = ?",
            (*values, profile_id),
        )
    else:
        # A name of its own for this workspace's profile: two workspaces never share a password.
        key = f"mailbox-{uuid.uuid4().hex}"
        execute(
            conn,
            f"INSERT INTO mailbox ({', '.join(MAILBOX_COLUMNS[:-1])}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (profile_id, *values, key),
        )
    return Mailbox(profile_id, name, f.smtp_host, f.smtp_port, f.security, f.user, f.imap_host, f.imap_port, key)


MAILBOX_COLUMNS = (
    "sender_profile_id", "smtp_host", "smtp_port", "security", "user_name", "imap_host", "imap_port", "keyring_id",
    "last_uid",
)  # fmt: skip  # the mailbox table's columns, as a deleted profile's snapshot keeps them


class MailboxesMixin(WorkspaceBase):
    def set_mailbox(
        self,
        profile_id: int,
        *,
        smtp_host: str,
        smtp_port: int,
        user: str,
        security: Security | str = Security.STARTTLS,
        imap_host: str | None = None,
        imap_port: int | None = None,
    ) -> Mailbox:
        """Give an email sender profile its mailbox (SPEC §11), or change it; the password is set apart,
        in the keyring (:func:`builder.sending.passwords.store_password`) under the returned ``keyring_id``."""
        fields = check_mailbox(smtp_host, smtp_port, user, security, imap_host, imap_port)
        with self._write() as conn:
            stored = put_mailbox(conn, profile_id, fields)
            self._later(Change("sender_profiles"))
        return stored

    def mailbox(self, profile_id: int) -> Mailbox | None:
        """The sender profile's mailbox, or None when it has none."""
        with self._read() as conn:
            found = query(conn, f"SELECT {_COLUMNS} WHERE m.sender_profile_id = ?", (profile_id,))
        return _mailbox(found[0]) if found else None

    def mailboxes(self) -> list[Mailbox]:
        """Every mailbox, by sender profile id."""
        with self._read() as conn:
            return [_mailbox(row) for row in query(conn, f"SELECT {_COLUMNS} ORDER BY m.sender_profile_id")]

    def remove_mailbox(self, profile_id: int) -> None:
        """Take the mailbox off a sender profile (its password stays in the keyring until removed there)."""
        with self._write() as conn:
            execute(conn, "DELETE FROM mailbox WHERE sender_profile_id = ?", (profile_id,))
            self._later(Change("sender_profiles"))

    def profile_named(self, name: str) -> int:
        """The id of the sender profile with this name; refused with a sentence when there is none."""
        with self._read() as conn:
            found = query(conn, "SELECT id FROM sender_profile WHERE name = ? ORDER BY id", (name,))
        if not found:
            raise WorkspaceError(f"There is no sender profile named '{name}'.")
        return int(found[0][0])

    def set_last_uid(self, profile_id: int, uid: int) -> None:
        """Remember the last IMAP message read for replies and bounces."""
        with self._write() as conn:
            execute(conn, "UPDATE mailbox SET last_uid = ? WHERE sender_profile_id = ?", (uid, profile_id))
