"""The rules of an automation's graph (SPEC §3), checked with networkx.

Every problem names the node it concerns and says what to do, in a marketer's
words. The canvas asks :func:`check_connect` while a connection is dragged, so
the connection rules live here only.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field

import networkx as nx

from builder.engine.words import NodeKind


@dataclass(frozen=True)
class GraphNode:
    id: Hashable
    kind: NodeKind
    title: str
    profile_count: int = 0  # sender profiles attached (Sender Profile nodes)
    has_segment: bool = True  # who it contacts is chosen (Segment nodes)
    wait_days: int = 0


@dataclass(frozen=True)
class Problem:
    """One thing that keeps an automation from starting, tied to its node."""

    node: Hashable | None
    code: str
    message: str = field(compare=False)
    # Structural problems come from the connections themselves; the others only
    # say the automation is not finished yet.
    structural: bool = field(default=False, compare=False)


@dataclass(frozen=True)
class Branch:
    """A Segment node, its Sender Profile node and the chain of steps after it."""

    segment: Hashable
    sender_profile: Hashable
    steps: tuple[Hashable, ...]


class ConnectionRefused(ValueError):
    """A connection SPEC §3 forbids; the message says why."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


class CycleError(ConnectionRefused):
    pass


class DuplicateConnectionError(ConnectionRefused):
    pass


def build_graph(nodes: Iterable[GraphNode], edges: Iterable[tuple[Hashable, Hashable]]) -> nx.DiGraph:
    graph = nx.DiGraph()
    for node in nodes:
        graph.add_node(node.id, node=node)
    graph.add_edges_from(edges)
    return graph


def _q(node: GraphNode) -> str:
    return f"'{node.title}'"


def problems(graph: nx.DiGraph) -> list[Problem]:
    """Everything that keeps this graph from starting, in node order."""
    found: list[Problem] = []
    info: dict[Hashable, GraphNode] = {n: graph.nodes[n]["node"] for n in graph.nodes}

    def add(node: Hashable | None, code: str, message: str, structural: bool = False) -> None:
        found.append(Problem(node, code, message, structural))

    segments = [n for n, d in info.items() if d.kind is NodeKind.SEGMENT]
    if not segments:
        add(None, "no_segment", "Add a Segment node: it says who the automation contacts.")

    cycle_nodes: set[Hashable] = set()
    try:
        cycle = nx.find_cycle(graph)
    except nx.NetworkXNoCycle:
        cycle = []
    if cycle:
        cycle_nodes = {u for u, _ in cycle}
        first = cycle[0][0]
        names = " → ".join(_q(info[u]) for u, _ in cycle) + f" → {_q(info[first])}"
        add(first, "cycle", f"These steps loop back on themselves: {names}. Remove one connection of the loop.", True)

    reachable: set[Hashable] = set()
    for segment in segments:
        reachable |= nx.descendants(graph, segment) | {segment}

    for node_id, node in info.items():
        name = _q(node)
        preds = list(graph.predecessors(node_id))
        succs = list(graph.successors(node_id))
        if node.kind is NodeKind.SEGMENT:
            if preds:
                add(
                    node_id,
                    "into_segment",
                    f"Nothing can lead into {name}: a Segment node is where a branch begins.",
                    True,
                )
            if not node.has_segment:
                add(node_id, "segment_unset", f"Choose who {name} contacts: pick a segment or define one.")
            if not succs:
                add(node_id, "segment_no_out", f"Connect {name} to a Sender Profile node.")
            elif len(succs) > 1:
                add(
                    node_id,
                    "segment_many_out",
                    f"{name} leads to {len(succs)} nodes; it must lead to exactly one Sender Profile node.",
                    True,
                )
            elif info[succs[0]].kind is not NodeKind.SENDER_PROFILE:
                add(
                    node_id,
                    "segment_to_step",
                    f"{name} must lead to a Sender Profile node, not to {_q(info[succs[0]])}.",
                    True,
                )
        elif node.kind is NodeKind.SENDER_PROFILE:
            if not preds:
                add(node_id, "profile_no_in", f"Connect a Segment node into {name}.")
            elif len(preds) > 1:
                add(
                    node_id,
                    "profile_many_in",
                    f"{name} has {len(preds)} incoming connections; it takes exactly one, from a Segment node.",
                    True,
                )
            elif info[preds[0]].kind is not NodeKind.SEGMENT:
                add(
                    node_id,
                    "profile_after_step",
                    f"{name} must come right after a Segment node, not after {_q(info[preds[0]])}.",
                    True,
                )
            if node.profile_count == 0:
                add(node_id, "no_profiles", f"Add a sender profile to {name} before starting.")
            if len(succs) > 1:
                add(
                    node_id,
                    "many_next",
                    f"{name} leads to {len(succs)} steps; the steps after it follow one another in a single line.",
                    True,
                )
            elif node_id not in cycle_nodes and not _has_action_after(graph, info, node_id):
                add(
                    node_id,
                    "no_action",
                    f"Add a step after {name}: a LinkedIn connect, LinkedIn message or Email (waits alone do nothing).",
                )
        else:
            if len(succs) > 1:
                add(
                    node_id,
                    "many_next",
                    f"{name} leads to {len(succs)} steps; steps follow one another in a single line.",
                    True,
                )
            if len(preds) > 1:
                add(
                    node_id,
                    "many_in",
                    f"{name} comes after {len(preds)} nodes; a step belongs to one branch and follows one node.",
                    True,
                )
            if node.kind is NodeKind.WAIT and node.wait_days < 0:
                add(node_id, "wait_days", f"The wait in {name} must be 0 days or more.")
            if node_id not in reachable and node_id not in cycle_nodes:
                add(
                    node_id,
                    "unreachable",
                    f"{name} is not reached from any Segment node: connect it after a Sender Profile node or its steps.",
                )
    return found


