"""Building paths in the workspace (SPEC §10): settings, outputs, stop on reply, rates, a running automation."""

from __future__ import annotations

import pytest

from builder.engine.step_trees import walk_steps
from builder.engine.steps import Step
from builder.engine.words import NodeKind, Outcome
from builder.store.database import WorkspaceError
from builder.store.loading import execute
from tests.store.builders import build_outreach


def _tree(ws):
    """CTO outreach whose message is followed by a Wait for accepted: yes → email, no → add tag."""
    flow = build_outreach(ws)
    wait_for = ws.add_node(flow.automation, "wait_for", x=1600)
    email = ws.add_node(flow.automation, "email", x=1900, y=-100)
    tag = ws.add_node(flow.automation, "add_tag", x=1900, y=100, settings={"tag": "cold"})
    ws.connect(flow.steps[-1], wait_for)
    ws.connect(wait_for, email, "yes")
    ws.connect(wait_for, tag, "no")
    return flow, wait_for, email, tag


def test_new_nodes_get_sensible_settings(open_workspace):
    ws = open_workspace()
    automation = ws.create_automation("Paths")
    made = {kind: ws.add_node(automation, kind) for kind in ("wait_for", "condition", "split", "add_tag", "email")}
    assert ws.node_settings(made["wait_for"]) == {"outcome": "accepted", "days": 7}
    assert ws.node_settings(made["condition"]) == {"has": "email"}
    assert ws.node_settings(made["split"]) == {"variants": [{"name": "A", "percent": 50}, {"name": "B", "percent": 50}]}
    assert ws.node_settings(made["add_tag"])["tag"]
    assert ws.node_settings(made["email"]) is None


def test_settings_outputs_stop_on_reply_and_rates_survive_reopening(open_workspace):
    ws = open_workspace()
    flow, wait_for, email, tag = _tree(ws)
    ws.set_node_settings(wait_for, {"outcome": "replied", "days": 3})
    ws.set_stop_on_reply(flow.automation, False)
    ws.set_rates(flow.automation, {"accepted": {"rate": 0.3, "after_days": 2}, "replied": {"rate": 0.1}})
    ws.close()

    again = open_workspace()
    assert again.node_settings(wait_for) == {"outcome": "replied", "days": 3}
    assert (wait_for, email, "yes") in again.edges_with_outputs(flow.automation)
    assert (wait_for, tag, "no") in again.edges_with_outputs(flow.automation)
    assert (flow.steps[0], flow.steps[1], None) in again.edges_with_outputs(flow.automation)
    assert again.edge_output(wait_for, tag) == "no"
    assert again.stop_on_reply(flow.automation) is False
    assert again.automation(flow.automation).stop_on_reply is False
    assert again.rates(flow.automation) == {
        "accepted": {"rate": 0.3, "after_days": 2},
        "replied": {"rate": 0.1, "after_days": 1},
    }


def test_the_branch_path_is_a_step_tree_with_its_nodes(open_workspace):
    ws = open_workspace()
    flow, wait_for, email, tag = _tree(ws)
    (path,) = ws.branch_paths(flow.automation)
    assert path.sender_profile == flow.profile_node
    assert path.node_ids == (*flow.steps, wait_for, email, tag)
    kinds = [s.kind for s in walk_steps(path.steps)]
    assert kinds[-3:] == [NodeKind.WAIT_FOR, NodeKind.EMAIL, NodeKind.ADD_TAG]
    control = path.steps[-1]
    assert (control.outcome, control.days) == (Outcome.ACCEPTED, 7)
    assert control.outputs == (("yes", (Step(NodeKind.EMAIL),)), ("no", (Step(NodeKind.ADD_TAG, tag="cold"),)))


def test_settings_of_the_wrong_shape_are_refused_and_unfinished_ones_are_problems(open_workspace):
    ws = open_workspace()
    flow, wait_for, email, _tag = _tree(ws)
    with pytest.raises(WorkspaceError, match="outcome"):
        ws.set_node_settings(wait_for, {"days": 3})
    with pytest.raises(WorkspaceError, match="keep their message only"):
        ws.set_node_settings(email, {"tag": "x"})
    split = ws.add_node(flow.automation, "split")
    ws.set_node_settings(split, {"variants": [{"name": "A", "percent": 70}, {"name": "B", "percent": 50}]})
    assert ("split_sum", split) in [(p.code, p.node) for p in ws.problems(flow.automation)]


