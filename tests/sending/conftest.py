"""Real mail servers for the sending tests (SPEC §11), started by the tests on 127.0.0.1.

- SMTP: aiosmtpd's Controller on a free port, with a handler that keeps what it
  receives (optionally slowly, or refusing with 550), and a sign-in check.
- IMAP: Dovecot from the system's packages (``dovecot-imapd``) with its own
  configuration in a temporary folder, a test user in a passwd-file and maildirs
  there. Without Dovecot the IMAP tests are skipped, unless
  ``AUTOMATION_BUILDER_REQUIRE_DOVECOT=1`` (CI) makes that a failure.
- The keyring: keyrings.alt's PlaintextKeyring in a temporary XDG_DATA_HOME.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import keyring
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from builder.store.workspace import Workspace

USER, PASSWORD = "sender@example.test", "s3cret-Pa55word!"
REQUIRE_DOVECOT = os.environ.get("AUTOMATION_BUILDER_REQUIRE_DOVECOT") == "1"
MONDAY = date(2026, 3, 2)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(autouse=True)
def file_keyring(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Passwords in a plain file under a temporary XDG_DATA_HOME (this process and its children)."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyrings.alt.file.PlaintextKeyring")
    from keyrings.alt.file import PlaintextKeyring

    before = keyring.get_keyring()
    keyring.set_keyring(PlaintextKeyring())
    yield
    keyring.set_keyring(before)


@dataclass
class MailStore:
    """What an SMTP server received: each message's envelope and parsed message."""

    messages: list[tuple[str, list[str], EmailMessage]] = field(default_factory=list)
    delay: float = 0.0
    refuse: str | None = None  # an SMTP answer for every message, like "550 5.1.1 no such user"
    on_message: Callable[[int], None] | None = None  # called with the count received, before the answer
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refuse:
            return self.refuse
        if self.delay:
            time.sleep(self.delay)
        with self.lock:
            self.messages.append(
                (
                    envelope.mail_from,
                    list(envelope.rcpt_tos),
                    message_from_bytes(envelope.content, policy=policy.default),
                )
            )
            count = len(self.messages)
        if self.on_message is not None:
            self.on_message(count)
        return "250 OK"

    def message_ids(self) -> list[str]:
        return [m["Message-ID"] for _, _, m in self.messages]


