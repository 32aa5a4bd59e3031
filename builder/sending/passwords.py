"""Mailbox passwords in the operating system's keyring (SPEC §11), through the ``keyring`` package.

The password is stored under the service ``automation-builder`` and the
mailbox's ``keyring_id``; it is never written to the workspace, a log, an
error message or the screen.
"""

from __future__ import annotations

import contextlib

import keyring
from keyring.errors import KeyringError, NoKeyringError, PasswordDeleteError

from builder.store.database import WorkspaceError
from builder.store.mailboxes import KEYRING_SERVICE

NO_KEYRING = (
    "No keyring is available to keep the mailbox password. On a desktop, install and unlock one (GNOME Keyring "
    "or KWallet on Linux; macOS and Windows have theirs); on a server, install keyrings.alt and set "
    "PYTHON_KEYRING_BACKEND=keyrings.alt.file.PlaintextKeyring (a file only this user may read)."
)


class PasswordError(WorkspaceError):
    """The keyring could not keep or give a password; the sentence says what to do."""


def _usable() -> None:
    backend = keyring.get_keyring()
    if type(backend).__module__.startswith("keyring.backends.fail") or getattr(backend, "priority", 1) <= 0:
        raise PasswordError(NO_KEYRING)


def store_password(keyring_id: str, password: str) -> None:
    """Keep a mailbox's password in the keyring."""
    if not password:
        raise PasswordError("The password is empty.")
    _usable()
    try:
        keyring.set_password(KEYRING_SERVICE, keyring_id, password)
    except NoKeyringError:
        raise PasswordError(NO_KEYRING) from None
    except KeyringError as error:
        raise PasswordError(f"The keyring would not keep the password ({type(error).__name__}).") from None


def password_for(keyring_id: str, profile_name: str) -> str:
    """A mailbox's password from the keyring; a sentence saying how to set it when there is none."""
    _usable()
    try:
        found = keyring.get_password(KEYRING_SERVICE, keyring_id)
    except NoKeyringError:
        raise PasswordError(NO_KEYRING) from None
    except KeyringError as error:
        raise PasswordError(f"The keyring would not give the password ({type(error).__name__}).") from None
    if found is None:
        raise PasswordError(
            f"The keyring holds no password for {profile_name}'s mailbox: set it in the profile editor or with "
            f"'automation-builder mailbox \"{profile_name}\" ... --password-stdin'."
        )
    return found


def forget_password(keyring_id: str) -> None:
    """Remove a mailbox's password from the keyring (nothing when it has none)."""
    with contextlib.suppress(PasswordDeleteError, KeyringError):
        keyring.delete_password(KEYRING_SERVICE, keyring_id)


def take_password(keyring_id: str) -> str | None:
    """A mailbox's password out of the keyring, for an undo step to hold while its profile is gone.

    None when the keyring has none or cannot be reached: then nothing was taken.
    """
    try:
        found = keyring.get_password(KEYRING_SERVICE, keyring_id)
    except KeyringError:
        return None
    if found is not None:
        forget_password(keyring_id)
    return found
