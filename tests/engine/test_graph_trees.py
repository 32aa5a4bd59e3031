"""SPEC §3 as §10 changes it: paths are trees of steps under control nodes, each edge from its output."""

from __future__ import annotations

import pytest

from builder.engine.graph import (
    ConnectionRefused,
    DuplicateConnectionError,
    GraphNode,
    branches,
    check_connect,
    validate,
)
from builder.engine.step_trees import BranchPath, branch_paths, walk_steps
from builder.engine.steps import Condition, Step, Variant
from builder.engine.words import NodeKind, Outcome

CONNECT, MESSAGE, EMAIL = NodeKind.LINKEDIN_CONNECT, NodeKind.LINKEDIN_MESSAGE, NodeKind.EMAIL


def node(node_id: str, kind: NodeKind, settings: dict | None = None, **kw) -> GraphNode:
    return GraphNode(node_id, kind, node_id, settings=settings, **kw)


def wait_for(node_id: str = "Wait for 1", outcome: str = "accepted", days: int = 7) -> GraphNode:
    return node(node_id, NodeKind.WAIT_FOR, {"outcome": outcome, "days": days})


def split(node_id: str = "Split", *variants: tuple[str, int]) -> GraphNode:
    variants = variants or (("A", 50), ("B", 50))
    return node(node_id, NodeKind.SPLIT, {"variants": [{"name": n, "percent": p} for n, p in variants]})


def tree() -> tuple[list[GraphNode], list[tuple]]:
    """Segment → profiles → connect → Wait for accepted: yes → message, no → email."""
    nodes = [
        node("seg", NodeKind.SEGMENT),
        node("prof", NodeKind.SENDER_PROFILE, profile_count=1),
        node("connect", CONNECT),
        wait_for(),
        node("message", MESSAGE),
        node("email", EMAIL),
    ]
    edges = [
        ("seg", "prof"),
        ("prof", "connect"),
        ("connect", "Wait for 1"),
        ("Wait for 1", "message", "yes"),
        ("Wait for 1", "email", "no"),
    ]
    return nodes, edges


def codes(nodes, edges, **kw) -> list[tuple[str, str]]:
    return [(p.node, p.code) for p in validate(nodes, edges, **kw)]


def test_a_tree_under_a_wait_for_is_valid():
    assert validate(*tree()) == []


def test_an_unconnected_output_just_ends_the_path():
    nodes, edges = tree()
    assert validate(nodes[:-1], edges[:-1]) == []


def test_an_unlabelled_edge_out_of_a_control_node():
    nodes, edges = tree()
    edges[-1] = ("Wait for 1", "email")
    (problem,) = validate(nodes, edges)
    assert (problem.node, problem.code, problem.structural) == ("Wait for 1", "no_output", True)
    assert problem.message == "Connect each way out of 'Wait for 1' from one of its outputs: 'yes' or 'no'."


def test_an_unknown_output():
    nodes, edges = tree()
    edges[-1] = ("Wait for 1", "email", "maybe")
    assert codes(nodes, edges) == [("Wait for 1", "unknown_output")]


def test_two_edges_from_one_output():
    nodes, edges = tree()
    edges[-1] = ("Wait for 1", "email", "yes")
    assert codes(nodes, edges) == [("Wait for 1", "output_twice")]


def test_a_labelled_edge_out_of_a_plain_step():
    nodes, edges = tree()
    edges[2] = ("connect", "Wait for 1", "yes")
    (problem,) = validate(nodes, edges)
    assert (problem.node, problem.code) == ("connect", "output_on_step")


def test_a_step_still_has_one_way_in_and_a_plain_step_one_way_out():
    nodes, edges = tree()
    assert ("email", "many_in") in codes(nodes, [*edges, ("message", "email")])
    nodes.append(node("more", EMAIL))
    assert codes(nodes, [*edges, ("message", "more"), ("message", "email")]) == [
        ("message", "many_next"),
        ("email", "many_in"),
    ]


