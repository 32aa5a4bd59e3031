"""Several senders on one workspace (SPEC §11): each skips the others' claims, so every email goes once.

On PostgreSQL (``AUTOMATION_BUILDER_TEST_POSTGRES``, as the workspace tests) three senders run at once, each
with its own connection; on SQLite, whose write lock takes them in turn, too.
"""

from __future__ import annotations

import os
import threading
from collections import Counter
from pathlib import Path

import pytest

from builder.sending.sender import EmailSender, SendReport
from builder.store.workspace import Workspace
from tests.sending.conftest import MONDAY, SmtpServer, build_email_outreach, give_mailbox
from tests.store.conftest import POSTGRES, REQUIRED, empty_postgres


@pytest.fixture(params=["sqlite", "postgresql"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> str | Path:
    if request.param == "sqlite":
        return tmp_path / "w.sqlite"
    if not POSTGRES:
        if REQUIRED:
            pytest.fail("AUTOMATION_BUILDER_TEST_POSTGRES is not set, but CI requires the PostgreSQL run")
        pytest.skip("no PostgreSQL server given (AUTOMATION_BUILDER_TEST_POSTGRES)")
    return empty_postgres()


def test_three_senders_at_once_send_every_task_exactly_once(target: str | Path, smtp_server: SmtpServer) -> None:
    limits = {"Ann": 120, "Bob": 90, "Cid": 500}
    with Workspace.open(target, today=MONDAY) as ws:
        outreach = build_email_outreach(ws, 600, {name: {"daily_limit": n} for name, n in limits.items()})
        for name, pid in outreach.profiles.items():
            give_mailbox(ws, pid, smtp_server, user=f"{name.lower()}@example.test")
        expected = {
            f"{name.lower()}@example.test": len(ws.plan_today()[pid]) for name, pid in outreach.profiles.items()
        }
    reports: list[SendReport] = []
    errors: list[BaseException] = []
    start = threading.Barrier(3)

    # Each sender has a workspace (a database engine) of its own, opened one after the other.
    opened = [Workspace.open(target, today=MONDAY) for _ in range(3)]

    def send(mine: Workspace, name: str) -> None:
        try:
            start.wait()
            reports.append(EmailSender(mine, name, batch=7).send_due())
        except BaseException as error:  # pragma: no cover - shown below
            errors.append(error)

    threads = [threading.Thread(target=send, args=(ws, f"sender-{n}")) for n, ws in enumerate(opened)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    for ws in opened:
        ws.close()
    assert not errors, errors
    assert all(not r.problems for r in reports)
    ids = smtp_server.store.message_ids()
    assert len(ids) == len(set(ids)) == sum(expected.values())
    assert Counter(mail_from for mail_from, _, _ in smtp_server.store.messages) == expected
    assert sum(sum(r.sent.values()) for r in reports) == len(ids)
    if os.environ.get("AUTOMATION_BUILDER_SHOW_SPREAD"):
        print([sum(r.sent.values()) for r in reports])
    with Workspace.open(target, today=MONDAY) as ws:
        statuses = Counter(t.status.value for t in ws.tasks(outreach.automation))
        assert statuses == {"done": len(ids), "pending": 600 - len(ids)}
