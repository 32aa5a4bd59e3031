"""Deleting sender profiles: refused while history needs them, undone exactly otherwise."""

from __future__ import annotations

import pytest

from builder.store.database import WorkspaceError
from tests.store.builders import build_outreach


def test_an_unused_profile_is_deleted_with_its_pins_and_places_and_comes_back(open_workspace):
    ws = open_workspace()
    anna = ws.create_sender_profile("Anna", daily_limit=7)
    flow = build_outreach(ws)
    ws.attach_sender_profile(flow.profile_node, anna)
    ids = ws.add_contacts([{"name": f"Lead {i}"} for i in range(3)])
    ws.set_override(ids[:2], anna)
    usage = ws.sender_profile_usage(anna)
    assert (usage.drafts, usage.history, usage.pins, usage.running) == (1, 0, 2, [])
    deleted = ws.delete_sender_profile(anna)
    again = open_workspace()
    assert again.sender_profiles() == [] and again.attachments(flow.profile_node) == []
    assert again.override_state(ids) == dict.fromkeys(ids)
    ws.restore_sender_profile(deleted)
    back = open_workspace()
    assert [(p.id, p.name, p.daily_limit) for p in back.sender_profiles()] == [(anna, "Anna", 7)]
    assert [a.sender_profile_id for a in back.attachments(flow.profile_node)] == [anna]
    assert back.override_state(ids) == {ids[0]: anna, ids[1]: anna, ids[2]: None}


def test_a_profile_with_history_is_not_deleted_and_the_reason_is_given(open_workspace):
    ws = open_workspace()
    anna = ws.create_sender_profile("Anna")
    (lead,) = ws.add_contacts([{"name": "Lead"}])
    ws.record_interaction(lead, anna)
    with pytest.raises(
        WorkspaceError, match=r"Anna has worked with contacts \(1 entry of enrollments and interactions\)"
    ):
        ws.delete_sender_profile(anna)
    assert [p.name for p in open_workspace().sender_profiles()] == ["Anna"]


def test_a_profile_active_in_a_running_automation_is_removed_there_first(open_workspace):
    ws = open_workspace()
    anna = ws.create_sender_profile("Anna")
    flow = build_outreach(ws)
    ws.attach_sender_profile(flow.profile_node, anna)
    ws.start(flow.automation)  # nobody in the segment: no history yet
    assert ws.sender_profile_usage(anna).running == [(flow.profile_node, "CTO outreach", "active")]
    with pytest.raises(WorkspaceError, match="still active in 'CTO outreach'"):
        ws.delete_sender_profile(anna)
    ws.remove_sender_profile(flow.profile_node, anna, "cancel")
    ws.delete_sender_profile(anna)
    assert open_workspace().attachments(flow.profile_node) == []


def test_a_deleted_profiles_id_is_never_given_to_another(open_workspace):
    ws = open_workspace()
    ws.create_sender_profile("Quinn")
    paula = ws.create_sender_profile("Paula")
    (c,) = ws.add_contacts([{"name": "C"}])
    ws.set_override([c], paula)
    pinned = ws.override_state([c])
    deleted = ws.delete_sender_profile(paula)
    rita = ws.create_sender_profile("Rita")
    assert rita != paula
    ws.restore_sender_profile(deleted)  # Paula comes back, with her id
    ws.restore_overrides(pinned)
    assert ws.override_state([c]) == {c: paula}


MAILBOX = {"smtp_host": "smtp.example.test", "smtp_port": 587, "user": "ann@example.test", "security": "starttls"}


def test_a_new_email_profile_gets_its_mailbox_in_the_same_step(open_workspace):
    ws = open_workspace()
    ann = ws.create_sender_profile(
        "Ann", "email", mailbox={**MAILBOX, "imap_host": "imap.example.test", "imap_port": 993}
    )
    saved = open_workspace().mailbox(ann)
    assert saved is not None
    assert (saved.smtp_host, saved.smtp_port, saved.user, saved.imap_host, saved.imap_port) == (
        "smtp.example.test", 587, "ann@example.test", "imap.example.test", 993,
    )  # fmt: skip
    assert saved.keyring_id.startswith("mailbox-")


@pytest.mark.parametrize(
    ("channel", "mailbox", "said"),
    [
        ("email", {**MAILBOX, "user": " "}, "A mailbox needs the user to sign in as."),
        ("email", {**MAILBOX, "smtp_port": 0}, "The SMTP port is a whole number from 1 to 65535."),
        ("linkedin", MAILBOX, "Bo is a LinkedIn profile; only an email profile has a mailbox."),
    ],
)
def test_a_new_profile_with_a_bad_mailbox_is_not_made_at_all(open_workspace, channel, mailbox, said):
    ws = open_workspace()
    with pytest.raises(WorkspaceError) as refused:
        ws.create_sender_profile("Bo", channel, mailbox=mailbox)
    assert str(refused.value) == said
    again = open_workspace()
    assert again.sender_profiles() == [] and again.mailboxes() == []


def test_deleting_an_email_profile_and_undoing_it_brings_its_mailbox_back(open_workspace):
    ws = open_workspace()
    ann = ws.create_sender_profile("Ann", "email", mailbox=MAILBOX)
    ws.set_last_uid(ann, 41)
    before = ws.mailbox(ann)
    deleted = ws.delete_sender_profile(ann)
    assert open_workspace().mailboxes() == []
    ws.restore_sender_profile(deleted)
    assert open_workspace().mailbox(ann) == before  # the same keyring name: its password is found again
