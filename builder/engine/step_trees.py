"""A branch's path as the engine reads it: a tree of :class:`Step` (SPEC §10).

The workspace stores a path as nodes and labelled edges; :func:`branch_paths`
turns them into the tree the engine runs, and :func:`steps_graph` turns a
scenario's tree back into nodes and edges, so both are checked by the same
rules (:func:`builder.engine.graph.validate`).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass

from builder.engine import node_settings
from builder.engine.graph import Edge, GraphInMemory, GraphNode, branches
from builder.engine.steps import Step
from builder.engine.words import NodeKind


@dataclass(frozen=True)
class BranchPath:
    """A branch with its path as the engine reads it: a tree of :class:`Step` (SPEC §10).

    ``node_ids`` names the node of each step in preorder: a step, then the
    steps of its outputs in output order, each output's list in turn — the
    order :func:`walk_steps` visits them.
    """

    segment: Hashable
    sender_profile: Hashable
    steps: tuple[Step, ...]
    node_ids: tuple[Hashable, ...]


def walk_steps(steps: Sequence[Step]) -> Iterable[Step]:
    """Every step of a path in preorder (the order of :attr:`BranchPath.node_ids`)."""
    for step in steps:
        yield step
        for _, following in step.outputs:
            yield from walk_steps(following)


def branch_paths(nodes: Iterable[GraphNode], edges: Iterable[Edge]) -> list[BranchPath]:
    """Each branch of :func:`branches` with the tree of steps after its Sender Profile node.

    A control node's outputs come in its own order (yes, no; the variants),
    each with the steps its edge leads to; an unconnected output has none (the
    path ends there). A step already on the path is not visited twice (a loop
    ends it), so this is safe on a graph that is not valid yet.
    """
    node_list = list(nodes)
    edge_list = list(edges)
    graph = GraphInMemory(node_list, edge_list)
    found = []
    for branch in branches(node_list, edge_list):
        seen: set[Hashable] = {branch.segment, branch.sender_profile}
        ids: list[Hashable] = []
        steps = _steps_from(graph, branch.sender_profile, None, seen, ids)
        found.append(BranchPath(branch.segment, branch.sender_profile, steps, tuple(ids)))
    return found


def _steps_from(
    graph: GraphInMemory, after: Hashable, output: str | None, seen: set[Hashable], ids: list[Hashable]
) -> tuple[Step, ...]:
    """The list of steps that follows ``after`` (from its ``output``), up to and with a control node."""
    steps: list[Step] = []
    current, leaving = after, output
    while True:
        following = [t for t, o in graph.outgoing(current) if o == leaving or leaving is None]
        if len(following) != 1 or following[0] in seen or following[0] not in graph.nodes:
            break
        current, leaving = following[0], None
        seen.add(current)
        node = graph.node(current)
        # The step's place in preorder comes before the steps of its outputs.
        ids.append(current)
        if node.kind.is_control:
            outputs = tuple((name, _steps_from(graph, current, name, seen, ids)) for name in node.outputs)
            steps.append(node_settings.step_of(node.kind, node.settings, node.wait_days, outputs))
            break
        steps.append(node_settings.step_of(node.kind, node.settings, node.wait_days))
    return tuple(steps)


def steps_graph(
    after: Hashable, steps: Sequence[Step], prefix: str, branch_name: str = ""
) -> tuple[list[GraphNode], list[tuple[Hashable, Hashable, str | None]]]:
    """The nodes and edges of a path given as a :class:`Step` tree, hung after node ``after``.

    For checking a scenario's paths with the same rules as the canvas: node
    ids are ``{prefix}/step{i}``, and under an output
    ``{prefix}/step{i}/{output}/step{j}``; each node's title says where it is.
    """
    nodes: list[GraphNode] = []
    edges: list[tuple[Hashable, Hashable, str | None]] = []
    where = f" of {branch_name}" if branch_name else ""

    def hang(source: Hashable, output: str | None, steps: Sequence[Step], base: str) -> None:
        previous, leaving = source, output
        for i, step in enumerate(steps):
            node_id = f"{base}/step{i}"
            label = node_id.removeprefix(prefix + "/") if node_id.startswith(prefix + "/") else node_id
            nodes.append(
                GraphNode(
                    node_id,
                    step.kind,
                    f"{step.kind.label} ({label}){where}",
                    wait_days=step.days if step.kind is NodeKind.WAIT else 0,
                    settings=node_settings.settings_of(step),
                )
            )
            edges.append((previous, node_id, leaving))
            previous, leaving = node_id, None
            for name, following in step.outputs:
                hang(node_id, name, following, f"{node_id}/{name}")

    hang(after, None, steps, prefix)
    return nodes, edges
