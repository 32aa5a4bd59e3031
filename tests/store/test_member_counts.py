"""Segment cards count their members in the database: always the engine's rule's answer (issue 11)."""

from __future__ import annotations

import random

import pytest

from builder.engine.segments import SegmentDefinition, SegmentRule
from builder.store.loading import load_contacts_with_tags, segment_member_count
from builder.store.workspace import Workspace
from tests.store.builders import build_outreach

TAGS = ["cto", "cfo", "saas", "fintech", "berlin", "paris"]


def by_the_engine(ws: Workspace, definition: SegmentDefinition) -> int:
    """The engine's rule, contact by contact, over every contact and its tags."""
    with ws._read() as conn:
        return sum(definition.matches(contact, tags) for contact, tags in load_contacts_with_tags(conn))


def counted(ws: Workspace, definition: SegmentDefinition) -> int:
    with ws._read() as conn:
        return segment_member_count(conn, definition)


@pytest.mark.parametrize("seed", range(4))
def test_member_counts_equal_the_engine_rule_on_random_tag_sets(open_workspace, seed):
    rng = random.Random(seed)
    ws = open_workspace()
    contacts = ws.add_contacts([{"name": f"Lead {i}", "tags": rng.sample(TAGS, rng.randint(0, 4))} for i in range(300)])
    tag_ids = {name: tag for tag, name in ws.tag_names().items()}
    unknown_tag = max(tag_ids.values()) + 100
    definitions = [SegmentDefinition(SegmentRule.EVERYONE), SegmentDefinition(SegmentRule.TAGS_ANY)]
    definitions.append(SegmentDefinition(SegmentRule.TAGS_ALL))
    for _ in range(25):
        chosen = frozenset(tag_ids[t] for t in rng.sample(TAGS, rng.randint(1, 4)))
        if rng.random() < 0.2:
            chosen |= {unknown_tag}  # a tag no contact has (or one deleted since)
        definitions.append(SegmentDefinition(SegmentRule.TAGS_ANY, tags=chosen))
        definitions.append(SegmentDefinition(SegmentRule.TAGS_ALL, tags=chosen))
    for _ in range(5):
        listed = set(rng.sample(contacts, rng.randint(0, 40))) | {max(contacts) + rng.randint(1, 50)}
        definitions.append(SegmentDefinition(SegmentRule.STATIC, contacts=frozenset(listed)))
    for definition in definitions:
        assert counted(ws, definition) == by_the_engine(ws, definition), definition


def test_the_segment_card_counts_members_of_each_rule(open_workspace):
    ws = open_workspace()
    jo = ws.add_contact("Jo", tags=["cto", "saas"])
    ws.add_contact("Al", tags=["cto"])
    ws.add_contact("Bo", tags=["saas"])
    ws.add_contact("Cy")
    flow = build_outreach(ws)
    assert ws.node_summaries(flow.automation)[flow.segment_node].members == 2
    for kwargs, members in [
        ({"tags_all": ["cto", "saas"]}, 1),
        ({"tags_any": ["cto", "saas"]}, 3),
        ({"contacts": [jo]}, 1),
        ({"everyone": True}, 4),
    ]:
        segment = ws.create_segment(f"Segment {kwargs}", **kwargs)
        automation = ws.create_automation(f"Automation {kwargs}")
        node = ws.add_node(automation, "segment", segment_id=segment)
        assert ws.node_summaries(automation)[node].members == members == len(ws.segment_members(segment))


def test_cards_of_a_started_automation_count_enrolled_contacts_and_tasks(open_workspace):
    ws = open_workspace()
    for name in ("Jo", "Al", "Bo"):
        ws.add_contact(name, tags=["cto"])
    ws.add_contact("Cy", tags=["cfo"])
    flow = build_outreach(ws)
    anna = ws.create_sender_profile("Anna")
    ws.attach_sender_profile(flow.profile_node, anna)
    ws.start(flow.automation)
    cards = ws.node_summaries(flow.automation)
    assert (cards[flow.segment_node].members, cards[flow.segment_node].enrolled) == (3, 3)
    assert [(p.sender_profile_id, p.contacts) for p in cards[flow.profile_node].profiles] == [(anna, 3)]
    connect = flow.steps[0]
    assert (cards[connect].pending, cards[connect].done) == (3, 0)
    assert [p.pending_tasks for p in ws.attachments(flow.profile_node)] == [6]  # connect and message, each