def test_only_a_control_node_after_the_profiles_is_no_action():
    nodes = [node("seg", NodeKind.SEGMENT), node("prof", NodeKind.SENDER_PROFILE, profile_count=1), wait_for()]
    assert codes(nodes, [("seg", "prof"), ("prof", "Wait for 1")]) == [("prof", "no_action")]
    # an action under one output is enough
    nodes.append(node("email", EMAIL))
    assert codes(nodes, [("seg", "prof"), ("prof", "Wait for 1"), ("Wait for 1", "email", "no")]) == []


# -- settings --------------------------------------------------------------------------------


def _one_setting_problem(control: GraphNode, **kw):
    nodes = [node("seg", NodeKind.SEGMENT), node("prof", NodeKind.SENDER_PROFILE, profile_count=1), control]
    nodes.append(node("email", EMAIL))
    edges = [("seg", "prof"), ("prof", control.id), (control.id, "email", *control.outputs[:1])]
    if not control.kind.is_control:
        edges[-1] = (control.id, "email")
    return [(p.code, p.message) for p in validate(nodes, edges, **kw)]


def test_split_percents_must_add_up_to_100():
    assert _one_setting_problem(split("Split", ("A", 60), ("B", 50))) == [
        ("split_sum", "The percents of 'Split' add up to 110%, not 100%.")
    ]


def test_split_needs_two_to_five_variants():
    assert [c for c, _ in _one_setting_problem(split("Split", ("A", 100)))] == ["split_count"]
    six = [(f"V{i}", 10) for i in range(5)] + [("V5", 50)]
    assert [c for c, _ in _one_setting_problem(split("Split", *six))] == ["split_count"]


def test_split_variant_names():
    assert [c for c, _ in _one_setting_problem(split("Split", ("A", 50), ("A", 50)))] == ["variant_twice"]
    found = _one_setting_problem(split("Split", ("A b", 50), ("B", 50)))
    assert found == [("variant_name", "Rename variant 'A b' of 'Split': up to 20 letters, digits, '-' or '_'.")]
    assert [c for c, _ in _one_setting_problem(split("Split", ("x" * 21, 50), ("B", 50)))] == ["variant_name"]


def test_wait_for_days_and_outcome():
    assert [c for c, _ in _one_setting_problem(wait_for(days=0))] == ["wait_for_days"]
    assert [c for c, _ in _one_setting_problem(wait_for(outcome="bounced"))] == ["wait_for_outcome"]


def test_wait_for_replied_needs_stop_on_reply_off():
    (found,) = _one_setting_problem(wait_for(outcome="replied"))
    assert found[0] == "wait_for_replied"
    assert "Turn off 'Stop on reply' to branch on replies" in found[1]
    assert _one_setting_problem(wait_for(outcome="replied"), stop_on_reply=False) == []


def test_condition_needs_a_rule_and_tags():
    assert [c for c, _ in _one_setting_problem(node("If", NodeKind.CONDITION, {"tags_any": []}))] == ["condition_tags"]
    assert [c for c, _ in _one_setting_problem(node("If", NodeKind.CONDITION, {}))] == ["settings_missing"]
    assert [c for c, _ in _one_setting_problem(node("If", NodeKind.CONDITION, {"has": "phone"}))] == ["condition_has"]
    assert _one_setting_problem(node("If", NodeKind.CONDITION, {"tags_all": ["vip"]})) == []


def test_a_tag_node_needs_a_tag():
    assert _one_setting_problem(node("Tag", NodeKind.ADD_TAG, {"tag": " "})) == [
        ("tag_missing", "Name the tag 'Tag' adds.")
    ]
    assert [c for c, _ in _one_setting_problem(node("Tag", NodeKind.REMOVE_TAG, None))] == ["settings_missing"]


# -- connecting -----------------------------------------------------------------------------