def _has_action_after(graph: nx.DiGraph, info: dict[Hashable, GraphNode], start: Hashable) -> bool:
    return any(info[n].kind.is_action for n in nx.descendants(graph, start))


def validate(nodes: Iterable[GraphNode], edges: Iterable[tuple[Hashable, Hashable]]) -> list[Problem]:
    """SPEC §3: the problems that keep an automation from starting; empty if none."""
    return problems(build_graph(nodes, edges))


def check_connect(
    nodes: Sequence[GraphNode], edges: Sequence[tuple[Hashable, Hashable]], source: Hashable, target: Hashable
) -> None:
    """Raise :class:`ConnectionRefused` if connecting source → target breaks SPEC §3.

    A connection is refused when it adds a structural problem the graph did not
    have (a loop, a second way into a Sender Profile node, a Segment straight
    into a step…). An unfinished automation may still be connected up.
    """
    info = {n.id: n for n in nodes}
    if source == target:
        raise CycleError(Problem(source, "cycle", f"{_q(info[source])} cannot lead to itself.", True))
    if (source, target) in set(edges):
        raise DuplicateConnectionError(
            Problem(source, "duplicate", f"{_q(info[source])} is already connected to {_q(info[target])}.", True)
        )
    # Messages count what is wrong ("leads to 3 nodes"), so making a problem
    # worse counts as new too.
    before = {(p.node, p.code, p.message) for p in problems(build_graph(nodes, edges)) if p.structural}
    after = [p for p in problems(build_graph(nodes, [*edges, (source, target)])) if p.structural]
    for problem in after:
        if (problem.node, problem.code, problem.message) not in before:
            raise (CycleError if problem.code == "cycle" else ConnectionRefused)(problem)


def branches(nodes: Iterable[GraphNode], edges: Iterable[tuple[Hashable, Hashable]]) -> list[Branch]:
    """The branches of a valid graph, in the order of their Segment nodes."""
    node_list = list(nodes)
    graph = build_graph(node_list, edges)
    found = []
    for node in node_list:
        if node.kind is not NodeKind.SEGMENT:
            continue
        succs = list(graph.successors(node.id))
        if len(succs) != 1:
            continue
        profile = succs[0]
        steps: list[Hashable] = []
        current = profile
        seen = {node.id, profile}
        while True:
            following = list(graph.successors(current))
            if len(following) != 1 or following[0] in seen:
                break
            current = following[0]
            seen.add(current)
            steps.append(current)
        found.append(Branch(node.id, profile, tuple(steps)))
    return found
