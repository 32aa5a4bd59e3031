"""``automation-builder send --once`` of 10,000 due emails against a plain smtplib loop (issue 15).

Both send the same 10,000 messages to the same local aiosmtpd server (run in a
process of its own, keeping nothing), on one connection after one sign-in. The
plain loop gets the messages already written; ``send --once`` is timed whole,
as a person runs it: start-up, claims, Message-IDs, filling in, the commit
before each hand-over and the done tasks with their interactions.

    .venv/bin/python tests/bench/bench_send.py [--emails 10000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

SERVER = textwrap.dedent(
    """
    import sys, time
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    class Keep:
        count = 0
        async def handle_DATA(self, server, session, envelope):
            Keep.count += 1
            return "250 OK"

    def auth(server, session, envelope, mechanism, data):
        return AuthResult(success=True, handled=False)

    c = Controller(Keep(), hostname="127.0.0.1", port=int(sys.argv[1]), authenticator=auth, auth_require_tls=False)
    c.start()
    print("ready", flush=True)
    sys.stdin.read()
    c.stop()
    """
)

PLAIN = textwrap.dedent(
    """
    import json, smtplib, sys, time
    port, path = int(sys.argv[1]), sys.argv[2]
    messages = [(m["to"], m["data"].encode()) for m in json.load(open(path))]
    start = time.perf_counter()
    smtp = smtplib.SMTP("127.0.0.1", port)
    smtp.ehlo()
    smtp.login("bench@example.test", "pw")
    for to, data in messages:
        smtp.sendmail("bench@example.test", [to], data)
    smtp.quit()
    print(time.perf_counter() - start)
    """
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build(target: Path, emails: int, port: int) -> None:
    from builder.sending.passwords import store_password
    from builder.store.workspace import Workspace
    from tests.sending.conftest import build_email_outreach

    with Workspace.open(target, today=date(2026, 3, 2)) as ws:
        outreach = build_email_outreach(ws, emails, {"Bench": {"daily_limit": emails}})
        mailbox = ws.set_mailbox(
            outreach.profiles["Bench"], smtp_host="127.0.0.1", smtp_port=port, user="bench@example.test",
            security="none",
        )  # fmt: skip
        store_password(mailbox.keyring_id, "pw")


def written_messages(target: Path, path: Path) -> None:
    """The messages ``send`` wrote, as the plain loop sends them."""
    from builder.sending.compose import message_bytes
    from builder.store.email_queue import ClaimedEmail
    from builder.store.workspace import Workspace

    with Workspace.open(target, today=date(2026, 3, 2)) as ws, ws.engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT t.id, t.message_id, c.email, c.name, c.company, c.title FROM task t "
            "JOIN enrollment e ON e.id = t.enrollment_id JOIN contact c ON c.id = e.contact_id WHERE t.status = 'done'"
        ).fetchall()
    out = []
    for task, mid, email, name, company, title in rows:
        claimed = ClaimedEmail(
            task, 1, mid, email, name, company, title, "Bench", "Hello {{first_name}} (1)",
            "Dear {{name}} of {{company|your company}},\\nbye.",
        )  # fmt: skip
        out.append({"to": email, "data": message_bytes(claimed, "bench@example.test").decode()})
    path.write_text(json.dumps(out))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--emails", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-send-"))
    env = {
        **os.environ,
        "XDG_DATA_HOME": str(work / "xdg"),
        "PYTHON_KEYRING_BACKEND": "keyrings.alt.file.PlaintextKeyring",
        "PYTHONPATH": str(ROOT),
    }
    os.environ.update(env)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER, str(port)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert server.stdout is not None and server.stdout.readline().strip() == "ready"
    ours, plain = [], []
    try:
        for n in range(args.repeat):
            target = work / f"w{n}.sqlite"
            build(target, args.emails, port)
            start = time.perf_counter()
            done = subprocess.run(
                [sys.executable, "-m", "builder", "--db", str(target), "--today", "2026-03-02", "send", "--once"],
                env=env, capture_output=True, text=True, check=True,
            )  # fmt: skip
            ours.append(time.perf_counter() - start)
            assert f"Bench: {args.emails} sent" in done.stdout, done.stdout + done.stderr
            messages = work / f"m{n}.json"
            written_messages(target, messages)
            loop = subprocess.run(
                [sys.executable, "-c", PLAIN, str(port), str(messages)], capture_output=True, text=True, check=True
            )
            plain.append(float(loop.stdout))
            print(f"run {n + 1}: send --once {ours[-1]:.2f} s, plain smtplib loop {plain[-1]:.2f} s", flush=True)
    finally:
        server.communicate("", timeout=30)
    a, b = statistics.median(ours), statistics.median(plain)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout
    print(f"commit {commit.strip()}: {args.emails} emails, median send --once {a:.2f} s, plain loop {b:.2f} s, "
          f"ratio {a / b:.2f}x (target at most 1.5x)")  # fmt: skip


if __name__ == "__main__":
    main()
