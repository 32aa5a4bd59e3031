"""Connecting in a big automation reads what the connection touches; a started one grows only at a path's end."""

from __future__ import annotations

from itertools import pairwise

import pytest

from builder.engine import graph
from builder.store import automations
from builder.store.database import WorkspaceError
from tests.store.builders import build_outreach


def test_building_a_long_chain_reads_a_few_connections_per_step_and_never_the_whole_graph(open_workspace, monkeypatch):
    ws = open_workspace()
    automation = ws.create_automation("Long chain")
    reads: list[int] = []
    successors, outgoing = automations._StoredGraph.successors, automations._StoredGraph.outgoing

    def counted(self, node_id: int) -> list[int]:
        reads.append(node_id)
        return successors(self, node_id)

    def counted_outgoing(self, node_id: int) -> list[tuple[int, str | None]]:
        reads.append(node_id)
        return outgoing(self, node_id)

    monkeypatch.setattr(automations._StoredGraph, "successors", counted)
    monkeypatch.setattr(automations._StoredGraph, "outgoing", counted_outgoing)
    monkeypatch.setattr(graph, "problems", lambda *_args: pytest.fail("the whole graph was checked for one connection"))

    chain = [ws.add_node(automation, "segment"), ws.add_node(automation, "sender_profile")]
    chain += [ws.add_node(automation, "linkedin_connect", x=i * 300.0) for i in range(300)]
    for source, target in pairwise(chain):
        ws.connect(source, target)

    # Per connection: where the source leads, and where the new step leads (nowhere yet).
    assert len(reads) == 2 * (len(chain) - 1)
    assert len(ws.edges(automation)) == len(chain) - 1

    with pytest.raises(WorkspaceError, match="loop back on themselves"):
        ws.connect(chain[-1], chain[5])
    assert ws.can_connect(chain[-1], chain[5]) is not None
    assert len(ws.edges(automation)) == len(chain) - 1


def _started(ws):
    anna = ws.create_sender_profile("Anna")
    ws.add_contacts([{"name": f"Lead {i}", "tags": ["cto"]} for i in range(3)])
    flow = build_outreach(ws)
    ws.attach_sender_profile(flow.profile_node, anna)
    ws.start(flow.automation)
    return flow


def test_a_started_automation_takes_new_steps_only_at_the_end_of_a_path(open_workspace):
    ws = open_workspace()
    flow = _started(ws)
    before = ws.nodes(flow.automation)
    with pytest.raises(WorkspaceError, match="has started, so it can take new steps at the end of a path"):
        ws.add_node(flow.automation, "segment", x=1600, y=0)
    assert ws.nodes(flow.automation) == before
    email = ws.add_node(flow.automation, "email", x=1600, y=0)
    # Into the middle of the path: refused, with its reason.
    assert "leads to 2 steps" in (ws.can_connect(flow.steps[0], email) or "")
    ws.connect(flow.steps[-1], email)
    assert (flow.steps[-1], email) in ws.edges(flow.automation)
