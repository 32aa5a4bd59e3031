"""The rules of an automation's graph (SPEC §3 as §10 changes it).

The steps after a Sender Profile node form a path: a tree. Every step has one
incoming edge; an action, wait or tag step at most one outgoing edge; a control
node (Wait for, Condition, A/B split) at most one per output, each edge
labelled with its output. An edge is ``(source, target)`` or
``(source, target, output)``.

Every problem names the node it concerns and says what to do, in a marketer's
words. The canvas asks :func:`check_connect` while a connection is dragged, so
the connection rules live here only.

The rules walk a small graph of their own (:class:`RuleGraph`); networkx
(about 0.3 s to import) is imported only to name a loop that is there, so a
start or a forecast never pays for it. :func:`check_connect` needs none of
it: one new connection can only break the rules at its two ends, or close a
loop.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from builder.engine import node_settings
from builder.engine.words import NodeKind


@dataclass(frozen=True)
class GraphNode:
    id: Hashable
    kind: NodeKind
    title: str
    profile_count: int = 0  # sender profiles attached (Sender Profile nodes)
    has_segment: bool = True  # who it contacts is chosen (Segment nodes)
    wait_days: int = 0
    # A control or tag node's settings (SPEC §10), as the workspace stores them.
    settings: Mapping[str, Any] | None = field(default=None, hash=False)

    @property
    def outputs(self) -> tuple[str, ...]:
        """A control node's outputs in order (``yes``, ``no``, or its variants); () for any other node."""
        return node_settings.output_names(self.kind, self.settings)


Edge = tuple[Hashable, Hashable] | tuple[Hashable, Hashable, str | None]


def edge_parts(edge: Edge) -> tuple[Hashable, Hashable, str | None]:
    """``(source, target, output)`` of an edge given with or without its output."""
    if len(edge) == 2:
        return edge[0], edge[1], None
    return edge[0], edge[1], edge[2]  # type: ignore[misc]


@dataclass(frozen=True)
class Problem:
    """One thing that keeps an automation from starting, tied to its node."""

    node: Hashable | None
    code: str
    message: str = field(compare=False)
    # Structural problems come from the connections themselves; the others only
    # say the automation is not finished yet.
    structural: bool = field(default=False, compare=False)
    # A message not written yet is asked for, not refused: a scenario may leave
    # messages out (SPEC §11), and its tasks are then done without words.
    blocking: bool = field(default=True, compare=False)


@dataclass(frozen=True)
class Branch:
    """A Segment node, its Sender Profile node and the chain of steps after it."""

    segment: Hashable
    sender_profile: Hashable
    steps: tuple[Hashable, ...]


class NodeLookup(Protocol):
    def __getitem__(self, node: Hashable, /) -> GraphNode: ...


class GraphLookup(Protocol):
    """A graph read piece by piece, as a check needs it (a workspace reads it on demand)."""

    def node(self, node_id: Hashable) -> GraphNode: ...

    def successors(self, node_id: Hashable) -> Sequence[Hashable]: ...

    def predecessors(self, node_id: Hashable) -> Sequence[Hashable]: ...


class GraphWithOutputs(GraphLookup, Protocol):
    """A graph that also tells the output each edge leaves from (control nodes, SPEC §10)."""

    def outgoing(self, node_id: Hashable) -> Sequence[tuple[Hashable, str | None]]: ...


class GraphInMemory:
    """A :class:`GraphLookup` over lists of nodes and edges."""

    def __init__(self, nodes: Iterable[GraphNode], edges: Iterable[Edge]) -> None:
        self.nodes = {n.id: n for n in nodes}
        self.succs: dict[Hashable, list[Hashable]] = {}
        self.preds: dict[Hashable, list[Hashable]] = {}
        self.outs: dict[Hashable, list[tuple[Hashable, str | None]]] = {}
        for edge in edges:
            source, target, output = edge_parts(edge)
            self.succs.setdefault(source, []).append(target)
            self.preds.setdefault(target, []).append(source)
            self.outs.setdefault(source, []).append((target, output))

    def outgoing(self, node_id: Hashable) -> Sequence[tuple[Hashable, str | None]]:
        return self.outs.get(node_id, [])

    def node(self, node_id: Hashable) -> GraphNode:
        return self.nodes[node_id]

    def successors(self, node_id: Hashable) -> Sequence[Hashable]:
        return self.succs.get(node_id, [])

    def predecessors(self, node_id: Hashable) -> Sequence[Hashable]:
        return self.preds.get(node_id, [])


