"""Undoing the deletion of a started automation enrolls who joined its segment meanwhile (SPEC §4, issue 12)."""

from __future__ import annotations

from datetime import timedelta

from builder.engine.words import EnrollmentStatus, Reason
from tests.store.builders import MONDAY, build_outreach


def test_restoring_a_running_automation_enrolls_who_joined_its_segment_meanwhile(open_workspace):
    ws = open_workspace()
    anna, bob = ws.create_sender_profile("Anna"), ws.create_sender_profile("Bob")
    flow = build_outreach(ws)
    for profile in (anna, bob):
        ws.attach_sender_profile(flow.profile_node, profile)
    early = ws.add_contacts([{"name": f"CTO {i}", "tags": ["cto"]} for i in range(3)])
    ws.start(flow.automation)
    snapshot = ws.delete_automation(flow.automation)
    joined = ws.add_contacts(
        [
            {"name": "Late 0", "tags": ["cto"]},
            {"name": "Pinned", "tags": ["cto"], "override": anna},
            {"name": "Late 1"},
        ]
    )
    ws.tag_contacts([joined[2]], ["cto"])
    ws.add_contact("Not in the segment", tags=["cfo"])

    later = open_workspace(today=MONDAY + timedelta(days=2))
    later.restore_automation(snapshot)

    enrollments = open_workspace(today=MONDAY + timedelta(days=2)).enrollments(flow.automation)
    assert [e.contact_id for e in enrollments] == [*early, *joined]  # the restored first, then creation order
    restored, new = enrollments[:3], enrollments[3:]
    assert [(e.sender_profile_id, e.enrolled) for e in restored] == [(anna, MONDAY), (bob, MONDAY), (anna, MONDAY)]
    # Exactly as if they had joined today: R1 for the pinned one, R3 going on from where the rotation stood.
    assert [(e.sender_profile_id, e.reason) for e in new] == [
        (bob, Reason.EVEN_DISTRIBUTION),
        (anna, Reason.OVERRIDE),
        (anna, Reason.EVEN_DISTRIBUTION),
    ]
    assert {e.enrolled for e in new} == {MONDAY + timedelta(days=2)}
    assert {e.status for e in new} == {EnrollmentStatus.ACTIVE}
    steps = {e.id: [t.kind for t in later.tasks(flow.automation) if t.enrollment_id == e.id] for e in enrollments}
    assert set(map(tuple, steps.values())) == {("linkedin_connect", "linkedin_message")}  # each got its tasks


def test_restoring_a_paused_automation_enrolls_too_and_a_draft_does_not(open_workspace):
    ws = open_workspace()
    anna = ws.create_sender_profile("Anna")
    paused = build_outreach(ws, name="Paused")
    draft = build_outreach(ws, name="Draft")
    for flow in (paused, draft):
        ws.attach_sender_profile(flow.profile_node, anna)
    ws.add_contact("Early", tags=["cto"])
    ws.start(paused.automation)
    ws.pause(paused.automation)
    snapshots = [ws.delete_automation(paused.automation), ws.delete_automation(draft.automation)]
    late = ws.add_contact("Late", tags=["cto"])
    for snapshot in snapshots:
        ws.restore_automation(snapshot)
    again = open_workspace()
    assert [e.contact_id for e in again.enrollments(paused.automation)][1:] == [late]
    assert again.enrollments(draft.automation) == []
    assert again.automation(paused.automation).state.value == "paused"