class _Authenticator:
    def __call__(self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
        ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode().endswith("@example.test")
        ok = ok and auth_data.password.decode() == PASSWORD
        return AuthResult(success=ok, handled=False)


@dataclass
class SmtpServer:
    host: str
    port: int
    store: MailStore
    controller: Controller


def _smtp(store: MailStore) -> SmtpServer:
    port = free_port()
    controller = Controller(
        store, hostname="127.0.0.1", port=port, authenticator=_Authenticator(), auth_require_tls=False,
        auth_exclude_mechanism=["CRAM-MD5"],
    )  # fmt: skip
    controller.start()
    return SmtpServer("127.0.0.1", port, store, controller)


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server = _smtp(MailStore())
    yield server
    server.controller.stop()


@pytest.fixture
def refusing_smtp() -> Iterator[SmtpServer]:
    server = _smtp(MailStore(refuse="550 5.1.1 Mailbox unavailable"))
    yield server
    server.controller.stop()


@pytest.fixture
def stopped_smtp() -> SmtpServer:
    """A port nothing listens on: the server that cannot be reached."""
    server = _smtp(MailStore())
    server.controller.stop()
    return server


# -- Dovecot ------------------------------------------------------------------------------

DOVECOT_CONF = """\
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {internal}
default_internal_group = {internal_group}
default_login_user = {login}
first_valid_uid = 0
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
mail_location = maildir:~/Maildir
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service pop3-login {{
  inet_listener pop3 {{
    port = 0
  }}
}}
service submission-login {{
  inet_listener submission {{
    port = 0
  }}
}}
"""


@dataclass
class ImapServer:
    host: str
    port: int

    def client(self):  # type: ignore[no-untyped-def]
        from imapclient import IMAPClient

        client = IMAPClient(self.host, port=self.port, ssl=False, timeout=10)
        client.login(USER, PASSWORD)
        return client


def _dovecot() -> str | None:
    return shutil.which("dovecot") or ("/usr/sbin/dovecot" if Path("/usr/sbin/dovecot").exists() else None)


@pytest.fixture
def imap_server() -> Iterator[ImapServer]:
    binary = _dovecot()
    if binary is None:
        if REQUIRE_DOVECOT:
            pytest.fail("dovecot is not installed, but CI requires the IMAP tests (apt-get install dovecot-imapd)")
        pytest.skip("no Dovecot here (apt-get install dovecot-imapd to run the IMAP tests)")
    root = Path(tempfile.mkdtemp(prefix="ab-dovecot-"))
    root.chmod(0o755)  # Dovecot's own processes run as other users and must reach their sockets
    for sub in ("run", "state", "home"):
        (root / sub).mkdir()
    (root / "users").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
    if os.geteuid() == 0:  # Dovecot runs mail and login processes as users that are not root
        nobody = pwd.getpwnam("nobody")
        uid, gid, internal, internal_group, login = nobody.pw_uid, nobody.pw_gid, "root", "root", "nobody"
        os.chown(root / "home", uid, gid)
    else:
        me = pwd.getpwuid(os.getuid())
        uid, gid, internal, internal_group, login = me.pw_uid, me.pw_gid, me.pw_name, me.pw_name, me.pw_name
    port = free_port()
    conf = root / "dovecot.conf"
    conf.write_text(
        DOVECOT_CONF.format(
            root=root, port=port, uid=uid, gid=gid, internal=internal, internal_group=internal_group, login=login
        )
    )
    process = subprocess.Popen(
        [binary, "-F", "-c", str(conf)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True
    )
    server = ImapServer("127.0.0.1", port)
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                client = server.client()
                client.create_folder("Sent")
                client.logout()
                break
            except Exception as error:
                if process.poll() is not None or time.monotonic() > deadline:
                    log = (root / "dovecot.log").read_text() if (root / "dovecot.log").exists() else ""
                    pytest.fail(f"Dovecot did not start: {error}\n{log[-2000:]}")
                time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(root, ignore_errors=True)


# -- workspaces with due emails ---------------------------------------------------------


@dataclass
class EmailOutreach:
    automation: int
    profiles: dict[str, int]
    email_steps: list[int]


def set_message(ws: Workspace, node_id: int, subject: str, text: str) -> None:
    """An email step's message, as the step panel stores it (``node.settings``)."""
    import json

    with ws.engine.begin() as conn:
        conn.exec_driver_sql(
            "UPDATE node SET settings = :s WHERE id = :n".replace(":s", "?").replace(":n", "?")
            if ws.engine.dialect.paramstyle == "qmark"
            else "UPDATE node SET settings = %s WHERE id = %s",
            (json.dumps({"subject": subject, "text": text}), node_id),
        )


def build_email_outreach(
    ws: Workspace,
    contacts: int,
    profiles: dict[str, dict[str, Any]],
    *,
    steps: int = 1,
    tag: str = "lead",
) -> EmailOutreach:
    """Contacts with emails, email profiles with their limits, and Segment → profiles → email steps, started."""
    ids = {name: ws.create_sender_profile(name, "email", **options) for name, options in profiles.items()}
    ws.add_contacts(
        [
            {"name": f"Person{i} Last{i}", "email": f"person{i}@example.test", "company": f"Co{i % 7}", "tags": [tag]}
            for i in range(contacts)
        ]
    )
    segment = ws.create_segment(f"{tag}s", tags_any=[tag])
    automation = ws.create_automation("Email outreach")
    seg = ws.add_node(automation, "segment", segment_id=segment)
    prof = ws.add_node(automation, "sender_profile", x=300)
    ws.connect(seg, prof)
    for pid in ids.values():
        ws.attach_sender_profile(prof, pid)
    previous, email_steps = prof, []
    for n in range(steps):
        if n:
            wait = ws.add_node(automation, "wait", wait_days=2, x=600 + 600 * n)
            ws.connect(previous, wait)
            previous = wait
        step = ws.add_node(automation, "email", x=900 + 600 * n)
        set_message(ws, step, f"Hello {{{{first_name}}}} ({n + 1})", "Dear {{name}} of {{company|your company}},\nbye.")
        ws.connect(previous, step)
        previous, email_steps = step, [*email_steps, step]
    ws.start(automation)
    return EmailOutreach(automation, ids, email_steps)


def give_mailbox(
    ws: Workspace,
    profile_id: int,
    smtp: SmtpServer,
    imap: ImapServer | None = None,
    user: str = USER,
    password: str = PASSWORD,
) -> None:
    from builder.sending.passwords import store_password

    mailbox = ws.set_mailbox(
        profile_id, smtp_host=smtp.host, smtp_port=smtp.port, user=user, security="none",
        imap_host=imap.host if imap else None, imap_port=imap.port if imap else None,
    )  # fmt: skip
    store_password(mailbox.keyring_id, password)