class ConnectionRefused(ValueError):
    """A connection SPEC §3 forbids; the message says why."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


class CycleError(ConnectionRefused):
    pass


class DuplicateConnectionError(ConnectionRefused):
    pass


class RuleGraph:
    """What the rules read of a graph: its nodes in order, and each node's edges in order.

    Predecessors and successors are each listed once, as a networkx DiGraph
    keeps them; ``outgoing`` keeps every edge, as the rules count them all.
    """

    def __init__(self, nodes: Iterable[GraphNode], edges: Iterable[Edge]) -> None:
        self.nodes: dict[Hashable, GraphNode] = {node.id: node for node in nodes}
        self.edges: list[tuple[Hashable, Hashable, str | None]] = []
        self.succs: dict[Hashable, dict[Hashable, None]] = {n: {} for n in self.nodes}
        self.preds: dict[Hashable, dict[Hashable, None]] = {n: {} for n in self.nodes}
        self.outgoing: dict[Hashable, list[tuple[Hashable, str | None]]] = {}
        for edge in edges:
            source, target, output = edge_parts(edge)
            self.edges.append((source, target, output))
            self.succs.setdefault(source, {})[target] = None
            self.preds.setdefault(target, {})[source] = None
            self.succs.setdefault(target, {})
            self.preds.setdefault(source, {})
            self.outgoing.setdefault(source, []).append((target, output))

    def successors(self, node_id: Hashable) -> list[Hashable]:
        return list(self.succs.get(node_id, ()))

    def predecessors(self, node_id: Hashable) -> list[Hashable]:
        return list(self.preds.get(node_id, ()))

    def descendants(self, start: Hashable) -> set[Hashable]:
        """Every node a path leads to from ``start``."""
        found: set[Hashable] = set()
        frontier = [start]
        while frontier:
            for target in self.succs.get(frontier.pop(), ()):
                if target not in found:
                    found.add(target)
                    frontier.append(target)
        found.discard(start)  # as networkx's descendants: never the start itself
        return found

    def loop(self) -> list[Hashable]:
        """The nodes of one loop, as networkx's ``find_cycle`` names it; empty when the graph has none.

        Whether there is a loop at all is a count of in-edges (Kahn); only a
        graph with one imports networkx, so a loop is named the same way as
        before, everywhere.
        """
        waiting = {n: len(p) for n, p in self.preds.items()}
        ready = [n for n, count in waiting.items() if count == 0]
        left = len(waiting)
        while ready:
            node = ready.pop()
            left -= 1
            for target in self.succs.get(node, ()):
                waiting[target] -= 1
                if waiting[target] == 0:
                    ready.append(target)
        if left == 0:
            return []
        import networkx as nx

        graph = nx.DiGraph()
        graph.add_nodes_from(self.nodes)
        graph.add_edges_from((source, target) for source, target, _ in self.edges)
        return [u for u, _ in nx.find_cycle(graph)]


def build_graph(nodes: Iterable[GraphNode], edges: Iterable[Edge]) -> RuleGraph:
    """The graph the rules read (no networkx: a start checks its graph without importing it)."""
    return RuleGraph(nodes, edges)


def _q(node: GraphNode) -> str:
    return f"'{node.title}'"


def problems(graph: RuleGraph, *, stop_on_reply: bool = True, messages_required: bool = False) -> list[Problem]:
    """Everything that keeps this graph from starting, in node order."""
    outgoing = graph.outgoing
    found: list[Problem] = []
    info: dict[Hashable, GraphNode] = graph.nodes

    def add(node: Hashable | None, code: str, message: str, structural: bool = False) -> None:
        found.append(Problem(node, code, message, structural, code not in node_settings.ASKED))

    segments = [n for n, d in info.items() if d.kind is NodeKind.SEGMENT]
    if not segments:
        add(None, "no_segment", "Add a Segment node: it says who the automation contacts.")

    cycle_nodes: set[Hashable] = set()
    cycle = graph.loop()
    if cycle:
        cycle_nodes = set(cycle)
        found.append(_cycle_problem(info, cycle))

    reachable: set[Hashable] = set()
    for segment in segments:
        reachable |= graph.descendants(segment) | {segment}

    for node_id, node in info.items():
        name = _q(node)
        preds = list(graph.predecessors(node_id))
        succs = list(graph.successors(node_id))
        into = _in_problem(node_id, info, preds)
        out = _out_problem(node_id, info, outgoing.get(node_id, []))
        if node.kind is NodeKind.SEGMENT:
            found.extend(p for p in (into,) if p)
            if not node.has_segment:
                add(node_id, "segment_unset", f"Choose who {name} contacts: pick a segment or define one.")
            if not succs:
                add(node_id, "segment_no_out", f"Connect {name} to a Sender Profile node.")
            found.extend(p for p in (out,) if p)
        elif node.kind is NodeKind.SENDER_PROFILE:
            if not preds:
                add(node_id, "profile_no_in", f"Connect a Segment node into {name}.")
            found.extend(p for p in (into,) if p)
            if node.profile_count == 0:
                add(node_id, "no_profiles", f"Add a sender profile to {name} before starting.")
            if out is not None:
                found.append(out)
            elif node_id not in cycle_nodes and not _has_action_after(graph, info, node_id):
                add(
                    node_id,
                    "no_action",
                    f"Add a step after {name}: a LinkedIn connect, LinkedIn message or Email (waits alone do nothing).",
                )
        else:
            found.extend(p for p in (out, into) if p)
            if node.kind is NodeKind.WAIT and node.wait_days < 0:
                add(node_id, "wait_days", f"The wait in {name} must be 0 days or more.")
            for code, message in node_settings.settings_problems(
                node.kind, node.settings, name, stop_on_reply=stop_on_reply, messages_required=messages_required
            ):
                add(node_id, code, message)
            if node_id not in reachable and node_id not in cycle_nodes:
                add(
                    node_id,
                    "unreachable",
                    f"{name} is not reached from any Segment node: connect it after a Sender Profile node or its steps.",
                )
    return found


def _cycle_problem(info: NodeLookup, loop: Sequence[Hashable]) -> Problem:
    """The loop ``loop[0] → loop[1] → … → loop[0]``."""
    names = " → ".join(_q(info[u]) for u in loop) + f" → {_q(info[loop[0]])}"
    message = f"These steps loop back on themselves: {names}. Remove one connection of the loop."
    return Problem(loop[0], "cycle", message, True)


def _out_problem(
    node_id: Hashable, info: NodeLookup, outgoing: Sequence[tuple[Hashable, str | None]]
) -> Problem | None:
    """The structural problem of where a node leads (its edges with their outputs), if any."""
    node = info[node_id]
    name = _q(node)
    succs = [target for target, _ in outgoing]
    if node.kind.is_control:
        return _control_out_problem(node_id, node, outgoing)
    labelled = next((output for _, output in outgoing if output is not None), None)
    if labelled is not None:
        return Problem(
            node_id,
            "output_on_step",
            f"{name} has one way out, not an output '{labelled}': connect it again from its output port.",
            True,
        )
    if node.kind is NodeKind.SEGMENT:
        if len(succs) > 1:
            return Problem(
                node_id,
                "segment_many_out",
                f"{name} leads to {len(succs)} nodes; it must lead to exactly one Sender Profile node.",
                True,
            )
        if succs and info[succs[0]].kind is not NodeKind.SENDER_PROFILE:
            return Problem(
                node_id,
                "segment_to_step",
                f"{name} must lead to a Sender Profile node, not to {_q(info[succs[0]])}.",
                True,
            )
        return None
    if len(succs) <= 1:
        return None
    if node.kind is NodeKind.SENDER_PROFILE:
        message = f"{name} leads to {len(succs)} steps; the steps after it follow one another in a single line."
    else:
        message = f"{name} leads to {len(succs)} steps; steps follow one another in a single line."
    return Problem(node_id, "many_next", message, True)


def _control_out_problem(
    node_id: Hashable, node: GraphNode, outgoing: Sequence[tuple[Hashable, str | None]]
) -> Problem | None:
    """A control node leads on at most once per output, each edge from one of its outputs (SPEC §10)."""
    name = _q(node)
    outputs = node.outputs
    ways = " or ".join(f"'{o}'" for o in outputs) or "one of its outputs"
    used: set[str] = set()
    for _, output in outgoing:
        if output is None:
            return Problem(
                node_id, "no_output", f"Connect each way out of {name} from one of its outputs: {ways}.", True
            )
        if output not in outputs:
            return Problem(node_id, "unknown_output", f"{name} has no output '{output}': connect from {ways}.", True)
        if output in used:
            return Problem(
                node_id, "output_twice", f"{name} leads on twice from '{output}': one step per output.", True
            )
        used.add(output)
    return None


def _in_problem(node_id: Hashable, info: NodeLookup, preds: Sequence[Hashable]) -> Problem | None:
    """The structural problem of what leads into a node, if any."""
    node = info[node_id]
    name = _q(node)
    if node.kind is NodeKind.SEGMENT:
        if not preds:
            return None
        message = f"Nothing can lead into {name}: a Segment node is where a branch begins."
        return Problem(node_id, "into_segment", message, True)
    if node.kind is NodeKind.SENDER_PROFILE:
        if len(preds) > 1:
            return Problem(
                node_id,
                "profile_many_in",
                f"{name} has {len(preds)} incoming connections; it takes exactly one, from a Segment node.",
                True,
            )
        if preds and info[preds[0]].kind is not NodeKind.SEGMENT:
            return Problem(
                node_id,
                "profile_after_step",
                f"{name} must come right after a Segment node, not after {_q(info[preds[0]])}.",
                True,
            )
        return None
    if len(preds) > 1:
        message = f"{name} comes after {len(preds)} nodes; a step belongs to one branch and follows one node."
        return Problem(node_id, "many_in", message, True)
    return None


def _has_action_after(graph: RuleGraph, info: dict[Hashable, GraphNode], start: Hashable) -> bool:
    return any(info[n].kind.is_action for n in graph.descendants(start))


def validate(
    nodes: Iterable[GraphNode], edges: Iterable[Edge], *, stop_on_reply: bool = True, messages_required: bool = False
) -> list[Problem]:
    """SPEC §3, §10 and §11: the problems that keep an automation from starting; empty if none.

    ``stop_on_reply`` is the automation's setting: a Wait for replied is a problem while it is on.
    ``messages_required``: an action step with no message is a problem (the app's rule; a
    scenario may leave messages out, SPEC §11).
    """
    return problems(build_graph(nodes, edges), stop_on_reply=stop_on_reply, messages_required=messages_required)


def check_connect(
    nodes: Sequence[GraphNode],
    edges: Sequence[Edge],
    source: Hashable,
    target: Hashable,
    output: str | None = None,
) -> None:
    """Raise :class:`ConnectionRefused` if connecting source (from ``output``) → target breaks SPEC §3."""
    check_connection(GraphInMemory(nodes, edges), source, target, output)


def check_connection(graph: GraphLookup, source: Hashable, target: Hashable, output: str | None = None) -> None:
    """Raise :class:`ConnectionRefused` if connecting source → target breaks SPEC §3 and §10.

    ``output`` is the control node's output the connection leaves from
    (``yes``, ``no``, a variant's name); None for any other node. A control
    node needs one, takes one edge per output, and an output that already
    leads on refuses a second edge.

    A connection is refused when it adds a structural problem the graph did not
    have (a loop, a second way into a Sender Profile node, a Segment straight
    into a step…). An unfinished automation may still be connected up.

    Only what the new connection can change is read and checked: where
    ``source`` leads, what leads into ``target``, and whether ``target``
    already reaches ``source`` (one search) — not the whole graph, so building
    a big automation one connection at a time stays quick.
    """
    info: NodeLookup = _Nodes(graph)
    if source == target:
        raise CycleError(Problem(source, "cycle", f"{_q(info[source])} cannot lead to itself.", True))
    outgoing_of = getattr(graph, "outgoing", None)
    if outgoing_of is not None:
        outgoing = list(outgoing_of(source))
        succs = [t for t, _ in outgoing]
    else:
        succs = list(graph.successors(source))
        outgoing = [(t, None) for t in succs]
    preds = list(graph.predecessors(target))
    _check_output(info, source, outgoing, output)
    if target in succs:
        raise DuplicateConnectionError(
            Problem(source, "duplicate", f"{_q(info[source])} is already connected to {_q(info[target])}.", True)
        )
    path = path_between(graph.successors, target, source)
    if path is not None:
        raise CycleError(_cycle_problem(info, [source, *path[:-1]]))
    # Messages count what is wrong ("leads to 3 nodes"), so making a problem
    # worse counts as new too. Where the connection starts is said first.
    for was, now in (
        (_out_problem(source, info, outgoing), _out_problem(source, info, [*outgoing, (target, output)])),
        (_in_problem(target, info, preds), _in_problem(target, info, [*preds, source])),
    ):
        if now is not None and (was is None or (was.code, was.message) != (now.code, now.message)):
            raise ConnectionRefused(now)


def _check_output(
    info: NodeLookup, source: Hashable, outgoing: Sequence[tuple[Hashable, str | None]], output: str | None
) -> None:
    """Refuse a connection from a control node without one of its free outputs, or with one from any other."""
    node = info[source]
    name = _q(node)
    if not node.kind.is_control:
        if output is not None:
            raise ConnectionRefused(
                Problem(source, "output_on_step", f"{name} has one way out, not an output '{output}'.", True)
            )
        return
    ways = " or ".join(f"'{o}'" for o in node.outputs) or "one of its outputs"
    if output is None:
        message = f"Connect from one of the outputs of {name}: {ways}."
        raise ConnectionRefused(Problem(source, "no_output", message, True))
    if output not in node.outputs:
        message = f"{name} has no output '{output}': connect from {ways}."
        raise ConnectionRefused(Problem(source, "unknown_output", message, True))
    taken = next((t for t, o in outgoing if o == output), None)
    if taken is not None:
        message = f"{name} already leads on from '{output}' to {_q(info[taken])}."
        raise DuplicateConnectionError(Problem(source, "output_taken", message, True))


class _Nodes:
    def __init__(self, graph: GraphLookup) -> None:
        self.graph = graph

    def __getitem__(self, node_id: Hashable) -> GraphNode:
        return self.graph.node(node_id)


def path_between(
    successors: Callable[[Hashable], Iterable[Hashable]], start: Hashable, goal: Hashable
) -> list[Hashable] | None:
    """The nodes of a path start → … → goal (one breadth-first search), or None."""
    came_from: dict[Hashable, Hashable | None] = {start: None}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            if node == goal:
                path = [node]
                while (step := came_from[path[-1]]) is not None:
                    path.append(step)
                return path[::-1]
            for nxt in successors(node):
                if nxt not in came_from:
                    came_from[nxt] = node
                    following.append(nxt)
        frontier = following
    return None


def branches(nodes: Iterable[GraphNode], edges: Iterable[Edge]) -> list[Branch]:
    """The branches of a valid graph, in the order of their Segment nodes.

    ``steps`` is the line of steps after the Sender Profile node up to and
    including the first control node, where the path becomes a tree
    (:func:`branch_paths` gives the whole tree).
    """
    node_list = list(nodes)
    graph = GraphInMemory(node_list, edges)  # a walk along successors needs no networkx (nor its import)
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
            here = graph.nodes.get(current)
            if here is not None and here.kind.is_control:
                break  # the path becomes a tree here
            following = list(graph.successors(current))
            if len(following) != 1 or following[0] in seen:
                break
            current = following[0]
            seen.add(current)
            steps.append(current)
        found.append(Branch(node.id, profile, tuple(steps)))
    return found


_STEP_TREES = ("BranchPath", "branch_paths", "steps_graph", "walk_steps")


def __getattr__(name: str) -> object:
    """A branch's path as a tree of steps lives in :mod:`builder.engine.step_trees`; reachable from here too."""
    if name in _STEP_TREES:
        from builder.engine import step_trees

        return getattr(step_trees, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
