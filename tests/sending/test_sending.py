"""Sending due emails through a real SMTP server (SPEC §11): limits, once each, retries, crashes, sentences."""

from __future__ import annotations

import io
import logging
import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from builder.cli import main
from builder.sending.sender import EmailSender, retry_delay
from builder.store import email_queue
from builder.store.loading import query
from builder.store.workspace import Workspace
from tests.sending.conftest import (
    MONDAY,
    PASSWORD,
    MailStore,
    SmtpServer,
    _smtp,
    build_email_outreach,
    give_mailbox,
)

TODAY = MONDAY.isoformat()


def _task_rows(ws: Workspace) -> list[tuple]:
    with ws._read() as conn:
        return query(
            conn,
            "SELECT t.id, t.sender_profile_id, t.status, t.message_id, t.attempts, t.last_error, c.email, c.name "
            "FROM task t JOIN enrollment e ON e.id = t.enrollment_id JOIN contact c ON c.id = e.contact_id "
            "ORDER BY t.id",
        )


def test_1000_due_emails_over_three_profiles_reach_the_server_within_their_limits(
    tmp_path: Path, smtp_server: SmtpServer, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "w.sqlite"
    with Workspace.open(target, today=MONDAY) as ws:
        outreach = build_email_outreach(
            ws,
            1000,
            {
                "Ann": {"daily_limit": 400, "limits": {"email": 150}},
                "Bob": {"daily_limit": 200},
                "Cid": {"daily_limit": 1000},
            },
        )
        for name, pid in outreach.profiles.items():
            give_mailbox(ws, pid, smtp_server, user=f"{name.lower()}@example.test")
        assigned = Counter(e.sender_profile_id for e in ws.enrollments(outreach.automation))
        planned = {p: len(tasks) for p, tasks in ws.plan_today().items()}
    limits = {"Ann": 150, "Bob": 200, "Cid": 1000}
    expected = {name: min(assigned[pid], limits[name]) for name, pid in outreach.profiles.items()}
    assert {name: planned[pid] for name, pid in outreach.profiles.items()} == expected
    assert sum(assigned.values()) == 1000 and expected["Ann"] == 150 and expected["Bob"] == 200

    assert main(["--db", str(target), "--today", TODAY, "send", "--once"]) == 0
    out = capsys.readouterr().out
    for name, count in expected.items():
        assert f"{name}: {count} sent" in out

    received = smtp_server.store.messages
    by_sender = Counter(mail_from for mail_from, _, _ in received)
    assert by_sender == {f"{name.lower()}@example.test": count for name, count in expected.items()}
    ids = smtp_server.store.message_ids()
    assert len(ids) == len(set(ids)) == sum(expected.values())
    recipients = [to for _, tos, _ in received for to in tos]
    assert len(recipients) == len(set(recipients))  # each contact once
    with Workspace.open(target, today=MONDAY) as ws:
        rows = _task_rows(ws)
        done = {mid: (email, name) for _, _, status, mid, _, _, email, name in rows if status == "done"}
        assert set(done) == set(ids)
        for _, tos, message in received:
            email, name = done[message["Message-ID"]]
            assert tos == [email] and message["To"] == email
            first = name.split()[0]
            assert message["Subject"] == f"Hello {first} (1)"
            assert f"Dear {name} of Co" in message.get_content()
        assert ws.done_today() == {outreach.profiles[n]: c for n, c in expected.items()}
        assert ws.plan_today() == {}  # every limit reached, the rest stays due for tomorrow
    # A second run the same day sends nothing more.
    assert main(["--db", str(target), "--today", TODAY, "send", "--once"]) == 0
    assert len(smtp_server.store.messages) == sum(expected.values())


def test_a_refused_email_is_retried_later_and_shows_the_servers_answer(
    tmp_path: Path, refusing_smtp: SmtpServer
) -> None:
    with Workspace.open(tmp_path / "w.sqlite", today=MONDAY) as ws:
        outreach = build_email_outreach(ws, 3, {"Ann": {"daily_limit": 10}})
        give_mailbox(ws, outreach.profiles["Ann"], refusing_smtp)
        clock = [1_000_000.0]
        sender = EmailSender(ws, "t", clock=lambda: clock[0])
        report = sender.send_due()
        assert report.refused["Ann"] == 3 and not report.sent
        rows = _task_rows(ws)
        assert {(r[2], r[4], r[5]) for r in rows} == {("pending", 1, "550 5.1.1 Mailbox unavailable")}
        failing = email_queue.failing_tasks(ws)
        assert set(failing) == {r[0] for r in rows} and {a for a, _ in failing.values()} == {1}
        # Not again before its time; then again, with the wait doubled.
        assert not sender.send_due().refused
        clock[0] += retry_delay(0) + 1
        assert sender.send_due().refused["Ann"] == 3
        assert {r[4] for r in _task_rows(ws)} == {2}
        assert email_queue.next_try_after(ws, int(clock[0])) == int(clock[0]) + retry_delay(1)
        assert ws.done_today() == {}


def _mailbox_cli(target: Path, smtp: SmtpServer, password: str, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(sys, "stdin", io.StringIO(password + "\n"))
    return main(
        ["--db", str(target), "mailbox", "Ann", "--smtp", f"{smtp.host}:{smtp.port}", "--security", "none",
         "--user", "ann@example.test", "--password-stdin"]
    )  # fmt: skip


def test_the_mailbox_command_keeps_the_password_in_the_keyring_only(
    tmp_path: Path, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "w.sqlite"
    with Workspace.open(target, today=MONDAY) as ws:
        build_email_outreach(ws, 2, {"Ann": {"daily_limit": 10}})
    assert _mailbox_cli(target, smtp_server, PASSWORD, monkeypatch) == 0
    out, err = capsys.readouterr()
    assert "ann@example.test" in out and PASSWORD not in out + err
    for path in tmp_path.glob("w.sqlite*"):
        assert PASSWORD.encode() not in path.read_bytes()
    with Workspace.open(target, today=MONDAY) as ws:
        mailbox = ws.mailbox(ws.profile_named("Ann"))
        assert mailbox is not None and mailbox.smtp_port == smtp_server.port and mailbox.security == "none"
        import keyring

        assert keyring.get_password("automation-builder", mailbox.keyring_id) == PASSWORD
    assert main(["--db", str(target), "--today", TODAY, "send", "--once"]) == 0
    assert len(smtp_server.store.messages) == 2

    # Bad input: one sentence each, exit 2.
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["--db", str(target), "mailbox", "Nobody", "--smtp", "h:25", "--user", "u", "--password-stdin"]) == 2
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["--db", str(target), "mailbox", "Ann", "--smtp", "h", "--user", "u", "--password-stdin"]) == 2
    assert main(["--db", str(target), "mailbox", "Ann", "--smtp", "h:25", "--user", "u"]) == 2
    err = capsys.readouterr().err
    assert err.splitlines() == [
        "There is no sender profile named 'Nobody'.",
        "--smtp is HOST:PORT, like smtp.example.com:587.",
        "Give the password on standard input with --password-stdin (never as an argument).",
    ]


@pytest.mark.parametrize("trouble", ["wrong password", "unreachable"])
def test_a_wrong_password_or_an_unreachable_server_is_a_sentence_and_the_password_is_never_logged(
    tmp_path: Path,
    smtp_server: SmtpServer,
    stopped_smtp: SmtpServer,
    trouble: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    target = tmp_path / "w.sqlite"
    with Workspace.open(target, today=MONDAY) as ws:
        build_email_outreach(ws, 2, {"Ann": {"daily_limit": 10}})
    server = smtp_server if trouble == "wrong password" else stopped_smtp
    given = "not-the-" + PASSWORD if trouble == "wrong password" else PASSWORD
    assert _mailbox_cli(target, server, given, monkeypatch) == 0
    capsys.readouterr()
    assert main(["--db", str(target), "--today", TODAY, "send", "--once"]) == 2
    out, err = capsys.readouterr()
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err
    if trouble == "wrong password":
        assert lines[0] == (
            f"Ann: The SMTP server 127.0.0.1:{server.port} refused the password of ann@example.test (535). "
            "Set the right one again."
        )
    else:
        assert lines[0] == f"Ann: Cannot reach the SMTP server 127.0.0.1:{server.port}: nothing answers on that port."
    ours = [r for r in caplog.records if not r.name.startswith("mail.log")]  # aiosmtpd's own log is the server's
    for text in [out, err, *(r.getMessage() for r in ours)]:
        assert PASSWORD not in text
    assert not smtp_server.store.messages
    with Workspace.open(target, today=MONDAY) as ws:
        assert {r[2] for r in _task_rows(ws)} == {"pending"}  # nothing claimed, nothing lost


def test_no_mailbox_and_no_keyring_are_sentences(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], smtp_server: SmtpServer
) -> None:
    target = tmp_path / "w.sqlite"
    with Workspace.open(target, today=MONDAY) as ws:
        build_email_outreach(ws, 1, {"Ann": {"daily_limit": 10}})
    assert main(["--db", str(target), "--today", TODAY, "send", "--once"]) == 2
    assert "No sender profile has a mailbox yet" in capsys.readouterr().err
    import keyring
    from keyring.backends.fail import Keyring as NoKeyring

    keyring.set_keyring(NoKeyring())
    assert _mailbox_cli(target, smtp_server, PASSWORD, monkeypatch) == 2
    err = capsys.readouterr().err
    assert "No keyring is available" in err and "PYTHON_KEYRING_BACKEND" in err and "Traceback" not in err


def test_a_sender_killed_mid_batch_and_started_again_sends_nothing_twice_and_loses_nothing(tmp_path: Path) -> None:
    target = tmp_path / "w.sqlite"
    total, kill_at = 240, 90
    with Workspace.open(target, today=MONDAY) as ws:
        outreach = build_email_outreach(ws, total, {"Ann": {"daily_limit": 500}})
    store = MailStore(delay=0.002)
    server = _smtp(store)
    try:
        with Workspace.open(target, today=MONDAY) as ws:
            give_mailbox(ws, outreach.profiles["Ann"], server)
        command = [sys.executable, "-m", "builder", "--db", str(target), "--today", TODAY, "send", "--once"]
        env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
        first = subprocess.Popen([*command, "--name", "box"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)

        def kill(count: int) -> None:
            # The server has the message and has not answered yet: the crash SPEC §11 speaks of.
            if count == kill_at:
                os.kill(first.pid, signal.SIGKILL)

        store.on_message = kill
        first.communicate(timeout=120)
        assert first.returncode == -signal.SIGKILL
        store.on_message = None
        assert len(store.messages) == kill_at
        with Workspace.open(target, today=MONDAY) as ws:
            statuses = Counter(r[2] for r in _task_rows(ws))
            assert statuses["sending"] >= 1  # a claim left behind

        again = subprocess.run([*command, "--name", "box"], env=env, capture_output=True, text=True, timeout=120)
        assert again.returncode == 0, again.stderr
        assert "taken as sent and not sent again" in again.stderr
    finally:
        server.controller.stop()
    ids = store.message_ids()
    assert len(ids) == len(set(ids)) == total  # none twice, none lost, counted at the server
    assert len({to for _, tos, _ in store.messages for to in tos}) == total
    with Workspace.open(target, today=MONDAY) as ws:
        rows = _task_rows(ws)
        assert {r[2] for r in rows} == {"done"}
        assert {r[3] for r in rows} == set(ids)