def test_connecting_from_an_output_that_already_leads_on_is_refused():
    nodes, edges = tree()
    nodes.append(node("LinkedIn message 2", MESSAGE))
    edges[3] = ("Wait for 1", "LinkedIn message 2", "yes")
    with pytest.raises(DuplicateConnectionError) as raised:
        check_connect(nodes, edges, "Wait for 1", "message", "yes")
    assert str(raised.value) == "'Wait for 1' already leads on from 'yes' to 'LinkedIn message 2'."


def test_connecting_out_of_a_control_node_needs_an_output():
    nodes, edges = tree()
    nodes.append(node("more", EMAIL))
    with pytest.raises(ConnectionRefused, match="Connect from one of the outputs of 'Wait for 1'"):
        check_connect(nodes, edges[:-1], "Wait for 1", "more")
    with pytest.raises(ConnectionRefused, match="no output 'maybe'"):
        check_connect(nodes, edges[:-1], "Wait for 1", "more", "maybe")
    check_connect(nodes, edges[:-1], "Wait for 1", "more", "no")


def test_connecting_a_plain_step_from_an_output_is_refused():
    nodes, edges = tree()
    nodes.append(node("more", EMAIL))
    with pytest.raises(ConnectionRefused) as raised:
        check_connect(nodes, edges, "email", "more", "yes")
    assert raised.value.problem.code == "output_on_step"
    check_connect(nodes, edges, "email", "more")


def test_split_outputs_are_its_variants():
    nodes = [split("Split", ("A", 30), ("B", 30), ("C", 40)), node("x", EMAIL)]
    check_connect(nodes, [], "Split", "x", "C")
    with pytest.raises(ConnectionRefused, match="connect from 'A' or 'B' or 'C'"):
        check_connect(nodes, [], "Split", "x", "D")


# -- the path as the engine reads it ----------------------------------------------------------


def test_branches_stop_at_the_first_control_node():
    assert branches(*tree()) == [branches(*tree())[0]]
    assert branches(*tree())[0].steps == ("connect", "Wait for 1")


def test_branch_paths_give_the_step_tree_with_node_ids_in_preorder():
    nodes, edges = tree()
    nodes += [split("Split"), node("tagger", NodeKind.ADD_TAG, {"tag": "hot"}), node("b-mail", EMAIL)]
    edges += [("message", "Split"), ("Split", "b-mail", "B"), ("email", "tagger")]
    (path,) = branch_paths(nodes, edges)
    assert path == BranchPath(
        "seg",
        "prof",
        (
            Step(CONNECT),
            Step(
                NodeKind.WAIT_FOR,
                7,
                outcome=Outcome.ACCEPTED,
                outputs=(
                    (
                        "yes",
                        (
                            Step(MESSAGE),
                            Step(
                                NodeKind.SPLIT,
                                variants=(Variant("A", 50), Variant("B", 50)),
                                outputs=(("A", ()), ("B", (Step(EMAIL),))),
                            ),
                        ),
                    ),
                    ("no", (Step(EMAIL), Step(NodeKind.ADD_TAG, tag="hot"))),
                ),
            ),
        ),
        ("connect", "Wait for 1", "message", "Split", "b-mail", "email", "tagger"),
    )
    assert len(list(walk_steps(path.steps))) == len(path.node_ids)


def test_a_condition_becomes_its_rule_and_values():
    nodes = [
        node("seg", NodeKind.SEGMENT),
        node("prof", NodeKind.SENDER_PROFILE),
        node("If", NodeKind.CONDITION, {"tags_any": ["cto", "vp"]}),
    ]
    (path,) = branch_paths(nodes, [("seg", "prof"), ("prof", "If")])
    assert path.steps == (
        Step(NodeKind.CONDITION, condition=Condition("tags_any", ("cto", "vp")), outputs=(("yes", ()), ("no", ()))),
    )


