"""SPEC §3: the graph rules, each problem tied to its node in a marketer's words."""

from __future__ import annotations

from itertools import pairwise

import pytest

from builder.engine.graph import (
    Branch,
    ConnectionRefused,
    CycleError,
    DuplicateConnectionError,
    GraphNode,
    branches,
    check_connect,
    validate,
)
from builder.engine.words import NodeKind


def segment(node_id: str, title: str = "") -> GraphNode:
    return GraphNode(node_id, NodeKind.SEGMENT, title or node_id)


def profiles(node_id: str, title: str = "", count: int = 1) -> GraphNode:
    return GraphNode(node_id, NodeKind.SENDER_PROFILE, title or node_id, profile_count=count)


def step(node_id: str, kind: NodeKind = NodeKind.LINKEDIN_CONNECT, title: str = "") -> GraphNode:
    return GraphNode(node_id, kind, title or node_id)


def wait(node_id: str, days: int = 1) -> GraphNode:
    return GraphNode(node_id, NodeKind.WAIT, node_id, wait_days=days)


def one_branch() -> tuple[list[GraphNode], list[tuple[str, str]]]:
    """Segment → Sender Profile → connect → wait → message, valid to start."""
    nodes = [segment("seg"), profiles("prof"), step("s1"), wait("w"), step("s2", NodeKind.LINKEDIN_MESSAGE)]
    edges = [("seg", "prof"), ("prof", "s1"), ("s1", "w"), ("w", "s2")]
    return nodes, edges


def codes(nodes, edges) -> list[tuple[str, str]]:
    return [(p.node, p.code) for p in validate(nodes, edges)]


def test_a_complete_branch_has_no_problems():
    assert validate(*one_branch()) == []


def test_missing_sender_profiles_are_named_with_the_node_title():
    nodes = [segment("seg"), profiles("prof", "Sender Profile 2", count=0), step("s1")]
    (problem,) = validate(nodes, [("seg", "prof"), ("prof", "s1")])
    assert (problem.node, problem.code) == ("prof", "no_profiles")
    assert problem.message == "Add a sender profile to 'Sender Profile 2' before starting."


def test_a_cycle_is_reported_on_a_node_of_the_loop():
    nodes, edges = one_branch()
    found = validate(nodes, [*edges, ("s2", "s1")])
    cycle = [p for p in found if p.code == "cycle"]
    assert len(cycle) == 1
    assert cycle[0].node in {"s1", "w", "s2"}
    assert "loop" in cycle[0].message
    assert "'s1'" in cycle[0].message and "'s2'" in cycle[0].message


def test_a_segment_straight_into_a_step():
    nodes = [segment("seg", "CTOs"), step("s1", title="Connect")]
    found = validate(nodes, [("seg", "s1")])
    assert ("seg", "segment_to_step") in [(p.node, p.code) for p in found]
    message = next(p.message for p in found if p.code == "segment_to_step")
    assert message == "'CTOs' must lead to a Sender Profile node, not to 'Connect'."


def test_a_second_edge_into_a_sender_profile_node():
    nodes, edges = one_branch()
    nodes.append(segment("seg2", "Founders"))
    found = validate(nodes, [*edges, ("seg2", "prof")])
    assert [(p.node, p.code) for p in found] == [("prof", "profile_many_in")]
    assert "2 incoming connections" in found[0].message


def test_only_waits_after_the_sender_profile_node():
    nodes = [segment("seg"), profiles("prof", "Sender Profile 1"), wait("w1"), wait("w2")]
    found = validate(nodes, [("seg", "prof"), ("prof", "w1"), ("w1", "w2")])
    assert [(p.node, p.code) for p in found] == [("prof", "no_action")]
    assert found[0].message.startswith("Add a step after 'Sender Profile 1'")


def test_nothing_after_the_sender_profile_node():
    assert codes([segment("seg"), profiles("prof")], [("seg", "prof")]) == [("prof", "no_action")]


def test_an_unreachable_step():
    nodes, edges = one_branch()
    nodes.append(step("lost", NodeKind.EMAIL, title="Follow-up email"))
    found = validate(nodes, edges)
    assert [(p.node, p.code) for p in found] == [("lost", "unreachable")]
    assert found[0].message.startswith("'Follow-up email' is not reached from any Segment node")


def test_no_segment_at_all():
    assert ("prof", "profile_no_in") in codes([profiles("prof"), step("s1")], [("prof", "s1")])
    assert (None, "no_segment") in codes([profiles("prof"), step("s1")], [("prof", "s1")])


def test_a_step_with_two_successors():
    nodes, edges = one_branch()
    nodes.append(step("s3", NodeKind.EMAIL))
    assert codes(nodes, [*edges, ("s1", "s3")]) == [("s1", "many_next")]


