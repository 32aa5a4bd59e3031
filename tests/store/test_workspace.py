"""The workspace on a real SQLite file: every change survives closing and reopening it."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest

from builder.engine.words import EnrollmentStatus, ProfileState, Reason, TaskStatus
from builder.store.database import WorkspaceError
from builder.store.running import StartRefused
from tests.store.builders import MONDAY, build_outreach


def test_a_new_workspace_file_uses_wal_and_foreign_keys(open_workspace, workspace_file):
    ws = open_workspace()
    ws.create_sender_profile("Anna")
    with ws.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    assert workspace_file.exists()


def test_graph_and_positions_survive_reopening(open_workspace):
    ws = open_workspace()
    flow = build_outreach(ws)
    ws.move_nodes({flow.profile_node: (250.5, 40.0)})
    ws.close()

    again = open_workspace()
    nodes = {n.id: n for n in again.nodes(flow.automation)}
    assert (nodes[flow.profile_node].x, nodes[flow.profile_node].y) == (250.5, 40.0)
    assert again.edges(flow.automation) == [
        (flow.segment_node, flow.profile_node),
        (flow.profile_node, flow.steps[0]),
        (flow.steps[0], flow.steps[1]),
        (flow.steps[1], flow.steps[2]),
    ]


def test_start_enrolls_the_segment_in_creation_order_and_spreads_it_evenly(open_workspace):
    ws = open_workspace()
    anna, bob = ws.create_sender_profile("Anna"), ws.create_sender_profile("Bob")
    contacts = ws.add_contacts([{"name": f"Lead {i}", "tags": ["cto"]} for i in range(5)])
    ws.add_contact("Not a CTO", tags=["cfo"])
    flow = build_outreach(ws)
    ws.attach_sender_profile(flow.profile_node, anna)
    ws.attach_sender_profile(flow.profile_node, bob)

    assert ws.start(flow.automation) == 5
    ws.close()

    again = open_workspace()
    enrollments = again.enrollments(flow.automation)
    assert [e.contact_id for e in enrollments] == contacts
    assert [e.sender_profile_id for e in enrollments] == [anna, bob, anna, bob, anna]
    assert {e.reason for e in enrollments} == {Reason.EVEN_DISTRIBUTION}
    tasks = again.tasks(flow.automation)
    assert len(tasks) == 10  # connect and message for each
    assert all(t.status is TaskStatus.PENDING for t in tasks)
    assert [t.due for t in tasks if t.step_index == 0] == [MONDAY] * 5
    assert [t.due for t in tasks if t.step_index == 2] == [None] * 5


def test_override_and_latest_interaction_decide_before_the_rotation(open_workspace):
    ws = open_workspace()
    anna, bob, carl = (ws.create_sender_profile(n) for n in ("Anna", "Bob", "Carl"))
    first, second, third = ws.add_contacts([{"name": n, "tags": ["cto"]} for n in ("Jo", "Kim", "Lou")])
    ws.set_override([first], carl)  # Carl is not in the branch: ignored, noted
    ws.record_interaction(second, anna, MONDAY - timedelta(days=30))
    ws.record_interaction(second, bob, MONDAY - timedelta(days=3))
    ws.set_override([third], bob)
    flow = build_outreach(ws)
    ws.attach_sender_profile(flow.profile_node, anna)
    ws.attach_sender_profile(flow.profile_node, bob)
    ws.start(flow.automation)

    jo, kim, lou = open_workspace().enrollments(flow.automation)
    assert (jo.sender_profile_id, jo.reason, jo.ignored_override_id) == (anna, Reason.EVEN_DISTRIBUTION, carl)
    assert (kim.sender_profile_id, kim.reason) == (bob, Reason.PREVIOUS_INTERACTION)
    assert (lou.sender_profile_id, lou.reason) == (bob, Reason.OVERRIDE)


def test_ignore_previous_interactions_switch_skips_r2(open_workspace):
    ws = open_workspace()
    anna, bob = ws.create_sender_profile("Anna"), ws.create_sender_profile("Bob")
    jo = ws.add_contact("Jo", tags=["cto"])
    ws.record_interaction(jo, bob, MONDAY - timedelta(days=1))
    flow = build_outreach(ws)
    ws.attach_sender_profile(flow.profile_node, anna)
    ws.attach_sender_profile(flow.profile_node, bob)
    ws.set_ignore_previous_interactions(flow.automation, True)
    ws.start(flow.automation)
    (enrollment,) = ws.enrollments(flow.automation)
    assert (enrollment.sender_profile_id, enrollment.reason) == (anna, Reason.EVEN_DISTRIBUTION)


def test_profile_added_mid_run_gets_only_new_contacts(open_workspace):
    ws = open_workspace()
    anna, bob, lena = (ws.create_sender_profile(n) for n in ("Anna", "Bob", "Lena"))
    ws.add_contacts([{"name": f"Old {i}", "tags": ["cto"]} for i in range(4)])
    flow = build_outreach(ws)
    ws.attach_sender_profile(flow.profile_node, anna)
    ws.attach_sender_profile(flow.profile_node, bob)
    ws.start(flow.automation)
    before = [(e.contact_id, e.sender_profile_id) for e in ws.enrollments(flow.automation)]

    ws.advance_date()
    ws.attach_sender_profile(flow.profile_node, lena)
    ws.add_contacts([{"name": f"New {i}", "tags": ["cto"]} for i in range(3)])
    ws.close()

    enrollments = open_workspace().enrollments(flow.automation)
    assert [(e.contact_id, e.sender_profile_id) for e in enrollments[:4]] == before
    assert [e.sender_profile_id for e in enrollments[4:]] == [anna, bob, lena]  # rotation reset
    assert {e.enrolled for e in enrollments[4:]} == {MONDAY + timedelta(days=1)}


def test_tagging_a_contact_into_a_running_segment_enrolls_it_at_once(open_workspace):
    ws = open_workspace()
    anna = ws.create_sender_profile("Anna")
    ws.add_contact("Jo", tags=["cto"])
    later = ws.add_contact("Kim", tags=["cfo"])
    flow = build_outreach(ws)
    ws.attach_sender_profile(flow.profile_node, anna)
    ws.start(flow.automation)
    ws.tag_contacts([later], ["cto"])
    assert [e.contact_id for e in open_workspace().enrollments(flow.automation)][-1] == later


def _running_with_two(ws):
    anna, bob = ws.create_sender_profile("Anna", daily_limit=10), ws.create_sender_profile("Bob", daily_limit=10)
    ws.add_contacts([{"name": f"Lead {i}", "tags": ["cto"]} for i in range(4)])
    flow = build_outreach(ws)
    ws.attach_sender_profile(flow.profile_node, anna)
    ws.attach_sender_profile(flow.profile_node, bob)
    ws.start(flow.automation)
    return flow, anna, bob


def test_remove_with_cancel_cancels_tasks_and_enrollments_and_moves_nobody(open_workspace):
    ws = open_workspace()
    flow, anna, bob = _running_with_two(ws)
    ws.remove_sender_profile(flow.profile_node, bob, "cancel")
    ws.close()

    again = open_workspace()
    states = {a.sender_profile_id: a.state for a in again.attachments(flow.profile_node)}
    assert states == {anna: ProfileState.ACTIVE, bob: ProfileState.REMOVED}
    enrollments = again.enrollments(flow.automation)
    assert [e.sender_profile_id for e in enrollments] == [anna, bob, anna, bob]
    assert [e.status for e in enrollments] == [EnrollmentStatus.ACTIVE, EnrollmentStatus.CANCELED] * 2
    bob_tasks = [t for t in again.tasks(flow.automation) if t.sender_profile_id == bob]
    assert bob_tasks and {t.status for t in bob_tasks} == {TaskStatus.CANCELED}


def test_remove_with_continue_drains_the_profile(open_workspace):
    ws = open_workspace()
    flow, anna, bob = _running_with_two(ws)
    ws.remove_sender_profile(flow.profile_node, bob, "continue")
    ws.add_contacts([{"name": "Newcomer", "tags": ["cto"]}])
    again = open_workspace()
    states = {a.sender_profile_id: a.state for a in again.attachments(flow.profile_node)}
    assert states[bob] is ProfileState.DRAINING
    enrollments = again.enrollments(flow.automation)
    assert enrollments[-1].sender_profile_id == anna
    assert {t.status for t in again.tasks(flow.automation)} == {TaskStatus.PENDING}
    assert any(p == bob for p in again.plan_today())


def test_removing_from_a_started_automation_needs_a_choice(open_workspace):
    ws = open_workspace()
    flow, _, bob = _running_with_two(ws)
    with pytest.raises(WorkspaceError, match="cancel or continue"):
        ws.remove_sender_profile(flow.profile_node, bob)


def test_removing_in_a_draft_just_detaches(open_workspace):
    ws = open_workspace()
    anna = ws.create_sender_profile("Anna")
    flow = build_outreach(ws)
    ws.attach_sender_profile(flow.profile_node, anna)
    ws.remove_sender_profile(flow.profile_node, anna)
    assert open_workspace().attachments(flow.profile_node) == []


def test_waiting_contacts_are_assigned_first_when_a_profile_appears(open_workspace):
    ws = open_workspace()
    flow, anna, bob = _running_with_two(ws)
    ws.remove_sender_profile(flow.profile_node, anna, "continue")
    ws.remove_sender_profile(flow.profile_node, bob, "cancel")
    waiting = ws.add_contacts([{"name": f"Waiting {i}", "tags": ["cto"]} for i in range(2)])
    assert [e.status for e in ws.enrollments(flow.automation)[-2:]] == [EnrollmentStatus.WAITING] * 2
    ws.advance_date(2)
    ws.attach_sender_profile(flow.profile_node, bob)
    enrollments = open_workspace().enrollments(flow.automation)[-2:]
    assert [(e.contact_id, e.sender_profile_id, e.status) for e in enrollments] == [
        (waiting[0], bob, EnrollmentStatus.ACTIVE),
        (waiting[1], bob, EnrollmentStatus.ACTIVE),
    ]
    assert {e.enrolled for e in enrollments} == {MONDAY}  # enrolled when they joined, not when assigned


def test_todays_plan_respects_the_daily_limit_and_oldest_first(open_workspace):
    ws = open_workspace()
    anna = ws.create_sender_profile("Anna", daily_limit=2)
    contacts = ws.add_contacts([{"name": f"Lead {i}", "tags": ["cto"]} for i in range(3)])
    flow = build_outreach(ws, wait_days=0)
    ws.attach_sender_profile(flow.profile_node, anna)
    ws.start(flow.automation)

    plan = ws.plan_today()[anna]
    assert [t.contact_id for t in plan] == contacts[:2]
    ws.mark_done(plan[0].task_id)
    # Lead 0's message is due today too (wait 0) and comes before Lead 1's connect.
    (next_task,) = ws.plan_today()[anna]
    assert (next_task.contact_id, next_task.step_index) == (contacts[0], 2)
    ws.mark_done(next_task.task_id)
    assert ws.plan_today() == {}
    with pytest.raises(WorkspaceError, match="daily limit"):
        ws.mark_done(plan[1].task_id)

    ws.advance_date()
    again = open_workspace(MONDAY + timedelta(days=1))
    assert [t.contact_id for t in again.plan_today()[anna]] == contacts[1:]


def test_done_task_records_an_interaction_and_sets_the_next_due_day(open_workspace):
    ws = open_workspace()
    anna = ws.create_sender_profile("Anna")
    jo = ws.add_contact("Jo", tags=["cto"])
    flow = build_outreach(ws, wait_days=3)
    ws.attach_sender_profile(flow.profile_node, anna)
    ws.start(flow.automation)
    (task,) = ws.plan_today()[anna]
    ws.mark_done(task.task_id)
    connect, message = open_workspace().tasks(flow.automation)
    assert (connect.status, connect.done) == (TaskStatus.DONE, MONDAY)
    assert message.due == MONDAY + timedelta(days=3)
    with ws.engine.connect() as conn:  # on SQLite or PostgreSQL alike
        assert conn.exec_driver_sql("SELECT contact_id, sender_profile_id, day FROM interaction").fetchall() == [
            (jo, anna, MONDAY.toordinal())
        ]


def test_skipped_task_moves_the_contact_on_without_an_interaction(open_workspace):
    ws = open_workspace()
    anna = ws.create_sender_profile("Anna")
    ws.add_contact("Jo", tags=["cto"])
    flow = build_outreach(ws, wait_days=1)
    ws.attach_sender_profile(flow.profile_node, anna)
    ws.start(flow.automation)
    (task,) = ws.plan_today()[anna]
    ws.skip_task(task.task_id)
    connect, message = ws.tasks(flow.automation)
    assert connect.status is TaskStatus.SKIPPED
    assert message.due == MONDAY + timedelta(days=1)
    with pytest.raises(WorkspaceError, match="already skipped"):
        ws.mark_done(task.task_id)
    with ws.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM interaction").scalar() == 0


def test_paused_automation_enrolls_but_plans_nothing(open_workspace):
    ws = open_workspace()
    flow, anna, _ = _running_with_two(ws)
    ws.pause(flow.automation)
    assert ws.plan_today() == {}
    ws.add_contact("Joins while paused", tags=["cto"])
    assert len(ws.enrollments(flow.automation)) == 5
    ws.resume(flow.automation)
    assert anna in ws.plan_today()


def test_start_is_refused_with_problems_and_changes_nothing(open_workspace):
    ws = open_workspace()
    ws.add_contact("Jo", tags=["cto"])
    flow = build_outreach(ws)  # no sender profile attached
    with pytest.raises(StartRefused) as refused:
        ws.start(flow.automation)
    assert [(p.node, p.message) for p in refused.value.problems] == [
        (flow.profile_node, "Add a sender profile to 'Sender Profile 1' before starting.")
    ]
    again = open_workspace()
    assert again.automation(flow.automation).state.value == "draft"
    assert again.enrollments(flow.automation) == []


def test_a_refused_connection_leaves_no_edge(open_workspace):
    ws = open_workspace()
    flow = build_outreach(ws)
    with pytest.raises(WorkspaceError, match="loop back"):
        ws.connect(flow.steps[2], flow.steps[0])
    assert ws.can_connect(flow.segment_node, flow.steps[0]) is not None
    assert len(open_workspace().edges(flow.automation)) == 4


def test_edits_that_would_break_a_running_automation_are_refused(open_workspace):
    ws = open_workspace()
    flow, _, _ = _running_with_two(ws)
    with pytest.raises(WorkspaceError, match="started"):
        ws.remove_nodes([flow.segment_node])
    with pytest.raises(WorkspaceError, match="started"):
        ws.disconnect(flow.profile_node, flow.steps[0])
    assert len(open_workspace().nodes(flow.automation)) == 5


def test_a_failing_action_leaves_nothing_behind(open_workspace):
    ws = open_workspace()
    with pytest.raises(WorkspaceError, match="Contact 2 needs a name"):
        ws.add_contacts([{"name": "Jo"}, {"name": "  "}])
    assert open_workspace().contact_count() == 0


def test_changes_are_announced_after_commit(open_workspace):
    ws = open_workspace()
    heard = []
    ws.subscribe(lambda change: heard.append(change.what))
    ws.create_sender_profile("Anna")
    with pytest.raises(WorkspaceError):
        ws.create_sender_profile("")
    assert heard == ["sender_profiles"]


def test_a_file_that_is_not_a_workspace_is_refused_and_left_untouched(tmp_path):
    from builder.store.workspace import Workspace

    text_file = tmp_path / "notes.sqlite"
    text_file.write_bytes(b"just some notes\n")
    other_db = tmp_path / "other.sqlite"
    with sqlite3.connect(other_db) as raw:
        raw.execute("CREATE TABLE recipes (name TEXT)")
    before = {p: p.read_bytes() for p in (text_file, other_db)}

    with pytest.raises(WorkspaceError, match="not an Automation Builder workspace"):
        Workspace.open(text_file)
    with pytest.raises(WorkspaceError, match="not an Automation Builder workspace"):
        Workspace.open(other_db)
    assert {p: p.read_bytes() for p in before} == before
    assert not (tmp_path / "other.sqlite-wal").exists()


def test_a_workspace_from_a_newer_version_is_refused(open_workspace, workspace_file):
    open_workspace().close()
    with sqlite3.connect(workspace_file) as raw:
        raw.execute("UPDATE schema_version SET version = 99")
    before = workspace_file.read_bytes()
    from builder.store.workspace import Workspace

    with pytest.raises(WorkspaceError, match="newer version"):
        Workspace.open(workspace_file)
    assert workspace_file.read_bytes() == before


def test_card_member_counts_follow_tag_changes_without_recounting_on_moves(open_workspace):
    ws = open_workspace()
    flow = build_outreach(ws)
    jo = ws.add_contact("Jo", tags=["cto"])
    assert ws.node_summaries(flow.automation)[flow.segment_node].members == 1
    version = ws.membership_version
    ws.move_nodes({flow.segment_node: (10.0, 10.0)})
    assert ws.membership_version == version  # a move does not invalidate the counts
    ws.tag_contacts([ws.add_contact("Kim")], ["cto"])
    ws.untag_contacts([jo], ["cto"])
    assert ws.node_summaries(flow.automation)[flow.segment_node].members == 1
    ws.add_contact("Lou", tags=["cto"])
    assert ws.node_summaries(flow.automation)[flow.segment_node].members == 2


def test_rows_numbered_by_the_workspace_and_by_the_database_never_collide(open_workspace):
    """Duplicating numbers nodes itself; adding a node lets the database number it (a sequence on PostgreSQL)."""
    ws = open_workspace()
    flow = build_outreach(ws)
    copy = ws.duplicate_automation(flow.automation)
    added = ws.add_node(copy, "email")
    assert added not in {n.id for n in ws.nodes(flow.automation)}
    profile = ws.create_sender_profile("Anna")
    snapshot = ws.delete_sender_profile(profile)
    ws.restore_sender_profile(snapshot)
    assert ws.create_sender_profile("Bob") != profile


def test_undoing_the_deletion_of_a_started_automation_after_others_enrolled(open_workspace):
    """Ids the workspace hands out are never handed out again, so the deleted rows can come back with theirs."""
    ws = open_workspace()
    anna = ws.create_sender_profile("Anna")
    first = build_outreach(ws, tag="cto", name="CTOs")
    second = build_outreach(ws, tag="vp", name="VPs")
    for flow in (first, second):
        ws.attach_sender_profile(flow.profile_node, anna)
    ws.add_contacts([{"name": f"CTO {i}", "tags": ["cto"]} for i in range(3)])
    ws.start(first.automation)
    snapshot = ws.delete_automation(first.automation)
    ws.add_contacts([{"name": f"VP {i}", "tags": ["vp"]} for i in range(3)])
    ws.start(second.automation)  # enrolls three more: they must not take the deleted enrollments' ids
    ws.restore_automation(snapshot)
    again = open_workspace()
    assert len(again.enrollments(first.automation)) == 3 and len(again.enrollments(second.automation)) == 3


def test_cancel_in_one_branch_leaves_the_same_profile_at_work_in_the_other(open_workspace):
    """Removing Bob with 'cancel' from the CTO branch cancels only that branch's tasks."""
    ws = open_workspace()
    anna, bob = ws.create_sender_profile("Anna", daily_limit=10), ws.create_sender_profile("Bob", daily_limit=10)
    ws.add_contacts([{"name": f"CTO {i}", "tags": ["cto"]} for i in range(2)])
    ws.add_contacts([{"name": f"CFO {i}", "tags": ["cfo"]} for i in range(2)])
    automation = ws.create_automation("Two branches")
    profile_nodes = []
    for row, tag in enumerate(("cto", "cfo")):
        segment = ws.create_segment(f"{tag}s", tags_any=[tag])
        seg = ws.add_node(automation, "segment", segment_id=segment, x=0, y=row * 200)
        prof = ws.add_node(automation, "sender_profile", x=320, y=row * 200)
        step = ws.add_node(automation, "linkedin_connect", x=640, y=row * 200)
        ws.connect(seg, prof)
        ws.connect(prof, step)
        for profile in (anna, bob):
            ws.attach_sender_profile(prof, profile)
        profile_nodes.append(prof)
    ws.start(automation)
    ws.remove_sender_profile(profile_nodes[0], bob, "cancel")
    by_branch = {(e.branch_node_id, e.sender_profile_id): e.status for e in ws.enrollments(automation)}
    tasks = {(t.contact_id, t.sender_profile_id): t.status for t in ws.tasks(automation)}
    cto_branch, cfo_branch = sorted({branch for branch, _ in by_branch})
    assert by_branch[(cto_branch, bob)] is EnrollmentStatus.CANCELED
    assert by_branch[(cfo_branch, bob)] is EnrollmentStatus.ACTIVE
    assert sorted(status.value for (_, profile), status in tasks.items() if profile == bob) == ["canceled", "pending"]