def test_a_linear_branch_path_is_its_chain():
    nodes = [node("seg", NodeKind.SEGMENT), node("prof", NodeKind.SENDER_PROFILE), node("w", NodeKind.WAIT)]
    nodes[2] = GraphNode("w", NodeKind.WAIT, "w", wait_days=3)
    nodes.append(node("c", CONNECT))
    (path,) = branch_paths(nodes, [("seg", "prof"), ("prof", "w"), ("w", "c")])
    assert path.steps == (Step(NodeKind.WAIT, 3), Step(CONNECT))
    assert path.node_ids == ("w", "c")


def test_a_step_tree_checks_with_the_same_rules():
    from builder.engine.step_trees import steps_graph

    (path,) = branch_paths(*tree())
    nodes, edges = steps_graph("prof", path.steps, "b", "Branch b")
    assert [n.id for n in nodes] == ["b/step0", "b/step1", "b/step1/yes/step0", "b/step1/no/step0"]
    assert ("b/step1", "b/step1/no/step0", "no") in edges
    head = [node("seg", NodeKind.SEGMENT), node("prof", NodeKind.SENDER_PROFILE, profile_count=1)]
    assert validate([*head, *nodes], [("seg", "prof"), *edges]) == []
    (again,) = branch_paths([*head, *nodes], [("seg", "prof"), *edges])
    assert again.steps == path.steps
    late = Step(NodeKind.WAIT_FOR, 0, outcome=Outcome.REPLIED)
    found = validate(*_with_head(head, steps_graph("prof", (late,), "b")))
    assert [(p.node, p.code) for p in found] == [
        ("prof", "no_action"),
        ("b/step0", "wait_for_replied"),
        ("b/step0", "wait_for_days"),
    ]
    assert "'Wait for (step0)'" in found[1].message


def _with_head(head, graph_part):
    nodes, edges = graph_part
    return [*head, *nodes], [("seg", "prof"), *edges]


@pytest.mark.parametrize("seed", range(6))
def test_the_local_check_agrees_with_the_whole_graph_on_trees(seed):
    """A connection is refused exactly when it adds a structural problem to the whole graph."""
    import random

    rng = random.Random(seed)
    nodes = [
        node("seg", NodeKind.SEGMENT),
        node("prof", NodeKind.SENDER_PROFILE, profile_count=1),
        wait_for("w1"),
        wait_for("w2", days=3),
        node("if", NodeKind.CONDITION, {"has": "email"}),
        split("ab", ("A", 50), ("B", 50)),
        node("tag", NodeKind.ADD_TAG, {"tag": "hot"}),
    ]
    nodes += [node(f"s{i}", rng.choice([CONNECT, MESSAGE, EMAIL, NodeKind.WAIT])) for i in range(6)]
    ids = [n.id for n in nodes]
    edges: list[tuple] = []
    same_code = {"output_taken": "output_twice"}
    refused = accepted = 0
    for _ in range(200):
        source, target = rng.choice(ids), rng.choice(ids)
        output = rng.choice([None, None, "yes", "no", "A", "B", "maybe"])
        if source == target or any(e[:2] == (source, target) for e in edges):
            continue
        before = {(p.node, p.code, p.message) for p in validate(nodes, edges) if p.structural}
        after = validate(nodes, [*edges, (source, target, output)])
        expected = [p for p in after if p.structural and (p.node, p.code, p.message) not in before]
        try:
            check_connect(nodes, edges, source, target, output)
        except ConnectionRefused as error:
            refused += 1
            assert expected, f"{source} -{output}-> {target} refused ({error}) though the whole graph allows it"
            if error.problem.code != "cycle":
                code = same_code.get(error.problem.code, error.problem.code)
                assert (error.problem.node, code) in {(p.node, p.code) for p in expected}
        else:
            accepted += 1
            assert not expected, f"{source} -{output}-> {target} accepted though it adds {expected}"
            edges.append((source, target, output))
    assert refused and accepted
    assert validate(nodes, edges) == [p for p in validate(nodes, edges) if not p.structural]