def test_problems_are_not_structural_when_only_unfinished():
    nodes = [segment("seg"), profiles("prof", count=0)]
    found = validate(nodes, [("seg", "prof")])
    assert {p.code for p in found} == {"no_profiles", "no_action"}
    assert not any(p.structural for p in found)


# -- check_connect -------------------------------------------------------------------------


def test_connect_refuses_a_cycle():
    nodes, edges = one_branch()
    with pytest.raises(CycleError) as raised:
        check_connect(nodes, edges, "s2", "s1")
    assert "loop" in str(raised.value)


def test_connect_refuses_a_self_loop():
    nodes, edges = one_branch()
    with pytest.raises(CycleError) as raised:
        check_connect(nodes, edges, "s1", "s1")
    assert str(raised.value) == "'s1' cannot lead to itself."


def test_connect_refuses_a_segment_into_a_step():
    nodes = [segment("seg", "CTOs"), step("s1", title="Connect")]
    with pytest.raises(ConnectionRefused) as raised:
        check_connect(nodes, [], "seg", "s1")
    assert not isinstance(raised.value, CycleError)
    assert raised.value.problem.code == "segment_to_step"
    assert "must lead to a Sender Profile node" in str(raised.value)


def test_connect_refuses_a_second_edge_into_a_sender_profile_node():
    nodes, edges = one_branch()
    nodes.append(segment("seg2"))
    with pytest.raises(ConnectionRefused) as raised:
        check_connect(nodes, edges, "seg2", "prof")
    assert raised.value.problem.code == "profile_many_in"
    assert "takes exactly one" in str(raised.value)


def test_connect_refuses_a_duplicate_connection():
    nodes, edges = one_branch()
    with pytest.raises(DuplicateConnectionError) as raised:
        check_connect(nodes, edges, "seg", "prof")
    assert str(raised.value) == "'seg' is already connected to 'prof'."


def test_connect_refuses_a_connection_into_a_segment():
    nodes, edges = one_branch()
    nodes.append(step("x", NodeKind.EMAIL))
    with pytest.raises(ConnectionRefused) as raised:
        check_connect(nodes, edges, "x", "seg")
    assert raised.value.problem.code == "into_segment"
    assert str(raised.value) == "Nothing can lead into 'seg': a Segment node is where a branch begins."


def test_connect_allows_building_up_an_unfinished_graph():
    nodes = [segment("seg"), profiles("prof", count=0), wait("w"), step("s1")]
    check_connect(nodes, [], "seg", "prof")
    check_connect(nodes, [("seg", "prof")], "prof", "w")
    check_connect(nodes, [("seg", "prof"), ("prof", "w")], "w", "s1")
    # Unfinished problems (no profiles attached) remain, but none are structural.
    found = validate(nodes, [("seg", "prof"), ("prof", "w"), ("w", "s1")])
    assert [(p.node, p.code) for p in found] == [("prof", "no_profiles")]


def test_connect_allows_a_free_step_before_it_is_attached_to_a_branch():
    nodes = [step("s1"), step("s2", NodeKind.EMAIL)]
    check_connect(nodes, [], "s1", "s2")


def test_connection_errors_are_value_errors_with_their_problem():
    nodes, edges = one_branch()
    with pytest.raises(ValueError, match="already connected"):
        check_connect(nodes, edges, "s1", "w")


# -- branches ------------------------------------------------------------------------------


def test_branches_in_segment_order_with_their_steps():
    nodes = [
        segment("seg-b"),
        profiles("prof-b"),
        step("b1", NodeKind.EMAIL),
        segment("seg-a"),
        profiles("prof-a"),
        step("a1"),
        wait("a2"),
        step("a3", NodeKind.LINKEDIN_MESSAGE),
    ]
    edges = [("seg-a", "prof-a"), ("prof-a", "a1"), ("a1", "a2"), ("a2", "a3"), ("seg-b", "prof-b"), ("prof-b", "b1")]
    assert validate(nodes, edges) == []
    assert branches(nodes, edges) == [
        Branch("seg-b", "prof-b", ("b1",)),
        Branch("seg-a", "prof-a", ("a1", "a2", "a3")),
    ]


def test_branches_skip_an_unconnected_segment_and_stop_at_a_loop():
    nodes = [segment("lonely"), segment("seg"), profiles("prof"), step("s1"), step("s2")]
    edges = [("seg", "prof"), ("prof", "s1"), ("s1", "s2"), ("s2", "s1")]
    assert branches(nodes, edges) == [Branch("seg", "prof", ("s1", "s2"))]


# -- check_connect reads only what a new connection touches ----------------------------------


def _refused_by_the_whole_graph(nodes, edges, source, target) -> list:
    """The reference: structural problems of the whole graph after, that it did not have before."""
    before = {(p.node, p.code, p.message) for p in validate(nodes, edges) if p.structural}
    after = validate(nodes, [*edges, (source, target)])
    return [p for p in after if p.structural and (p.node, p.code, p.message) not in before]