def test_wait_for_replied_is_a_problem_until_stop_on_reply_is_off(open_workspace):
    ws = open_workspace()
    anna = ws.create_sender_profile("Anna")
    flow, wait_for, _email, _tag = _tree(ws)
    ws.attach_sender_profile(flow.profile_node, anna)
    assert [p for p in ws.problems(flow.automation) if p.blocking] == []  # messages are asked for
    ws.set_node_settings(wait_for, {"outcome": "replied", "days": 5})
    (problem,) = [p for p in ws.problems(flow.automation) if p.blocking]
    assert problem.node == wait_for
    assert "Turn off 'Stop on reply' to branch on replies" in problem.message
    ws.set_stop_on_reply(flow.automation, False)
    assert [p for p in ws.problems(flow.automation) if p.blocking] == []  # messages are asked for


def test_an_output_connects_once_and_a_control_node_needs_an_output(open_workspace):
    ws = open_workspace()
    flow, wait_for, _email, _tag = _tree(ws)
    other = ws.add_node(flow.automation, "linkedin_message", title="LinkedIn message 2")
    with pytest.raises(WorkspaceError) as refused:
        ws.connect(wait_for, other, "yes")
    assert str(refused.value) == f"'{ws.nodes(flow.automation)[-4].title}' already leads on from 'yes' to 'Email 1'."
    assert "Connect from one of the outputs" in (ws.can_connect(wait_for, other) or "")
    assert "no output 'maybe'" in (ws.can_connect(wait_for, other, "maybe") or "")


def test_rates_are_checked(open_workspace):
    ws = open_workspace()
    automation = ws.create_automation("Rates")
    with pytest.raises(WorkspaceError, match="no outcome 'opened'"):
        ws.set_rates(automation, {"opened": {"rate": 0.5}})
    with pytest.raises(WorkspaceError, match="between 0 % and 100 %"):
        ws.set_rates(automation, {"accepted": {"rate": 1.5}})
    assert ws.rates(automation) == {}


def _started_tree(ws):
    anna = ws.create_sender_profile("Anna")
    ws.add_contacts([{"name": f"Lead {i}", "tags": ["cto"]} for i in range(3)])
    flow, wait_for, email, tag = _tree(ws)
    ws.attach_sender_profile(flow.profile_node, anna)
    ws.start(flow.automation)
    return flow, wait_for, email, tag


def test_a_running_automation_grows_at_the_end_of_a_path(open_workspace):
    ws = open_workspace()
    flow, _wait_for, email, _tag = _started_tree(ws)
    follow_up = ws.add_node(flow.automation, "linkedin_message", x=2200)
    ws.connect(email, follow_up)
    with pytest.raises(WorkspaceError, match="leads to 2 steps"):
        ws.connect(flow.steps[-1], ws.add_node(flow.automation, "email"))
    ws.disconnect(email, follow_up)  # undo of the connection: nobody reached it
    ws.remove_nodes([follow_up])


def test_deleting_a_node_contacts_reached_is_refused_with_how_many(open_workspace):
    ws = open_workspace()
    flow, wait_for, _email, _tag = _started_tree(ws)
    with pytest.raises(WorkspaceError) as refused:
        ws.remove_nodes([flow.steps[0]])
    assert (
        str(refused.value)
        == "Cannot delete 'LinkedIn connect 1': 3 contacts of this running automation have reached it."
    )
    with ws._write() as conn:  # two contacts wait at the Wait for, as the running engine records it
        execute(conn, "UPDATE enrollment SET at_node_id = ? WHERE id IN (SELECT min(id) FROM enrollment)", (wait_for,))
    with pytest.raises(WorkspaceError, match="1 contact of this running automation has reached it"):
        ws.remove_nodes([wait_for])
    assert ws.contacts_at(wait_for) == 1