def test_mark_done_counts_the_daily_limit_over_every_automation(open_workspace):
    """The limit is the profile's, all automations together: a task done in one uses it up for the other."""
    ws = open_workspace()
    anna = ws.create_sender_profile("Anna", daily_limit=1)
    ws.add_contact("Jo", tags=["cto"])
    ws.add_contact("Max", tags=["cfo"])
    flows = [build_outreach(ws, tag=tag, name=f"{tag} outreach") for tag in ("cto", "cfo")]
    for flow in flows:
        ws.attach_sender_profile(flow.profile_node, anna)
        ws.start(flow.automation)
    first, second = (ws.tasks(flow.automation)[0] for flow in flows)
    ws.mark_done(first.id)
    with pytest.raises(WorkspaceError, match="already done 1 tasks today, the daily limit"):
        ws.mark_done(second.id)
    assert ws.tasks(flows[1].automation)[0].status is TaskStatus.PENDING
    ws.advance_date()
    ws.mark_done(second.id)
    assert ws.tasks(flows[1].automation)[0].status is TaskStatus.DONE


def test_an_override_wins_over_a_previous_interaction_when_a_contact_joins(open_workspace):
    """R1 before R2, through the workspace: the pin to Bob wins over the history with Anna."""
    ws = open_workspace()
    flow, anna, bob = _running_with_two(ws)
    jo = ws.add_contact("Jo", tags=["other"])
    ws.record_interaction(jo, anna, MONDAY - timedelta(days=3))
    ws.set_override([jo], bob)
    ws.tag_contacts([jo], ["cto"])  # joins the running automation's segment now
    (joined,) = [e for e in ws.enrollments(flow.automation) if e.contact_id == jo]
    assert (joined.sender_profile_id, joined.reason) == (bob, Reason.OVERRIDE)


def test_a_contact_who_talked_to_a_draining_profile_goes_to_an_active_one(open_workspace):
    """R2 counts only profiles that take contacts: Bob, who finishes his tasks, gets no new contact."""
    ws = open_workspace()
    flow, anna, bob = _running_with_two(ws)
    ws.remove_sender_profile(flow.profile_node, bob, "continue")
    jo = ws.add_contact("Jo", tags=["other"])
    ws.record_interaction(jo, bob, MONDAY - timedelta(days=1))
    ws.tag_contacts([jo], ["cto"])
    (joined,) = [e for e in ws.enrollments(flow.automation) if e.contact_id == jo]
    assert joined.sender_profile_id == anna and joined.reason is not Reason.PREVIOUS_INTERACTION