@pytest.mark.parametrize("seed", range(6))
def test_the_local_check_agrees_with_checking_the_whole_graph(seed):
    import random

    rng = random.Random(seed)
    kinds = [NodeKind.LINKEDIN_CONNECT, NodeKind.LINKEDIN_MESSAGE, NodeKind.EMAIL, NodeKind.WAIT]
    nodes = [segment("a"), segment("b"), profiles("pa"), profiles("pb")]
    nodes += [step(f"s{i}", rng.choice(kinds)) for i in range(8)]
    ids = [n.id for n in nodes]
    edges: list[tuple[str, str]] = []
    refused = accepted = 0
    for _ in range(150):
        source, target = rng.choice(ids), rng.choice(ids)
        if source == target or (source, target) in edges:
            continue
        expected = _refused_by_the_whole_graph(nodes, edges, source, target)
        try:
            check_connect(nodes, edges, source, target)
        except ConnectionRefused as error:
            refused += 1
            assert expected, f"{source} → {target} refused ({error}) though the whole graph allows it"
            if error.problem.code == "cycle":  # told on a node of the loop, maybe another one
                assert "cycle" in {p.code for p in expected}
            else:
                assert (error.problem.node, error.problem.code) in {(p.node, p.code) for p in expected}
            assert isinstance(error, CycleError) == (error.problem.code == "cycle")
        else:
            accepted += 1
            assert not expected, f"{source} → {target} accepted though it adds {expected}"
            edges.append((source, target))
    assert refused and accepted


class _CountingGraph:
    """A graph lookup that counts how many nodes' connections a check reads."""

    def __init__(self, nodes, edges) -> None:
        from builder.engine.graph import GraphInMemory

        self.graph = GraphInMemory(nodes, edges)
        self.reads = 0

    def node(self, node_id):
        return self.graph.node(node_id)

    def successors(self, node_id):
        self.reads += 1
        return self.graph.successors(node_id)

    def predecessors(self, node_id):
        self.reads += 1
        return self.graph.predecessors(node_id)


def test_connecting_a_step_to_a_long_chain_reads_a_few_nodes_not_the_graph(monkeypatch):
    from builder.engine import graph
    from builder.engine.graph import check_connection

    def whole_graph(*_args):
        raise AssertionError("the whole graph was checked for one connection")

    monkeypatch.setattr(graph, "problems", whole_graph)
    chain = [segment("seg"), profiles("prof")] + [step(f"s{i}") for i in range(2000)]
    edges = [(a.id, b.id) for a, b in pairwise(chain)]
    new = step("new", NodeKind.EMAIL)

    lookup = _CountingGraph([*chain, new], edges)
    check_connection(lookup, "s1999", "new")
    assert lookup.reads == 3  # where s1999 leads, what leads into 'new', and where 'new' leads


def test_the_local_check_still_refuses_a_loop_through_a_long_chain(monkeypatch):
    from builder.engine import graph

    monkeypatch.setattr(graph, "problems", lambda *_args: pytest.fail("the whole graph was checked"))
    chain = [segment("seg"), profiles("prof")] + [step(f"s{i}") for i in range(2000)]
    edges = [(a.id, b.id) for a, b in pairwise(chain)]
    with pytest.raises(CycleError) as raised:
        check_connect(chain, edges, "s1999", "s5")
    assert raised.value.problem.node == "s1999"
    assert str(raised.value).startswith("These steps loop back on themselves: 's1999' → 's5' → 's6' → ")
    assert str(raised.value).endswith("→ 's1998' → 's1999'. Remove one connection of the loop.")


def test_checking_a_graph_without_a_loop_does_not_import_networkx():
    """A start or a forecast checks its graph without the 0.3 s import; only a loop, to be named, needs it."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from builder.engine.graph import GraphNode, validate\n"
        "from builder.engine.words import NodeKind as K\n"
        "nodes = [GraphNode('s', K.SEGMENT, 's'), GraphNode('p', K.SENDER_PROFILE, 'p', profile_count=1),\n"
        "         GraphNode('c', K.LINKEDIN_CONNECT, 'c'), GraphNode('w', K.WAIT, 'w', wait_days=2)]\n"
        "assert validate(nodes, [('s', 'p'), ('p', 'c'), ('c', 'w')]) == []\n"
        "print('networkx' in sys.modules)\n"
        "looped = validate(nodes, [('s', 'p'), ('p', 'c'), ('c', 'w'), ('w', 'c')])\n"
        "print([p.code for p in looped if p.code == 'cycle'], 'networkx' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split("\n")
    assert out[0] == "False"
    assert out[1] == "['cycle'] True"