def test_a_renamed_variant_keeps_its_connection_and_a_connected_one_is_not_removed(open_workspace):
    ws = open_workspace()
    automation = ws.create_automation("Split")
    split = ws.add_node(automation, "split")
    a, b = ws.add_node(automation, "email"), ws.add_node(automation, "linkedin_message")
    ws.connect(split, a, "A")
    ws.connect(split, b, "B")
    ws.set_node_settings(split, {"variants": [{"name": "B", "percent": 50}, {"name": "A", "percent": 50}]})
    assert sorted(ws.edges_with_outputs(automation)) == [(split, a, "B"), (split, b, "A")]
    with pytest.raises(WorkspaceError, match="leads on from 'A': remove that connection first"):
        ws.set_node_settings(split, {"variants": [{"name": "B", "percent": 100}]})
    ws.set_node_settings(split, {"variants": [*ws.node_settings(split)["variants"], {"name": "C", "percent": 0}]})
    ws.set_node_settings(split, {"variants": [{"name": "B", "percent": 50}, {"name": "A", "percent": 50}]})


def test_settings_of_a_node_contacts_reached_stay_and_a_deleted_tail_step_comes_back(open_workspace):
    from builder.store.snapshots import NodesSnapshot

    ws = open_workspace()
    flow, wait_for, email, _tag = _started_tree(ws)
    with ws._write() as conn:
        execute(conn, "UPDATE enrollment SET at_node_id = ?", (wait_for,))
    with pytest.raises(WorkspaceError, match="has been reached by 3 contacts"):
        ws.set_node_settings(wait_for, {"outcome": "accepted", "days": 2})
    follow_up = ws.add_node(flow.automation, "email")
    ws.connect(email, follow_up)
    snapshot: NodesSnapshot = ws.remove_nodes_with_snapshot([follow_up])
    ws.restore_nodes(snapshot)
    assert (email, follow_up) in ws.edges(flow.automation)


def test_cards_count_who_waits_which_way_they_went_and_segment_contacts_by_status(open_workspace):
    ws = open_workspace()
    flow, wait_for, _email, _tag = _started_tree(ws)
    enrollments = [e.id for e in ws.enrollments(flow.automation)]
    with ws._write() as conn:
        execute(conn, "UPDATE enrollment SET at_node_id = ? WHERE id = ?", (wait_for, enrollments[0]))
        execute(
            conn,
            "INSERT INTO decision (enrollment_id, node_id, output, day) VALUES (?, ?, 'no', 1)",
            (enrollments[1], wait_for),
        )
        execute(conn, "UPDATE task SET status = 'canceled' WHERE enrollment_id = ?", (enrollments[2],))
    counts = ws.node_summaries(flow.automation)
    assert (counts[wait_for].waiting, counts[wait_for].ways) == (1, {"no": 1})
    assert counts[flow.segment_node].by_status == {"in progress": 2, "finished": 1}


def test_a_duplicate_and_an_undone_delete_keep_settings_outputs_and_switches(open_workspace):
    ws = open_workspace()
    flow, wait_for, email, _tag = _tree(ws)
    ws.set_stop_on_reply(flow.automation, False)
    ws.set_rates(flow.automation, {"bounced": {"rate": 0.05, "after_days": 0}})
    copy = ws.duplicate_automation(flow.automation)
    assert ws.stop_on_reply(copy) is False
    assert ws.rates(copy) == ws.rates(flow.automation)
    assert sorted(o for _, _, o in ws.edges_with_outputs(copy) if o) == ["no", "yes"]
    assert [ws.node_settings(n.id) for n in ws.nodes(copy) if n.kind is NodeKind.WAIT_FOR] == [
        {"outcome": "accepted", "days": 7}
    ]
    snapshot = ws.remove_nodes_with_snapshot([wait_for])
    ws.restore_nodes(snapshot)
    assert ws.node_settings(wait_for) == {"outcome": "accepted", "days": 7}
    assert (wait_for, email, "yes") in ws.edges_with_outputs(flow.automation)
    snapshot = ws.delete_automation(flow.automation)
    ws.restore_automation(snapshot)
    assert ws.stop_on_reply(flow.automation) is False
